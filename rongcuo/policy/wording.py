"""Identifiers in a rule file's prose, put into words for readers.

Encoders write readings and notes for other encoders: 「读作 no_explicit_restriction」, 「x_major_accident 编为
不予容错情形」, 「open_situations」. A reader of the policy page (a 承办人, a cadre, the public) should see
「读作“法律法规没有明令禁止”」 instead. `plain_ids` replaces each identifier the version knows — a fact
(catalog or local), a rule node (its group and article), a result-use area, a procedure stage, a field of the
rule-file format — and leaves web addresses and everything else alone.
"""

from __future__ import annotations

import re

from .catalog import OUTCOME_LABELS, catalog
from .model import PolicyVersion

URL = re.compile(r"https?://\S+")
# Any lower-case ASCII word (catalog facts may be one word: `intentional`); only known ones are replaced.
IDENT = re.compile(r"(?<![A-Za-z0-9_./-])([a-z][a-z0-9]*(?:[_.][a-z0-9]+)*)(?![A-Za-z0-9_/-])")
GROUP_WORDS = {
    "conditions": "容错条件",
    "situations": "容错情形",
    "exclusions": "不予容错情形",
    "mitigations": "从轻减轻情形",
}
FIELD_WORDS = {
    "open_situations": "未尽情形（开放列举）",
    "completeness_note": "完整性说明",
    "applies_to": "适用结论",
    "applies_by": "版本适用规则",
    "base.cite": "本办法重申共同红线的条文",
    "base.opt_out": "不适用的共同红线",
    "result_use": "结果运用",
    "decisive_facts": "尚需查明的事实",
    "otherwise": "兜底结论",
    "base": "共同红线",
    "conditions": "容错条件组",
    "situations": "容错情形组",
    "exclusions": "不予容错情形组",
    "mitigations": "从轻减轻情形组",
    "outcomes": "结论规则",
    "readings": "解读说明",
    "articles": "条文",
    "verified": "已核对原文",
    "complete": "完整",
    "partial": "部分条款",
    "true": "“是”",
    "false": "“否”",
    "when": "成立条件",
    "verify": "规则校验",
    "proactive": "主动容错",
    "dispositions": "处理方式",
    "procedure": "程序",
    "no_negative_evaluation": "不作负面评价",
}


def _words(version: PolicyVersion) -> dict[str, str]:
    # Kept on the version (compiled once per library load; the dataclass is not hashable).
    cached = version.__dict__.get("_plain_words")
    if cached is not None:
        return cached
    cat = catalog()
    words: dict[str, str] = dict(FIELD_WORDS)
    words.update({k: f"“{v}”" for k, v in OUTCOME_LABELS.items()})
    words.update({k: f"“{v}”" for k, v in cat.areas.items()})
    words.update({k: f"“{v}”" for k, v in cat.stages.items()})
    words.update({f.id: f"“{f.label}”" for f in cat.facts.values()})
    if version.base is not None:
        words[version.base.policy.id] = f"《{version.base.policy.title}》"
    for v in (version.base, version):
        if v is None:
            continue
        words.update({f.id: f"“{f.label}”" for f in v.local_facts.values()})
        for n in v.all_nodes():
            words[n.id] = f"{GROUP_WORDS.get(n.group, '规则')}〔{n.ref}〕"
        for o in v.outcomes:
            words[o.id] = f"结论规则〔{o.ref}〕"
        for r in v.result_use:
            words[r.id] = f"结果运用〔{r.ref}〕"
    version.__dict__["_plain_words"] = words
    return words


def plain_ids(text: str | None, version: PolicyVersion) -> str:
    """`text` with every identifier the version knows replaced by its words; unknown ones are left as written."""
    if not text:
        return ""
    words = _words(version)

    def one(part: str) -> str:
        return IDENT.sub(lambda m: words.get(m.group(1), m.group(1)), part)

    out, last = [], 0
    for m in URL.finditer(text):
        out += [one(text[last : m.start()]), m.group(0)]
        last = m.end()
    out.append(one(text[last:]))
    return "".join(out)
