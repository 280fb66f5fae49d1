"""The public portal 「容错纠错信息公开」: no sign-in, server-rendered, no JavaScript.

Reads only what `public.py` offers (published renditions, the typical-case library, the policy rule files,
aggregate statistics); never a case, a cadre or a unit.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import Resolver404, resolve
from django.views.decorators.http import require_safe

from rongcuo.cases.models import Outcome
from rongcuo.consultation.library import effective_library

from . import public
from .plain_language import explain_policy

CSS = "disclosure/portal.css"
PAGE_SIZE = 20
CSP = (
    "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


@cache
def _inline_css() -> str:
    path = finders.find(CSS)
    return Path(path).read_text(encoding="utf-8") if path else ""


@cache
def _stylesheet_served() -> bool:
    """True when the project serves static files (WhiteNoise, or a static URL route): then the stylesheet is
    linked with {% static %}; otherwise it is inlined so the portal never depends on a missing route."""
    if "whitenoise.middleware.WhiteNoiseMiddleware" in settings.MIDDLEWARE and (
        getattr(settings, "WHITENOISE_USE_FINDERS", False) or (Path(settings.STATIC_ROOT) / CSS).exists()
    ):
        return True
    try:
        match = resolve(static(CSS))
    except Resolver404:
        return False
    return match.func.__module__.startswith(("django.views.static", "django.contrib.staticfiles"))


def _render(request: HttpRequest, template: str, context: dict[str, Any], nav: str) -> HttpResponse:
    css = {"css_href": static(CSS)} if _stylesheet_served() else {"portal_css": _inline_css()}
    response = render(request, f"disclosure/{template}", {**context, **css, "nav": nav})
    # No script at all; a withdrawn rendition must disappear at once, so nothing is cached for long.
    response["Content-Security-Policy"] = CSP
    response["Cache-Control"] = "no-cache"
    return response


def _labels() -> dict[str, Any]:
    return {"outcomes": {k: str(v) for k, v in Outcome.choices}}


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    recent = list(public.published_list()[:10])
    typical = list(public.library()[:5])
    context = {
        "recent": recent,
        "typical": typical,
        "published_count": public.published().count(),
        "typical_count": public.library().count(),
        "policy_count": len(public.policies()),
        **_labels(),
    }
    return _render(request, "index.html", context, "index")


@require_safe
def decisions(request: HttpRequest) -> HttpResponse:
    outcome = request.GET.get("outcome") or ""
    if outcome not in {k for k, _ in Outcome.choices}:
        outcome = ""
    pages = Paginator(public.published_list(outcome or None), PAGE_SIZE)
    page = pages.get_page(request.GET.get("page"))
    context = {"page": page, "outcome": outcome, **_labels()}
    return _render(request, "decisions.html", context, "decisions")


@require_safe
def decision(request: HttpRequest, public_number: str) -> HttpResponse:
    r = public.published_one(public_number)
    policy_known = r.policy in effective_library().policies
    context = {"r": r, "typical": public.typical_of(r), "policy_known": policy_known, **_labels()}
    return _render(request, "decision.html", context, "decisions")


@require_safe
def typical(request: HttpRequest) -> HttpResponse:
    tag = (request.GET.get("tag") or "").strip()[:16]
    context = {"items": list(public.library(tag or None)), "tags": public.tags_in_use(), "tag": tag, **_labels()}
    return _render(request, "typical.html", context, "typical")


@require_safe
def policy_list(request: HttpRequest) -> HttpResponse:
    rows = [{"policy": p, "current": p.latest()} for p in public.policies()]
    return _render(request, "policies.html", {"rows": rows}, "policies")


@require_safe
def policy_detail(request: HttpRequest, policy_id: str) -> HttpResponse:
    p, v = public.policy_and_version(policy_id, request.GET.get("version"))
    context = {"policy": p, "v": v, "plain": explain_policy(v), "versions": p.versions}
    return _render(request, "policy.html", context, "policies")


@require_safe
def statistics(request: HttpRequest) -> HttpResponse:
    aggregates, official = public.statistics()
    tables = [
        ("按处理结论", aggregates.get("by_outcome") or []),
        ("按启动方式", aggregates.get("by_start_type") or []),
        ("按年度", aggregates.get("by_year") or []),
        ("按地区（省级）" if official else "按地区", aggregates.get("by_province") or []),
    ]
    context = {
        "agg": aggregates,
        "tables": tables,
        "official": official,
        "published_count": public.published().count(),
        "typical_count": public.library().count(),
    }
    return _render(request, "statistics.html", context, "statistics")
