"""REST endpoints of result use, correction and clearing names, mounted at /api/outcomes/.

Authenticated like the rest of the API (bearer token or session with CSRF, rongcuo.core.api_auth); every
endpoint calls a verb or an audited read, so scope, roles and the audit are the same as everywhere else.
"""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Router, Status

from rongcuo.core.api_auth import api_user, client_ip, default_auth
from rongcuo.core.types import Day, Id

from . import actions, clearing, payloads, statement, warnings
from .serialize import plan_dict, report_dict

PREFIX = "/outcomes"
router = Router(auth=default_auth(), tags=["结果运用、纠错整改与澄清正名"])

Json = dict[str, Any]


def _ctx(request: HttpRequest) -> tuple[Any, str]:
    return api_user(request), client_ip(request)


# --- 结果运用 ----------------------------------------------------------------------------------------


@router.get(
    "/standing",
    response=Json,
    summary="结果运用查询：某干部在某日、某用途上是否受处理影响",
    openapi_extra={
        "responses": {
            200: {
                "description": "format=json：结构化结果；format=text：可打印的中文说明",
                "content": {
                    "application/json": {"schema": {"type": "object", "additionalProperties": True}},
                    "text/plain": {"schema": {"type": "string"}},
                },
            }
        }
    },
)
def standing(
    request: HttpRequest,
    cadre: Id,
    purpose: str = "",
    on: Day | None = None,
    format: Literal["json", "text"] = "json",
) -> Any:
    user, ip = _ctx(request)
    s = actions.read_standing(user, cadre, purpose or None, on, ip=ip)
    if format == "text":
        text = statement.standing_text(
            s.cadre, s.on, s.answers, s.clearances, issued_by=user.display_name or user.username
        )
        return HttpResponse(text, content_type="text/plain; charset=utf-8")
    return statement.standing_json(s.cadre, s.on, s.answers, s.clearances)


# --- 早发现、早提醒、早纠正 ---------------------------------------------------------------------------


@router.get("/cases/{case_id}/early-warning", response=Json, summary="案件预警：此前案件、同类事项与“重复犯错”提示")
def early_warning(request: HttpRequest, case_id: int) -> Any:
    user, ip = _ctx(request)
    return warnings.read_early_warning(user, case_id, ip=ip)


# --- 纠错整改 ----------------------------------------------------------------------------------------


@router.get("/cases/{case_id}/correction", response=Json, summary="纠错整改方案及进度")
def read_plan(request: HttpRequest, case_id: int) -> Any:
    user, ip = _ctx(request)
    return plan_dict(actions.read_plan(user, case_id, ip=ip))


@router.post("/cases/{case_id}/correction", response={201: Json}, summary="制定纠错整改方案（承办人）")
def create_plan(request: HttpRequest, case_id: int, payload: payloads.PlanIn) -> Any:
    user, ip = _ctx(request)
    return Status(201, plan_dict(actions.create_plan(user, case_id, payload, ip=ip)))


@router.post("/cases/{case_id}/correction/progress", response=Json, summary="报告纠偏进度")
def report_progress(request: HttpRequest, case_id: int, payload: payloads.ProgressIn) -> Any:
    user, ip = _ctx(request)
    rep = actions.report_progress(user, case_id, payload, ip=ip)
    return plan_dict(rep.plan)


@router.post("/cases/{case_id}/correction/assessments", response=Json, summary="过程考核")
def assess(request: HttpRequest, case_id: int, payload: payloads.AssessmentIn) -> Any:
    user, ip = _ctx(request)
    return plan_dict(actions.assess(user, case_id, payload, ip=ip).plan)


@router.post("/cases/{case_id}/correction/completion", response=Json, summary="报送整改完成情况及佐证")
def submit_completion(request: HttpRequest, case_id: int, payload: payloads.CompletionIn) -> Any:
    user, ip = _ctx(request)
    return plan_dict(actions.submit_completion(user, case_id, payload, ip=ip))


@router.post("/cases/{case_id}/correction/verify", response=Json, summary="核验整改完成情况（承办人）")
def verify(request: HttpRequest, case_id: int, payload: payloads.VerifyIn) -> Any:
    user, ip = _ctx(request)
    return plan_dict(actions.verify(user, case_id, payload, ip=ip))


@router.post("/cases/{case_id}/correction/refusal", response=Json, summary="记录拒不纠错或整改不力（承办人）")
def record_refusal(request: HttpRequest, case_id: int, payload: payloads.RefusalIn) -> Any:
    user, ip = _ctx(request)
    return plan_dict(actions.record_refusal(user, case_id, payload, ip=ip))


# --- 澄清正名 ----------------------------------------------------------------------------------------


@router.get("/reports", response=list[Json], summary="检举控告（本辖区）")
def list_reports(request: HttpRequest, cadre: Id | None = None) -> Any:
    user, ip = _ctx(request)
    return [report_dict(r, full=False) for r in clearing.list_reports(user, cadre_id=cadre, ip=ip)[:200]]


@router.post("/reports", response={201: Json}, summary="登记检举控告及所反映的具体事项（识别对已办结事项的重复举报）")
def register_report(request: HttpRequest, payload: payloads.ReportIn) -> Any:
    user, ip = _ctx(request)
    return Status(201, report_dict(clearing.register_report(user, payload, ip=ip)))


@router.get("/reports/{report_id}", response=Json, summary="检举控告详情")
def read_report(request: HttpRequest, report_id: int) -> Any:
    user, ip = _ctx(request)
    return report_dict(clearing.read_report(user, report_id, ip=ip))


@router.post("/reports/{report_id}/conclusion", response=Json, summary="核实办结：逐项核实结论（谁核实）")
def conclude(request: HttpRequest, report_id: int, payload: payloads.ConclusionIn) -> Any:
    user, ip = _ctx(request)
    return report_dict(clearing.conclude(user, report_id, payload, ip=ip))


@router.post("/reports/{report_id}/clarifications", response={201: Json}, summary="澄清正名（谁核实，谁澄清）")
def clarify(request: HttpRequest, report_id: int, payload: payloads.ClarificationIn) -> Any:
    user, ip = _ctx(request)
    cl = clearing.clarify(user, report_id, payload, ip=ip)
    return Status(201, report_dict(cl.report))


@router.post("/reports/{report_id}/referral", response=Json, summary="移送诬告陷害线索")
def refer(request: HttpRequest, report_id: int, payload: payloads.ReferralIn) -> Any:
    user, ip = _ctx(request)
    return report_dict(clearing.refer_false_accusation(user, report_id, payload, ip=ip))
