"""Shared pieces of the after-decision pages and the administrators' consoles: field-level error messages,
form fields with this part's labels, small parsers for rows and lists, and the case panels (correction,
early warning, public rendition) that case_detail.html includes through web/after/_case_panels.html."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.http import Http404, HttpRequest
from pydantic import BaseModel

from rongcuo.cases import access
from rongcuo.cases.models import Case
from rongcuo.core.errors import ActionError, NotFound

from ..forms import LABELS as FORM_LABELS
from ..forms import FormField, fields_for
from .auth import client_ip

MISSING = "案件不存在或无权访问"
MAX_ROWS = 50

LABELS = {
    # 纠错整改
    "responsible": "整改责任人",
    "measures": "整改措施",
    "basis": "整改依据",
    "deadline_on": "整改完成期限",
    "text": "情况说明",
    "percent": "整体进度（%）",
    "milestone_id": "阶段节点",
    "milestone_done": "该阶段节点已完成",
    "rating": "考核等次",
    "comment": "考核意见",
    "evidence": "整改完成情况及佐证说明",
    "attachment_ids": "佐证附件",
    "passed": "核验结论",
    "note": "核验意见",
    "kind": "情形",
    "reason": "事实与理由",
    # 检举控告、澄清正名
    "cadre_id": "被反映干部",
    "received_on": "收到日期",
    "channel": "来源渠道",
    "summary": "反映内容摘要",
    "informant": "检举控告人（加密保存，可不填）",
    "organ": "核实机关",
    "concluded_on": "办结日期",
    "conclusion": "核实结论",
    "scope": "澄清范围",
    "written_text": "书面澄清材料",
    "held_on": "澄清日期",
    "referred_to": "移送机关",
    "referral_note": "移送说明",
    "referred_on": "移送日期",
    # 公开文本
    "title": "标题",
    "subject": "当事人",
    "explanation": "认定说明",
    "result": "处理结果",
    "significance": "典型意义",
    "tags": "标签（用顿号、逗号或空格分隔，至多10个）",
    "order": "排序（小者在前）",
    # 意见征集
    "policy_id": "政策编号（可不填，取规则文件的 id）",
    "yaml_text": "规则文件（YAML）",
    "opens_at": "开始征集时间",
    "closes_at": "截止时间",
    "decision": "采纳依据（会议名称和文号）",
    # 账号与授权
    "username": "用户名",
    "password": "初始密码",
    "password2": "再次输入初始密码",
    "role": "角色",
    "jurisdiction": "管辖区划",
    "unit_id": "单位",
    "case": "案件编号",
    "matter_ids": "澄清的事项",
    "methods": "澄清方式",
    "refer_false_accusation": "移送诬告陷害线索",
    "version": "版本",
}
LONG = {"measures", "basis", "text", "comment", "evidence", "note", "reason", "summary", "conclusion", "written_text"}
LONG |= {"referral_note", "explanation", "result", "significance"}


def field_errors(exc: ActionError) -> dict[str, str]:
    """{field: message} for an action's refusal, every field it names (a list item such as
    `attachment_ids.0` is reported on its list); the "field: " prefix of payload messages is dropped."""
    fields = getattr(exc, "fields", None) or {}
    if not fields:
        field = exc.field or "__all__"
        message = exc.message
        if exc.field and message.startswith(f"{exc.field}: "):
            message = message[len(exc.field) + 2 :]
        return {field: message}
    out: dict[str, str] = {}
    for key, message in fields.items():
        head = key.split(".")[0]
        name = head if key.split(".")[-1].isdigit() and head in LIST_FIELDS else key
        out.setdefault(name, message)
    return out


# Fields whose items are typed one per line: an error in one item is shown on the field.
LIST_FIELDS = {"attachment_ids", "interview_ids", "witnesses", "participants", "dispositions"}


GROUPS = {"milestones": "阶段节点", "matters": "具体事项", "questionnaire": "调查问卷", "findings": "核实结论"}


def error_label(key: str, labels: dict[str, str] | None = None) -> str:
    """What a field key is called on the page ("" when the message needs no prefix)."""
    known = FORM_LABELS | LABELS | (labels or {})
    if key in known:
        return known[key].split("（")[0]
    head = key.split(".")[0].split("[")[0]
    return GROUPS.get(head, "")


def first_error(errors: dict[str, str], shown: Iterable[str] = (), labels: dict[str, str] | None = None) -> str:
    """The line at the top of the form: each error not shown beside a field in full, named by its field; the
    ones shown beside their fields only by name, once (「请修改标出的 2 处：标题、情况摘要」).
    `labels` names this page's fields where they differ from LABELS."""
    shown = set(shown)
    if not errors:
        return ""
    lines, marked = [], []
    for key, message in errors.items():
        label = error_label(key, labels)
        if key in shown:
            marked.append(label or "标出的字段")
        else:
            lines.append(f"{label}：{message}" if label and not message.startswith(label) else message)
    if marked:
        names = "、".join(dict.fromkeys(marked))
        lines.append(f"请修改标出的 {len(marked)} 处：{names}" if len(marked) > 1 else f"请修改：{names}（见下方说明）")
    return "；".join(lines)


