"""The publisher's verbs: generate, edit, approve (with the scan), withdraw, curate; scoping and signals."""

from __future__ import annotations

import pytest

from rongcuo.accounts import actions as accounts
from rongcuo.audit.models import AuditRecord
from rongcuo.cases import actions as case_actions
from rongcuo.core.errors import Conflict, Forbidden, Invalid, NotFound
from rongcuo.disclosure import actions
from rongcuo.disclosure.models import Rendition, RenditionStatus, TypicalCase
from rongcuo.disclosure.signals import rendition_published, rendition_withdrawn

from .conftest import PASSWORD, decided_case, more_cadres

pytestmark = pytest.mark.django_db


def test_generated_rendition_is_de_identified(world, subject) -> None:
    r = actions.generate_rendition(world.publisher, subject.case.pk)
    assert r.status == RenditionStatus.DRAFT and r.public_number.startswith("GK-")
    text = "\n".join([r.title, r.subject, r.summary, r.organ, r.basis, r.explanation, r.result])
    for secret in [*subject.names, *subject.secrets, subject.case.number, world.unit.name]:
        assert secret not in text, secret
    assert r.title.startswith("张某") and "张某" in r.summary and "李某" in r.summary
    assert "江苏省某单位" in r.summary and r.subject == "当事人：张某，江苏省某单位副局长"
    assert "王某" in r.basis and "［电话号码已隐去］" in r.basis
    assert r.pseudonyms["张三"] == "张某" and r.pseudonyms["王五"] == "王某"
    assert r.outcome == "exempt" and r.disposition == "免除相关责任" and r.organ == "省纪委常委会"
    assert r.policy == "jiangsu-2017" and r.cited_articles and all(a["text"] for a in r.cited_articles)
    assert "免予问责" in r.result and "结果运用" in r.result
    assert r.last_scan["clean"] is True
    assert subject.case.events.filter(verb="rendition_generate").exists()
    # jiangsu-2017 is encoded from partial text: the staff-facing 【提示】 line stays out of public text
    assert "【提示】" in subject.case.decision.evaluation["explanation"]
    assert "【提示】" not in r.explanation and "依据" in r.explanation and "结论" in r.explanation


def test_collisions_across_people_of_one_case(world) -> None:
    zhang4, _ouyang = more_cadres(world)
    s = decided_case(world, zhang4, interviewees=("张三",), witnesses=("欧阳明华",))
    r = actions.generate_rendition(world.publisher, s.case.pk)
    assert r.pseudonyms["张四"] == "张某甲" and r.pseudonyms["张三"] == "张某乙"
    assert r.pseudonyms["欧阳明华"] == "欧阳某"
    assert "32010219850202123X" not in r.summary and "［身份证号码已隐去］" in r.summary


def test_approval_refuses_leftover_name_id_and_phone(world, subject) -> None:
    r = actions.generate_rendition(world.publisher, subject.case.pk)
    cases = [
        ({"summary": "当事人张三在任期间……"}, "姓名“张三”", "summary"),
        ({"basis": "证人王 五证明"}, "姓名“王五”", "basis"),
        ({"result": "身份证号32010219850202123X"}, "疑似身份证号码“320***********123X”", "result"),
        ({"title": "联系手机13800001234的干部"}, "疑似电话号码“138****1234”", "title"),
        ({"explanation": "办公电话025-83331234"}, "疑似电话号码", "explanation"),
    ]
    for edit, expected, field in cases:
        r = actions.edit_rendition(world.publisher, r.pk, edit)
        assert r.last_scan["clean"] is False
        with pytest.raises(Invalid) as exc:
            actions.approve_rendition(world.publisher, r.pk)
        assert expected in exc.value.message and exc.value.field == field
        assert "不能审核通过" in exc.value.message
        r = actions.generate_rendition(world.publisher, subject.case.pk)  # start again from a clean draft
    assert Rendition.objects.get(pk=r.pk).status == RenditionStatus.DRAFT
    refused = AuditRecord.objects.filter(action="disclosure.approve", success=False)
    assert refused.count() == len(cases)
    assert not any("198502021" in rec.detail for rec in refused)  # ID numbers are masked in the audit
    r = actions.approve_rendition(world.publisher, r.pk)
    assert r.status == RenditionStatus.PUBLISHED and r.published_at is not None


def test_edit_then_approve_and_version_guard(world, subject) -> None:
    r = actions.generate_rendition(world.publisher, subject.case.pk)
    r = actions.edit_rendition(world.publisher, r.pk, {"title": "某地土地流转试点容错案"}, expected_version=r.version)
    assert r.title == "某地土地流转试点容错案" and r.edited_by == world.publisher
    with pytest.raises(Conflict):
        actions.edit_rendition(world.publisher, r.pk, {"title": "x"}, expected_version=r.version - 1)
    with pytest.raises(Invalid) as exc:
        actions.edit_rendition(world.publisher, r.pk, {"pseudonyms": {}})
    assert exc.value.field == "pseudonyms"
    r = actions.approve_rendition(world.publisher, r.pk)
    with pytest.raises(Conflict):
        actions.edit_rendition(world.publisher, r.pk, {"title": "已公开后不能改"})
    with pytest.raises(Conflict):
        actions.generate_rendition(world.publisher, subject.case.pk)


