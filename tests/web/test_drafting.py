"""规则起草 pages: every edit through its form, errors beside the field with nothing saved, scope, stale saves,
import/export round trip, and a bounded number of queries for the editor."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from rongcuo.audit.models import AuditRecord
from rongcuo.authoring import source
from rongcuo.authoring.models import PolicyDraft
from rongcuo.policy import authoring as pa
from rongcuo.policy.authoring.edit import cited_article
from rongcuo.policy.catalog import catalog
from tests.authoring.conftest import derive_jiangning, drafters  # noqa: F401

pytestmark = pytest.mark.django_db
AREA = next(iter(catalog().areas))


def client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def page(c: Client, draft: PolicyDraft) -> str:
    r = c.get(f"/drafting/{draft.pk}/")
    assert r.status_code == 200, r.content[:500]
    return r.content.decode()


def post(c: Client, draft: PolicyDraft, verb: str, data: dict, revision: int | None = None):
    draft.refresh_from_db()
    body = {"revision": draft.revision if revision is None else revision, "form": data.pop("form", verb), **data}
    return c.post(f"/drafting/{draft.pk}/edit/{verb}/", body)


@pytest.fixture
def setup(drafters):  # noqa: F811
    draft = derive_jiangning(drafters.drafter)
    return drafters, draft, client(drafters.drafter)


def first_situation(draft: PolicyDraft) -> dict:
    return source.materialise(draft)["versions"][-1]["situations"][0]


def test_list_start_and_editor_show_articles_with_their_rules(setup) -> None:
    _w, draft, c = setup
    listing = c.get("/drafting/").content.decode()
    assert draft.title in listing and "规则起草" in listing
    html = page(c, draft)
    node = first_situation(draft)
    assert node["id"] in html and "容错情形" in html
    assert "先行先试 且 缺乏经验" in html  # expr_sentence with catalog labels
    assert "实时检查" in html and "规则校验" in html
    r = c.post(
        "/drafting/new/",
        {
            "origin": "blank",
            "jurisdiction": "320115",
            "policy_id": "Bad Id",
            "title": "x",
            "version": "2025",
            "effective_from": "2025-01-01",
        },
    )
    assert r.status_code == 400 and "政策编号" in r.content.decode() and 'value="Bad Id"' in r.content.decode()
    r = c.post(
        "/drafting/new/",
        {
            "origin": "blank",
            "jurisdiction": "320115",
            "policy_id": "jiangning-blank",
            "title": "江宁区某办法",
            "version": "2025",
            "effective_from": "2025-01-01",
        },
    )
    assert r.status_code == 302
    assert PolicyDraft.objects.filter(policy_id="jiangning-blank", origin="blank").exists()


def test_node_through_the_picker_and_a_bad_fact_keeps_nothing(setup) -> None:
    _w, draft, c = setup
    node = first_situation(draft)
    key = f"node:situations:{node['id']}"
    base = {
        "form": key,
        "group": "situations",
        "old_id": node["id"],
        "id": node["id"],
        "ref": node["ref"],
        "text": node["text"],
        "mode": "picker",
        "op": "and",
        "rows": "3",
        "r0_type": "fact",
        "r0_fact": "exploratory_reform",
        "r1_type": "group",
        "r1_op": "or",
        "r1_0_fact": "lacks_precedent",
        "r1_1_fact": "policy_boundary_unclear",
        "r2_type": "fact",
        "r2_fact": "private_gain",
        "r2_neg": "on",
    }
    r = post(c, draft, "node", dict(base))
    assert r.status_code == 302
    draft.refresh_from_db()
    assert draft.revision == 2
    assert (
        first_situation(draft)["when"] == "exploratory_reform and (lacks_precedent or policy_boundary_unclear) "
        "and not private_gain"
    )
    # a fact that does not exist, typed in the text box: refused beside the field, the input kept, nothing saved
    bad = {**base, "mode": "text", "when": "exploratory_reform and no_such_fact"}
    r = post(c, draft, "node", bad)
    html = r.content.decode()
    assert r.status_code == 400 and "no_such_fact" in html and "成立条件" in html
    assert "exploratory_reform and no_such_fact" in html  # the user's input is shown again
    draft.refresh_from_db()
    assert draft.revision == 2
    refused = AuditRecord.objects.filter(action="drafting.node_put", success=False)
    assert refused.exists()


def test_every_edit_form(setup) -> None:
    _w, draft, c = setup
    checks = [
        ("meta", {"title": "南京市江宁区容错纠错实施办法（试行）", "issued_by": "中共南京市江宁区委"}, {"title": ""}),
        (
            "article",
            {"form": "article:new", "ref": "第九十九条", "text": "本办法自印发之日起施行。", "verified": "on"},
            {"form": "article:new", "ref": "", "text": "x"},
        ),
        (
            "fact",
            {"form": "fact:new", "id": "jn_pilot_zone", "label": "江宁试点园区", "question": "是否在试点园区？"},
            {"form": "fact:new", "id": "exploratory_reform", "label": "重名", "question": "？"},
        ),
        (
            "reading",
            {"form": "reading:new", "ref": "第九十九条", "note": "施行日期按印发日期确定。"},
            {"form": "reading:new", "ref": "第九十九条", "note": ""},
        ),
        (
            "test",
            {
                "form": "test:new",
                "name": "试点园区",
                "outcome": "undetermined",
                "facts": ["private_gain"],
                "f_private_gain": "false",
            },
            {"form": "test:new", "name": "坏结论", "outcome": "maybe"},
        ),
        (
            "result_use",
            {
                "form": "result_use:new",
                "id": "r_jn",
                "applies_to": "exempt",
                "ref": "第九十九条",
                "text": "同样看待",
                "unaffected": [AREA],
                "no_negative_evaluation": "on",
            },
            {"form": "result_use:new", "id": "Bad-Id", "applies_to": "exempt"},
        ),
        (
            "step",
            {"form": "step:new", "stage": "acceptance", "name": "受理", "ref": "第九十九条"},
            {"form": "step:new", "stage": "nowhere", "name": "某环节"},
        ),
    ]
    for verb, good, bad in checks:
        draft.refresh_from_db()
        before = draft.revision
        r = post(c, draft, verb, dict(bad))
        assert r.status_code == 400, (verb, r.status_code)
        shown = re.findall(r'<p class="error" role="alert">([^<]+)</p>', r.content.decode())
        assert shown and all(re.search("[\u4e00-\u9fff]", m) for m in shown), (verb, shown)
        draft.refresh_from_db()
        assert draft.revision == before, verb
        r = post(c, draft, verb, dict(good))
        assert r.status_code == 302, (verb, r.content.decode()[:2000])
        draft.refresh_from_db()
        assert draft.revision == before + 1, verb
    doc = source.materialise(draft)
    v = doc["versions"][-1]
    assert doc["title"].endswith("（试行）") and v["facts"]["jn_pilot_zone"]["label"] == "江宁试点园区"
    assert any(a["ref"] == "第九十九条" for a in v["articles"])
    assert source.tests_of(draft)["cases"][0]["facts"] == {"private_gain": False}
    assert next(r for r in v["result_use"] if r["id"] == "r_jn")["unaffected"] == [AREA]
    assert v["procedure"]["steps"][-1] == {"stage": "acceptance", "name": "受理", "ref": "第九十九条", "text": ""}
    # removals: a fact no node reads, the reading, the test, the article no node cites
    for verb, data in (
        ("fact_remove", {"id": "jn_pilot_zone"}),
        ("reading_remove", {"index": len(v["readings"]) - 1}),
        ("test_remove", {"index": 0}),
        ("result_use_remove", {"id": "r_jn"}),
        ("step_remove", {"index": len((v.get("procedure") or {}).get("steps") or []) - 1}),
        ("article_remove", {"ref": "第九十九条"}),
    ):
        r = post(c, draft, verb, data)
        assert r.status_code == 302, (verb, r.content.decode()[:1500])
    draft.refresh_from_db()
    assert "jn_pilot_zone" not in source.materialise(draft)["versions"][-1].get("facts", {})
    # an article a rule cites cannot be removed: the message names the rule
    v = source.materialise(draft)["versions"][-1]
    refs = [a["ref"] for a in v["articles"]]
    citing = next(n for n in v["exclusions"] if cited_article(n["ref"], refs))
    article = cited_article(citing["ref"], refs)
    r = post(c, draft, "article_remove", {"form": f"remove:article:{article}", "ref": article})
    assert r.status_code == 400 and citing["id"] in r.content.decode()
    draft.refresh_from_db()
    assert any(a["ref"] == article for a in source.materialise(draft)["versions"][-1]["articles"])


def test_stale_revision_is_refused_and_the_input_echoed(setup) -> None:
    w, draft, c = setup
    other = client(w.drafter)
    r = post(other, draft, "meta", {"issued_by": "中共南京市江宁区委"}, revision=1)
    assert r.status_code == 302
    r = post(c, draft, "meta", {"issued_by": "江宁区纪委监委"}, revision=1)
    html = r.content.decode()
    assert r.status_code == 409
    assert "该草稿已被" in html and "保存为第 2 稿" in html and "江宁区纪委监委" in html
    draft.refresh_from_db()
    assert draft.revision == 2 and source.materialise(draft)["issued_by"] == "中共南京市江宁区委"


def test_scope_other_places_drafts_are_404_everywhere(setup) -> None:
    w, draft, _ = setup
    outsider = client(w.drafter_cn)
    assert outsider.get(f"/drafting/{draft.pk}/").status_code == 404
    assert outsider.get(f"/drafting/{draft.pk + 1000}/").status_code == 404
    for part in ("rules", "tests"):
        assert outsider.get(f"/drafting/{draft.pk}/export/{part}/").status_code == 404
    for verb in (
        "meta",
        "article",
        "article_remove",
        "node",
        "node_remove",
        "fact",
        "fact_remove",
        "reading",
        "reading_remove",
        "test",
        "test_remove",
        "import",
        "send",
        "withdraw",
        "rebase",
    ):
        r = outsider.post(f"/drafting/{draft.pk}/edit/{verb}/", {"revision": 1, "title": "x"})
        assert r.status_code == 404, verb
    assert outsider.get(f"/drafting/{draft.pk}/parent/").status_code == 404
    # a case handler (no drafter role) has no drafting pages at all
    assert client(w.handler).get("/drafting/").status_code == 404
    draft.refresh_from_db()
    assert draft.revision == 1


def test_export_import_round_trip_without_loss(setup) -> None:
    _w, draft, c = setup
    post(c, draft, "fact", {"form": "fact:new", "id": "jn_pilot_zone", "label": "江宁试点园区", "question": "是否？"})
    node = first_situation(draft)
    post(
        c,
        draft,
        "node",
        {
            "form": "node:situations:new",
            "group": "situations",
            "id": "s_pilot",
            "ref": node["ref"],
            "text": "试点",
            "mode": "text",
            "when": "jn_pilot_zone and exploratory_reform",
        },
    )
    post(c, draft, "test", {"form": "test:new", "name": "一", "outcome": "undetermined"})
    draft.refresh_from_db()
    before_doc, before_tests = source.materialise(draft), source.tests_of(draft)
    rules = c.get(f"/drafting/{draft.pk}/export/rules/")
    tests = c.get(f"/drafting/{draft.pk}/export/tests/")
    assert rules.status_code == 200 and "attachment" in rules["Content-Disposition"]
    # a broken paste is refused with its line, nothing saved
    r = post(c, draft, "import", {"rules": "format: 1\nid: [unclosed\n"})
    assert r.status_code == 400 and "第" in r.content.decode() and "行" in r.content.decode()
    revision = PolicyDraft.objects.get(pk=draft.pk).revision
    r = post(c, draft, "import", {"rules": rules.content.decode(), "tests": tests.content.decode()})
    assert r.status_code == 302
    draft.refresh_from_db()
    assert draft.revision == revision + 1
    assert source.materialise(draft) == before_doc and source.tests_of(draft) == before_tests
    assert pa.from_yaml(rules.content.decode()) == before_doc
    assert AuditRecord.objects.filter(action="drafting.export", object_id=str(draft.pk)).count() == 2


def test_send_links_to_the_consultation_draft(setup) -> None:
    _w, draft, c = setup
    r = post(c, draft, "send", {"explanation": ""})
    assert r.status_code == 400 and "起草说明" in r.content.decode()
    r = post(c, draft, "send", {"title": "江宁区办法（征求意见稿）", "explanation": "一、起草背景"})
    assert r.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "sent"
    html = page(c, draft)
    assert f"/consultation/{draft.consultation_draft_id}/" in html
    assert c.get(f"/consultation/{draft.consultation_draft_id}/").status_code == 200
    r = post(c, draft, "meta", {"title": "再改"})
    assert r.status_code == 409


def test_editor_queries_are_bounded(setup) -> None:
    _w, draft, c = setup
    page(c, draft)  # warm the per-process caches (library, analysis)
    with CaptureQueriesContext(connection) as small:
        page(c, draft)
    for i in range(6):
        post(c, draft, "test", {"form": "test:new", "name": f"用例{i}", "outcome": "undetermined"})
        post(c, draft, "reading", {"form": "reading:new", "ref": "第一条", "note": f"说明{i}"})
    page(c, draft)
    with CaptureQueriesContext(connection) as large:
        page(c, draft)
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]
    assert len(large) <= 15, len(large)


def test_navigation_start_page_and_workbench(setup) -> None:
    w, _draft, c = setup
    home = c.get("/")
    assert home.status_code == 200 and 'href="/drafting/"' in home.content.decode()
    assert 'href="/consultation/"' in home.content.decode()  # to follow the draft once sent
    assert 'href="/drafting/"' not in client(w.handler).get("/").content.decode()
    start = c.get("/drafting/new/").content.decode()
    assert "jiangsu-2017" in start and "yunnan-changning-2016" not in start  # ancestors and neighbours only
    assert "江宁区（320115）" in start


def test_compare_with_the_parent(setup) -> None:
    _w, draft, c = setup
    node = first_situation(draft)
    post(
        c,
        draft,
        "node",
        {
            "form": f"node:situations:{node['id']}",
            "group": "situations",
            "old_id": node["id"],
            "id": node["id"],
            "ref": node["ref"],
            "text": node["text"],
            "mode": "text",
            "when": "exploratory_reform",
        },
    )
    html = page(c, draft)
    assert "与所参照办法的精确比较" in html and "结论不同的事实组合" in html
    full = c.get(f"/drafting/{draft.pk}/compare/parent/")
    assert full.status_code == 200
    text = full.content.decode()
    assert "精确比较：结论不同的全部情形" in text and 'badge k-changed">修改' in text
    assert c.get(f"/drafting/{draft.pk}/compare/current/").status_code == 404  # a derived draft has no current


def test_parent_review_and_rebase_pages(setup) -> None:
    import datetime as dt

    from rongcuo.consultation import actions as consultation
    from tests.consultation.helpers import draft_payload, new_version_text

    w, draft, c = setup
    sent, _ = consultation.create_draft(w.handler, draft_payload(new_version_text()))
    now = dt.datetime.now(dt.UTC)
    consultation.publish_draft(w.handler, sent.pk, {"closes_at": (now + dt.timedelta(days=1)).isoformat()})
    consultation.close_draft(w.handler, sent.pk)
    consultation.adopt_draft(w.secretary, sent.pk, {"decision": "通过"})
    assert "所参照的办法已有新版本 2026" in page(c, draft)
    review = c.get(f"/drafting/{draft.pk}/parent/")
    assert review.status_code == 200 and "从 2017 版到 2026 版" in review.content.decode()
    r = c.post(f"/drafting/{draft.pk}/edit/rebase/", {"revision": 99, "to_version": "2026"})
    assert r.status_code == 400 and "该草稿已被" in r.content.decode()
    r = c.post(f"/drafting/{draft.pk}/edit/rebase/", {"revision": 1, "to_version": "2026"})
    assert r.status_code == 302
    draft.refresh_from_db()
    assert draft.parent_version == "2026" and "所参照的办法已有新版本" not in page(c, draft)


def test_edit_a_reading_in_place(setup) -> None:
    _w, draft, c = setup
    first = source.materialise(draft)["versions"][-1]["readings"][0]
    r = post(c, draft, "reading", {"form": "reading:0", "index": 0, "ref": first["ref"], "note": ""})
    assert r.status_code == 400
    r = post(
        c,
        draft,
        "reading",
        {"form": "reading:0", "index": 0, "ref": first["ref"], "note": "改写的说明。", "node": first.get("node") or ""},
    )
    assert r.status_code == 302, r.content.decode()[:1000]
    draft.refresh_from_db()
    readings = source.materialise(draft)["versions"][-1]["readings"]
    assert readings[0]["note"] == "改写的说明。" and readings[0]["ref"] == first["ref"]
