"""The built-in fact catalog 「要件库」 and the shared vocabularies (dispositions, result-use areas, stages)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

OUTCOME_LABELS = {
    "exempt": "免予问责",
    "mitigate": "从轻或减轻处理",
    "not_tolerated": "不予容错",
    "undetermined": "待定",
}
GROUP_LABELS = {
    "exclusions": "不予容错情形",
    "conditions": "容错条件",
    "situations": "容错情形",
    "mitigations": "从轻、减轻情形",
    "outcomes": "处理结论",
}


@dataclass(frozen=True)
class Fact:
    id: str
    label: str
    question: str
    group: str  # red_line / condition / situation / consequence / local
    order: int


@dataclass(frozen=True)
class Catalog:
    facts: dict[str, Fact]
    dispositions: dict[str, str]  # disposition -> outcome
    areas: dict[str, str]  # result-use area id -> label
    stages: dict[str, str]  # stage id -> label


@cache
def catalog() -> Catalog:
    text = resources.files("rongcuo.policy").joinpath("catalog.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    facts = {f["id"]: Fact(f["id"], f["label"], f["question"], f["group"], i) for i, f in enumerate(data["facts"])}
    return Catalog(
        facts=facts,
        dispositions={d["id"]: d["outcome"] for d in data["dispositions"]},
        areas={a["id"]: a["label"] for a in data["result_use_areas"]},
        stages={s["id"]: s["label"] for s in data["stages"]},
    )
