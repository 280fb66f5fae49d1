"""jieba with the project dictionary (rongcuo/search/dictionary.txt, read by path: rongcuo.search is a Django app).

HMM is off, as in the search index: an unknown word is cut the same way whatever surrounds it, so the same
article always gets the same suggestions.
"""

from __future__ import annotations

import logging
import re
import threading
from functools import cache
from pathlib import Path

import jieba

DICTIONARY = Path(__file__).resolve().parents[2] / "search" / "dictionary.txt"
STOPWORDS_FILE = DICTIONARY.with_name("stopwords.txt")
_HAN = re.compile(r"[\u3400-\u9fff]")
# Words that appear in nearly every article of a measure and say nothing about which fact it is.
_GENERIC_WORDS = """出现 造成 工作 情形 情况 问题 行为 相关 有关 单位 个人 干部 党员 党员干部 可以 应当 予以 给予 属于
存在 没有 不是 并非 不得 不对 过程 方面 因素 失误 错误 过失 偏差 一定 其他 下列 以下 是否 措施 规定 进行 作出 事项"""
GENERIC = frozenset(_GENERIC_WORDS.split())
_lock = threading.Lock()


def _word_list(path: Path) -> list[str]:
    if not path.exists():
        return []
    words: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            words += line.split()
    return words


@cache
def stopwords() -> frozenset[str]:
    return frozenset(_word_list(STOPWORDS_FILE)) | GENERIC


@cache
def _tokenizer(extra: tuple[str, ...]) -> jieba.Tokenizer:
    with _lock:
        jieba.setLogLevel(logging.WARNING)
        tk = jieba.Tokenizer()
        tk.initialize()
        for word in (*_word_list(DICTIONARY), *extra):
            tk.add_word(word)
    return tk


def tokenizer(extra: tuple[str, ...] = ()) -> jieba.Tokenizer:
    """One tokenizer per set of extra words (catalog labels and synonyms), built once (about a second)."""
    return _tokenizer(tuple(sorted(set(extra))))


def words(text: str, extra: tuple[str, ...] = ()) -> list[str]:
    """Content words, in order, with the shorter dictionary words inside long ones (search mode), no duplicates."""
    out: list[str] = []
    for w in tokenizer(extra).lcut_for_search(text, HMM=False):
        w = w.strip()
        if len(w) >= 2 and _HAN.search(w) and w not in stopwords() and w not in out:
            out.append(w)
    return out


def raw_tokens(text: str, extra: tuple[str, ...] = ()) -> list[str]:
    """The precise cut, punctuation included (for splitting clauses on conjunctions)."""
    return tokenizer(extra).lcut(text, HMM=False)
