"""What each verb must be given: pydantic models whose errors become field-level Chinese messages."""

from __future__ import annotations

from typing import Any, Literal

import pydantic
from pydantic import BaseModel, ConfigDict, Field, field_validator

from rongcuo.core.errors import Invalid
from rongcuo.core.types import Day, Id, clean_text
from rongcuo.core.validation import message_for
from rongcuo.policy.catalog import catalog

Text = Field(min_length=1, max_length=20000)

# 领域: the one list the application form, the matters form and the case-list filter offer, so every case's
# domain can be found again by the filter and counted together in the statistics.
DOMAINS: tuple[str, ...] = (
    "征地拆迁",
    "招商引资",
    "应急处置",
    "历史遗留问题",
    "基层治理",
    "重大项目",
    "改革创新",
    "优化营商环境",
    "其他",
)


def check_domain(value: str) -> str:
    """A domain from DOMAINS, or none (the field may be left empty)."""
    if value and value not in DOMAINS:
        raise ValueError(f"领域应为 {'、'.join(DOMAINS)} 之一（也可不填）")
    return value


def _clean(value: Any) -> Any:
    """Every string a payload carries, at any depth (lists, nested objects, free-form answers)."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list | tuple):
        for item in value:
            _clean(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            _clean(key)
            _clean(item)
    return value


class Payload(BaseModel):
    """Base of every verb's payload: unknown fields refused, text trimmed, and no text may hold NUL or a
    bidirectional control character (rongcuo.core.types.clean_text), whatever the field."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value: Any) -> Any:
        return value if isinstance(value, BaseModel) else _clean(value)


class Note(Payload):
    note: str = Field(default="", max_length=5000)


class Reason(Payload):
    reason: str = Text


class Endorse(Payload):
    discussion: str = Field(min_length=1, max_length=20000, description="党委（党组）小范围讨论记录")
    opinion: str = Field(min_length=1, max_length=5000, description="审核意见")


class Report(Payload):
    report: str = Text


class QualifyingFinding(Payload):
    finding: str = Text
    major_matter: bool = False
    public_interest_involved: bool = False
    # Required by the action when the live rule result is 不予容错 (as deliberate's departure_reason).
    departure_reason: str = Field(default="", max_length=20000)


class NotQualifyingFinding(Payload):
    finding: str = Text
    # Required by the action when the live rule result is 免予问责 or 从轻减轻.
    departure_reason: str = Field(default="", max_length=20000)


class Defence(Payload):
    statement: str = Text
    witnesses: list[str] = Field(default_factory=list, max_length=50)
    attachment_ids: list[Id] = Field(default_factory=list, max_length=100)


class Evaluation(Payload):
    evaluator_org: str = Field(min_length=1, max_length=200)
    conclusion: str = Text
    report: str = Text


class Hearing(Payload):
    held_on: Day
    participants: list[str] = Field(min_length=1, max_length=200)
    summary: str = Text


OutcomeChoice = Literal["exempt", "mitigate", "not_tolerated"]


class Deliberation(Payload):
    met_on: Day
    participants: list[str] = Field(min_length=3, max_length=100, description="参会人员（集体研判至少三人）")
    opinions: str = Text
    recommendation: OutcomeChoice
    disposition: str = Field(min_length=1, max_length=16)
    departure_reason: str = Field(default="", max_length=20000)


class Decide(Payload):
    disposition: str = Field(min_length=1, max_length=16)
    decided_on: Day
    organ: str = Field(min_length=1, max_length=128)
    basis: str = Field(default="", max_length=20000)
    influence_months: int | None = Field(default=None, ge=0, le=120)
    document_number: str = Field(default="", max_length=64)
    departure_reason: str = Field(default="", max_length=20000)
    form: int | None = Field(default=None, ge=1, le=4, description="四种形态（1–4）")


class Feedback(Payload):
    text: str = Text
    delivered_on: Day


class Notify(Payload):
    letter: str = Text
    sent_on: Day
    recipient: str = Field(min_length=1, max_length=128)


class Filing(Payload):
    report: str = Text
    filed_on: Day
    filed_with: str = Field(min_length=1, max_length=128)


class Publish(Payload):
    note: str = Field(default="", max_length=5000)


class Withhold(Payload):
    reason: str = Text
    legal_basis: str = Field(min_length=1, max_length=500)


class AppealIn(Payload):
    grounds: str = Text


