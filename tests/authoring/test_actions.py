"""Every 规则起草 verb through its action: bad input refused in Chinese naming the field with nothing saved,
scope (NotFound as for a missing draft), stale revisions, audit records, revisions and the parent's change."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from rongcuo.audit.models import AuditRecord
from rongcuo.authoring import actions, source
from rongcuo.authoring.models import PolicyDraft
from rongcuo.consultation import actions as consultation
from rongcuo.core.errors import Conflict, NotFound
from tests.consultation.helpers import draft_payload, new_version_text

from .conftest import NEW_ID, PARENT, _user, derive_jiangning, revision_of

pytestmark = pytest.mark.django_db
CHINESE = re.compile("[\u4e00-\u9fff]")


def _situation(draft: PolicyDraft) -> dict:
    return source.materialise(draft)["versions"][-1]["situations"][0]


def _bad_calls(draft: PolicyDraft) -> list:
    """(verb, call with bad input, field the refusal must name)."""
    node = _situation(draft)
    return [
        ("meta", lambda u, r: actions.set_meta(u, draft.pk, r, {"effective_from": "不是日期"}), "effective_from"),
        ("meta", lambda u, r: actions.set_meta(u, draft.pk, r, {"completeness": "maybe"}), "completeness"),
        ("article", lambda u, r: actions.put_article(u, draft.pk, r, {"ref": "", "text": "x"}), "articles"),
        ("article", lambda u, r: actions.remove_article(u, draft.pk, r, "没有这一条"), "articles"),
        (
            "node",
            lambda u, r: actions.put_node(
                u,
                draft.pk,
                r,
                "situations",
                {**{k: node[k] for k in ("id", "ref", "text")}, "old_id": node["id"], "when": "no_such_fact"},
            ),
            "when",
        ),
        (
            "node",
            lambda u, r: actions.put_node(
                u,
                draft.pk,
                r,
                "situations",
                {"id": "s_new", "ref": "x", "text": "x", "tree": {"op": "and", "items": []}},
            ),
            "when",
        ),
        ("node", lambda u, r: actions.put_node(u, draft.pk, r, "nowhere", {"id": "x"}), "group"),
        ("node", lambda u, r: actions.remove_node(u, draft.pk, r, "situations", "s_missing"), "situations"),
        (
            "fact",
            lambda u, r: actions.put_fact(u, draft.pk, r, {"id": "private_gain", "label": "x", "question": "x"}),
            "facts",
        ),
        (
            "fact",
            lambda u, r: actions.put_fact(u, draft.pk, r, {"id": "Bad-Id", "label": "x", "question": "x"}),
            "facts",
        ),
        ("fact", lambda u, r: actions.remove_fact(u, draft.pk, r, "no_fact"), "facts"),
        ("reading", lambda u, r: actions.put_reading(u, draft.pk, r, {"ref": "第一条", "note": ""}), "readings"),
        ("reading", lambda u, r: actions.remove_reading(u, draft.pk, r, 999), "readings"),
        (
            "test",
            lambda u, r: actions.put_test(
                u, draft.pk, r, {"name": "x", "facts": {"nope": True}, "expect": {"outcome": "exempt"}}
            ),
            "cases",
        ),
        (
            "test",
            lambda u, r: actions.put_test(u, draft.pk, r, {"name": "x", "facts": {}, "expect": {"outcome": "maybe"}}),
            "outcome",
        ),
        ("test", lambda u, r: actions.remove_test(u, draft.pk, r, 5), "cases"),
        ("import", lambda u, r: actions.import_yaml(u, draft.pk, r, rules="id: [unclosed\n"), ""),
        ("import", lambda u, r: actions.import_yaml(u, draft.pk, r, tests="policy: other\ncases: []\n"), "policy"),
        ("send", lambda u, r: actions.send_to_consultation(u, draft.pk, r, {"explanation": ""}), "explanation"),
    ]


def test_bad_input_is_refused_in_chinese_naming_the_field_and_nothing_is_saved(drafters) -> None:
    w = drafters
    draft = derive_jiangning(w.drafter)
    stored = (draft.document, draft.tests)
    for verb, call, field in _bad_calls(draft):
        refusals = AuditRecord.objects.filter(success=False).count()
        with pytest.raises(actions.Invalid) as exc:
            call(w.drafter, 1)
        assert CHINESE.search(exc.value.message), (verb, exc.value.message)
        assert field in (exc.value.field or ""), (verb, exc.value.field, exc.value.message)
        fresh = PolicyDraft.objects.get(pk=draft.pk)
        assert fresh.revision == 1 and (fresh.document, fresh.tests) == stored, verb
        assert AuditRecord.objects.filter(success=False).count() == refusals + 1, verb


def test_import_refusal_names_the_line(drafters) -> None:
    w = drafters
    draft = derive_jiangning(w.drafter)
    text = "format: 1\nid: x\ntitle: t\n  bad: indent\n"
    with pytest.raises(actions.EditRefused) as exc:
        actions.import_yaml(w.drafter, draft.pk, 1, rules=text)
    assert exc.value.line is not None and f"第{exc.value.line}行" in exc.value.message


def test_scope_other_places_drafts_are_not_found_for_every_verb(drafters) -> None:
    w = drafters
    draft = derive_jiangning(w.drafter)
    outsiders = [w.drafter_cn, w.handler, w.secretary, w.sysadmin, w.secadmin, w.auditadmin]
    for user in outsiders:
        with pytest.raises(NotFound):
            actions.access_draft(user, draft.pk)
        assert not actions.visible_drafts(user).exists()
        for _verb, call, _field in _bad_calls(draft):
            with pytest.raises(NotFound):
                call(user, 1)
        others = (
            lambda u: actions.export(u, draft.pk, "rules"),
            lambda u: actions.withdraw(u, draft.pk, 1),
            lambda u: actions.rebase(u, draft.pk, 1, "2017"),
            lambda u: actions.review_parent(u, draft.pk),
        )
        for other in others:
            with pytest.raises(NotFound):
                other(user)
    # a missing draft answers the same
    for bad_id in (draft.pk + 100, "abc", -1, 10**30):
        with pytest.raises(NotFound):
            actions.access_draft(w.drafter, bad_id)
    assert PolicyDraft.objects.get(pk=draft.pk).revision == 1
    # nor can an outsider start a draft for 江宁, or an administrator at all
    with pytest.raises(actions.Invalid):
        derive_jiangning(w.drafter_cn)
    with pytest.raises(NotFound):
        derive_jiangning(w.sysadmin)


def test_stale_revision_conflict_keeps_the_first_save(drafters) -> None:
    w = drafters
    draft = derive_jiangning(w.drafter)
    colleague = _user("drafter2", "drafter", jurisdiction="320115")
    actions.set_meta(colleague, draft.pk, 1, {"issued_by": "中共南京市江宁区委"})
    with pytest.raises(Conflict) as exc:
        actions.set_meta(w.drafter, draft.pk, 1, {"issued_by": "江宁区纪委"})
    assert "drafter2" in exc.value.message and "第 2 稿" in exc.value.message and "未保存" in exc.value.message
    assert exc.value.current_revision == 2
    fresh = PolicyDraft.objects.get(pk=draft.pk)
    assert fresh.revision == 2 and source.materialise(fresh)["issued_by"] == "中共南京市江宁区委"
    with pytest.raises(actions.Invalid):
        actions.set_meta(w.drafter, draft.pk, "abc", {"issued_by": "x"})


def test_every_verb_is_audited(drafters) -> None:
    w = drafters
    d = derive_jiangning(w.drafter)
    node = _situation(d)
    u = w.drafter
    d = actions.set_meta(u, d.pk, d.revision, {"issued_by": "中共南京市江宁区委"})
    d = actions.put_article(
        u, d.pk, d.revision, {"ref": "第九条", "text": "本办法由区纪委负责解释。", "verified": True}
    )
    d = actions.put_fact(u, d.pk, d.revision, {"id": "jn_zone", "label": "园区", "question": "是否在园区？"})
    d = actions.put_node(
        u,
        d.pk,
        d.revision,
        "situations",
        {"id": "s_zone", "ref": "第九条", "text": "园区", "when": "jn_zone and exploratory_reform"},
    )
    d = actions.put_reading(u, d.pk, d.revision, {"ref": "第九条", "note": "园区情形为本区新增。", "node": "s_zone"})
    d = actions.put_test(u, d.pk, d.revision, {"name": "一", "facts": {}, "expect": {"outcome": "undetermined"}})
    d = actions.remove_test(u, d.pk, d.revision, 0)
    d = actions.remove_reading(u, d.pk, d.revision, len(source.materialise(d)["versions"][-1]["readings"]) - 1)
    d = actions.remove_node(u, d.pk, d.revision, "situations", "s_zone")
    d = actions.remove_fact(u, d.pk, d.revision, "jn_zone")
    d = actions.remove_article(u, d.pk, d.revision, "第九条")
    _name, text = actions.export(u, d.pk, "rules")
    d = actions.import_yaml(u, d.pk, d.revision, rules=text)
    d = actions.withdraw(u, d.pk, d.revision)
    assert d.status == "withdrawn" and d.revision == 14
    with pytest.raises(Conflict):
        actions.set_meta(u, d.pk, d.revision, {"issued_by": "x"})
    logged = list(
        AuditRecord.objects.filter(object_type="policy_draft", object_id=str(d.pk), success=True).values_list(
            "action", flat=True
        )
    )
    for verb in (
        "derive",
        "meta",
        "article_put",
        "fact_put",
        "node_put",
        "reading_put",
        "test_put",
        "test_remove",
        "reading_remove",
        "node_remove",
        "fact_remove",
        "article_remove",
        "export",
        "import",
        "withdraw",
    ):
        assert f"drafting.{verb}" in logged, verb
    assert node["id"] == _situation(d)["id"]


def test_blank_and_revision_drafts(drafters) -> None:
    w = drafters
    blank = actions.create_blank(
        w.drafter,
        {
            "jurisdiction": "320115",
            "policy_id": "jiangning-new",
            "title": "某办法",
            "version": "2025",
            "effective_from": "2025-03-01",
        },
    )
    doc = source.materialise(blank)
    assert blank.origin == "blank" and doc["jurisdiction"] == {"code": "320115", "name": "江苏省南京市江宁区"}
    assert doc["versions"][0]["effective"]["from"] == dt.date(2025, 3, 1)  # dates survive the JSON column
    with pytest.raises(actions.Invalid) as exc:
        actions.create_blank(
            w.drafter,
            {
                "jurisdiction": "320115",
                "policy_id": PARENT,
                "title": "x",
                "version": "1",
                "effective_from": "2025-01-01",
            },
        )
    assert exc.value.field == "policy_id"
    # a 江宁 drafter may not revise the province's measure; a province drafter may
    with pytest.raises(actions.Invalid):
        revision_of(w.drafter, PARENT)
    js = _user("drafter_js", "drafter", jurisdiction="320000")
    rev = revision_of(js, PARENT)
    doc = source.materialise(rev)
    assert [v["version"] for v in doc["versions"]] == ["2017", "2026"]
    assert doc["versions"][0]["effective"]["to"] == dt.date(2025, 12, 31)
    assert source.tests_of(rev)["cases"]  # the shipped tests come along


def test_review_parent_change_and_rebase(drafters) -> None:
    w = drafters
    draft = derive_jiangning(w.drafter)
    node = _situation(draft)
    draft = actions.put_node(
        w.drafter,
        draft.pk,
        1,
        "situations",
        {
            **{k: node[k] for k in ("id", "ref", "text")},
            "old_id": node["id"],
            "when": "exploratory_reform or force_majeure",
        },
    )
    # the province adopts a 2026 version in which the same situation changes
    sent, _ = consultation.create_draft(w.handler, draft_payload(new_version_text()))
    now = dt.datetime.now(dt.UTC)
    consultation.publish_draft(w.handler, sent.pk, {"closes_at": (now + dt.timedelta(days=1)).isoformat()})
    consultation.close_draft(w.handler, sent.pk)
    consultation.adopt_draft(w.secretary, sent.pk, {"decision": "通过"})
    assert source.latest_parent_name(draft) == "2026"
    review = actions.review_parent(w.drafter, draft.pk)
    assert review["from"] == "2017" and review["to"] == "2026"
    rows = {r["key"]: r for r in review["rows"]}
    changed = next(r for k, r in rows.items() if node["id"] in k)
    assert changed["conflict"] is True and CHINESE.search(changed["summary"])
    draft = actions.rebase(w.drafter, draft.pk, draft.revision, "2026")
    assert draft.parent_version == "2026" and draft.revision == 3
    assert _situation(draft)["when"] == "exploratory_reform or force_majeure"  # the draft's own choice kept
    assert AuditRecord.objects.filter(action="drafting.rebase", success=True).exists()
    assert source.materialise(draft)["id"] == NEW_ID
