"""Every kind of document issued from cases driven through the lifecycle (one world, one pass), for the
PDF layout check. Built inside a transaction the caller rolls back."""

from __future__ import annotations

import datetime as dt

from rongcuo.cases import actions as cases
from rongcuo.disclosure import actions as disclosure
from rongcuo.documents import actions, storage
from rongcuo.documents.models import Document, IssuingBody
from rongcuo.org.builders import make_cadre, make_unit
from rongcuo.outcomes import actions as outcomes
from rongcuo.outcomes import clearing
from tests.cases.conftest import World
from tests.cases.conftest import _user as user  # the world fixture's own account maker

from .conftest import TODAY, after_decision, apply, to_decision, to_defence

# Long enough that the decision and the report run over more than one full page, with commas and full
# stops falling at line ends (the right-margin check needs punctuation there).
# A line of the body holds 28 characters (26 after a paragraph's indent); this summary's first comma is its
# 27th character, so it falls at the end of the first line, where hanging punctuation would push it into
# the right margin. Long enough that the decision and the report run over more than one full page.
OPENING = "为加快推进全县农村土地流转改革试点工作早日落地见成效"  # 26 characters
SUMMARY = (
    OPENING + "，张三同志在相关政策尚无明确规定的情况下，经局党组会议集体研究，"
    "先行采用“先流转、后补办”的方式组织实施。因缺乏经验，审批程序存在疏漏，部分流转合同未按规定备案，"
    "造成一定经济损失。问题发现后，张三同志主动报告，积极组织整改，会同有关部门逐户核实、补签合同，"
    "挽回了大部分损失。经核查，张三同志在试点中未谋取任何私利，其失误属于推进改革中的探索性失误。"
)
assert len(OPENING) == 26


def make_world() -> World:
    unit = make_unit("320000", "江苏省某县发展和改革局")
    other = make_unit("530524", "昌宁县某镇人民政府")
    cadre = make_cadre(
        unit, "张三", id_number="320102198001011234", phone="13800001234", position="副局长", rank="副处级"
    )
    w = World(unit, other, cadre)
    w.users["applicant"] = user("applicant", "applicant", cadre_id=cadre.pk)
    w.users["unit_contact"] = user("unit_contact", "unit_contact", unit_id=unit.pk)
    w.users["unit_reviewer"] = user("unit_reviewer", "unit_reviewer", unit_id=unit.pk)
    for role in ("handler", "investigator", "secretary", "org_liaison", "publisher"):
        w.users[role] = user(role, role, jurisdiction="320000")
    w.users["evaluator"] = user("evaluator")
    w.users["hearing_host"] = user("hearing_host")
    IssuingBody.objects.create(
        jurisdiction=unit.jurisdiction,
        kind="discipline",
        name="中共江苏省纪律检查委员会",
        mark="中共江苏省纪律检查委员会文件",
        code="苏纪",
        signer="李明",
        cc="江苏省委组织部",
        printer="中共江苏省纪委办公厅",
    )
    return w


def every_kind(w: World) -> dict[str, Document]:
    """One document of every kind (the decision after a major matter, with third party and hearing)."""
    out: dict[str, Document] = {}

    def issue(kind: str, user, data=None) -> None:
        out[kind] = actions.issue_document(user, case.pk, kind, data)

    case = to_defence(w, apply(w, summary=SUMMARY), major=True)
    issue("application_individual", w.applicant)
    issue("acceptance", w.handler)
    issue("investigation_report", w.investigator)
    issue("preliminary_finding", w.handler)
    issue("hearing_notice", w.handler, {"held_on": str(TODAY), "time": "上午9时", "place": "县政府第一会议室"})
    case = to_decision(w, case)
    issue("defence_receipt", w.handler)
    issue("evaluation_commission", w.handler)
    issue("decision", w.secretary)
    case = after_decision(w, case)
    outcomes.create_plan(
        w.handler,
        case.pk,
        {
            "responsible": "张三",
            "measures": "完善审批流程，补办相关手续",
            "basis": "决定书",
            "deadline_on": str(TODAY + dt.timedelta(days=60)),
            "milestones": [{"title": "补办手续", "due_on": str(TODAY + dt.timedelta(days=30))}],
        },
    )
    issue("feedback", w.handler)
    issue("organisation_letter", w.org_liaison)
    issue("filing_report", w.handler)
    issue("correction_notice", w.handler)
    cases.transition(w.publisher, case.pk, "publish", {})
    r = disclosure.generate_rendition(w.publisher, case.pk)
    disclosure.approve_rendition(w.publisher, r.pk)
    issue("public_notice", w.publisher)

    unit_case = cases.submit_application(
        w.unit_contact,
        {
            "unit_id": w.unit.pk,
            "title": "单位容缺审批改革出现失误",
            "summary": "推进容缺受理改革中出现审批失误",
            "statement": "申请容错",
            "self_check": "对照免责清单逐项自查，属于清单所列情形",
        },
    )
    out["application_unit"] = actions.issue_document(w.unit_contact, unit_case.pk, "application_unit")
    cases.transition(w.handler, unit_case.pk, "refuse", {"reason": "申请事项不属于受理范围"})
    out["refusal"] = actions.issue_document(w.handler, unit_case.pk, "refusal")

    pre = cases.submit_prefiling(
        w.unit_contact,
        {
            "unit_id": w.unit.pk,
            "title": "容缺审批改革",
            "measure": "对非关键材料实行容缺受理",
            "risks": "材料不全可能导致审批失误",
            "safeguards": "限期补正，建立台账",
            "expected_effect": "审批时限压缩一半",
        },
    )
    cases.review_prefiling(w.handler, pre.pk, acknowledge=True, response="同意报备")
    out["prefiling_ack"] = actions.issue_prefiling_document(w.handler, pre.pk)

    report = clearing.register_report(
        w.handler,
        {
            "cadre_id": w.cadre.pk,
            "received_on": "2024-02-01",
            "channel": "来信",
            "summary": "反映张三若干问题",
            "informant": "王五",
            "matters": [{"text": "违规审批项目", "case_id": case.pk}],
        },
    )
    m = report.matters.get()
    clearing.conclude(
        w.handler,
        report.pk,
        {
            "organ": "县纪委监委",
            "concluded_on": "2024-02-20",
            "conclusion": "经核实不属实",
            "findings": [{"matter_id": m.pk, "finding": "untrue"}],
        },
    )
    cl = clearing.clarify(
        w.handler,
        report.pk,
        {
            "matter_ids": [m.pk],
            "methods": ["written", "meeting"],
            "scope": "本单位干部大会",
            "written_text": "经核实，反映问题不属实，予以澄清。",
            "held_on": "2024-02-25",
        },
    )
    out["clarification"] = actions.issue_clarification_document(w.handler, cl.pk)
    return out


def docx_bytes(doc: Document) -> bytes:
    return storage.read(doc.storage_name)
