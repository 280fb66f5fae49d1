"""Whether two matters are "the same kind", and whether two reported matters say the same thing.

No word segmenter is needed: titles of accountability matters are short, so keywords are the two-character
sequences (bigrams) of their Chinese text after generic words (问责、失误、问题、工作 …) are cut out.

- same kind: the same non-empty domain tag (e.g. 征地拆迁), or titles sharing at least two keywords that make
  up at least 40% of the shorter title's keywords;
- same reported matter: equal after removing punctuation and spaces, or keyword overlap (Jaccard) ≥ 0.5.
"""

from __future__ import annotations

import re

GENERIC = (
    "问责",
    "失误",
    "过错",
    "错误",
    "问题",
    "工作",
    "处理",
    "事项",
    "情况",
    "有关",
    "相关",
    "存在",
    "造成",
    "导致",
    "出现",
    "关于",
    "进行",
    "责任",
    "过程",
    "中的",
    "容错",
    "申请",
    "某某",
)
_GENERIC_RE = re.compile("|".join(GENERIC))
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
_WORD = re.compile(r"[A-Za-z0-9]{2,}")
_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)
MIN_SHARED = 2
MIN_SHARE = 0.4
SAME_MATTER = 0.5


def keywords(text: str) -> set[str]:
    cleaned = _GENERIC_RE.sub(" ", text or "")
    out: set[str] = set()
    for run in _CJK_RUN.findall(cleaned):
        out.update(run[i : i + 2] for i in range(len(run) - 1))
    out.update(w.lower() for w in _WORD.findall(cleaned))
    return out


def shared_keywords(a: str, b: str) -> set[str]:
    return keywords(a) & keywords(b)


def same_kind(title_a: str, domain_a: str, title_b: str, domain_b: str) -> str | None:
    """Why the two are the same kind (a Chinese reason), or None."""
    if domain_a and domain_a == domain_b:
        return f"领域标签相同（{domain_a}）"
    ka, kb = keywords(title_a), keywords(title_b)
    shared = ka & kb
    if len(shared) >= MIN_SHARED and len(shared) / max(1, min(len(ka), len(kb))) >= MIN_SHARE:
        return f"问责事项标题关键词重合（{'、'.join(sorted(shared))}）"
    return None


def normalise(text: str) -> str:
    return _PUNCT.sub("", text or "")


def same_matter(a: str, b: str) -> bool:
    if normalise(a) and normalise(a) == normalise(b):
        return True
    ka, kb = keywords(a), keywords(b)
    return bool(ka and kb) and len(ka & kb) / len(ka | kb) >= SAME_MATTER
