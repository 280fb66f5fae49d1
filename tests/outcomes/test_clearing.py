"""澄清正名: only matters found untrue are cleared, by the verifying organ; non-written methods only with a
written one; malicious false accusation referred; repeated reports on a concluded matter detected."""

from __future__ import annotations

import pytest

from rongcuo.audit.models import AuditRecord
from rongcuo.core.errors import Conflict, Invalid, NotFound
from rongcuo.outcomes import clearing
from rongcuo.outcomes.models import Report
from rongcuo.outcomes.serialize import report_dict

from .conftest import proactive_case

pytestmark = pytest.mark.django_db


def register(w, *matters: dict, user=None) -> Report:
    return clearing.register_report(
        user or w.handler,
        {
            "cadre_id": w.cadre.pk,
            "received_on": "2024-02-01",
            "channel": "来信",
            "summary": "反映张三若干问题",
            "informant": "王五",
            "matters": list(matters),
        },
    )


def conclude(w, report: Report, *findings: str) -> Report:
    ms = list(report.matters.all())
    return clearing.conclude(
        w.handler,
        report.pk,
        {
            "organ": "县纪委监委",
            "concluded_on": "2024-02-20",
            "conclusion": "逐项核实",
            "findings": [{"matter_id": m.pk, "finding": f} for m, f in zip(ms, findings, strict=True)],
        },
    )


def clarify_data(matter_ids: list[int], **kw) -> dict:
    return {
        "matter_ids": matter_ids,
        "methods": ["written"],
        "scope": "本单位干部大会",
        "written_text": "经核实，反映问题不属实，予以澄清",
        "held_on": "2024-02-25",
    } | kw


def test_only_untrue_matters_are_cleared_by_the_verifying_organ(world) -> None:
    w = world
    case = proactive_case(w)
    report = register(w, {"text": "违规审批项目", "case_id": case.pk}, {"text": "收受礼品"})
    assert report.number.startswith("JB-320000-") and report.informant_enc.startswith("sm4gcm1:")
    m1, m2 = report.matters.all()
    with pytest.raises(Conflict):
        clearing.clarify(w.handler, report.pk, clarify_data([m1.pk]))  # not yet verified
    with pytest.raises(Invalid) as exc:
        clearing.conclude(
            w.handler,
            report.pk,
            {
                "organ": "县纪委监委",
                "concluded_on": "2024-02-20",
                "conclusion": "x",
                "findings": [{"matter_id": m1.pk, "finding": "untrue"}],
            },
        )
    assert exc.value.field == "findings" and "第2项" in exc.value.message
    conclude(w, report, "untrue", "true")
    with pytest.raises(Invalid) as exc:
        clearing.clarify(w.handler, report.pk, clarify_data([m1.pk, m2.pk]))
    assert exc.value.field == "matter_ids" and "第2项核实结论为“属实”" in exc.value.message
    with pytest.raises(Invalid) as exc:
        clearing.clarify(w.handler, report.pk, clarify_data([m1.pk], organ="市纪委监委"))
    assert exc.value.field == "organ" and "谁核实，谁澄清" in exc.value.message
    cl = clearing.clarify(w.handler, report.pk, clarify_data([m1.pk], organ="县纪委监委"))
    assert cl.organ == "县纪委监委" and cl.method_labels() == ["书面澄清"]
    m1.refresh_from_db()
    m2.refresh_from_db()
    assert m1.cleared_by == cl and m2.cleared_by is None
    with pytest.raises(Conflict):
        clearing.clarify(w.handler, report.pk, clarify_data([m1.pk]))
    ev = case.events.get(verb="clarify")
    assert "县纪委监委" in ev.summary and "本单位干部大会" in ev.summary
    assert AuditRecord.objects.filter(action="report.clarify", success=True).count() == 1
    assert AuditRecord.objects.filter(action="report.clarify", success=False).count() == 4


@pytest.mark.parametrize("method", ["in_person", "meeting", "circular"])
def test_non_written_methods_need_a_written_one(world, method) -> None:
    w = world
    report = register(w, {"text": "违规审批项目"})
    conclude(w, report, "seriously_untrue")
    m = report.matters.get()
    with pytest.raises(Invalid) as exc:
        clearing.clarify(w.handler, report.pk, clarify_data([m.pk], methods=[method]))
    assert exc.value.field == "methods" and "书面澄清" in exc.value.message
    with pytest.raises(Invalid) as exc:
        clearing.clarify(w.handler, report.pk, clarify_data([m.pk], methods=["written", method], written_text=""))
    assert exc.value.field == "written_text"
    cl = clearing.clarify(w.handler, report.pk, clarify_data([m.pk], methods=[method, "written"]))
    assert set(cl.methods) == {method, "written"}


