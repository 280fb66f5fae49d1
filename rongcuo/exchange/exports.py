"""What each export contains: the case list (the case-list page's filters, through the access chokepoint),
statistics (rongcuo.stats.queries, one sheet each), and the standing result-use records of the cadres in
the user's scope. Each reads a fixed number of queries whatever the number of rows.

ID numbers leave the system masked only (e.g. 320***********1234); phone numbers never leave it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from openpyxl import Workbook

from rongcuo.cases.models import Case, Outcome, StartType
from rongcuo.core import crypto
from rongcuo.core.errors import Invalid
from rongcuo.org.models import Jurisdiction
from rongcuo.outcomes.models import FORM_LABELS, ReportedMatter, ResultUse
from rongcuo.outcomes.records import COLUMNS as RESULT_USE_COLUMNS
from rongcuo.outcomes.records import matter_from_values
from rongcuo.outcomes.standing import Clearance, answer, areas
from rongcuo.stats import queries as stats

from .exporter import Col, SheetWriter
from .validate import Track, no_track

CASE_FILTERS = ("stage", "start_type", "jurisdiction", "outcome", "overdue", "domain", "status", "q")
STATUS_LABELS = {"open": "办理中", "closed": "已办结"}
SUBJECT_LABELS = {"cadre": "干部", "unit": "单位"}
ITER_CHUNK = 2000


def _subtree(code: str, field: str = "jurisdiction") -> Q:
    j = Jurisdiction.objects.filter(code=code).first()
    if j is None:
        raise Invalid(f"区划代码 {code} 不存在", field="jurisdiction")
    return Q(**{f"{field}__path__startswith": j.path})


# --- case list -------------------------------------------------------------------------------------------


def clean_case_filters(raw: Mapping[str, Any]) -> dict[str, str]:
    """The case-list page's filters, checked (the page offers only valid values; the API and CLI may not)."""
    f = {k: str(raw.get(k) or "").strip() for k in CASE_FILTERS}
    stages = dict(stats.stage_labels())
    checks = {
        "stage": set(stages),
        "start_type": set(StartType.values),
        "outcome": {*Outcome.values, "engine_undetermined"} - {"undetermined"},
        "overdue": {"1", "0"},
        "status": set(STATUS_LABELS),
    }
    for key, allowed in checks.items():
        if f[key] and f[key] not in allowed:
            raise Invalid(f"{key} 应为 {'、'.join(sorted(allowed))} 之一", field=key)
    if f["jurisdiction"] and not f["jurisdiction"].isdigit():
        raise Invalid("区划代码应为6位数字", field="jurisdiction")
    return {k: v for k, v in f.items() if v}


def filter_cases(qs: QuerySet[Case], f: Mapping[str, str]) -> QuerySet[Case]:
    """The same filters as the case list page (rongcuo/web/views/cases.py case_list)."""
    if f.get("stage"):
        qs = qs.filter(stage=f["stage"])
    if f.get("start_type"):
        qs = qs.filter(start_type=f["start_type"])
    if f.get("jurisdiction"):
        qs = qs.filter(_subtree(f["jurisdiction"]))
    if f.get("outcome"):
        qs = (
            qs.filter(engine_outcome="undetermined")
            if f["outcome"] == "engine_undetermined"
            else qs.filter(outcome=f["outcome"])
        )
    if f.get("overdue") == "1":
        qs = qs.filter(overdue=True)
    if f.get("domain"):
        qs = qs.filter(domain=f["domain"])
    if f.get("status"):
        qs = qs.filter(status=f["status"])
    if f.get("q"):
        qs = qs.filter(Q(number__icontains=f["q"]) | Q(title__icontains=f["q"]))
    return qs


