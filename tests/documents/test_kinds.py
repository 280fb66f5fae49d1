"""Every kind of document, generated from cases driven through the lifecycle, opened and checked."""

from __future__ import annotations

import datetime as dt

import pytest

from rongcuo.cases import actions as cases
from rongcuo.core import crypto
from rongcuo.core.errors import Conflict, Forbidden, Invalid, NotFound
from rongcuo.disclosure import actions as disclosure
from rongcuo.documents import actions, kinds, storage
from rongcuo.documents.models import Document
from rongcuo.outcomes import actions as outcomes
from rongcuo.outcomes import clearing

from .checks import inspect, xml_text
from .conftest import TODAY, after_decision, apply, decided, to_decision, to_defence

pytestmark = pytest.mark.django_db


def docx(doc: Document) -> bytes:
    return storage.read(doc.storage_name)


def check(doc: Document) -> str:
    """Open the DOCX, check the layout and return its text."""
    content = docx(doc)
    assert storage.sha256(content) == doc.sha256 and doc.size == len(content)
    spec = kinds.get(doc.kind)
    found = inspect(content, numbered=spec.numbered, letter=spec.letter)
    assert found.one("公文-标题") == doc.title
    if spec.numbered:
        assert found.texts["公文-发文字号"][0].split("\t")[0] == doc.number
    else:
        assert doc.number == "" and "公文-发文字号" not in found.texts
    return found.all_text


def issue(w, case, kind: str, user=None, data=None) -> tuple[Document, str]:
    doc = actions.issue_document(user or w.handler, case.pk, kind, data)
    return doc, check(doc)


def plan(w, case) -> None:
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


def test_every_kind_of_document(world, body) -> None:
    w = world
    done: set[str] = set()
    texts: dict[str, str] = {}

    # an individual application, major matter (third party and hearing), exemption, then everything after
    case = apply(w)
    case = to_defence(w, case, major=True)
    for kind, user, data in (
        ("application_individual", w.applicant, None),
        ("acceptance", w.handler, None),
        ("investigation_report", w.investigator, None),
        ("preliminary_finding", w.handler, None),
        ("hearing_notice", w.handler, {"held_on": str(TODAY), "time": "上午9时", "place": "县政府第一会议室"}),
    ):
        doc, texts[kind] = issue(w, case, kind, user, data)
        done.add(kind)
    assert "党组会议集体讨论" in texts["application_individual"] and "同意上报" in texts["application_individual"]
    assert "县政府第一会议室" in texts["hearing_notice"] and "申辩" in texts["preliminary_finding"]
    assert "李四反映张三出于公心" in texts["investigation_report"]
    case = to_decision(w, case)
    for kind, user, data in (
        ("defence_receipt", w.handler, None),
        ("evaluation_commission", w.handler, None),
        ("decision", w.secretary, None),
    ):
        doc, text = issue(w, case, kind, user, data)
        done.add(kind)
    assert doc.title == "关于对张三同志予以容错免责的决定"
    assert (
        "某大学评估中心" in text
        and "赵六、钱七、孙八参加会议" in text
        and "实施意见（试行）》规定：“对于符合容错条件" in text
    )
    assert "实施意见·" not in text
    assert f"{TODAY.year}年{TODAY.month}月{TODAY.day}日" in text
    case = after_decision(w, case)
    plan(w, case)
    for kind, user in (
        ("feedback", w.handler),
        ("organisation_letter", w.org_liaison),
        ("filing_report", w.handler),
        ("correction_notice", w.handler),
    ):
        doc, text = issue(w, case, kind, user)
        done.add(kind)
        if kind == "filing_report":
            assert "签发人：李明" in text  # 上行文
    cases.transition(w.publisher, case.pk, "publish", {})
    r = disclosure.generate_rendition(w.publisher, case.pk)
    disclosure.approve_rendition(w.publisher, r.pk)
    doc, text = issue(w, case, "public_notice", w.publisher)
    done.add("public_notice")
    assert "此件公开发布" in text and r.public_number in text
    # only the de-identified rendition reaches the public notice: no name, ID number, phone, case or unit
    everything = xml_text(docx(doc))
    id_number, phone = crypto.decrypt(w.cadre.id_number_enc), crypto.decrypt(w.cadre.phone_enc)
    for secret in ("张三", "李四", "王五", "赵六", id_number, phone, case.number, w.unit.name):
        assert secret not in everything, secret
    assert "张某" in text

    # a unit application refused
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
    doc, text = issue(w, unit_case, "application_unit", w.unit_contact)
    assert "对照免责清单逐项自查" in text
    cases.transition(w.handler, unit_case.pk, "refuse", {"reason": "申请事项不属于受理范围"})
    doc, text = issue(w, unit_case, "refusal")
    assert "申请事项不属于受理范围，根据" in text and "决定不予受理" in text
    done |= {"application_unit", "refusal"}

    # a pre-filing acknowledged
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
    with pytest.raises(Conflict):
        actions.issue_prefiling_document(w.handler, pre.pk)
    cases.review_prefiling(w.handler, pre.pk, acknowledge=True, response="同意报备")
    doc = actions.issue_prefiling_document(w.handler, pre.pk)
    assert doc.title == "报备容错受理决定书" and pre.number in check(doc)
    done.add("prefiling_ack")

    # a clarification of a report found untrue
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
    doc = actions.issue_clarification_document(w.handler, cl.pk)
    text = check(doc)
    assert doc.title == "关于为张三同志澄清正名的通知" and "违规审批项目" in text and "王五" not in text
    assert "2024年2月25日" in text and "2024年2月1日" in text
    done.add("clarification")

    assert done == {k.id for k in kinds.all_kinds()}
    numbers = [d.number for d in Document.objects.exclude(number="").order_by("id")]
    fa = [n for n in numbers if "苏纪发" in n]
    assert fa == [f"苏纪发〔{TODAY.year}〕{i}号" for i in range(1, len(fa) + 1)]  # consecutive, no gaps
    han = [n for n in numbers if "苏纪函" in n]
    assert han == [f"苏纪函〔{TODAY.year}〕{i}号" for i in range(1, len(han) + 1)]


