"""政策库 pages: the list, one policy article by article, one set of facts across places, and the diff."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pyotp
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from rongcuo.accounts import totp
from rongcuo.cases import actions
from rongcuo.core import crypto
from rongcuo.policy import Library
from rongcuo.web.views import library

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

# Everything cleared except 惠及群众: 琼海 (a 「四条底线」 condition) refuses, 江苏 (no such condition) exempts.
CLEARED = {
    "violates_discipline_or_law": "false",
    "private_gain": "false",
    "defied_explicit_ban": "false",
    "intentional": "false",
    "collusion": "false",
    "harms_public_interest": "false",
    "major_incident": "false",
    "repeat_error": "false",
    "refuses_correction": "false",
    "superior_decision_illegal": "false",
    "public_interest": "true",
    "diligent": "true",
    "collective_decision": "true",
    "procedure_compliant": "true",
    "remedied": "true",
    "cooperated": "true",
    "benefits_public": "false",
    "exploratory_reform": "true",
    "lacks_precedent": "true",
    "no_explicit_restriction": "true",
    "major_loss": "false",
}


def signed_in(user, enrol: bool = True) -> Client:
    c = Client()
    if enrol and totp.needs_second_factor(user):
        totp.start_enrolment(user)
        user.totp_enabled = True
        user.save()
    r = c.post("/login/", {"username": user.username, "password": PASSWORD})
    if r.status_code == 302 and r["Location"].startswith("/login/totp"):
        code = pyotp.TOTP(crypto.decrypt(user.totp_secret_enc)).now()
        r = c.post("/login/totp/", {"code": code})
    assert r.status_code == 302, r.content[:300]
    return c


def make_case(w, title: str = "土地流转试点失误"):
    return actions.submit_application(
        w.applicant,
        {"title": title, "summary": "推进改革试点中出现失误", "statement": "申请容错", "conduct_date": "2023-05-01"},
    )


def no_external_urls(page: str) -> None:
    assert not re.search(r"""(?:src|href|action)\s*=\s*["']?\s*(?:https?:)?//""", page, re.I), "external URL in page"


def test_pages_need_sign_in(world) -> None:
    for url in ("/policies/", "/policies/jiangsu-2017/", "/policies/compare/", "/policies/diff/"):
        r = Client().get(url)
        assert r.status_code == 302 and "/login/" in r["Location"]


def test_nav_shows_the_library(world) -> None:
    page = signed_in(world.applicant).get("/").content.decode()
    assert 'href="/policies/"' in page and "政策库" in page


def test_list_with_level_filter(world) -> None:
    c = signed_in(world.handler)
    page = c.get("/policies/").content.decode()
    ids = Library.default().ids()
    assert all(pid in page for pid in ids)
    assert "海南省琼海市" in page and "部分条款" in page and "完整" in page
    no_external_urls(page)
    province = c.get("/policies/?level=province").content.decode()
    assert "jiangsu-2017" in province and "shandong-2017" in province
    assert "hainan-qionghai-2018" not in province and "cn-guidance-2018" not in province
    county = c.get("/policies/?level=county").content.decode()
    assert "hainan-qionghai-2018" in county and "jiangsu-2017" not in county


def test_place_levels() -> None:
    assert [library.place_level(c) for c in ("000000", "320000", "440300", "469002")] == [
        "central",
        "province",
        "city",
        "county",
    ]


def test_policy_article_by_article(world) -> None:
    c = signed_in(world.investigator)
    r = c.get("/policies/hainan-qionghai-2018/")
    assert r.status_code == 200
    page = r.content.decode()
    no_external_urls(page)
    # article text, its 「措辞未经核实」 badge, the rules citing it with their group labels and tests in fact labels
    assert "加速推进工作中简化审批程序出现过失的" in page
    assert "措辞未经核实" in page
    assert "办法·容错免责情形（2）" in page and "s2_simplified_approval" in page
    assert "容错条件" in page and "容错情形" in page and "不予容错情形" in page
    assert "「出于公心」且「勤勉尽责」且「简化审批」" in page
    assert "解读说明" in page and "四条底线中" in page
    # outcome rules, result use and procedure
    assert "处理结论" in page and "免除相关责任" in page
    assert "结果运用" in page and "党风廉政意见回复" in page
    assert "程序" in page and "申诉" in page
    # the article a rule sits under: 容错免责情形（1） is listed after the article 办法·容错免责情形
    arts, loose = library.articles_with_rules(Library.default().get("hainan-qionghai-2018").latest())
    by_ref = {a.ref: [n.id for n in a.nodes] for a in arts}
    assert "s1_not_prohibited" in by_ref["办法·容错免责情形"]
    # 「办法·四条底线」 is no article's ref: the rules go under the article whose text sets out 四条底线
    assert {"c_benefits_public", "c_collective_decision"} <= set(by_ref["办法·容错免责条件"])
    # 「不触犯法律」「不谋取私利」 are the red lines inherited from cn-common-red-lines (cited beside 办法·四条底线):
    # they cite the base's documents, so they are listed under 「引用其他条款或文件的规则」
    assert [n.id for n in loose] == ["rl_discipline_law", "rl_intentional", "rl_defied_ban", "rl_private_gain"]


