"""Notices follow committed acts: a stage that waits for the party, a commission, a document served on them;
a rolled-back act notifies no one, and staff (who have their workbench) are never notified."""

from __future__ import annotations

import pytest
from django.db import transaction

from rongcuo.accounts import actions as accounts
from rongcuo.audit.models import AuditRecord
from rongcuo.cases import actions, commission
from rongcuo.documents import actions as docs
from rongcuo.notices.models import Notice
from tests.cases.test_lifecycle import individual_case
from tests.documents.conftest import CLEAR, decided

pytestmark = pytest.mark.django_db

STAFF = ("handler", "investigator", "secretary", "org_liaison", "publisher", "outsider")


def at_preliminary(w):
    case = individual_case(w)
    actions.transition(w.unit_reviewer, case.pk, "endorse", {"discussion": "讨论", "opinion": "同意"})
    actions.transition(w.handler, case.pk, "accept", {})
    for k, v in CLEAR.items():
        actions.set_fact(w.investigator, case.pk, {"fact": k, "value": v, "comment": "调查核实"})
    return actions.transition(w.investigator, case.pk, "submit_report", {"report": "初步调查报告"})


def to_defence(w, case, **flags):
    return actions.transition(w.handler, case.pk, "find_qualifying", {"finding": "符合容错情形", **flags})


def notices(user):
    return list(Notice.objects.filter(user=user).order_by("id"))


def test_defence_notifies_the_applicant_once_with_a_link(world, django_capture_on_commit_callbacks) -> None:
    w = world
    case = at_preliminary(w)
    with django_capture_on_commit_callbacks(execute=True):
        case = to_defence(w, case)
        audits = AuditRecord.objects.count()
    assert case.stage == "defence"
    assert AuditRecord.objects.count() == audits  # a notice is derived, not an audited act
    (notice,) = notices(w.applicant)
    assert notice.kind == "awaiting" and notice.case_id == case.pk and notice.read_at is None
    assert notice.url == f"/cases/{case.pk}/"
    assert notice.text == f"案件{case.number}「{case.title}」已进入“申辩”环节，待您办理：提交申辩报告。"
    assert case.summary not in notice.text
    # the unit's contact may submit the defence too; the unit's reviewer has nothing to do here
    assert [n.text for n in notices(w.unit_contact)] == [notice.text]
    assert notices(w.unit_reviewer) == []
    assert not Notice.objects.filter(user__username__in=STAFF).exists()


def test_a_rolled_back_act_notifies_no_one(world, django_capture_on_commit_callbacks) -> None:
    w = world
    case = at_preliminary(w)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        assert to_defence(w, case).stage == "defence"
        raise RuntimeError("后续步骤失败")
    case.refresh_from_db()
    assert case.stage == "preliminary" and not Notice.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        to_defence(w, case)
    assert len(notices(w.applicant)) == 1  # the same act, committed, does notify


def test_application_notifies_the_unit_reviewer_not_the_applicant(world, django_capture_on_commit_callbacks) -> None:
    w = world
    with django_capture_on_commit_callbacks(execute=True):
        case = individual_case(w)
    (notice,) = notices(w.unit_reviewer)
    assert "“单位党委（党组）审议”环节" in notice.text and "单位党委（党组）同意并报送" in notice.text
    assert notices(w.applicant) == []  # who acted is not told of their own act
    with django_capture_on_commit_callbacks(execute=True):
        actions.transition(w.unit_reviewer, case.pk, "endorse", {"discussion": "讨论", "opinion": "同意"})
    assert Notice.objects.count() == 1  # acceptance waits for the handler alone: staff have their workbench


def test_a_closed_case_waits_for_no_one(world, django_capture_on_commit_callbacks) -> None:
    w = world
    case = individual_case(w)
    with django_capture_on_commit_callbacks(execute=True):
        actions.transition(w.unit_reviewer, case.pk, "return_application", {"reason": "材料不全，退回补充"})
    case.refresh_from_db()
    assert case.status == "closed" and not Notice.objects.exists()


def test_the_commissioned_evaluator_is_told(world, django_capture_on_commit_callbacks) -> None:
    w = world
    other = individual_case(w)
    accounts.grant_role(None, "evaluator", "evaluator", case_id=other.pk)  # on the register
    case = to_defence(w, at_preliminary(w), major_matter=True)
    with django_capture_on_commit_callbacks(execute=True):
        case = actions.transition(w.applicant, case.pk, "submit_defence", {"statement": "申辩"})
    assert case.stage == "third_party" and not Notice.objects.filter(user=w.evaluator).exists()  # none yet
    with django_capture_on_commit_callbacks(execute=True):
        commission.commission(w.handler, case.pk, {"role": "evaluator", "user_id": w.evaluator.pk})
    (notice,) = notices(w.evaluator)
    named = f"案件{case.number}「{case.title}」"
    assert notice.text == f"您已受委托担任{named}的第三方评估人，待您办理：提交第三方评估报告。"
    assert notice.url == f"/cases/{case.pk}/"


def test_an_issued_decision_notifies_the_applicant(world, body, django_capture_on_commit_callbacks) -> None:
    w = world
    case = decided(w)
    before = {n.pk for n in Notice.objects.all()}
    with django_capture_on_commit_callbacks(execute=True):
        doc = docs.issue_document(w.secretary, case.pk, "decision")
    assert doc.number
    new = Notice.objects.exclude(pk__in=before)
    (notice,) = new.filter(user=w.applicant)
    assert notice.kind == "document" and notice.url == f"/cases/{case.pk}/#docs-h"
    named = f"案件{case.number}「{case.title}」"
    assert notice.text == f"{named}有送达您的文书《容错认定决定》（{doc.number}），请到案件页面查阅。"
    assert set(new.values_list("user__username", flat=True)) == {"applicant"}  # the cadre's case: not the unit


def test_internal_and_own_documents_notify_no_one(world, body, django_capture_on_commit_callbacks) -> None:
    w = world
    case = at_preliminary(w)
    with django_capture_on_commit_callbacks(execute=True):
        docs.issue_document(w.handler, case.pk, "investigation_report")  # internal to the staff
        docs.issue_document(w.applicant, case.pk, "application_individual")  # the party's own
    assert not Notice.objects.filter(kind="document").exists()
    with django_capture_on_commit_callbacks(execute=True):
        docs.issue_document(w.handler, case.pk, "acceptance")
    assert list(Notice.objects.filter(kind="document").values_list("user__username", flat=True)) == ["applicant"]


def test_a_unit_case_serves_its_documents_on_the_unit_contact(world, body, django_capture_on_commit_callbacks) -> None:
    w = world
    case = actions.submit_application(
        w.unit_contact,
        {
            "unit_id": w.unit.pk,
            "title": "单位试点出现失误",
            "summary": "单位推进改革试点中出现失误",
            "statement": "本单位申请容错",
            "self_check": "已对照免责清单自查",
            "conduct_date": "2023-05-01",
        },
    )
    assert case.subject_type == "unit"
    actions.transition(w.handler, case.pk, "accept", {})
    with django_capture_on_commit_callbacks(execute=True):
        docs.issue_document(w.handler, case.pk, "acceptance")
    assert [n.kind for n in notices(w.unit_contact)] == ["document"]
    assert notices(w.applicant) == []
