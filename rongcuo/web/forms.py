"""HTML forms generated from the verbs' payload models (rongcuo/cases/payloads.py), so every verb has a
form with the same validation as the API: one definition of what a verb needs."""

from __future__ import annotations

import datetime as dt
import types
import typing
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from pydantic import BaseModel

from rongcuo.cases.payloads import DOMAINS
from rongcuo.policy.catalog import OUTCOME_LABELS, catalog

LABELS = {
    "discussion": "党委（党组）讨论记录",
    "opinion": "审核意见",
    "reason": "理由",
    "note": "说明",
    "report": "报告内容",
    "finding": "认定意见",
    "major_matter": "属于重大过错事项（须第三方评估）",
    "public_interest_involved": "涉及重大社会公共利益（须举行听证）",
    "statement": "申辩（申请）内容",
    "witnesses": "证人（每行一人）",
    "attachment_ids": "证据附件（勾选本案已上传的附件）",
    "evaluator_org": "评估机构",
    "conclusion": "评估结论",
    "held_on": "日期",
    "participants": "参加人员（每行一人）",
    "summary": "情况摘要",
    "met_on": "会议日期",
    "opinions": "与会人员意见",
    "recommendation": "建议结论",
    "disposition": "处理方式",
    "departure_reason": "与规则评估结论不一致的理由",
    "decided_on": "决定日期",
    "organ": "决定机关",
    "basis": "依据与理由",
    "influence_months": "影响期（月）",
    "document_number": "文号",
    "form": "四种形态",
    "text": "反馈内容",
    "delivered_on": "送达日期",
    "letter": "函告内容",
    "sent_on": "发函日期",
    "recipient": "函告对象",
    "filed_on": "备案日期",
    "filed_with": "备案机关",
    "legal_basis": "法律依据",
    "grounds": "申诉理由",
    "result": "审查结果",
    "reasoning": "审查意见",
    "new_disposition": "变更后的处理方式",
    "waived": "当事人书面表示不申诉",
    "title": "标题",
    "domain": "领域",
    "conduct_date": "行为发生日期",
    "self_check": "对照免责清单自查情况",
    "matter_id": "问责事项",
    "unit_id": "单位",
    "cadre_id": "干部",
    "pre_filing_id": "引用的事前报备",
    "measure": "创新举措",
    "risks": "可能的风险",
    "safeguards": "防控措施",
    "expected_effect": "预期效果",
    "description": "事项描述",
    "initiating_organ": "启动问责的机关",
    "started_on": "启动日期",
    "interviewee": "走访对象",
    "content": "走访记录",
}
CHOICE_LABELS = {
    "recommendation": OUTCOME_LABELS,
    "result": {"upheld": "维持原决定", "changed": "变更原决定"},
}
FORMS = {1: "第一种形态", 2: "第二种形态", 3: "第三种形态", 4: "第四种形态"}


@dataclass
class FormField:
    name: str
    label: str
    kind: str  # text / textarea / date / checkbox / select / number / lines / checkboxes
    required: bool
    choices: list[tuple[str, str]]
    value: Any = ""
    error: str = ""


def _kind(annotation: Any, name: str) -> tuple[str, list[tuple[str, str]]]:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:  # Day, Id (rongcuo.core.types) inside an Optional
        return _kind(args[0], name)
    if origin in (types.UnionType, typing.Union):
        inner = [a for a in args if a is not type(None)]
        return _kind(inner[0], name) if inner else ("text", [])
    if origin is typing.Literal:
        labels = CHOICE_LABELS.get(name, {})
        return "select", [(str(a), labels.get(a, str(a))) for a in args]
    if origin is list:
        return "lines", []
    if annotation is bool:
        return "checkbox", []
    if annotation is dt.date:
        return "date", []
    if annotation is int:
        if name == "form":
            return "select", [("", "（不适用）")] + [(str(k), v) for k, v in FORMS.items()]
        return "number", []
    if name in ("disposition", "new_disposition"):
        return "select", [("", "请选择")] + [(d, d) for d in catalog().dispositions]
    if name == "domain":
        return "select", [("", "（不填）")] + [(d, d) for d in DOMAINS]
    return "text", []


LONG_TEXT = {
    "discussion",
    "opinion",
    "reason",
    "note",
    "report",
    "finding",
    "statement",
    "conclusion",
    "summary",
    "opinions",
    "departure_reason",
    "basis",
    "text",
    "letter",
    "grounds",
    "reasoning",
    "self_check",
    "measure",
    "risks",
    "safeguards",
    "expected_effect",
    "description",
    "content",
}


def fields_for(
    model: type[BaseModel],
    data: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    skip: set[str] | None = None,
    ticks: dict[str, list[tuple[str, str]]] | None = None,
) -> list[FormField]:
    """`ticks`: list fields offered as checkboxes of these (value, label) choices instead of typed lines."""
    out = []
    for name, info in model.model_fields.items():
        if skip and name in skip:
            continue
        kind, choices = _kind(info.annotation, name)
        if kind == "text" and name in LONG_TEXT:
            kind = "textarea"
        value = (data or {}).get(name, "")
        if kind == "lines" and ticks and name in ticks:
            kind, choices = "checkboxes", ticks[name]
            value = [str(v) for v in value or []]
        out.append(
            FormField(
                name, LABELS.get(name, name), kind, info.is_required(), choices, value, (errors or {}).get(name, "")
            )
        )
    return out


def payload_from_post(model: type[BaseModel], post: Any, skip: set[str] | None = None) -> dict[str, Any]:
    """Turn form values into payload input; the payload model does the validation."""
    data: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        if skip and name in skip:
            continue
        kind, _ = _kind(info.annotation, name)
        raw = post.get(name)
        if kind == "checkbox":
            data[name] = raw in ("on", "true", "1")
        elif kind == "lines":
            # One value per line of a text box, or one per ticked checkbox (fields_for `ticks`).
            raws = post.getlist(name) if hasattr(post, "getlist") else [raw]
            items = [line.strip() for one in raws for line in (one or "").splitlines() if line.strip()]
            data[name] = [int(x) if x.isdigit() else x for x in items] if name.endswith("_ids") else items
        elif raw is None or raw == "":
            if info.is_required():
                data[name] = raw if raw is not None else None
            continue
        elif kind == "number" or (kind == "select" and name == "form"):
            data[name] = int(raw) if raw.lstrip("-").isdigit() else raw
        else:
            data[name] = raw
    return data


def attachment_choices(attachments: Any) -> list[tuple[str, str]]:
    """A case's attachments as checkbox choices a clerk recognises: file name, kind and the day uploaded."""
    out = []
    for a in attachments:
        day = timezone.localtime(a.uploaded_at).date()
        out.append((str(a.pk), f"{a.filename}（{a.get_kind_display()}，{day.year}年{day.month}月{day.day}日上传）"))
    return out
