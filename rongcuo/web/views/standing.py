"""结果运用查询 for the organisation department (and handlers, secretaries): cadre + purpose + date → does any
matter count against the cadre, with the decision and the rule cited for each; and a printable statement
「结果运用情况说明」 (the same text the API gives with format=text). Every query is audited by read_standing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from rongcuo.cases import access
from rongcuo.core.errors import ActionError, NotFound
from rongcuo.org.models import Cadre
from rongcuo.outcomes import actions, statement
from rongcuo.outcomes.standing import areas, cn_date

from .after import field_errors, parse_date
from .auth import client_ip

CADRE_LIMIT = 200
SOURCE_LABELS = {"policy": "办法条款", "system": "系统解读", "decision": "决定", "clarification": "澄清正名"}


def _codes(request: HttpRequest) -> set[str]:
    codes = access.jurisdictions_for(request.user, actions.STANDING_ROLES)
    if not codes:
        raise Http404("页面不存在")
    return codes


def _params(request: HttpRequest) -> dict[str, str]:
    return {k: request.GET.get(k, "").strip() for k in ("cadre", "purpose", "on", "q")}


def _ask(request: HttpRequest, p: dict[str, str]) -> tuple[actions.Standing | None, dict[str, str]]:
    """The standing answer for the query in the URL, or the messages to show beside its fields."""
    if not p["cadre"]:
        return None, {}
    on: dt.date | None = timezone.localdate()
    if p["on"]:
        on = parse_date(p["on"])
        if on is None:
            return None, {"on": "应为日期（YYYY-MM-DD）"}
    try:
        return actions.read_standing(request.user, p["cadre"], p["purpose"] or None, on, ip=client_ip(request)), {}
    except NotFound as exc:
        return None, {"cadre": exc.message}
    except ActionError as exc:
        return None, field_errors(exc)


def _cadres(codes: set[str], q: str, chosen: str) -> tuple[list[Cadre], bool]:
    qs = Cadre.objects.filter(unit__jurisdiction_id__in=codes).select_related("unit").order_by("name", "id")
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(unit__name__icontains=q))
    rows = list(qs[: CADRE_LIMIT + 1])
    more = len(rows) > CADRE_LIMIT
    rows = rows[:CADRE_LIMIT]
    if chosen.isdigit() and all(str(c.pk) != chosen for c in rows):
        extra = Cadre.objects.filter(pk=int(chosen), unit__jurisdiction_id__in=codes).select_related("unit").first()
        if extra is not None:
            rows.insert(0, extra)
    return rows, more


def _verdicts(s: actions.Standing) -> list[dict[str, Any]]:
    out = []
    for a in s.answers:
        out.append(
            {
                "label": a.label,
                "counts_against": a.counts_against,
                "verdicts": [
                    {
                        "v": v,
                        "m": statement.matter_dict(v.matter),
                        "citations": [
                            {
                                "label": SOURCE_LABELS.get(c.source, c.source),
                                "source": c.source,
                                "ref": c.ref,
                                "text": c.text,
                            }
                            for c in v.citations
                        ],
                    }
                    for v in a.verdicts
                ],
            }
        )
    return out


@login_required
@require_safe
def standing(request: HttpRequest) -> HttpResponse:
    codes = _codes(request)
    p = _params(request)
    result, errors = _ask(request, p)
    cadres, more = _cadres(codes, p["q"], p["cadre"])
    ctx = {
        "p": p,
        "on": p["on"] or timezone.localdate().isoformat(),
        "areas": list(areas().items()),
        "cadres": cadres,
        "more_cadres": more,
        "limit": CADRE_LIMIT,
        "errors": errors,
        "result": result,
        "answers": _verdicts(result) if result else [],
        "on_label": cn_date(result.on) if result else "",
        "print_query": request.GET.urlencode(),
    }
    status = 200 if not errors else 404 if "cadre" in errors else 400
    return render(request, "web/after/standing.html", ctx, status=status)


@login_required
@require_safe
def standing_print(request: HttpRequest) -> HttpResponse:
    """The statement as a page to print (A4, print CSS); the same text as the API's format=text."""
    _codes(request)
    p = _params(request)
    result, errors = _ask(request, p)
    if result is None:
        raise Http404(next(iter(errors.values()), "请先选择干部"))
    user = request.user
    text = statement.standing_text(
        result.cadre, result.on, result.answers, result.clearances, issued_by=user.display_name or user.username
    )
    lines = text.rstrip("\n").split("\n")
    ctx = {
        "title": lines[0],
        "lines": [{"cls": _line_class(line), "text": line.strip()} for line in lines[1:]],
        "result": result,
        "issued_on": cn_date(timezone.localdate()),
    }
    return render(request, "web/after/standing_print.html", ctx)


def _line_class(line: str) -> str:
    """The statement's indentation as paragraph classes (heading, item, citation, blank)."""
    if not line.strip():
        return "st-gap"
    if line.startswith("【"):
        return "st-head"
    if line.startswith("    "):
        return "st-cite"
    if line.startswith("  "):
        return "st-item"
    return ""
