"""The publisher's verbs: generate, edit, scan, approve and withdraw a rendition; curate typical cases.

Each runs in one transaction through `cases.actions.attempt` (a refusal is audited after the rollback),
reaches the case only through the access chokepoint (outsiders: NotFound; generating a rendition of a
visible case without the 公开发布员 role on it: Forbidden; a rendition itself exists only for the
publishers of its case: anyone else, in the same jurisdiction or not, gets NotFound as for a missing one),
and records a timeline event on the case (which also enters the audit chain). Approval re-runs the
de-identification scan and refuses while any known name, ID-number-like or phone-like string remains.
Publishing and withdrawing send the `signals` the search index listens to.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from pydantic import Field, field_validator

from rongcuo.accounts.models import User
from rongcuo.audit.chain import append
from rongcuo.cases import access
from rongcuo.cases.actions import actor_for, attempt, record_event
from rongcuo.cases.models import Case, Decision
from rongcuo.cases.payloads import Payload, parse_payload
from rongcuo.core.errors import Conflict, Forbidden, Invalid, NotFound

from . import compose, conf, deid, sources
from .models import PublicCounter, Rendition, RenditionStatus, Tag, TypicalCase
from .signals import rendition_published, rendition_withdrawn

PUBLISHER = "publisher"
MAX_LISTED_FINDINGS = 8


class RenditionEdit(Payload):
    title: str | None = Field(default=None, min_length=1, max_length=200)
    subject: str | None = Field(default=None, min_length=1, max_length=300)
    summary: str | None = Field(default=None, min_length=1, max_length=20000)
    organ: str | None = Field(default=None, min_length=1, max_length=200)
    basis: str | None = Field(default=None, max_length=20000)
    explanation: str | None = Field(default=None, max_length=20000)
    result: str | None = Field(default=None, max_length=20000)


class Withdrawal(Payload):
    reason: str = Field(min_length=1, max_length=5000)


class TypicalIn(Payload):
    significance: str = Field(min_length=1, max_length=5000, description="典型意义")
    tags: list[str] = Field(default_factory=list, max_length=10)
    order: int = Field(default=100, ge=0, le=10000)

    @field_validator("tags")
    @classmethod
    def _tags(cls, value: list[str]) -> list[str]:
        out: list[str] = []
        for t in value:
            t = t.strip()
            if not t or len(t) > 16:
                raise ValueError("每个标签 1–16 个字")
            if t not in out:
                out.append(t)
        return out


# --- access -----------------------------------------------------------------------------------------------


def _publisher_role(user: User, case: Case) -> str:
    if PUBLISHER not in access.roles_on_case(user, case):
        raise Forbidden("只有本辖区的公开发布员可以办理公开文本")
    return PUBLISHER


def _locked(user: User, rendition_id: int | str) -> tuple[Rendition, Case]:
    """The rendition and its case, both locked, after the access check on the case."""
    try:
        pk = int(rendition_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    case_id = Rendition.objects.filter(pk=pk).values_list("case_id", flat=True).first()
    if case_id is None:
        raise NotFound()
    case = access.access_case(user, case_id, for_update=True)
    if PUBLISHER not in access.roles_on_case(user, case):
        raise NotFound()  # the same answer as a missing rendition (the list never shows it either)
    return Rendition.objects.select_for_update().get(pk=pk), case


def publisher_renditions(user: User) -> QuerySet[Rendition]:
    """Renditions of the cases this user may see as 公开发布员 (through the access chokepoint)."""
    codes = access.jurisdictions_for(user, {PUBLISHER})
    cases = access.visible_cases(user).filter(jurisdiction_id__in=codes)
    return Rendition.objects.filter(case__in=cases.values("id"))


def candidate_cases(user: User) -> QuerySet[Case]:
    """Decided cases in the publisher's scope with no published rendition and not withheld by law."""
    codes = access.jurisdictions_for(user, {PUBLISHER})
    return (
        access.visible_cases(user)
        .filter(jurisdiction_id__in=codes, decision__isnull=False)
        .exclude(rendition__status=RenditionStatus.PUBLISHED)
        .exclude(events__verb="withhold_publication")
    )


def read_rendition(user: User, rendition_id: int | str, *, ip: str = "") -> Rendition:
    with attempt(user, "disclosure.read", "rendition", rendition_id, ip):
        r, _case = _locked(user, rendition_id)
        append(actor_for(user, PUBLISHER, ip), "disclosure.read", "rendition", r.public_number)
    return r


# --- helpers ----------------------------------------------------------------------------------------------


