"""Early warning 「早发现、早提醒、早纠正」: when a case opens, the cadre's and unit's earlier cases and
matters, similar matters, and a suggestion to answer `repeat_error` 「重复犯错」 where a prior handled matter
of the same subject is the same kind (similar.py says what "same kind" means).

Everything listed is restricted to what the user may see (visible_cases; matters of their jurisdictions).
The suggestion is only a suggestion: the fact is set by an investigator through set_fact.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from rongcuo.accounts.models import User
from rongcuo.audit.chain import append
from rongcuo.cases import access
from rongcuo.cases.actions import actor_for, attempt
from rongcuo.cases.models import Case
from rongcuo.core.errors import Forbidden
from rongcuo.org.models import AccountabilityMatter

from .similar import GENERIC, MIN_SHARE, MIN_SHARED, same_kind

WARNING_ROLES = {"handler", "investigator", "secretary", "org_liaison"}
LIMIT = 50
CANDIDATES = 300
# Not shown in a warning; up to 30 kB of JSON per case, decoded for nothing.
HEAVY = ("policies", "evaluation", "summary", "decision__evaluation", "decision__basis")
RULE = (
    f"同类：领域标签相同；或问责事项标题去除通用词（{'、'.join(GENERIC[:6])}等）后的二字关键词重合至少{MIN_SHARED}个，"
    f"且占较短标题关键词的{int(MIN_SHARE * 100)}%以上。此前同类事项已作出处理的，提示考虑“重复犯错”。"
)


def _title(case: Case) -> str:
    return case.matter.title if case.matter_id and case.matter else case.title


def _domain(case: Case) -> str:
    return case.domain or (case.matter.domain if case.matter_id and case.matter else "")


def _decision(case: Case) -> Any:
    return getattr(case, "decision", None)


def _case_item(c: Case, why: str | None) -> dict[str, Any]:
    d = _decision(c)
    return {
        "kind": "case",
        "case_id": c.pk,
        "number": c.number,
        "title": _title(c),
        "domain": _domain(c),
        "unit": c.unit.name,
        "cadre": c.cadre.name if c.cadre_id else None,
        "status": c.status,
        "stage": c.stage,
        "disposition": d.disposition if d else "",
        "outcome": d.outcome if d else "",
        "decided_on": d.decided_on.isoformat() if d else None,
        "same_kind": why,
    }


def _matter_item(m: AccountabilityMatter, why: str | None) -> dict[str, Any]:
    return {
        "kind": "matter",
        "matter_id": m.pk,
        "title": m.title,
        "domain": m.domain,
        "unit": m.unit.name,
        "cadre": m.cadre.name if m.cadre_id else None,
        "status": m.status,
        "started_on": m.started_on.isoformat(),
        "decided_on": m.decided_on.isoformat() if m.decided_on else None,
        "same_kind": why,
    }


def _similar(earlier: QuerySet[Case], candidates: QuerySet[Case], title: str, domain: str) -> list[dict[str, Any]]:
    """The first LIMIT same-kind cases among the latest CANDIDATES: screened on their titles and domains
    (and their matters'), so only the matches are loaded whole (a province's 300 candidates with their
    joins were most of a case page)."""
    screened = list(candidates.values_list("pk", "title", "domain", "matter_id")[:CANDIDATES])
    matter_ids = {m for *_rest, m in screened if m is not None}
    matter_rows = AccountabilityMatter.objects.filter(pk__in=matter_ids).values_list("pk", "title", "domain")
    matters = {pk: (m_title, m_domain) for pk, m_title, m_domain in matter_rows}
    hits: dict[int, str] = {}
    for pk, c_title, c_domain, matter_id in screened:
        m_title, m_domain = matters.get(matter_id, (None, "")) if matter_id is not None else (None, "")
        # As _title and _domain read a loaded case: the matter's title, else the case's; the case's domain,
        # else the matter's.
        why = same_kind(title, domain, c_title if m_title is None else m_title, c_domain or m_domain)
        if why:
            hits[pk] = why
            if len(hits) >= LIMIT:
                break
    rows = {c.pk: c for c in earlier.order_by().filter(pk__in=list(hits))}
    return [_case_item(rows[pk], why) for pk, why in hits.items() if pk in rows]


def early_warning(user: User, case: Case) -> dict[str, Any]:
    title, domain = _title(case), _domain(case)
    earlier = (
        access.visible_cases(user)
        .filter(pk__lt=case.pk)
        .select_related("matter", "unit", "cadre", "decision")
        .defer(*HEAVY)
        .order_by("-pk")
    )
    own_filter = Q(cadre_id=case.cadre_id) if case.cadre_id else Q(unit_id=case.unit_id, subject_type="unit")
    own = list(earlier.filter(own_filter)[:LIMIT])
    own_ids = {c.pk for c in own}
    unit_cases = list(earlier.filter(unit_id=case.unit_id).exclude(pk__in=own_ids)[:LIMIT])
    seen = own_ids | {c.pk for c in unit_cases}
    near = Q(jurisdiction_id=case.jurisdiction_id) | (Q(domain=domain) if domain else Q(pk__in=[]))
    similar = _similar(earlier, earlier.filter(near).exclude(pk__in=seen), title, domain)

    matters_q = AccountabilityMatter.objects.filter(
        jurisdiction_id__in=access.jurisdictions_for(user, WARNING_ROLES),
        created_at__lte=case.created_at,
    ).select_related("unit", "cadre")
    matters_q = matters_q.filter(cadre_id=case.cadre_id) if case.cadre_id else matters_q.filter(unit_id=case.unit_id)
    listed_matters = {c.matter_id for c in own + unit_cases if c.matter_id} | {case.matter_id}
    matters = [m for m in matters_q.order_by("-pk")[:LIMIT] if m.pk not in listed_matters]

    reasons = []
    own_items = []
    for c in own:
        why = same_kind(title, domain, _title(c), _domain(c))
        own_items.append(_case_item(c, why))
        d = _decision(c)
        if why and d is not None:
            reasons.append(f"案件{c.number}“{_title(c)}”已于{d.decided_on}作出“{d.disposition}”决定，{why}")
    matter_items = []
    for m in matters:
        why = same_kind(title, domain, m.title, m.domain)
        matter_items.append(_matter_item(m, why))
        if why and m.status in ("decided", "closed"):
            reasons.append(f"问责事项“{m.title}”已作出处理，{why}")
    current = case.facts.filter(fact="repeat_error").values_list("value", flat=True).first()
    suggestion = None
    if reasons:
        suggestion = {
            "fact": "repeat_error",
            "label": "重复犯错",
            "value": True,
            "current": current,
            "reasons": reasons,
            "note": "此前已因同类失误或过错受到处理的，请调查核实后认定“重复犯错”事实（系统提示，不自动认定）。",
        }
    subject = "干部本人" if case.cadre_id else "本单位"
    return {
        "case": case.number,
        "subject": subject,
        "earlier_cases": own_items,
        "unit_cases": [_case_item(c, same_kind(title, domain, _title(c), _domain(c))) for c in unit_cases],
        "similar_cases": similar,
        "earlier_matters": matter_items,
        "suggestion": suggestion,
        "rule": RULE,
    }


def read_early_warning(user: User, case_id: int | str, *, ip: str = "") -> dict[str, Any]:
    """The early warning of a case for staff on the case, recorded in the audit."""
    with attempt(user, "case.early_warning", "case", case_id, ip):
        case = access.access_case(user, case_id)
        roles = [r for r in access.roles_on_case(user, case) if r in WARNING_ROLES]
        if not roles:
            raise Forbidden("您在本案中没有查看预警信息的角色")
        result = early_warning(user, case)
        append(
            actor_for(user, roles[0], ip),
            "case.early_warning",
            "case",
            case.number,
            detail={"suggest_repeat_error": result["suggestion"] is not None},
        )
    return result