CASE_COLUMNS = (
    Col("案号", 24),
    Col("标题", 36),
    Col("地区", 12),
    Col("区划代码", 10),
    Col("单位", 28),
    Col("对象类型", 9),
    Col("干部姓名", 10),
    Col("启动方式", 14),
    Col("环节", 16),
    Col("状态", 8),
    Col("规则评估", 12),
    Col("结论", 14),
    Col("处理方式", 14),
    Col("领域", 12),
    Col("行为发生日期", 13, "date"),
    Col("立案时间", 17, "datetime"),
    Col("环节办理期限", 13, "date"),
    Col("是否逾期", 9),
    Col("办结时间", 17, "datetime"),
)
CASE_FIELDS = (
    "number",
    "title",
    "jurisdiction__name",
    "jurisdiction_id",
    "unit__name",
    "subject_type",
    "cadre__name",
    "start_type",
    "stage",
    "status",
    "engine_outcome",
    "outcome",
    "disposition",
    "domain",
    "conduct_date",
    "created_at",
    "stage_due_on",
    "overdue",
    "closed_at",
)


def write_cases(wb: Workbook, qs: QuerySet[Case], track: Track = no_track, total: int | None = None) -> int:
    stages = stats.stage_labels()
    start_types = {k: str(v) for k, v in StartType.choices}
    outcomes = {k: str(v) for k, v in Outcome.choices}
    sheet = SheetWriter(wb, "案件清单", CASE_COLUMNS)
    rows = qs.order_by("-overdue", "-id").values_list(*CASE_FIELDS).iterator(chunk_size=ITER_CHUNK)
    for r in track(rows, "导出案件", total):
        v = dict(zip(CASE_FIELDS, r, strict=True))
        sheet.append(
            [
                v["number"],
                v["title"],
                v["jurisdiction__name"],
                v["jurisdiction_id"],
                v["unit__name"],
                SUBJECT_LABELS.get(v["subject_type"], v["subject_type"]),
                v["cadre__name"] or "",
                start_types.get(v["start_type"], v["start_type"]),
                stages.get(v["stage"], v["stage"]),
                STATUS_LABELS.get(v["status"], v["status"]),
                outcomes.get(v["engine_outcome"], ""),
                outcomes.get(v["outcome"], ""),
                v["disposition"],
                v["domain"],
                v["conduct_date"],
                v["created_at"],
                v["stage_due_on"],
                v["overdue"],
                v["closed_at"],
            ]
        )
    sheet.close()
    return sheet.rows


# --- statistics ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatsFilters:
    jurisdiction: str = ""
    since: dt.date | None = None
    until: dt.date | None = None
    period: str = "month"

    def to_dict(self) -> dict[str, str]:
        out = {"jurisdiction": self.jurisdiction, "period": self.period}
        out["since"] = self.since.isoformat() if self.since else ""
        out["until"] = self.until.isoformat() if self.until else ""
        return {k: v for k, v in out.items() if v}


def filter_stats(qs: QuerySet[Case], f: StatsFilters) -> QuerySet[Case]:
    if f.period not in stats.PERIODS:
        raise Invalid(f"统计周期应为 {'、'.join(stats.PERIODS)} 之一", field="period")
    if f.jurisdiction:
        qs = qs.filter(_subtree(f.jurisdiction))
    if f.since and f.until and f.until < f.since:
        raise Invalid("截止日期应不早于起始日期", field="until")
    if f.since:
        qs = qs.filter(created_at__date__gte=f.since)
    if f.until:
        qs = qs.filter(created_at__date__lte=f.until)
    return qs


DIMENSION_SHEETS = (
    ("outcome", "按结论"),
    ("stage", "按环节"),
    ("start_type", "按启动方式"),
    ("jurisdiction", "按地区"),
    ("domain", "按领域"),
    ("period", "按期间"),
)
PERIOD_LABELS = {"month": "月", "quarter": "季度", "year": "年"}


