"""The exchange verbs, called by the web pages, the API and the command line: import a workbook (or check it:
a dry run), and export the case list, statistics or standing records. Each is audited: an import with the
file's name and SHA-256 and the counts (a refused one with its number of problems), an export with its kind,
filters and row count.

Who may do what:
- import: a handler 「承办人」, into the jurisdiction subtrees where they are one;
- export the case list: anyone with a case scope, of exactly the cases they may read (the administrators
  「三员」 have none and are refused);
- export statistics: the staff roles of the statistics pages, over the cases they may read;
- export standing records: 组织部门联络员, 承办人 and 决策秘书, for the cadres of their jurisdictions.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import IO, Any

from django.db import transaction
from django.utils import timezone

from rongcuo.accounts.models import User
from rongcuo.audit import redact
from rongcuo.audit.chain import append, append_failure
from rongcuo.cases import access
from rongcuo.cases.actions import actor_for
from rongcuo.core.errors import ActionError, Forbidden, Invalid
from rongcuo.org.models import Jurisdiction
from rongcuo.outcomes.actions import STANDING_ROLES

from . import exports
from .exporter import new_workbook, save
from .importer import Report, apply
from .plan import plan_import
from .validate import Problems, Track, no_track, parse_workbook
from .workbook import open_workbook

IMPORT_ROLES = frozenset({"handler"})
STATS_ROLES = frozenset({"handler", "investigator", "secretary", "org_liaison", "publisher"})


class ImportRejected(Invalid):
    """The workbook has problems: nothing was written. The report lists them."""

    def __init__(self, report: Report) -> None:
        super().__init__(report.summary(), field="file")
        self.report = report


# --- import ----------------------------------------------------------------------------------------------


def _detail(report: Report) -> dict[str, Any]:
    return {
        "filename": report.filename[:200],
        "sha256": report.sha256,
        "dry_run": report.dry_run,
        "rows": report.rows,
        "counts": report.counts,
        "problems": report.total_problems,
    }


def import_workbook(
    user: User, content: bytes, filename: str, *, dry_run: bool = False, ip: str = "", track: Track = no_track
) -> Report:
    """Check a workbook and, unless `dry_run`, import it in one transaction. A dry run answers the report
    (ok or not); a real import with any problem raises ImportRejected (carrying the report) and writes
    nothing. Re-importing the same file creates and changes nothing."""
    digest = hashlib.sha256(content).hexdigest()
    action = "exchange.import_check" if dry_run else "exchange.import"
    actor = actor_for(user, "handler", ip)
    report = Report(filename=filename, sha256=digest, dry_run=dry_run)
    try:
        scope = access.jurisdictions_for(user, set(IMPORT_ROLES))
        if not scope:
            raise Forbidden("只有承办人可以导入单位、干部和问责事项")
        wb = open_workbook(content, filename)
        problems = Problems()
        parsed = parse_workbook(wb, problems, track)
        report.rows = parsed.read
        with transaction.atomic():
            if not dry_run:
                touched = {r.get("jurisdiction") for rows in parsed.rows.values() for r in rows} & scope
                # Imports into the same jurisdictions queue behind each other (identity checks stay true).
                list(Jurisdiction.objects.select_for_update().filter(code__in=sorted(touched)).values_list("code"))
            plan = plan_import(scope, parsed, problems)
            report.problems, report.total_problems = problems.in_order(), problems.total
            report.counts = plan.counts() if not problems else {}
            if problems and not dry_run:
                raise ImportRejected(report)
            if not dry_run:
                apply(plan, track)
                report.imported = True
            append(actor, action, "workbook", digest, detail=_detail(report))
    except ActionError as exc:
        append_failure(actor, action, "workbook", digest, error=exc.code, message=exc.message[:200], **_detail(report))
        raise
    return report


# --- exports ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Exported:
    kind: str
    rows: int
    filename: str


def _role(user: User, allowed: frozenset[str] | set[str]) -> str:
    return next((g.role for g in access.grants(user) if g.role in allowed), "")


def _audited(user: User, kind: str, ip: str, run: Callable[[], tuple[str, int, dict[str, Any]]]) -> int:
    try:
        role, rows, detail = run()
    except ActionError as exc:
        append_failure(actor_for(user, "", ip), "exchange.export", kind, "", error=exc.code, message=exc.message[:200])
        raise
    with transaction.atomic():
        append(actor_for(user, role, ip), "exchange.export", kind, "", detail={**detail, "rows": rows})
    return rows


FILE_LABELS = {"cases": "案件清单", "stats": "案件统计", "standing": "结果运用台账"}


def export_filename(kind: str) -> str:
    return f"{FILE_LABELS[kind]}-{timezone.localdate():%Y%m%d}.xlsx"


def export_cases(
    user: User, filters: Mapping[str, Any], out: IO[bytes], *, ip: str = "", track: Track = no_track
) -> Exported:
    """The case list as filtered (the case-list page's filters), of the cases this user may read."""

    def run() -> tuple[str, int, dict[str, Any]]:
        f = exports.clean_case_filters(filters)
        case_grants = [g for g in access.grants(user) if g.kind != "none" and g.cases]
        if not case_grants:
            raise Forbidden("您没有可以导出的案件范围")
        qs = exports.filter_cases(access.visible_cases(user), f)
        total = qs.count() if track is not no_track else None
        wb = new_workbook()
        rows = exports.write_cases(wb, qs, track, total)
        save(wb, out)
        return case_grants[0].role, rows, {"filters": redact.filters(f)}  # no search text in the audit log

    rows = _audited(user, "cases", ip, run)
    return Exported("cases", rows, export_filename("cases"))


def export_stats(user: User, filters: exports.StatsFilters, out: IO[bytes], *, ip: str = "") -> Exported:
    """Statistics over the cases this user may read: summary, each dimension, processing times, overdue."""

    def run() -> tuple[str, int, dict[str, Any]]:
        role = _role(user, STATS_ROLES)
        if not role:
            raise Forbidden("统计仅对办案人员开放")
        qs = exports.filter_stats(access.visible_cases(user), filters)
        wb = new_workbook()
        rows = exports.write_stats(wb, qs, filters)
        save(wb, out)
        return role, rows, {"filters": filters.to_dict()}

    rows = _audited(user, "stats", ip, run)
    return Exported("stats", rows, export_filename("stats"))


def export_standing(
    user: User,
    out: IO[bytes],
    *,
    jurisdiction: str = "",
    on: dt.date | None = None,
    ip: str = "",
    track: Track = no_track,
) -> Exported:
    """The standing result-use records of the cadres in this user's jurisdictions, with each area's verdict
    on `on` (default today). ID numbers masked; phones never exported."""
    day = on or timezone.localdate()

    def run() -> tuple[str, int, dict[str, Any]]:
        role = _role(user, STANDING_ROLES)
        codes = access.jurisdictions_for(user, set(STANDING_ROLES))
        if not role or not codes:
            raise Forbidden("结果运用台账仅对组织部门联络员、承办人和决策秘书开放")
        total = exports.count_standing(codes, jurisdiction) if track is not no_track else None
        wb = new_workbook()
        rows = exports.write_standing(wb, codes, jurisdiction, day, track, total)
        save(wb, out)
        return role, rows, {"filters": {"jurisdiction": jurisdiction, "on": day.isoformat()}}

    rows = _audited(user, "standing", ip, run)
    return Exported("standing", rows, export_filename("standing"))