class AppealDecision(Payload):
    result: Literal["upheld", "changed"]
    reasoning: str = Text
    new_disposition: str = Field(default="", max_length=16)


class Close(Payload):
    note: str = Field(default="", max_length=5000)
    waived: bool = Field(default=False, description="当事人书面表示不申诉")


VERB_PAYLOADS: dict[str, type[Payload]] = {
    "endorse": Endorse,
    "return_application": Reason,
    "accept": Note,
    "refuse": Reason,
    "submit_report": Report,
    "find_qualifying": QualifyingFinding,
    "find_not_qualifying": NotQualifyingFinding,
    "submit_defence": Defence,
    "submit_evaluation": Evaluation,
    "record_hearing": Hearing,
    "deliberate": Deliberation,
    "decide": Decide,
    "give_feedback": Feedback,
    "notify_organisation": Notify,
    "file_report": Filing,
    "publish": Publish,
    "withhold_publication": Withhold,
    "submit_appeal": AppealIn,
    "decide_appeal": AppealDecision,
    "close": Close,
}


class ApplicationIn(Payload):
    matter_id: Id | None = None
    unit_id: Id | None = None
    cadre_id: Id | None = None
    title: str = Field(min_length=1, max_length=200)
    summary: str = Text
    domain: str = Field(default="", max_length=32)
    conduct_date: Day | None = None
    statement: str = Text  # 书面申请 / 单位自查说明
    self_check: str = Field(default="", max_length=20000, description="单位对照免责清单自查情况")
    pre_filing_id: Id | None = None

    _domain = field_validator("domain")(check_domain)


class MatterIn(Payload):
    unit_id: Id
    cadre_id: Id | None = None
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=20000)
    initiating_organ: str = Field(min_length=1, max_length=128)
    conduct_date: Day | None = None
    started_on: Day
    domain: str = Field(default="", max_length=32)

    _domain = field_validator("domain")(check_domain)


class PreFilingIn(Payload):
    unit_id: Id
    title: str = Field(min_length=1, max_length=200)
    measure: str = Text
    risks: str = Text
    safeguards: str = Text
    expected_effect: str = Text


class FactIn(Payload):
    fact: str = Field(min_length=1, max_length=64)
    value: bool | None
    comment: str = Field(default="", max_length=5000)
    attachment_ids: list[Id] = Field(default_factory=list, max_length=100)
    interview_ids: list[Id] = Field(default_factory=list, max_length=100)


class InterviewIn(Payload):
    interviewee: str = Field(min_length=1, max_length=100)
    held_on: Day
    content: str = Text


def parse_payload(model: type[Payload], data: Any) -> Any:
    if isinstance(data, BaseModel):
        data = data.model_dump()
    try:
        return model.model_validate(data or {})
    except pydantic.ValidationError as exc:
        found: dict[str, str] = {}
        for err in exc.errors():
            field, msg = _payload_error(model, err)
            found.setdefault(field or "", msg)
        field, msg = next(iter(found.items()))
        fields = {k: v for k, v in found.items() if k}
        raise Invalid(f"{field}: {msg}" if field else msg, field=field or None, fields=fields) from None


def _payload_error(model: type[Payload], err: Any) -> tuple[str, str]:
    field = ".".join(str(p) for p in err["loc"])
    kind = err["type"]
    msg = message_for(
        err,
        {
            "missing": "必填",
            "string_too_short": "不能为空",
            "too_short": "数量不足",
            "extra_forbidden": "不认识的字段",
            "literal_error": "取值不在允许范围内",
            "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）",
            "date_parsing": "应为日期（YYYY-MM-DD）",
            "date_type": "应为日期（YYYY-MM-DD）",
            "bool_type": "应为 true 或 false",
            "bool_parsing": "应为 true 或 false",
            "int_parsing": "应为整数",
            "int_type": "应为整数",
            "string_type": "应为文本",
            "list_type": "应为列表",
            "dict_type": "应为对象",
            "greater_than_equal": "数值过小",
            "less_than_equal": "数值过大",
            "string_too_long": "过长",
        },
    )
    if kind == "too_short" and field == "participants":
        msg = "集体研判参会人员至少三人" if model is Deliberation else "至少一人"
    return field, msg


def check_disposition(value: str, field: str = "disposition") -> str:
    kinds = catalog().dispositions
    if value not in kinds:
        raise Invalid(f"处理方式应为 {'、'.join(kinds)} 之一", field=field)
    return kinds[value]
