"""Search endpoints, registered under /api/search by rongcuo.core.routers.

GET /api/search/cases?q=…          cases within the caller's scope (each search is audited like a list read; the
                                   record keeps a keyed digest of the terms, never the text: audit/redact.py)
GET /api/search/public?q=…         the public library of published de-identified renditions (no sign-in)
GET /api/search/similar/{case_id}  「类案推送」 for a case the caller can see (audited like a case read)
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from rongcuo.audit import redact
from rongcuo.audit.chain import Actor, append, append_failure
from rongcuo.cases import access, actions
from rongcuo.core.api_auth import api_user, client_ip
from rongcuo.core.errors import NotFound
from rongcuo.core.pagination import PageQuery

from . import index
from .query import CANDIDATES, Page
from .similar import Match

PREFIX = "/search"
router = Router(tags=["检索与类案推送"])


class SearchQuery(PageQuery):
    q: str = Field(min_length=1, max_length=100, description="检索词，如“容错 征地拆迁”（多个词须同时出现）")


class SimilarQuery(Schema):
    limit: int = Field(5, ge=1, le=20, description="每类返回条数")


def _meta(p: Page[Any], q: SearchQuery) -> dict[str, Any]:
    note = (
        f"匹配结果超过 {CANDIDATES} 条，仅对最新的 {CANDIDATES} 条按相关度排序，请增加检索词缩小范围"
        if p.truncated
        else ""
    )
    return {
        "total": p.total,
        "truncated": p.truncated,
        "note": note,
        "terms": p.terms,
        "page": q.page,
        "page_size": q.page_size,
    }


def _actor(request: HttpRequest) -> Actor:
    user = api_user(request)
    roles = sorted(access.role_names(user))
    return actions.actor_for(user, (roles[0] if roles else "")[:40], client_ip(request))


@router.get("/cases", summary="全文检索案件（仅本人管辖范围）")
def search_cases(request: HttpRequest, q: Query[SearchQuery]) -> dict[str, Any]:
    user = api_user(request)
    p = index.search_cases(user, q.q, limit=q.page_size, offset=(q.page - 1) * q.page_size)
    detail = {**redact.search_terms(q.q), "total": p.total, "shown": len(p.items)}
    append(_actor(request), "case.search", "case", "", detail=detail)
    items = [
        {
            "id": h.case.pk,
            "number": h.case.number,
            "title": h.case.title,
            "summary": h.case.summary[:120],
            "domain": h.case.domain,
            "jurisdiction": {"code": h.case.jurisdiction_id, "name": h.case.jurisdiction.name},
            "stage": h.case.stage,
            "status": h.case.status,
            "outcome": h.case.outcome,
            "created_at": h.case.created_at,
        }
        for h in p.items
    ]
    return {"items": items, **_meta(p, q)}


@router.get("/public", auth=None, summary="检索公开案例库（无须登录）")
def search_public(request: HttpRequest, q: Query[SearchQuery]) -> dict[str, Any]:
    p = index.search_public(q.q, limit=q.page_size, offset=(q.page - 1) * q.page_size)
    items = [
        {"id": h.rendition_id, "title": h.title, "excerpt": h.excerpt, "domain": h.domain, "score": round(h.score, 3)}
        for h in p.items
    ]
    return {"items": items, **_meta(p, q)}


def _match(m: Match) -> dict[str, Any]:
    return {
        "score": round(m.score, 3),
        "reasons": m.reasons,
        "shared_terms": list(m.shared_terms),
        "shared_facts": list(m.shared_facts),
        "same_domain": m.same_domain,
    }


@router.get("/similar/{case_id}", summary="类案推送：本人管辖范围内的相似案件与公开案例库中的相似案例")
def similar(request: HttpRequest, case_id: int, q: Query[SimilarQuery]) -> dict[str, Any]:
    user = api_user(request)
    try:
        rec = index.similar_cases(user, case_id, limit=q.limit)
    except NotFound:
        append_failure(_actor(request), "case.similar", "case", str(case_id))
        raise
    case = rec.case
    append(_actor(request), "case.similar", "case", case.number, detail={"shown": len(rec.cases) + len(rec.library)})
    return {
        "case": {"id": case.pk, "number": case.number, "title": case.title},
        "terms": rec.terms,
        "cases": [
            {
                "id": s.case.pk,
                "number": s.case.number,
                "title": s.case.title,
                "jurisdiction": {"code": s.case.jurisdiction_id, "name": s.case.jurisdiction.name},
                "stage": s.case.stage,
                "outcome": s.case.outcome,
                **_match(s.match),
            }
            for s in rec.cases
        ],
        "library": [
            {"id": s.rendition_id, "title": s.title, "excerpt": s.excerpt, **_match(s.match)} for s in rec.library
        ],
    }