def form_fields(
    model: type[BaseModel],
    data: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    *,
    skip: set[str] | None = None,
    choices: dict[str, list[tuple[str, str]]] | None = None,
) -> list[FormField]:
    """forms.fields_for with this part's labels, long-text fields and select choices."""
    out = fields_for(model, data or {}, errors or {}, skip)
    for f in out:
        f.label = LABELS.get(f.name, f.label)
        if f.kind == "text" and f.name in LONG:
            f.kind = "textarea"
        if choices and f.name in choices:
            f.kind, f.choices = "select", choices[f.name]
    return out


def field(
    name: str, kind: str, value: Any = "", *, required: bool = False, choices: Any = (), errors: Any = None
) -> FormField:
    """One form field outside a payload model (selects of milestones, attachments, cadres …)."""
    return FormField(name, LABELS.get(name, name), kind, required, list(choices), value, (errors or {}).get(name, ""))


def ints(values: Iterable[str]) -> list[int]:
    return [int(v) for v in values if v.strip().isdigit()]


def maybe_int(value: str | None) -> int | str | None:
    value = (value or "").strip()
    if not value:
        return None
    return int(value) if value.isdigit() else value


def row_count(post: Any, default: int = 3) -> int:
    raw = post.get("rows", "")
    n = int(raw) if raw.isdigit() else default
    if post.get("more"):
        n += 1
    return max(1, min(n, MAX_ROWS))


def parse_date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat((value or "").strip())
    except ValueError:
        return None


def case_or_404(request: HttpRequest, pk: int) -> Case:
    """The case through the access chokepoint; missing and forbidden are the same 404."""
    try:
        return access.access_case(request.user, pk)
    except NotFound:
        raise Http404(MISSING) from None


# --- the panels on the case page ---------------------------------------------------------------------------


def case_panels(request: HttpRequest, case: Case) -> dict[str, Any]:
    """What the after-decision panels of a case page show this user (each only for the roles it concerns)."""
    from rongcuo.disclosure.models import Rendition
    from rongcuo.outcomes import warnings
    from rongcuo.outcomes.models import CorrectionPlan

    user = request.user
    roles = set(access.roles_on_case(user, case))
    out: dict[str, Any] = {"case": case, "roles": roles}
    decided = _has_decision(case)
    plan = CorrectionPlan.objects.filter(case=case).first()
    out["plan"] = plan
    out["show_correction"] = plan is not None or (decided and "handler" in roles)
    if roles & warnings.WARNING_ROLES:
        try:
            out["warning"] = warnings.read_early_warning(user, case.pk, ip=client_ip(request))
        except ActionError:
            out["warning"] = None
    if decided and "publisher" in roles:
        out["rendition"] = Rendition.objects.filter(case=case).first()
        out["show_publication"] = True
    return out


def _has_decision(case: Case) -> bool:
    from rongcuo.cases.models import Decision

    return Decision.objects.filter(case=case).exists()
