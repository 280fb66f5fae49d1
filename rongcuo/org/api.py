"""Jurisdictions, units, cadres and accountability matters 「问责事项」.

Units and cadres are scoped to the user's grants: staff by jurisdiction subtree, unit roles by unit
subtree, an applicant sees only their own record. The security administrator sees all units and cadres
(to bind accounts to them) but never a case. ID numbers and phones are only ever shown masked.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Status
from pydantic import Field

from rongcuo.accounts.models import User
from rongcuo.accounts.roles import Role
from rongcuo.cases import access, actions
from rongcuo.cases.payloads import MatterIn
from rongcuo.core.api_auth import api_user, client_ip
from rongcuo.core.errors import NotFound
from rongcuo.core.pagination import PageQuery, page, paginate
from rongcuo.core.types import Id

from .models import AccountabilityMatter, Cadre, Jurisdiction, Unit

router = Router()
HANDLER = {"handler"}


class OrgQuery(PageQuery):
    jurisdiction: str | None = Field(None, max_length=6, description="区划代码（含下级）")
    q: str | None = Field(None, max_length=64, description="名称包含")


class CadreQuery(OrgQuery):
    unit: Id | None = Field(None, description="单位（含下级单位）")


class MatterQuery(PageQuery):
    status: str | None = Field(None, max_length=8, description="open / decided / closed")
    q: str | None = Field(None, max_length=64, description="标题包含")


def _subtree(jurisdiction: str | None) -> Q:
    if not jurisdiction:
        return Q()
    j = Jurisdiction.objects.filter(code=jurisdiction).first()
    if j is None:
        return Q(pk__in=[])
    return Q(jurisdiction__path__startswith=j.path)


def _unit_scope(user: User) -> Q:
    """Units the user may see (as a filter on Unit)."""
    roles = access.role_names(user)
    if Role.SECADMIN in roles:
        return Q()
    q = Q(pk__in=[])
    staff = access.jurisdictions_for(user, {"handler", "investigator", "secretary", "org_liaison", "publisher"})
    if staff:
        q |= Q(jurisdiction_id__in=staff)
    units = access.units_for(user, {"unit_contact", "unit_reviewer"})
    if units:
        q |= Q(pk__in=units)
    cadres = access.cadres_for(user, {"applicant"})
    if cadres:
        q |= Q(cadres__in=cadres)
    return q


def _cadre_scope(user: User) -> Q:
    roles = access.role_names(user)
    if Role.SECADMIN in roles:
        return Q()
    q = Q(pk__in=[])
    staff = access.jurisdictions_for(user, {"handler", "investigator", "secretary", "org_liaison", "publisher"})
    if staff:
        q |= Q(unit__jurisdiction_id__in=staff)
    units = access.units_for(user, {"unit_contact", "unit_reviewer"})
    if units:
        q |= Q(unit_id__in=units)
    cadres = access.cadres_for(user, {"applicant"})
    if cadres:
        q |= Q(pk__in=cadres)
    return q


def unit_dict(u: Unit) -> dict[str, Any]:
    return {"id": u.pk, "name": u.name, "code": u.code, "jurisdiction": u.jurisdiction_id, "parent": u.parent_id}


def cadre_dict(c: Cadre) -> dict[str, Any]:
    return {
        "id": c.pk,
        "name": c.name,
        "unit": {"id": c.unit_id, "name": c.unit.name},
        "position": c.position,
        "rank": c.rank,
        "party_member": c.party_member,
        "id_number_masked": c.id_number_masked,
        "phone_masked": c.phone_masked,
    }


def matter_dict(m: AccountabilityMatter) -> dict[str, Any]:
    return {
        "id": m.pk,
        "title": m.title,
        "description": m.description,
        "jurisdiction": m.jurisdiction_id,
        "subject_type": m.subject_type,
        "unit": {"id": m.unit_id, "name": m.unit.name},
        "cadre": {"id": m.cadre_id, "name": m.cadre.name} if m.cadre_id else None,
        "initiating_organ": m.initiating_organ,
        "conduct_date": m.conduct_date,
        "started_on": m.started_on,
        "decided_on": m.decided_on,
        "status": m.status,
        "domain": m.domain,
        "created_at": m.created_at,
    }


@router.get("/jurisdictions", summary="行政区划树（登录用户均可查看）")
def jurisdictions(request: HttpRequest, root: str | None = None) -> list[dict[str, Any]]:
    rows = list(Jurisdiction.objects.order_by("path").values("code", "name", "level", "parent_id", "path"))
    nodes = {r["code"]: {"code": r["code"], "name": r["name"], "level": r["level"], "children": []} for r in rows}
    top: list[dict[str, Any]] = []
    for r in rows:
        parent = nodes.get(r["parent_id"]) if r["parent_id"] else None
        (parent["children"] if parent else top).append(nodes[r["code"]])
    if root:
        if root not in nodes:
            raise NotFound("行政区划不存在", field="root")
        return [nodes[root]]
    return top


@router.get("/units", summary="单位（按本人管辖范围）")
def units(request: HttpRequest, filters: Query[OrgQuery]) -> dict[str, Any]:
    qs: QuerySet[Unit] = Unit.objects.filter(_unit_scope(api_user(request))).filter(_subtree(filters.jurisdiction))
    if filters.q:
        qs = qs.filter(name__icontains=filters.q)
    items, meta = paginate(qs.distinct().order_by("path", "id"), filters)
    return page([unit_dict(u) for u in items], meta)


@router.get("/cadres", summary="干部（按本人管辖范围；身份证号、电话仅显示脱敏值）")
def cadres(request: HttpRequest, filters: Query[CadreQuery]) -> dict[str, Any]:
    qs = Cadre.objects.select_related("unit").filter(_cadre_scope(api_user(request)))
    if filters.jurisdiction:
        j = Jurisdiction.objects.filter(code=filters.jurisdiction).first()
        qs = qs.filter(unit__jurisdiction__path__startswith=j.path) if j else qs.none()
    if filters.unit is not None:
        u = Unit.objects.filter(pk=filters.unit).first()
        qs = qs.filter(unit__path__startswith=u.path) if u else qs.none()
    if filters.q:
        qs = qs.filter(name__icontains=filters.q)
    items, meta = paginate(qs.order_by("id"), filters)
    return page([cadre_dict(c) for c in items], meta)


def _matters(user: User) -> QuerySet[AccountabilityMatter]:
    codes = access.jurisdictions_for(user, HANDLER)
    return AccountabilityMatter.objects.select_related("unit", "cadre").filter(jurisdiction_id__in=codes)


@router.get("/matters", summary="问责事项（承办人，按管辖范围）")
def matters(request: HttpRequest, filters: Query[MatterQuery]) -> dict[str, Any]:
    qs = _matters(api_user(request))
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.q:
        qs = qs.filter(title__icontains=filters.q)
    items, meta = paginate(qs.order_by("-id"), filters)
    return page([matter_dict(m) for m in items], meta)


def case_ref(case: Any) -> dict[str, Any] | None:
    if case is None:
        return None
    return {"id": case.pk, "number": case.number, "stage": case.stage, "status": case.status, "version": case.version}


@router.post("/matters", response={201: dict[str, Any]}, summary="登记问责事项（办法规定同步认定的，同时启动主动容错）")
def open_matter(request: HttpRequest, body: MatterIn) -> Status[dict[str, Any]]:
    matter, case = actions.open_matter(api_user(request), body, ip=client_ip(request))
    return Status(201, {"matter": matter_dict(matter), "case": case_ref(case)})


@router.post("/matters/{matter_id}/proactive", response={201: dict[str, Any]}, summary="对问责事项启动主动容错")
def open_proactive(request: HttpRequest, matter_id: int) -> Status[dict[str, Any]]:
    case = actions.open_proactive(api_user(request), matter_id, ip=client_ip(request))
    return Status(201, {"case": case_ref(case)})