def test_malicious_false_accusation_is_referred(world) -> None:
    w = world
    report = register(w, {"text": "违规审批项目"})
    conclude(w, report, "untrue")
    m = report.matters.get()
    with pytest.raises(Invalid) as exc:
        clearing.clarify(
            w.handler, report.pk, clarify_data([m.pk], refer_false_accusation=True, referred_to="县纪委案件监督管理室")
        )
    assert exc.value.field == "refer_false_accusation"
    report2 = register(w, {"text": "伪造签名骗取补贴"})
    conclude(w, report2, "false_accusation")
    m2 = report2.matters.get()
    with pytest.raises(Invalid) as exc:
        clearing.clarify(w.handler, report2.pk, clarify_data([m2.pk], refer_false_accusation=True))
    assert exc.value.field == "referred_to"
    clearing.clarify(
        w.handler,
        report2.pk,
        clarify_data([m2.pk], refer_false_accusation=True, referred_to="县纪委案件监督管理室", referral_note="诬告"),
    )
    report2.refresh_from_db()
    assert report2.false_accusation_referred and report2.referred_to == "县纪委案件监督管理室"
    with pytest.raises(Conflict):
        clearing.refer_false_accusation(
            w.handler, report2.pk, {"referred_to": "x", "note": "再移送", "referred_on": "2024-03-01"}
        )
    report3 = register(w, {"text": "捏造的事实"})
    conclude(w, report3, "fabricated")
    r3 = clearing.refer_false_accusation(
        w.handler, report3.pk, {"referred_to": "县公安局", "note": "涉嫌诬告陷害", "referred_on": "2024-03-01"}
    )
    assert r3.false_accusation_referred and r3.matters.get().cleared_by is None


def test_repeated_report_on_a_concluded_matter_is_detected(world) -> None:
    w = world
    case = proactive_case(w)
    first = register(w, {"text": "违规审批项目"}, {"text": "其他问题", "case_id": case.pk})
    pending = register(w, {"text": "违规审批项目"})  # the first is still being verified: not a repeat
    assert pending.matters.get().repeat_of is None
    conclude(w, first, "untrue", "true")
    again = register(
        w, {"text": "违规审批项目！"}, {"text": "另一件事", "case_id": case.pk}, {"text": "新问题：公车私用"}
    )
    a1, a2, a3 = again.matters.all()
    f1, f2 = first.matters.all()
    assert a1.repeat_of == f1 and a2.repeat_of == f2 and a3.repeat_of is None
    d = report_dict(again)
    assert d["repeated"] and d["matters"][0]["repeat_of"]["report"] == first.number
    assert "可依规澄清正名" in d["matters"][0]["repeat_of"]["note"]
    assert d["informant_recorded"] and "王五" not in str(d)
    rec = AuditRecord.objects.filter(action="report.register", object_id=again.number).get()
    assert '"repeats":2' in rec.detail


def test_scope(world) -> None:
    w = world
    with pytest.raises(NotFound) as exc:
        register(w, {"text": "x"}, user=w.outsider)
    assert exc.value.field == "cadre_id"
    report = register(w, {"text": "违规审批项目"})
    for user in (w.outsider, w.sysadmin, w.auditadmin, w.applicant, w.org_liaison):
        with pytest.raises(NotFound):
            clearing.read_report(user, report.pk)
    assert clearing.read_report(w.secretary, report.pk).pk == report.pk
    m = report.matters.get()
    data = {
        "organ": "x",
        "concluded_on": "2024-02-20",
        "conclusion": "x",
        "findings": [{"matter_id": m.pk, "finding": "untrue"}],
    }
    with pytest.raises(NotFound):  # reading is not verifying: only the handler verifies and clarifies
        clearing.conclude(w.secretary, report.pk, data)
    other = proactive_case(w)
    other_case_elsewhere = other.pk + 1000
    with pytest.raises(Invalid) as exc:
        register(w, {"text": "x", "case_id": other_case_elsewhere})
    assert exc.value.field == "matters.0.case_id"
    assert [r.pk for r in clearing.list_reports(w.handler, cadre_id=w.cadre.pk)] == [report.pk]
    assert list(clearing.list_reports(w.outsider)) == []