def write_stats(wb: Workbook, qs: QuerySet[Case], f: StatsFilters) -> int:
    """Summary, counts per dimension, processing times and overdue: one sheet each; returns the rows written."""
    written = 0
    s = stats.summary(qs)
    summary = SheetWriter(wb, "概况", (Col("项目", 28), Col("数值", 14), Col("比率", 10, "percent")))
    summary.extend(
        [
            ["统计范围（区划代码，含下级）", f.jurisdiction or "本人全部管辖范围", None],
            ["立案日期起", f.since, None],
            ["立案日期止", f.until, None],
            ["案件总数", s["total"], None],
            ["办理中", s["open"], None],
            ["已办结", s["closed"], None],
            ["当前逾期", s["open_overdue"], None],
            ["已作出结论", s["outcomes"]["decided"], None],
            *([f"结论：{r['label']}", r["count"], r["rate"]] for r in s["outcomes"]["rates"]),
        ]
    )
    summary.close()
    written += summary.rows
    for dim, title in DIMENSION_SHEETS:
        label = f"期间（{PERIOD_LABELS[f.period]}）" if dim == "period" else title.removeprefix("按")
        sheet = SheetWriter(
            wb, title, (Col(label, 24), Col("代码", 14), Col("件数", 10, "int"), Col("占比", 10, "percent"))
        )
        sheet.extend(
            [r["label"], r["key"] or "", r["count"], r["share"]] for r in stats.case_counts(qs, dim, period=f.period)
        )
        sheet.close()
        written += sheet.rows
    times = SheetWriter(
        wb,
        "办理用时",
        (
            Col("环节", 16),
            Col("已完成（次）", 12, "int"),
            Col("办理中（次）", 12, "int"),
            Col("中位数（工作日）", 16, "float"),
            Col("平均（工作日）", 14, "float"),
            Col("最长（工作日）", 14, "int"),
            Col("中位数（自然日）", 16, "float"),
            Col("平均（自然日）", 14, "float"),
        ),
    )
    for r in stats.processing_times(qs):
        times.append(
            [
                r["label"],
                r["completed"],
                r["in_progress"],
                r["median_working_days"],
                r["mean_working_days"],
                r["max_working_days"],
                r["median_calendar_days"],
                r["mean_calendar_days"],
            ]
        )
    times.close()
    o = stats.overdue_counts(qs)
    overdue = SheetWriter(
        wb, "逾期", (Col("环节", 16), Col("当前逾期（件）", 14, "int"), Col("曾经超期（次）", 14, "int"))
    )
    now = {r["stage"]: r for r in o["open_overdue_by_stage"]}
    ever = {r["stage"]: r for r in o["deadlines_missed_by_stage"]}
    for stage in sorted(set(now) | set(ever)):
        row = now.get(stage) or ever[stage]
        overdue.append([row["label"], now.get(stage, {}).get("count", 0), ever.get(stage, {}).get("count", 0)])
    overdue.append(["合计", o["open_overdue"], o["deadlines_missed"]])
    overdue.close()
    return written + times.rows + overdue.rows


# --- standing result-use records -------------------------------------------------------------------------

KIND_LABELS = dict(ResultUse.KINDS)
SOURCE_LABELS = {"decision": "决定载明", "policy": "办法规定", "": "未载明"}


def standing_columns(area_labels: list[str]) -> tuple[Col, ...]:
    return (
        Col("姓名", 10),
        Col("身份证号（脱敏）", 22),
        Col("单位", 28),
        Col("地区", 12),
        Col("案号", 24),
        Col("结果运用类别", 16),
        Col("处理方式", 14),
        Col("所属形态", 12),
        Col("决定日期", 12, "date"),
        Col("决定机关", 20),
        Col("决定文号", 20),
        Col("影响期（月）", 12, "int"),
        Col("影响期止", 12, "date"),
        Col("影响期来源", 10),
        Col("适用办法", 30),
        Col("经申诉变更", 10),
        Col("已澄清正名", 10),
        *(Col(label, 14) for label in area_labels),
    )


def _clearances(cadres: QuerySet[Any]) -> tuple[dict[int, Clearance], dict[int, Clearance]]:
    by_case: dict[int, Clearance] = {}
    by_matter: dict[int, Clearance] = {}
    rows = ReportedMatter.objects.filter(report__cadre__in=cadres, cleared_by__isnull=False).values(
        "case_id", "matter_id", "text", "cleared_by__organ", "cleared_by__held_on", "report__number"
    )
    for r in rows:
        c = Clearance(r["cleared_by__organ"], r["cleared_by__held_on"], r["text"], r["report__number"])
        if r["case_id"]:
            by_case.setdefault(r["case_id"], c)
        if r["matter_id"]:
            by_matter.setdefault(r["matter_id"], c)
    return by_case, by_matter


