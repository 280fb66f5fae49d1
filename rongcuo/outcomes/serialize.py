"""JSON renditions of correction plans and reports for the API (no personal data beyond names)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from .models import Clarification, CorrectionPlan, Report, ReportedMatter


def _d(v: dt.date | dt.datetime | None) -> str | None:
    return v.isoformat() if v else None


def plan_dict(plan: CorrectionPlan) -> dict[str, Any]:
    milestones = list(plan.milestones.select_related("deadline"))
    return {
        "id": plan.pk,
        "case": plan.case.number,
        "status": plan.status,
        "status_label": plan.get_status_display(),
        "responsible": plan.responsible,
        "measures": plan.measures,
        "basis": plan.basis,
        "deadline_on": _d(plan.deadline_on),
        "overdue": bool(plan.deadline and plan.deadline.overdue),
        "milestones": [
            {
                "id": m.pk,
                "seq": m.seq,
                "title": m.title,
                "description": m.description,
                "due_on": _d(m.due_on),
                "completed_on": _d(m.completed_on),
                "overdue": bool(m.deadline and m.deadline.overdue and m.completed_on is None),
            }
            for m in milestones
        ],
        "progress": [
            {
                "milestone": r.milestone_id,
                "text": r.text,
                "percent": r.percent,
                "milestone_done": r.milestone_done,
                "role": r.role,
                "reported_at": _d(r.reported_at),
            }
            for r in plan.progress.all()
        ],
        "assessments": [
            {
                "milestone": a.milestone_id,
                "rating": a.rating,
                "rating_label": a.get_rating_display(),
                "comment": a.comment,
                "role": a.role,
                "assessed_at": _d(a.assessed_at),
            }
            for a in plan.assessments.all()
        ],
        "evidence": plan.evidence,
        "evidence_attachments": list(plan.evidence_attachments.values_list("pk", flat=True)),
        "completed_at": _d(plan.completed_at),
        "verified_at": _d(plan.verified_at),
        "verification_note": plan.verification_note,
        "refusal_reason": plan.refusal_reason,
        "refused_at": _d(plan.refused_at),
    }


def _matter_dict(m: ReportedMatter) -> dict[str, Any]:
    rep = m.repeat_of
    return {
        "id": m.pk,
        "seq": m.seq,
        "text": m.text,
        "case_id": m.case_id,
        "matter_id": m.matter_id,
        "finding": m.finding,
        "finding_label": m.get_finding_display(),
        "finding_note": m.finding_note,
        "cleared": m.cleared_by_id is not None,
        "clarification": m.cleared_by_id,
        "repeat_of": (
            {
                "report": rep.report.number,
                "seq": rep.seq,
                "finding": rep.finding,
                "finding_label": rep.get_finding_display(),
                "concluded_on": _d(rep.report.concluded_on),
                "cleared": rep.cleared_by_id is not None,
                "note": "对已办结事项的重复举报" + ("（原核实不实，可依规澄清正名）" if rep.finding != "true" else ""),
            }
            if rep
            else None
        ),
    }


def _clarification_dict(c: Clarification) -> dict[str, Any]:
    return {
        "id": c.pk,
        "organ": c.organ,
        "methods": c.methods,
        "method_labels": c.method_labels(),
        "scope": c.scope,
        "written_text": c.written_text,
        "held_on": _d(c.held_on),
        "matters": [m.seq for m in c.matters.all()],
    }


def report_dict(report: Report, *, full: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": report.pk,
        "number": report.number,
        "cadre": {"id": report.cadre_id, "name": report.cadre.name},
        "unit": report.unit.name,
        "received_on": _d(report.received_on),
        "channel": report.channel,
        "status": report.status,
        "status_label": report.get_status_display(),
        "verified_by_organ": report.verified_by_organ,
        "concluded_on": _d(report.concluded_on),
        "false_accusation_referred": report.false_accusation_referred,
    }
    if full:
        matters = list(report.matters.select_related("repeat_of__report"))
        out |= {
            "summary": report.summary,
            "informant_recorded": bool(report.informant_enc),
            "conclusion": report.conclusion,
            "referred_to": report.referred_to,
            "referral_note": report.referral_note,
            "referred_on": _d(report.referred_on),
            "matters": [_matter_dict(m) for m in matters],
            "repeated": any(m.repeat_of_id for m in matters),
            "clarifications": [_clarification_dict(c) for c in report.clarifications.prefetch_related("matters")],
        }
    return out
