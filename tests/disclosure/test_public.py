"""The public portal and the public API: only approved renditions, never a live record, never a name."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from rongcuo.disclosure import actions
from rongcuo.disclosure.public import policies
from rongcuo.policy import Library

from .conftest import Api, api_as, decided_case, more_cadres, publish

pytestmark = pytest.mark.django_db

TAGS = ["征地拆迁", "招商引资", "应急处置", "历史遗留问题", "基层治理"]
LIVE_TABLES = re.compile(r"\b(cases_\w+|org_cadre|org_unit|org_accountabilitymatter|accounts_\w+)\b")


def public_urls(numbers: list[str], tags: list[str]) -> list[str]:
    urls = ["/public/", "/public/decisions/", "/public/typical/", "/public/policies/", "/public/statistics/"]
    urls += [f"/public/decisions/{n}/" for n in numbers]
    urls += [f"/public/typical/?tag={t}" for t in tags]
    for p in policies():
        urls.append(f"/public/policies/{p.id}/")
        urls += [f"/public/policies/{p.id}/?version={v.version}" for v in p.versions]
    urls += ["/api/disclosure/public/decisions", "/api/disclosure/public/typical", "/api/disclosure/public/tags"]
    urls += [f"/api/disclosure/public/decisions/{n}" for n in numbers]
    urls += [f"/api/disclosure/public/typical?tag={t}" for t in tags]
    return urls


def test_every_public_page_is_free_of_names_ids_and_phones(world) -> None:
    """Several decided cases (cadres, interviewees, witnesses, deliberation participants, an ID number
    with X, mobiles and landlines in the text) published; every public page and public API answer is 200
    and contains none of them, and no public page reads a live table (cases, cadres, units, accounts)."""
    w = world
    zhang4, ouyang = more_cadres(w)
    subjects = [
        decided_case(w),
        decided_case(w, zhang4, title="招商引资项目失误", domain="招商引资", interviewees=("张三", "刘一")),
        decided_case(w, ouyang, title="应急处置临机决断", domain="应急处置", witnesses=("陈二",)),
    ]
    renditions = [publish(w, s) for s in subjects]
    for r, tags in zip(renditions, (["征地拆迁", "基层治理"], ["招商引资"], ["应急处置", "历史遗留问题"]), strict=True):
        actions.curate_typical(w.publisher, r.pk, {"significance": "依规容错的典型", "tags": tags})
    forbidden = sorted({x for s in subjects for x in (*s.names, *s.secrets, s.case.number)} | {w.unit.name})
    assert "张三" in forbidden and "32010219850202123X" in forbidden and "13800001234" in forbidden

    client = Client()
    numbers = [r.public_number for r in renditions]
    pages = 0
    for url in public_urls(numbers, TAGS):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode("utf-8")
        body_plain = re.sub(r"\s+", "", body)
        for secret in forbidden:
            assert secret not in body and secret not in body_plain, (url, secret)
        sql = "\n".join(q["sql"] for q in queries.captured_queries)
        if "/statistics/" in url:
            # aggregate statistics are the one permitted reader of cases, and only as grouped counts
            for q in queries.captured_queries:
                assert "org_cadre" not in q["sql"]
                if re.search(r"\bcases_case\b", q["sql"]):
                    assert "COUNT(" in q["sql"].upper() and "GROUP BY" in q["sql"].upper(), q["sql"]
        else:
            assert not LIVE_TABLES.search(sql), (url, LIVE_TABLES.search(sql).group(0))
        pages += 1
    assert pages > 40
    index = client.get("/public/").content.decode()
    assert all(n in index for n in numbers) and "张某" in index
    detail = client.get(f"/public/decisions/{numbers[1]}/").content.decode()
    assert "张某甲" in detail and "张某乙" in detail and "典型意义" in detail


def test_only_approved_renditions_are_public_and_withdrawal_removes_them(world, subject) -> None:
    w = world
    client, api = Client(), Api()
    r = actions.generate_rendition(w.publisher, subject.case.pk)
    assert client.get(f"/public/decisions/{r.public_number}/").status_code == 404
    assert api.get(f"/disclosure/public/decisions/{r.public_number}").status_code == 404
    assert r.public_number not in client.get("/public/").content.decode()
    assert api.get("/disclosure/public/decisions").json()["total"] == 0

    r = actions.approve_rendition(w.publisher, r.pk)
    page = client.get(f"/public/decisions/{r.public_number}/")
    assert page.status_code == 200 and r.title in page.content.decode()
    listed = api.get("/disclosure/public/decisions").json()
    assert listed["total"] == 1 and listed["items"][0]["public_number"] == r.public_number
    detail = api.get(f"/disclosure/public/decisions/{r.public_number}").json()
    assert detail["summary"] == r.summary and "pseudonyms" not in detail and "case_id" not in detail
    assert r.public_number in client.get("/public/").content.decode()
    actions.curate_typical(w.publisher, r.pk, {"significance": "典型", "tags": ["征地拆迁"]})
    assert r.public_number in client.get("/public/typical/").content.decode()

    actions.withdraw_rendition(w.publisher, r.pk, {"reason": "撤回"})
    assert client.get(f"/public/decisions/{r.public_number}/").status_code == 404
    assert api.get(f"/disclosure/public/decisions/{r.public_number}").status_code == 404
    assert api.get("/disclosure/public/decisions").json()["total"] == 0
    assert api.get("/disclosure/public/typical").json()["total"] == 0
    for url in ("/public/", "/public/decisions/", "/public/typical/", "/public/typical/?tag=征地拆迁"):
        assert r.public_number not in client.get(url).content.decode(), url


def test_typical_case_tag_filter(world) -> None:
    w = world
    zhang4, _ = more_cadres(w)
    a = publish(w, decided_case(w))
    b = publish(w, decided_case(w, zhang4, title="招商引资项目失误"))
    actions.curate_typical(w.publisher, a.pk, {"significance": "甲", "tags": ["征地拆迁", "基层治理"]})
    actions.curate_typical(w.publisher, b.pk, {"significance": "乙", "tags": ["招商引资"]})
    client, api = Client(), Api()

    def numbers(tag: str | None) -> set[str]:
        params = {"tag": tag} if tag else {}
        return {i["public_number"] for i in api.get("/disclosure/public/typical", params).json()["items"]}

    assert numbers(None) == {a.public_number, b.public_number}
    assert numbers("征地拆迁") == numbers("基层治理") == {a.public_number}
    assert numbers("招商引资") == {b.public_number}
    assert numbers("应急处置") == set() and numbers("不存在的标签") == set()
    html = client.get("/public/typical/", {"tag": "招商引资"}).content.decode()
    assert b.public_number in html and a.public_number not in html
    tags = {t["name"]: t["count"] for t in api.get("/disclosure/public/tags").json()}
    assert tags["征地拆迁"] == 1 and tags["招商引资"] == 1 and tags["应急处置"] == 0
    assert all(t in tags for t in TAGS)


def test_publisher_api_flow_and_scoping(world, subject) -> None:
    w = world
    pub = api_as(w.publisher)
    candidates = pub.get("/disclosure/candidates").json()
    assert [c["case_id"] for c in candidates["items"]] == [subject.case.pk]
    made = pub.send("post", f"/disclosure/cases/{subject.case.pk}/rendition")
    assert made.status_code == 201, made.content
    rid = made.json()["id"]
    assert made.json()["pseudonyms"]["张三"] == "张某"
    bad = pub.send("patch", f"/disclosure/renditions/{rid}", {"summary": "张三在任期间"})
    assert bad.status_code == 200 and bad.json()["last_scan"]["clean"] is False
    refused = pub.send("post", f"/disclosure/renditions/{rid}/approve")
    assert refused.status_code == 400 and refused.json()["field"] == "summary"
    assert "姓名“张三”" in refused.json()["message"]
    version = bad.json()["version"]
    stale = pub.send("patch", f"/disclosure/renditions/{rid}", {"summary": "张某在任期间", "expected_version": 0})
    assert stale.status_code == 409
    fixed = pub.send("patch", f"/disclosure/renditions/{rid}", {"summary": "张某在任期间", "expected_version": version})
    assert fixed.status_code == 200
    assert pub.send("post", f"/disclosure/renditions/{rid}/scan").json()["last_scan"]["clean"] is True
    ok = pub.send("post", f"/disclosure/renditions/{rid}/approve", {"expected_version": fixed.json()["version"]})
    assert ok.status_code == 200 and ok.json()["status"] == "published"
    typical = pub.send("put", f"/disclosure/renditions/{rid}/typical", {"significance": "典型", "tags": ["基层治理"]})
    assert typical.status_code == 200 and typical.json()["tags"] == ["基层治理"]
    assert pub.get("/disclosure/renditions", {"status": "published"}).json()["total"] == 1
    assert pub.get(f"/disclosure/renditions/{rid}").status_code == 200
    assert pub.send("delete", f"/disclosure/renditions/{rid}/typical").status_code == 204
    assert (
        pub.send("post", f"/disclosure/renditions/{rid}/withdraw", {"reason": "撤回"}).json()["status"] == "withdrawn"
    )

    outsider, handler = api_as(w.outsider), api_as(w.handler)
    for a, status in ((outsider, 404), (handler, 403)):
        assert a.send("post", f"/disclosure/cases/{subject.case.pk}/rendition").status_code == status
        # a rendition exists only for its publishers: the handler of the same jurisdiction gets the answer of
        # a missing one, like the outsider, on every rendition endpoint below
        status = 404
        assert a.send("post", f"/disclosure/renditions/{rid}/approve").status_code == status
        missing = a.get("/disclosure/renditions/999999")
        seen = a.get(f"/disclosure/renditions/{rid}")
        assert seen.status_code == status and seen.json() == missing.json()
        assert a.get("/disclosure/renditions").json()["total"] == 0
        assert a.get("/disclosure/candidates").json()["total"] == 0
        # the request body is read only after the access check: no answer differs from the missing case
        assert a.send("patch", f"/disclosure/renditions/{rid}", {"bogus": 1}).status_code == status
        assert a.send("post", f"/disclosure/renditions/{rid}/withdraw", {}).status_code == status
        assert a.send("put", f"/disclosure/renditions/{rid}/typical", {"tags": 5}).status_code == status
    assert api_as(w.sysadmin).get(f"/disclosure/renditions/{rid}").status_code == 404
    anonymous = Api()
    assert anonymous.get("/disclosure/renditions").status_code == 401
    assert anonymous.send("post", f"/disclosure/cases/{subject.case.pk}/rendition").status_code == 401


def test_policy_pages_show_articles_and_plain_explanation() -> None:
    client = Client()
    listing = client.get("/public/policies/").content.decode()
    lib = Library.default()
    for pid in lib.ids():
        assert f"/public/policies/{pid}/" in listing
    page = client.get("/public/policies/jiangsu-2017/").content.decode()
    v = lib.get("jiangsu-2017").latest()
    assert "须同时满足以下全部条件" in page and "并且属于以下任一情形" in page
    assert "有下列情形之一的，不予容错" in page and "条文完整性说明" in page
    assert v.completeness_note in page
    for a in v.articles:
        assert a.text in page and a.ref in page
    for n in v.all_nodes():
        assert n.ref in page and (n.text or n.label) in page
    assert "「集体决策」或者（「应急处置」且「事后报告」）" in page
    assert client.get("/public/policies/no-such-policy/").status_code == 404
    assert client.get("/public/policies/jiangsu-2017/?version=1999").status_code == 404


def test_statistics_page_and_stylesheet(world) -> None:
    client = Client()
    page = client.get("/public/statistics/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "统计数据" in html and "按处理结论" in html
    href = re.search(r'<link rel="stylesheet" href="([^"]+)">', html)
    if href:
        assert client.get(href.group(1)).status_code == 200
    else:
        assert "<style>" in html and "header.site" in html
    assert "<script" not in html and "script-src" not in page["Content-Security-Policy"]


def test_statistics_fall_back_to_rendition_counts(world, subject, monkeypatch) -> None:
    import sys

    publish(world, subject)
    monkeypatch.setitem(sys.modules, "rongcuo.stats.queries", None)  # the statistics app absent
    html = Client().get("/public/statistics/").content.decode()
    assert "已公开的处理结果" in html and "&lt;5" in html and "免予问责" in html


def test_statistics_say_why_nothing_shows_and_what_would(world) -> None:
    html = Client().get("/public/statistics/").content.decode()
    assert "目前符合统计范围的案件不足5件" in html
    assert "合计达到5件后，将按处理结论、启动方式、办结年度和省份显示件数和占比" in html
