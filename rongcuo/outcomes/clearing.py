"""Clearing names 「澄清正名」: reports 「检举控告」, their verification, clarification of the specific matters
found untrue, referral of malicious false accusation 「诬告陷害」, and detection of repeated reports on a matter
already concluded.

Procedure facts (中央纪委国家监委 2020): 分级负责、谁核实谁澄清; methods 书面/当面/会议/通报 (the last three
always together with a written one); only for matters found 严重失实、不属实、捏造事实、诬告陷害, and only those
specific matters. All verbs are for the handler 「承办人」 whose jurisdiction contains the cadre's unit.

Registration is not written on the case timeline (the cadre can read it; 检举 is kept confidential); the
clarification is, on every case a cleared matter concerns.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from rongcuo.accounts.models import User
from rongcuo.audit.chain import append
from rongcuo.cases import access
from rongcuo.cases.actions import actor_for, attempt, record_event
from rongcuo.cases.models import Case, CaseCounter
from rongcuo.cases.payloads import parse_payload
from rongcuo.core import crypto
from rongcuo.core.errors import Conflict, Invalid, NotFound
from rongcuo.org.models import AccountabilityMatter, Cadre, Jurisdiction

from . import payloads
from .models import CLEARABLE, Clarification, Finding, Report, ReportedMatter
from .similar import same_matter

REPORT_ROLES = {"handler"}
READ_ROLES = {"handler", "secretary"}
MALICIOUS = frozenset({Finding.FABRICATED, Finding.FALSE_ACCUSATION})
NON_WRITTEN = ("in_person", "meeting", "circular")


def _number(jurisdiction: Jurisdiction) -> str:
    year = timezone.localdate().year
    counter, _ = CaseCounter.objects.select_for_update().get_or_create(
        jurisdiction=jurisdiction, kind="report", year=year
    )
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"JB-{jurisdiction.code}-{year}-{counter.last:05d}"


def _report(user: User, report_id: int | str, roles: set[str] = REPORT_ROLES, *, lock: bool = True) -> Report:
    try:
        pk = int(report_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    qs = Report.objects.filter(pk=pk, jurisdiction_id__in=access.jurisdictions_for(user, roles))
    report = (qs.select_for_update() if lock else qs).select_related("cadre", "unit").first()
    if report is None:
        raise NotFound()
    return report


def _find_repeat(matter: ReportedMatter, earlier: list[ReportedMatter]) -> ReportedMatter | None:
    for old in earlier:
        if (matter.case_id and matter.case_id == old.case_id) or (
            matter.matter_id and matter.matter_id == old.matter_id
        ):
            return old
        if same_matter(matter.text, old.text):
            return old
    return None


def register_report(user: User, data: Any, *, ip: str = "") -> Report:
    """Record a report and its specific matters; flag each matter repeating one already concluded."""
    p = parse_payload(payloads.ReportIn, data)
    with attempt(user, "report.register", "report", "", ip):
        codes = access.jurisdictions_for(user, REPORT_ROLES)
        cadre = Cadre.objects.select_related("unit__jurisdiction").filter(pk=p.cadre_id).first()
        if cadre is None or cadre.unit.jurisdiction_id not in codes:
            raise NotFound("干部不存在或无权访问", field="cadre_id")
        visible = access.visible_cases(user)
        for i, m in enumerate(p.matters):
            if m.case_id is not None and not visible.filter(pk=m.case_id, cadre=cadre).exists():
                raise Invalid("所涉案件不存在或不是针对该干部的", field=f"matters.{i}.case_id")
            if (
                m.matter_id is not None
                and not AccountabilityMatter.objects.filter(
                    pk=m.matter_id, cadre=cadre, jurisdiction_id__in=codes
                ).exists()
            ):
                raise Invalid("所涉问责事项不存在或不是针对该干部的", field=f"matters.{i}.matter_id")
        report = Report.objects.create(
            number=_number(cadre.unit.jurisdiction),
            jurisdiction=cadre.unit.jurisdiction,
            cadre=cadre,
            unit=cadre.unit,
            received_on=p.received_on,
            channel=p.channel,
            summary=p.summary,
            informant_enc=crypto.encrypt(p.informant),
            created_by=user,
        )
        earlier = list(
            ReportedMatter.objects.filter(report__cadre=cadre, report__status="concluded")
            .exclude(finding=Finding.PENDING)
            .select_related("report")
            .order_by("-report__concluded_on", "-id")
        )
        repeats = 0
        for i, m in enumerate(p.matters, start=1):
            rm = ReportedMatter(report=report, seq=i, text=m.text, case_id=m.case_id, matter_id=m.matter_id)
            rm.repeat_of = _find_repeat(rm, earlier)
            repeats += rm.repeat_of is not None
            rm.save()
        append(
            actor_for(user, "handler", ip),
            "report.register",
            "report",
            report.number,
            detail={"cadre": cadre.pk, "matters": len(p.matters), "repeats": repeats},
        )
    return report


def conclude(user: User, report_id: int | str, data: Any, *, ip: str = "") -> Report:
    """The verifying organ records its finding on every matter 「谁核实」."""
    p = parse_payload(payloads.ConclusionIn, data)
    with attempt(user, "report.conclude", "report", report_id, ip):
        report = _report(user, report_id)
        if report.status != "verifying":
            raise Conflict("该检举控告已核实办结")
        matters = {m.pk: m for m in report.matters.select_for_update()}
        given: dict[int, payloads.FindingIn] = {}
        for i, f in enumerate(p.findings):
            if f.matter_id not in matters:
                raise Invalid("事项不属于该检举控告", field=f"findings.{i}.matter_id")
            given[f.matter_id] = f
        missing = [m.seq for pk, m in matters.items() if pk not in given]
        if missing:
            raise Invalid(f"第{'、'.join(map(str, sorted(missing)))}项事项尚无核实结论", field="findings")
        for pk, f in given.items():
            m = matters[pk]
            m.finding, m.finding_note = f.finding, f.note
            m.save(update_fields=["finding", "finding_note"])
        report.status = "concluded"
        report.verified_by_organ = p.organ
        report.concluded_on = p.concluded_on
        report.conclusion = p.conclusion
        report.save()
        append(
            actor_for(user, "handler", ip),
            "report.conclude",
            "report",
            report.number,
            detail={"organ": p.organ, "findings": {matters[k].seq: f.finding for k, f in given.items()}},
        )
    return report


def _check_malicious(report: Report, referred_to: str) -> None:
    if not referred_to:
        raise Invalid("移送诬告陷害线索须写明移送机关", field="referred_to")
    if report.false_accusation_referred:
        raise Conflict("该检举控告已移送诬告陷害线索")
    if not report.matters.filter(finding__in=MALICIOUS).exists():
        raise Invalid("只有核实为捏造事实或诬告陷害的，才能移送诬告陷害线索", field="refer_false_accusation")


def _refer(report: Report, referred_to: str, note: str, on: Any) -> None:
    report.false_accusation_referred = True
    report.referred_to = referred_to
    report.referral_note = note
    report.referred_on = on
    report.save()


def clarify(user: User, report_id: int | str, data: Any, *, ip: str = "") -> Clarification:
    """澄清正名 of the specific matters found untrue, by the organ that verified them."""
    p = parse_payload(payloads.ClarificationIn, data)
    with attempt(user, "report.clarify", "report", report_id, ip):
        report = _report(user, report_id)
        if report.status != "concluded":
            raise Conflict("核实尚未办结，不能澄清正名")
        if p.organ and p.organ != report.verified_by_organ:
            raise Invalid(f"谁核实，谁澄清：应由核实机关“{report.verified_by_organ}”澄清", field="organ")
        methods = list(dict.fromkeys(p.methods))
        if "written" not in methods:
            raise Invalid("当面澄清、会议澄清、通报澄清须同时进行书面澄清", field="methods")
        if not p.written_text:
            raise Invalid("书面澄清须附书面澄清材料", field="written_text")
        if report.concluded_on and p.held_on < report.concluded_on:
            raise Invalid("澄清日期不能早于核实办结日期", field="held_on")
        matters = {m.pk: m for m in report.matters.select_for_update()}
        chosen = []
        for pk in dict.fromkeys(p.matter_ids):
            m = matters.get(pk)
            if m is None:
                raise Invalid("事项不属于该检举控告", field="matter_ids")
            if m.finding not in CLEARABLE:
                raise Invalid(
                    f"只能澄清经核实不实的具体事项：第{m.seq}项核实结论为“{m.get_finding_display()}”",
                    field="matter_ids",
                )
            if m.cleared_by_id is not None:
                raise Conflict(f"第{m.seq}项事项已澄清")
            chosen.append(m)
        if p.refer_false_accusation:
            _check_malicious(report, p.referred_to)
            _refer(report, p.referred_to, p.referral_note, p.held_on)
        cl = Clarification.objects.create(
            report=report,
            organ=report.verified_by_organ,
            methods=methods,
            scope=p.scope,
            written_text=p.written_text,
            held_on=p.held_on,
            created_by=user,
        )
        ReportedMatter.objects.filter(pk__in=[m.pk for m in chosen]).update(cleared_by=cl)
        actor = actor_for(user, "handler", ip)
        how = "、".join(cl.method_labels())
        for case in Case.objects.filter(pk__in={m.case_id for m in chosen if m.case_id}).order_by("pk"):
            record_event(
                case,
                user,
                actor,
                "clarify",
                f"澄清正名：{cl.organ}以{how}方式，在{p.scope}范围内澄清经核实不实的反映",
                data={"report": report.number, "clarification": cl.pk},
            )
        append(
            actor,
            "report.clarify",
            "report",
            report.number,
            detail={"matters": [m.seq for m in chosen], "methods": methods, "referred": p.refer_false_accusation},
        )
    return cl


def refer_false_accusation(user: User, report_id: int | str, data: Any, *, ip: str = "") -> Report:
    """Refer a malicious false accusation 「诬告陷害」 for handling."""
    p = parse_payload(payloads.ReferralIn, data)
    with attempt(user, "report.refer", "report", report_id, ip):
        report = _report(user, report_id)
        if report.status != "concluded":
            raise Conflict("核实尚未办结，不能移送")
        _check_malicious(report, p.referred_to)
        _refer(report, p.referred_to, p.note, p.referred_on)
        append(
            actor_for(user, "handler", ip),
            "report.refer",
            "report",
            report.number,
            detail={"referred_to": p.referred_to},
        )
    return report


def read_report(user: User, report_id: int | str, *, ip: str = "") -> Report:
    with attempt(user, "report.read", "report", report_id, ip):
        report = _report(user, report_id, READ_ROLES, lock=False)
        append(actor_for(user, _read_role(user, report), ip), "report.read", "report", report.number)
    return report


def _read_role(user: User, report: Report) -> str:
    for g in access.grants(user):
        if g.role in READ_ROLES and report.jurisdiction_id in g.jurisdiction_codes:
            return g.role
    return ""


def list_reports(user: User, *, cadre_id: int | None = None, ip: str = "") -> QuerySet[Report]:
    """Reports within the user's jurisdictions (newest first); the listing is audited."""
    with attempt(user, "report.list", "report", cadre_id or "", ip):
        qs = Report.objects.filter(jurisdiction_id__in=access.jurisdictions_for(user, READ_ROLES))
        if cadre_id is not None:
            qs = qs.filter(cadre_id=cadre_id)
        qs = qs.select_related("cadre", "unit").order_by("-id")
        append(actor_for(user, "", ip), "report.list", "report", "", detail={"cadre": cadre_id})
    return qs
