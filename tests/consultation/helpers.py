"""Draft rule files and questionnaires for the consultation tests."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import yaml

from rongcuo.policy.loader import policies_dir
from rongcuo.policy.yamlsource import load_yaml

QUESTIONNAIRE: list[dict[str, Any]] = [
    {
        "id": "q1",
        "text": "您是否赞成放宽改革创新容错情形？",
        "kind": "single",
        "options": ["赞成", "不赞成", "不确定"],
        "required": True,
    },
    {
        "id": "q2",
        "text": "您认为哪些领域应重点适用？",
        "kind": "multiple",
        "options": ["招商引资", "征地拆迁", "应急处置"],
    },
    {"id": "q3", "text": "其他意见建议", "kind": "text"},
]


def jiangsu() -> dict[str, Any]:
    data, _lines = load_yaml((policies_dir() / "jiangsu-2017.yaml").read_text(encoding="utf-8"), "jiangsu-2017.yaml")
    return data


def dump(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)


def with_new_version(data: dict[str, Any] | None = None, version: str = "2026") -> dict[str, Any]:
    """jiangsu-2017 plus a version from 2026-01-01 in which a reform without precedent is no longer required:
    exploratory reform alone is a tolerated situation."""
    data = copy.deepcopy(data or jiangsu())
    latest = data["versions"][-1]
    latest["effective"]["to"] = dt.date(2025, 12, 31)
    new = copy.deepcopy(latest)
    new["version"] = version
    new["effective"] = {"from": dt.date(2026, 1, 1), "to": None, "note": "征求意见稿拟定"}
    new["situations"][0]["when"] = "exploratory_reform"
    data["versions"].append(new)
    return data


def new_version_text() -> str:
    return dump(with_new_version())


def draft_payload(text: str | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "title": "江苏省容错纠错实施意见（2026年修订征求意见稿）",
        "yaml_text": text if text is not None else new_version_text(),
        "explanation": "一、修订背景\n二、主要修改内容：放宽改革创新容错情形\n三、征求意见方式",
        "questionnaire": QUESTIONNAIRE,
        **extra,
    }