def test_articles_cited_by_procedure_link_to_it(world) -> None:
    page = signed_in(world.handler).get("/policies/yunnan-changning-2016/").content.decode()
    assert "实施意见·认定程序" in page and '另见：<a href="#proc-h">程序</a>' in page
    assert 'id="proc-h"' in page


def test_partial_policy_note_and_version_choice(world) -> None:
    c = signed_in(world.handler)
    page = c.get("/policies/jiangsu-2017/").content.decode()
    assert "条文完整性说明（部分条款）" in page
    assert "2017" in c.get("/policies/jiangsu-2017/?version=2017").content.decode()
    page = c.get("/policies/jiangsu-2017/?on=2001-01-01").content.decode()
    assert "没有有效版本" in page
    assert c.get("/policies/no-such-policy/").status_code == 404


def test_article_matching() -> None:
    refs = ["第三条", "第三条第一款", "意见·容错条件与情形"]
    assert library.article_for("第三条第一款第（二）项", refs) == "第三条第一款"
    assert library.article_for("第三条（一）", refs) == "第三条"
    assert library.article_for("意见·容错条件（出以公心）", refs) == "意见·容错条件与情形"
    assert library.article_for("第十条", refs) is None
    assert library.article_for("", refs) is None
    texts = {"意见·容错条件与情形": "守住四条底线"}
    assert library.article_for("意见·四条底线", refs, texts) == "意见·容错条件与情形"
    assert library.article_for("另一文件·四条底线", refs, texts) is None


def test_compare_places_disagree(world) -> None:
    c = signed_in(world.handler)
    query = urlencode({**CLEARED, "on": "2024-06-01", "p": ["hainan-qionghai-2018", "jiangsu-2017"]}, doseq=True)
    r = c.get(f"/policies/compare/?{query}")
    assert r.status_code == 200
    rows = {row["v"].policy.id: row for row in r.context["results"]}
    assert rows["hainan-qionghai-2018"]["outcome"] == "not_tolerated"
    assert rows["jiangsu-2017"]["outcome"] == "exempt"
    page = r.content.decode()
    assert "各地结论不一致" in page
    assert "江苏省容许（免予问责），海南省琼海市不容许（不予容错）" in page
    assert "办法·四条底线" in page  # the cited rule of the refusal
    no_external_urls(page)
    # the form keeps the answers: 惠及群众 否 is checked
    assert re.search(r'name="benefits_public" value="false" checked', page)


def test_compare_defaults_and_questions(world) -> None:
    c = signed_in(world.handler)
    page = c.get("/policies/compare/").content.decode()
    assert "未查明" in page and "红线（不予容错情形）" in page and "后果" in page
    assert "比较结果" not in page  # nothing asked yet
    r = c.get("/policies/compare/?on=2024-06-01")
    results = r.context["results"]
    day = r.context["on"]
    in_force = [p for p in Library.default().policies.values() if any(v.in_force_on(day) for v in p.versions)]
    assert len(results) == len(in_force) > 5
    assert all(x["outcome"] == "undetermined" for x in results)
    assert "下一步需要查明" in r.content.decode() and results[0]["questions"]


def test_disagreement_sentence() -> None:
    rows = [
        {"outcome": "exempt", "place": "甲地"},
        {"outcome": "not_tolerated", "place": "乙地"},
        {"outcome": "exempt", "place": "甲地"},
    ]
    assert library.disagreement(rows) == "甲地容许（免予问责），乙地不容许（不予容错）。"
    assert library.disagreement(rows[:1]) == ""