def standing_rows(codes: set[str], jurisdiction: str, on: dt.date) -> Iterator[tuple[dict[str, Any], list[Any]]]:
    """(cadre, row) per recorded decision on a cadre of these jurisdictions, with each area's verdict on `on`."""
    from rongcuo.org.models import Cadre

    cadres = Cadre.objects.filter(unit__jurisdiction_id__in=codes)
    if jurisdiction:
        cadres = cadres.filter(_subtree(jurisdiction, "unit__jurisdiction"))
    by_case, by_matter = _clearances(cadres.values("id"))
    wanted = list(areas())
    cols = ("cadre_id", "cadre__name", "cadre__id_number_enc", "cadre__unit__name", "cadre__unit__jurisdiction__name")
    qs = (
        ResultUse.objects.filter(cadre__in=cadres.values("id"))
        .order_by("cadre__unit__path", "cadre_id", "decided_on", "id")
        .values(*RESULT_USE_COLUMNS, *cols)
    )
    masked: dict[int, str] = {}
    for r in qs.iterator(chunk_size=ITER_CHUNK):
        cleared = by_case.get(r["case_id"]) or (by_matter.get(r["matter_id"]) if r["matter_id"] else None)
        m = matter_from_values(r, cleared)
        if r["cadre_id"] not in masked:
            masked[r["cadre_id"]] = crypto.mask_id_number(crypto.decrypt(r["cadre__id_number_enc"]))
        verdicts = [answer([m], a, on).counts_against for a in wanted]
        cadre = {
            "id": r["cadre_id"],
            "name": r["cadre__name"],
            "id_masked": masked[r["cadre_id"]],
            "unit": r["cadre__unit__name"],
            "jurisdiction": r["cadre__unit__jurisdiction__name"],
        }
        row = [
            cadre["name"],
            cadre["id_masked"],
            cadre["unit"],
            cadre["jurisdiction"],
            m.case_number,
            KIND_LABELS.get(m.kind, m.kind),
            m.disposition,
            FORM_LABELS.get(m.form, "") if m.form else "",
            m.decided_on,
            m.organ,
            m.document_number,
            m.influence_months,
            m.influence_ends_on,
            SOURCE_LABELS.get(m.influence_source, m.influence_source),
            m.policy_title or m.policy,
            m.changed_on_appeal,
            cleared is not None,
            *("受影响" if v else "不受影响" for v in verdicts),
        ]
        yield cadre, [*row, *verdicts]


def write_standing(
    wb: Workbook, codes: set[str], jurisdiction: str, on: dt.date, track: Track = no_track, total: int | None = None
) -> int:
    labels = [f"{label}（截至{on.isoformat()}）" for label in areas().values()]
    detail = SheetWriter(wb, "结果运用台账", standing_columns(labels))
    summary = SheetWriter(
        wb,
        "干部汇总",
        (
            Col("姓名", 10),
            Col("身份证号（脱敏）", 22),
            Col("单位", 28),
            Col("地区", 12),
            Col("决定数", 8, "int"),
            *(Col(label, 14) for label in labels),
        ),
    )
    current: dict[str, Any] | None = None
    count, against = 0, [False] * len(labels)

    def flush() -> None:
        if current is not None:
            base = [current["name"], current["id_masked"], current["unit"], current["jurisdiction"], count]
            summary.append(base + ["受影响" if a else "不受影响" for a in against])

    for cadre, row in track(standing_rows(codes, jurisdiction, on), "导出结果运用", total):
        if current is None or cadre["id"] != current["id"]:
            flush()
            current, count, against = cadre, 0, [False] * len(labels)
        verdicts = row[len(row) - len(labels) :]
        detail.append(row[: len(row) - len(labels)])
        count += 1
        against = [a or v for a, v in zip(against, verdicts, strict=True)]
    flush()
    detail.close()
    summary.close()
    return detail.rows


def count_standing(codes: set[str], jurisdiction: str) -> int:
    from rongcuo.org.models import Cadre

    cadres = Cadre.objects.filter(unit__jurisdiction_id__in=codes)
    if jurisdiction:
        cadres = cadres.filter(_subtree(jurisdiction, "unit__jurisdiction"))
    return ResultUse.objects.filter(cadre__in=cadres.values("id")).count()