def test_publisher_scoping(world, subject) -> None:
    w = world
    r = actions.generate_rendition(w.publisher, subject.case.pk)
    accounts.create_user(None, "publisher_cn", PASSWORD, "publisher_cn", must_change_password=False)
    accounts.grant_role(None, "publisher_cn", "publisher", jurisdiction="530524")
    accounts.create_user(None, "publisher_central", PASSWORD, "publisher_central", must_change_password=False)
    accounts.grant_role(None, "publisher_central", "publisher", jurisdiction="000000")
    from rongcuo.accounts.models import User

    other_place = User.objects.get(username="publisher_cn")
    central = User.objects.get(username="publisher_central")
    for user in (w.outsider, other_place, w.sysadmin, w.secadmin, w.auditadmin, w.evaluator):
        with pytest.raises(NotFound):
            actions.generate_rendition(user, subject.case.pk)
        with pytest.raises(NotFound):
            actions.approve_rendition(user, r.pk)
        with pytest.raises(NotFound):
            actions.read_rendition(user, r.pk)
        assert not actions.publisher_renditions(user).exists()
    for user in (w.handler, w.secretary, w.applicant, w.unit_reviewer):
        # the case is visible to them, but a rendition exists only for its publishers: as if missing
        for act in (actions.approve_rendition, actions.read_rendition, actions.scan_rendition):
            with pytest.raises(NotFound):
                act(user, r.pk)
        with pytest.raises(Forbidden):
            actions.generate_rendition(user, subject.case.pk)
        assert not actions.publisher_renditions(user).exists()
    with pytest.raises(NotFound):
        actions.approve_rendition(w.publisher, 999999)
    assert list(actions.publisher_renditions(central)) == [r]
    assert actions.approve_rendition(central, r.pk).status == RenditionStatus.PUBLISHED
    assert AuditRecord.objects.filter(action="disclosure.generate", success=False).count() >= 6


def test_only_decided_and_not_withheld_cases(world) -> None:
    w = world
    case = case_actions.submit_application(
        w.applicant, {"title": "t", "summary": "s", "statement": "申请", "conduct_date": "2023-05-01"}
    )
    with pytest.raises(Conflict) as exc:
        actions.generate_rendition(w.publisher, case.pk)
    assert "尚未作出" in exc.value.message
    s = decided_case(w)
    assert s.case.pk in set(actions.candidate_cases(w.publisher).values_list("pk", flat=True))
    for verb, data in (
        ("give_feedback", {"text": "反馈", "delivered_on": "2025-01-02"}),
        ("notify_organisation", {"letter": "函", "sent_on": "2025-01-02", "recipient": "组织部"}),
        ("file_report", {"report": "备案", "filed_on": "2025-01-02", "filed_with": "省委"}),
    ):
        user = w.org_liaison if verb == "notify_organisation" else w.handler
        case_actions.transition(user, s.case.pk, verb, data)
    case_actions.transition(
        w.publisher, s.case.pk, "withhold_publication", {"reason": "涉及个人隐私", "legal_basis": "《个人信息保护法》"}
    )
    with pytest.raises(Conflict) as exc:
        actions.generate_rendition(w.publisher, s.case.pk)
    assert "不予公开" in exc.value.message
    assert s.case.pk not in set(actions.candidate_cases(w.publisher).values_list("pk", flat=True))


def test_signals_on_publish_and_withdraw(world, subject) -> None:
    seen: list[tuple[str, str]] = []

    def on_published(sender, rendition, **kw) -> None:
        seen.append(("published", rendition.public_number))

    def on_withdrawn(sender, rendition, **kw) -> None:
        seen.append(("withdrawn", rendition.public_number))

    rendition_published.connect(on_published)
    rendition_withdrawn.connect(on_withdrawn)
    try:
        r = actions.generate_rendition(world.publisher, subject.case.pk)
        assert seen == []
        r = actions.approve_rendition(world.publisher, r.pk)
        with pytest.raises(Invalid) as exc:
            actions.withdraw_rendition(world.publisher, r.pk, {"reason": ""})
        assert exc.value.field == "reason"
        r = actions.withdraw_rendition(world.publisher, r.pk, {"reason": "发现表述不当"})
    finally:
        rendition_published.disconnect(on_published)
        rendition_withdrawn.disconnect(on_withdrawn)
    assert seen == [("published", r.public_number), ("withdrawn", r.public_number)]
    assert r.status == RenditionStatus.WITHDRAWN and r.withdraw_reason == "发现表述不当"
    with pytest.raises(Conflict):
        actions.withdraw_rendition(world.publisher, r.pk, {"reason": "再次撤回"})
    with pytest.raises(Conflict):
        actions.approve_rendition(world.publisher, r.pk)  # regenerate first
    again = actions.generate_rendition(world.publisher, subject.case.pk)
    assert again.pk == r.pk and again.public_number == r.public_number and again.status == RenditionStatus.DRAFT
    verbs = list(subject.case.events.values_list("verb", flat=True))
    assert {"rendition_generate", "rendition_publish", "rendition_withdraw"} <= set(verbs)