@pytest.mark.parametrize(
    ("disposition", "months", "title"),
    [
        ("从轻处理", 6, "关于对张三同志从轻处理的决定"),
        ("减轻处理", 12, "关于对张三同志减轻处理的决定"),
    ],
)
def test_decision_variants(world, body, disposition, months, title) -> None:
    case = decided(world, disposition, months=months)
    doc, text = issue(world, case, "decision", world.secretary)
    assert doc.title == title
    case.decision.refresh_from_db()
    assert doc.number and case.decision.document_number == doc.number  # the decision carries its 文号
    assert f"影响期为{months}个月" in text and disposition in text
    assert "如对本决定不服，可以自收到本决定之日起15日内" in text


def test_not_tolerated_decision(world, body) -> None:
    w = world
    case = apply(w)
    cases.transition(w.unit_reviewer, case.pk, "endorse", {"discussion": "讨论", "opinion": "同意"})
    cases.transition(w.handler, case.pk, "accept", {})
    cases.set_fact(w.investigator, case.pk, {"fact": "violates_discipline_or_law", "value": True})
    cases.transition(w.investigator, case.pk, "submit_report", {"report": "违反纪律"})
    cases.transition(w.handler, case.pk, "find_not_qualifying", {"finding": "违反党纪，不予容错"})
    doc, text = issue(w, case, "decision", w.secretary)
    assert doc.title == "关于对张三同志不予容错的决定"
    assert "决定对张三同志不予容错，依规依纪依法予以问责处理。" in text and "不予容错" in doc.title
    with pytest.raises(Conflict):  # nothing to acknowledge a defence for
        actions.issue_document(w.handler, case.pk, "defence_receipt")


def test_documents_carry_no_personal_identifiers(world, body) -> None:
    case = decided(world)
    id_number = crypto.decrypt(world.cadre.id_number_enc)
    phone = crypto.decrypt(world.cadre.phone_enc)
    for kind in ("decision", "acceptance", "investigation_report", "preliminary_finding"):
        _, text = issue(world, case, kind, world.secretary if kind == "decision" else world.handler)
        assert id_number not in text and phone not in text


def test_refusals_are_clear(world, body) -> None:
    w = world
    case = apply(w)
    with pytest.raises(Conflict) as exc:
        actions.issue_document(w.applicant, case.pk, "application_individual")
    assert "单位党委（党组）尚未审核" in exc.value.message
    with pytest.raises(Forbidden):
        actions.issue_document(w.applicant, case.pk, "acceptance")
    with pytest.raises(Invalid) as exc:
        actions.issue_document(w.handler, case.pk, "no_such_kind")
    assert exc.value.field == "kind"
    case = to_defence(w, case)
    with pytest.raises(Conflict):
        actions.issue_document(w.handler, case.pk, "decision")
    with pytest.raises(Conflict):  # not a major matter
        actions.issue_document(w.handler, case.pk, "evaluation_commission", {"evaluator_org": "某中心"})
    with pytest.raises(Invalid) as exc:
        actions.issue_document(w.handler, case.pk, "acceptance", {"x": 1})
    assert exc.value.field == "data"
    assert not Document.objects.exists()
    assert case.events.filter(verb="issue_document").count() == 0


def test_issue_is_recorded_on_the_timeline_and_audit(world, body) -> None:
    from rongcuo.audit.models import AuditRecord

    case = to_defence(world, apply(world))
    doc = actions.issue_document(world.handler, case.pk, "acceptance")
    ev = case.events.get(verb="issue_document")
    assert doc.number in ev.summary and ev.data["sha256"] == doc.sha256
    assert AuditRecord.objects.filter(action="case.issue_document", object_id=case.number).exists()
    actions.read_document(world.handler, doc.pk)
    assert AuditRecord.objects.filter(action="document.download", object_id=doc.number).exists()


def test_internal_documents_are_not_the_cadres_to_read(world, body) -> None:
    w = world
    case = decided(w)
    decision, _ = issue(w, case, "decision", w.secretary)
    report, _ = issue(w, case, "investigation_report", w.handler)
    # the cadre reads what is addressed to them, not the organ's internal report
    assert actions.read_document(w.applicant, decision.pk)[0] == decision
    with pytest.raises(NotFound):
        actions.read_document(w.applicant, report.pk)
    assert [d.pk for d in actions.list_documents(w.applicant, case.pk)] == [decision.pk]
    # the case staff and the investigator read both
    assert actions.read_document(w.investigator, report.pk)[0] == report
    assert {d.pk for d in actions.list_documents(w.handler, case.pk)} == {decision.pk, report.pk}