def _issue_number() -> str:
    year = timezone.localdate().year
    counter, _ = PublicCounter.objects.select_for_update().get_or_create(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"GK-{year}-{counter.last:04d}"


def _scan_record(blocking: list[deid.Finding], warnings: list[deid.Finding]) -> dict[str, Any]:
    def rows(items: list[deid.Finding]) -> list[dict[str, str]]:
        return [
            {"kind": f.kind, "field": f.field, "shown": f.shown, "message": f.describe(compose.FIELD_LABELS)}
            for f in items
        ]

    return {
        "at": timezone.now().isoformat(timespec="seconds"),
        "clean": not blocking,
        "findings": rows(blocking),
        "warnings": rows(warnings),
    }


def _scan(r: Rendition, case: Case) -> tuple[list[deid.Finding], list[deid.Finding]]:
    ctx = sources.context_for(case, r.public_number, r.unit_level)
    values = {k: getattr(r, k) for k in compose.TEXT_FIELDS}
    values["cited_articles"] = r.cited_articles
    return deid.scan(compose.scan_fields(values), ctx)


def refusal_message(blocking: list[deid.Finding]) -> str:
    listed = "；".join(f.describe(compose.FIELD_LABELS) for f in blocking[:MAX_LISTED_FINDINGS])
    more = f"等{len(blocking)}处" if len(blocking) > MAX_LISTED_FINDINGS else ""
    return f"公开文本仍含有可识别个人身份的信息，不能审核通过：{listed}{more}。请修改后再审核。"


def _check_expected(r: Rendition, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != r.version:
        raise Conflict("公开文本已被他人修改，请刷新后重试", field="version")


def _withheld(case: Case) -> bool:
    return case.events.filter(verb="withhold_publication").exists()


# --- verbs ------------------------------------------------------------------------------------------------


def generate_rendition(user: User, case_id: int | str, *, ip: str = "") -> Rendition:
    """Draft (or redraft) the de-identified rendition of a decided case; a published one must be withdrawn first."""
    with attempt(user, "disclosure.generate", "case", case_id, ip):
        case = access.access_case(user, case_id, for_update=True)
        role = _publisher_role(user, case)
        if not Decision.objects.filter(case=case).exists():
            raise Conflict("本案尚未作出容错认定决定，不能生成公开文本", field="case_id")
        if _withheld(case):
            raise Conflict("本案已决定依法不予公开，不能生成公开文本", field="case_id")
        existing = Rendition.objects.select_for_update().filter(case=case).first()
        if existing is not None and existing.status == RenditionStatus.PUBLISHED:
            raise Conflict("公开文本已公开，须先撤回再重新生成", field="case_id")
        number = existing.public_number if existing else _issue_number()
        ctx = sources.context_for(case, number)
        fields = compose.compose(case, ctx)
        blocking, warnings = deid.scan(compose.scan_fields(fields), ctx)
        now = timezone.now()
        common = {
            **fields,
            "status": RenditionStatus.DRAFT,
            "unit_level": conf.unit_level(),
            "last_scan": _scan_record(blocking, warnings),
            "generated_by": user,
            "generated_at": now,
            "edited_by": None,
            "edited_at": None,
            "approved_by": None,
            "published_at": None,
        }
        if existing is None:
            r = Rendition.objects.create(case=case, public_number=number, **common)
        else:
            r = existing
            for k, v in common.items():
                setattr(r, k, v)
            r.version += 1
            r.save()
        record_event(
            case,
            user,
            actor_for(user, role, ip),
            "rendition_generate",
            f"生成去标识化公开文本（{number}），待审核",
            data={"rendition": r.pk, "public_number": number, "findings": len(blocking)},
        )
    return r


def edit_rendition(
    user: User, rendition_id: int | str, data: Any, *, ip: str = "", expected_version: int | None = None
) -> Rendition:
    with attempt(user, "disclosure.edit", "rendition", rendition_id, ip):
        r, case = _locked(user, rendition_id)
        p = parse_payload(RenditionEdit, data)
        changes = {k: v for k, v in p.model_dump().items() if v is not None}
        if not changes:
            raise Invalid("没有要修改的内容", field="title")
        _check_expected(r, expected_version)
        if r.status != RenditionStatus.DRAFT:
            raise Conflict("只能修改待审核的公开文本；已公开的须先撤回并重新生成", field="status")
        for k, v in changes.items():
            setattr(r, k, v)
        r.last_scan = _scan_record(*_scan(r, case))
        r.edited_by, r.edited_at = user, timezone.now()
        r.version += 1
        r.save()
        labels = "、".join(compose.FIELD_LABELS[k] for k in changes)
        record_event(
            case,
            user,
            actor_for(user, PUBLISHER, ip),
            "rendition_edit",
            f"修改公开文本（{r.public_number}）：{labels}",
            data={"rendition": r.pk, "fields": sorted(changes)},
        )
    return r


def scan_rendition(user: User, rendition_id: int | str, *, ip: str = "") -> Rendition:
    """Run the de-identification scan now and keep its result on the rendition (nothing is refused)."""
    with attempt(user, "disclosure.scan", "rendition", rendition_id, ip):
        r, case = _locked(user, rendition_id)
        r.last_scan = _scan_record(*_scan(r, case))
        r.save(update_fields=["last_scan"])
    return r


def approve_rendition(
    user: User, rendition_id: int | str, *, ip: str = "", expected_version: int | None = None
) -> Rendition:
    """Review and approve: re-scan, refuse while anything identifying remains, then publish."""
    with attempt(user, "disclosure.approve", "rendition", rendition_id, ip):
        r, case = _locked(user, rendition_id)
        _check_expected(r, expected_version)
        if r.status == RenditionStatus.PUBLISHED:
            raise Conflict("公开文本已公开", field="status")
        if r.status == RenditionStatus.WITHDRAWN:
            raise Conflict("已撤回的公开文本须重新生成后再审核", field="status")
        if _withheld(case):
            raise Conflict("本案已决定依法不予公开，不能公开", field="status")
        decision = Decision.objects.get(case=case)
        if (r.outcome, r.disposition) != (decision.outcome, decision.disposition):
            raise Conflict(f"决定已变更为“{decision.disposition}”，请重新生成公开文本", field="disposition")
        blocking, warnings = _scan(r, case)
        if blocking:
            raise Invalid(refusal_message(blocking), field=blocking[0].field)
        now = timezone.now()
        r.status = RenditionStatus.PUBLISHED
        r.approved_by, r.published_at = user, now
        r.withdrawn_by, r.withdrawn_at, r.withdraw_reason = None, None, ""
        r.last_scan = _scan_record(blocking, warnings)
        r.version += 1
        r.save()
        record_event(
            case,
            user,
            actor_for(user, PUBLISHER, ip),
            "rendition_publish",
            f"审核通过并公开去标识化文本（{r.public_number}）",
            data={"rendition": r.pk, "public_number": r.public_number},
        )
        rendition_published.send(sender=Rendition, rendition=r)
    return r


def withdraw_rendition(user: User, rendition_id: int | str, data: Any, *, ip: str = "") -> Rendition:
    with attempt(user, "disclosure.withdraw", "rendition", rendition_id, ip):
        r, case = _locked(user, rendition_id)
        p = parse_payload(Withdrawal, data)
        if r.status != RenditionStatus.PUBLISHED:
            raise Conflict("只能撤回已公开的文本", field="status")
        r.status = RenditionStatus.WITHDRAWN
        r.withdrawn_by, r.withdrawn_at, r.withdraw_reason = user, timezone.now(), p.reason
        r.version += 1
        r.save()
        record_event(
            case,
            user,
            actor_for(user, PUBLISHER, ip),
            "rendition_withdraw",
            f"撤回公开文本（{r.public_number}）",
            reason=p.reason,
            data={"rendition": r.pk, "public_number": r.public_number},
        )
        rendition_withdrawn.send(sender=Rendition, rendition=r)
    return r


def curate_typical(user: User, rendition_id: int | str, data: Any, *, ip: str = "") -> TypicalCase:
    """Put a published rendition in the typical-case library (or update its significance, tags, order)."""
    with attempt(user, "disclosure.curate", "rendition", rendition_id, ip):
        r, case = _locked(user, rendition_id)
        p = parse_payload(TypicalIn, data)
        if r.status != RenditionStatus.PUBLISHED:
            raise Conflict("只有已公开的文本可以列入典型案例库", field="rendition_id")
        ctx = sources.context_for(case, r.public_number, r.unit_level)
        blocking, _ = deid.scan({"significance": p.significance, "tags": "、".join(p.tags)}, ctx)
        if blocking:
            raise Invalid(refusal_message(blocking).replace("公开文本", "典型意义或标签"), field=blocking[0].field)
        typical, created = TypicalCase.objects.update_or_create(
            rendition=r,
            defaults={
                "significance": p.significance,
                "order": p.order,
                "curated_by": user,
                "curated_at": timezone.now(),
            },
        )
        typical.tags.set([Tag.objects.get_or_create(name=t)[0] for t in p.tags])
        summary = f"{'列入' if created else '更新'}典型案例库（{r.public_number}）"
        if p.tags:
            summary += f"：{'、'.join(p.tags)}"
        record_event(
            case,
            user,
            actor_for(user, PUBLISHER, ip),
            "typical_curate",
            summary,
            data={"rendition": r.pk, "tags": p.tags},
        )
    return typical


def remove_typical(user: User, rendition_id: int | str, *, ip: str = "") -> None:
    with attempt(user, "disclosure.uncurate", "rendition", rendition_id, ip):
        r, case = _locked(user, rendition_id)
        deleted, _ = TypicalCase.objects.filter(rendition=r).delete()
        if not deleted:
            raise NotFound("该公开文本不在典型案例库中", field="rendition_id")
        record_event(
            case,
            user,
            actor_for(user, PUBLISHER, ip),
            "typical_remove",
            f"移出典型案例库（{r.public_number}）",
            data={"rendition": r.pk},
        )