def test_typical_case_curation(world, subject) -> None:
    r = actions.generate_rendition(world.publisher, subject.case.pk)
    data = {"significance": "改革探索中的失误依规容错", "tags": ["征地拆迁", "改革创新", "征地拆迁"], "order": 1}
    with pytest.raises(Conflict):
        actions.curate_typical(world.publisher, r.pk, data)  # not yet public
    r = actions.approve_rendition(world.publisher, r.pk)
    with pytest.raises(Invalid) as exc:
        actions.curate_typical(world.publisher, r.pk, {**data, "significance": "张三的做法值得肯定"})
    assert exc.value.field == "significance" and "张三" in exc.value.message
    with pytest.raises(Invalid) as exc:
        actions.curate_typical(world.publisher, r.pk, {**data, "tags": ["这是一个超过十六个字的非常非常长的标签名称"]})
    assert exc.value.field and exc.value.field.startswith("tags")
    with pytest.raises(NotFound):
        actions.curate_typical(world.handler, r.pk, data)
    t = actions.curate_typical(world.publisher, r.pk, data)
    assert sorted(t.tags.values_list("name", flat=True)) == ["征地拆迁", "改革创新"]
    t = actions.curate_typical(world.publisher, r.pk, {**data, "tags": ["新标签"]})
    assert list(t.tags.values_list("name", flat=True)) == ["新标签"] and TypicalCase.objects.count() == 1
    actions.remove_typical(world.publisher, r.pk)
    assert TypicalCase.objects.count() == 0
    with pytest.raises(NotFound):
        actions.remove_typical(world.publisher, r.pk)


def test_changed_decision_on_appeal_withdraws_published_rendition(world) -> None:
    w = world
    s = decided_case(w)
    for verb, user, data in (
        ("give_feedback", w.handler, {"text": "反馈", "delivered_on": "2025-01-02"}),
        ("notify_organisation", w.org_liaison, {"letter": "函", "sent_on": "2025-01-02", "recipient": "组织部"}),
        ("file_report", w.handler, {"report": "备案", "filed_on": "2025-01-02", "filed_with": "省委"}),
        ("publish", w.publisher, {}),
    ):
        case_actions.transition(user, s.case.pk, verb, data)
    r = actions.approve_rendition(w.publisher, actions.generate_rendition(w.publisher, s.case.pk).pk)
    seen: list[str] = []

    def on_withdrawn(sender, rendition, **kw) -> None:
        seen.append(rendition.public_number)

    rendition_withdrawn.connect(on_withdrawn)
    try:
        case_actions.transition(w.applicant, s.case.pk, "submit_appeal", {"grounds": "不服"})
        case_actions.transition(
            w.secretary,
            s.case.pk,
            "decide_appeal",
            {"result": "changed", "reasoning": "改为从轻处理", "new_disposition": "从轻处理"},
        )
    finally:
        rendition_withdrawn.disconnect(on_withdrawn)
    r.refresh_from_db()
    assert r.status == RenditionStatus.WITHDRAWN and "申诉" in r.withdraw_reason and seen == [r.public_number]
    again = actions.generate_rendition(w.publisher, s.case.pk)
    assert again.disposition == "从轻处理"


def test_public_citations_quote_only_verified_text_of_the_measure(world, subject) -> None:
    from rongcuo.disclosure.compose import cited_articles, policy_version

    decision = subject.case.decision
    version = policy_version(decision)
    cited = cited_articles(decision, version)
    by_ref = {a.ref: a for a in version.articles} | {a.ref: a for a in version.base.articles}
    assert cited, "the decision cites verified articles"
    for c in cited:
        a = by_ref[c["ref"]]
        assert a.verified and a.kind == "text" and c["text"] == a.text
    # jiangsu-2017's reconstructed 不予容错 paragraph and the 省委组织部 interpretation are never quoted
    decision.evaluation = {**decision.evaluation, "citations": [
        "实施意见·不予容错情形（措辞未核实）", "省委组织部解读·研判维度", "“三个区分开来”（谋取私利）"]}
    refs = [c["ref"] for c in cited_articles(decision, version)]
    assert refs == ["“三个区分开来”"]
