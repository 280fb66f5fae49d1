"""What the public portal and the public API may read: published renditions, the typical-case library,
the policy library (rule files, no database) and aggregate statistics. Never a case, a cadre or a unit."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404

from rongcuo.cases.models import Outcome
from rongcuo.consultation.library import effective_library
from rongcuo.policy import Policy, PolicyVersion
from rongcuo.policy.catalog import OUTCOME_LABELS

from .models import START_LABELS, Rendition, RenditionStatus, Tag, TypicalCase

# The columns a public page may read; the private ones (pseudonym map, scan, who did what) are never loaded.
PUBLIC_FIELDS = (
    "id",
    "public_number",
    "status",
    "jurisdiction_id",
    "region",
    "domain",
    "start_type",
    "outcome",
    "disposition",
    "influence_months",
    "form",
    "decided_on",
    "policy",
    "policy_version",
    "policy_title",
    "cited_articles",
    "title",
    "subject",
    "summary",
    "organ",
    "basis",
    "explanation",
    "result",
    "published_at",
)
LIST_FIELDS = (
    "id",
    "public_number",
    "region",
    "domain",
    "outcome",
    "disposition",
    "decided_on",
    "title",
    "published_at",
)
THRESHOLD = 5


def published() -> QuerySet[Rendition]:
    return Rendition.objects.filter(status=RenditionStatus.PUBLISHED).order_by("-published_at", "-id")


def published_list(outcome: str | None = None) -> QuerySet[Rendition]:
    qs = published().only(*LIST_FIELDS)
    if outcome:
        qs = qs.filter(outcome=outcome)
    return qs


def published_one(public_number: str) -> Rendition:
    r = published().only(*PUBLIC_FIELDS).filter(public_number=public_number).first()
    if r is None:
        raise Http404("公开文本不存在或已撤回")
    return r


def typical_of(rendition: Rendition) -> TypicalCase | None:
    return TypicalCase.objects.filter(rendition_id=rendition.pk).prefetch_related("tags").first()


def library(tag: str | None = None) -> QuerySet[TypicalCase]:
    """Typical cases whose rendition is published, optionally with one tag."""
    qs = (
        TypicalCase.objects.filter(rendition__status=RenditionStatus.PUBLISHED)
        .select_related("rendition")
        .only("id", "significance", "order", *(f"rendition__{f}" for f in LIST_FIELDS))
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("order", "name")))
        .order_by("order", "-rendition__published_at", "-id")
    )
    if tag:
        qs = qs.filter(tags__name=tag)
    return qs


def tags_in_use() -> list[dict[str, Any]]:
    """Every tag with the number of published typical cases carrying it (tags with none included)."""
    counts = dict(
        Tag.objects.filter(typical_cases__rendition__status=RenditionStatus.PUBLISHED)
        .values("name")
        .annotate(n=Count("typical_cases"))
        .values_list("name", "n")
    )
    return [{"name": t.name, "count": counts.get(t.name, 0)} for t in Tag.objects.order_by("order", "name")]


# --- policies (from the rule files) ----------------------------------------------------------------------------


def policies() -> list[Policy]:
    lib = effective_library()
    return sorted(
        (lib.get(i) for i in lib.ids()), key=lambda p: (p.jurisdiction_code != "000000", p.jurisdiction_code, p.id)
    )


def policy_and_version(policy_id: str, version: str | None) -> tuple[Policy, PolicyVersion]:
    lib = effective_library()
    if policy_id not in lib.policies:
        raise Http404("政策不存在")
    p = lib.get(policy_id)
    if version:
        found = next((v for v in p.versions if v.version == version), None)
        if found is None:
            raise Http404("版本不存在")
        return p, found
    return p, p.latest()


# --- statistics ------------------------------------------------------------------------------------------


def _cells(counts: Counter[str], labels: dict[str, str], total: int) -> list[dict[str, Any]]:
    out = []
    for key, n in sorted(counts.items()):
        hidden = n < THRESHOLD or total < THRESHOLD
        out.append({"key": key, "label": labels.get(key, key), "count": None if hidden else n, "suppressed": hidden})
    return out


def rendition_aggregates() -> dict[str, Any]:
    """Counts of published renditions, small counts (<5) suppressed: the fallback when the statistics app's
    `public_aggregates` is not available."""
    qs = published().order_by()
    by_outcome = Counter(dict(qs.values_list("outcome").annotate(n=Count("id"))))
    total = sum(by_outcome.values())
    by_start = Counter(dict(qs.values_list("start_type").annotate(n=Count("id"))))
    by_region = Counter(dict(qs.values_list("region").annotate(n=Count("id"))))
    years = Counter(str(d.year) for d in qs.values_list("decided_on", flat=True))
    return {
        "scope": "已公开的处理结果（去标识化文本）",
        "threshold": THRESHOLD,
        "note": f"少于{THRESHOLD}件的数据显示为“<{THRESHOLD}”。",
        "total": total if total >= THRESHOLD else None,
        "by_outcome": _cells(by_outcome, {k: str(v) for k, v in Outcome.choices}, total),
        "by_start_type": _cells(by_start, START_LABELS, total),
        "by_year": _cells(years, {y: f"{y}年" for y in years}, total),
        "by_province": _cells(by_region, {}, total),
    }


def statistics() -> tuple[dict[str, Any], bool]:
    """(aggregates, from_statistics_app): the statistics app's public aggregates when present."""
    try:
        from rongcuo.stats.queries import public_aggregates
    except ImportError:
        return rendition_aggregates(), False
    return public_aggregates(), True


def outcome_label(code: str) -> str:
    return OUTCOME_LABELS.get(code, code)
