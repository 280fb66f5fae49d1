"""What each consultation verb must be given (pydantic; errors become field-level Chinese messages)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from pydantic import Field

from rongcuo.cases.payloads import Payload, parse_payload

__all__ = ["AdoptIn", "DraftIn", "DraftUpdate", "PublishIn", "ResponseIn", "aware", "parse_payload"]

MAX_ANSWERS_KEYS = 200


class DraftIn(Payload):
    policy_id: str | None = Field(None, max_length=64, description="政策编号；省略时取规则文件的 id")
    title: str = Field(min_length=1, max_length=200)
    yaml_text: str = Field(min_length=1, max_length=500_000, description="完整的规则文件（YAML）")
    explanation: str = Field(min_length=1, max_length=100_000, description="起草说明")
    questionnaire: list[dict[str, Any]] = Field(min_length=1, max_length=100)
    opens_at: dt.datetime | None = None
    closes_at: dt.datetime | None = None


class DraftUpdate(Payload):
    title: str | None = Field(None, min_length=1, max_length=200)
    yaml_text: str | None = Field(None, min_length=1, max_length=500_000)
    explanation: str | None = Field(None, min_length=1, max_length=100_000)
    questionnaire: list[dict[str, Any]] | None = Field(None, min_length=1, max_length=100)
    opens_at: dt.datetime | None = None
    closes_at: dt.datetime | None = None


class PublishIn(Payload):
    opens_at: dt.datetime | None = Field(None, description="开始征集时间；省略为草稿所定时间或立即")
    closes_at: dt.datetime | None = Field(None, description="截止时间；省略为草稿所定时间")


class ResponseIn(Payload):
    answers: dict[str, Any] = Field(max_length=MAX_ANSWERS_KEYS)
    respondent_name: str = Field("", max_length=64, description="姓名（可不填，匿名提交）")
    respondent_unit: str = Field("", max_length=128, description="单位（可不填）")


class AdoptIn(Payload):
    decision: str = Field(min_length=1, max_length=300, description="采纳依据，如会议名称和文号")


def aware(value: dt.datetime | None) -> dt.datetime | None:
    """A time without a zone is read as local time (Asia/Shanghai)."""
    if value is None or timezone.is_aware(value):
        return value
    return timezone.make_aware(value)