def test_compare_loads_a_visible_case_only(world) -> None:
    w = world
    case = make_case(w)
    actions.transition(w.unit_reviewer, case.pk, "endorse", {"discussion": "d", "opinion": "o"})
    actions.transition(w.handler, case.pk, "accept", {})
    actions.set_fact(w.investigator, case.pk, {"fact": "private_gain", "value": False, "comment": "核实"})
    c = signed_in(w.investigator)
    r = c.get(f"/policies/compare/?case={case.pk}")
    assert r.status_code == 200
    page = r.content.decode()
    assert case.number in page and re.search(r'name="private_gain" value="false" checked', page)
    assert r.context["on"].isoformat() == "2023-05-01"  # the conduct date
    assert c.get(f"/policies/compare/?case={case.number}").status_code == 200
    assert signed_in(w.outsider).get(f"/policies/compare/?case={case.pk}").status_code == 404
    assert c.get("/policies/compare/?case=999999").status_code == 404
    assert c.get("/policies/compare/?case=x").status_code == 404


def test_compare_query_count_does_not_grow(world) -> None:
    w = world
    cases = [make_case(w, f"试点失误{i}") for i in range(3)]
    c = signed_in(w.handler)
    url = f"/policies/compare/?case={cases[0].pk}&" + urlencode(CLEARED)

    def count() -> int:
        c.get(url)  # warm
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(url).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for i in range(17):
        make_case(w, f"更多失误{i}")
    assert count() == few


def test_diff_side_by_side(world) -> None:
    c = signed_in(world.handler)
    page = c.get("/policies/diff/").content.decode()
    assert "hainan-qionghai-2018@2018" in page  # the selects list every version
    r = c.get("/policies/diff/?a=hainan-qionghai-2018@2024-01-01&b=jiangsu-2017@2024-01-01")
    assert r.status_code == 200
    page = r.content.decode()
    no_external_urls(page)
    added = [row for g in r.context["groups"] for row in g["rows"] if row.kind == "added"]
    assert added and all(row.a is None and row.b is not None for row in added)
    assert "新增" in page and "删除" in page and f"〔{added[0].b.ref}〕" in page
    assert f"<code>{added[0].b.id}</code>" not in page  # rules are named by their article, not their node id
    assert "对应条款" in page and "改号" not in page  # two places: counterparts, not a renumbering
    assert "地区" in page and "海南省琼海市" in page and "江苏省" in page
    assert re.search(r'<option value="jiangsu-2017@2017" selected', page)


def test_diff_same_version_and_errors(world) -> None:
    c = signed_in(world.handler)
    r = c.get("/policies/diff/?a=jiangsu-2017@2017&b=jiangsu-2017@2017")
    assert r.status_code == 200 and "两者规则相同" in r.content.decode()
    assert all(row.kind == "same" for g in r.context["groups"] for row in g["rows"])
    assert c.get("/policies/diff/?a=nope@2017&b=jiangsu-2017").status_code == 400
    assert c.get("/policies/diff/?a=jiangsu-2017@1990-01-01&b=jiangsu-2017").status_code == 400
    # a path is never read as a rule file
    r = c.get("/policies/diff/?a=/etc/passwd@2017&b=jiangsu-2017")
    assert r.status_code == 400 and "root:" not in r.content.decode()


def test_added_node_in_a_later_version() -> None:
    """Two versions of one policy: a node present only in the later one is an added row on B's side."""
    from rongcuo.policy.loader import load_policy_text

    text = """
format: 1
id: demo-two
title: 演示办法
jurisdiction: {code: "320000", name: 江苏省}
issued_by: 演示
versions:
  - version: "一"
    effective: {from: 2020-01-01, to: 2020-12-31}
    source: {}
    completeness: complete
    applies_by: conduct_date
    conditions:
      - {id: c_public, ref: 第一条, text: 出于公心, when: public_interest}
    outcomes:
      - {id: o_ok, when: tolerable, outcome: exempt, dispositions: [免予问责]}
  - version: "二"
    effective: {from: 2021-01-01}
    source: {}
    completeness: complete
    applies_by: conduct_date
    conditions:
      - {id: c_public, ref: 第一条, text: 出于公心, when: public_interest}
      - {id: c_benefit, ref: 第二条, text: 惠及群众, when: benefits_public}
    outcomes:
      - {id: o_ok, when: tolerable, outcome: exempt, dispositions: [免予问责]}
"""
    p = load_policy_text(text, "demo.yaml")
    out = library.side_by_side(p.version_named("一"), p.version_named("二"))
    rows = next(g for g in out["groups"] if g["key"] == "conditions")["rows"]
    assert [(r.kind, r.a and r.a.id, r.b and r.b.id) for r in rows] == [
        ("same", "c_public", "c_public"),
        ("added", None, "c_benefit"),
    ]
    assert next(m for m in out["meta"] if m["label"] == "有效期")["differs"]
