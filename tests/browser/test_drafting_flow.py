"""A county drafter writes its measure in Chromium, from the province's, to a case evaluated under it.

江宁区's 规则起草人 derives from jiangsu-2017, adds a local fact (the live panel then warns it is read by no
rule), changes the situation to read it and adds a second situation (the warning goes), writes three test
cases that pass, and sends the draft to 意见征集; the drafter opens and closes the window, the decision
secretary adopts it; a new application in 江宁区 is evaluated under the adopted measure first; the library's
comparison page shows where it differs from the province. Screenshots under test-artifacts/screenshots/.
"""

from __future__ import annotations

import pytest

from rongcuo.cases import actions as case_actions
from rongcuo.consultation.models import Draft
from rongcuo.org.builders import make_cadre, make_unit
from tests.authoring.conftest import _user, drafters  # noqa: F401

from .test_flows import sign_in

pytestmark = pytest.mark.django_db(transaction=True)
NEW_ID = "jiangsu-nanjing-jiangning-2026"


def node_form(s, key: str):  # type: ignore[no-untyped-def]
    """The editor's form for `key`, its folded sections opened as the drafter opens them (click on 修改)."""
    form = s.page.locator(f"form:has(input[name=form][value='{key}'])")
    folded = s.page.locator(f"details:has(input[name=form][value='{key}']):not([open]) > summary")
    while folded.count():
        folded.first.click()
    return form


def saved(s) -> None:  # type: ignore[no-untyped-def]
    assert "/drafting/" in s.page.url and "操作已完成" in s.page.inner_text("body"), s.page.inner_text("main")[:800]


def add_test(s, name: str, facts: dict[str, str], outcome: str) -> None:  # type: ignore[no-untyped-def]
    row = s.page.locator("tr.new-row")
    row.locator("input[name=name]").fill(name)
    for fact, value in facts.items():
        row.locator(f"select[name=f_{fact}]").select_option(value)
    row.locator("select[name=outcome]").select_option(outcome)
    row.locator("button[type=submit]").click()
    saved(s)


def test_a_county_measure_from_the_province_to_a_case(drafters, open_session) -> None:  # noqa: F811
    s = open_session("drafter")
    sign_in(s, "drafter")

    # Start: derived from the province's measure.
    s.go("/drafting/new/")
    derive = s.page.locator("form:has(input[name=origin][value=derived])")
    derive.locator("select[name=parent_policy_id]").select_option("jiangsu-2017")
    derive.locator("input[name=policy_id]").fill(NEW_ID)
    derive.locator("input[name=title]").fill("南京市江宁区容错纠错实施办法（试行）")
    derive.locator("input[name=version]").fill("2026")
    derive.locator("input[name=effective_from]").fill("2026-01-01")
    derive.locator("button[type=submit]").click()
    assert "/drafting/" in s.page.url and "实时检查" in s.page.inner_text("body"), s.page.inner_text("main")[:800]
    s.shot("drafting-01-derived")

    # A local fact: the live panel warns that no rule reads it yet.
    fact = node_form(s, "fact:new")
    fact.locator("input[name=id]").fill("jn_pilot_zone")
    fact.locator("input[name=label]").fill("江宁开发区改革试点")
    fact.locator("input[name=question]").fill("失误是否发生在江宁开发区承担的省级改革试点任务中？")
    fact.locator("button[type=submit]").click()
    saved(s)
    body = s.page.inner_text("body")
    assert "jn_pilot_zone" in body and "没有被任何规则使用" in body, body[:3000]
    s.shot("drafting-02-local-fact-warning")

    # Two situations: the inherited one now also covers the pilot zone, and a new one of the county's own.
    situation = node_form(s, "node:situations:s_reform_no_precedent")
    situation.locator("input[name=mode][value=text]").check()
    situation.locator("[name=when]").fill("(exploratory_reform and lacks_precedent) or jn_pilot_zone")
    situation.locator("button[type=submit]").click()
    saved(s)
    new = node_form(s, "node:situations:new")
    new.locator("input[name=id]").fill("s_emergency_reported")
    new.locator("[name=ref]").fill("江宁实施办法·第五条第（二）项")
    new.locator("[name=text]").fill("处置突发事件临机决断、事后及时报告的")
    new.locator("input[name=mode][value=text]").check()
    new.locator("[name=when]").fill("emergency_response and reported_afterwards")
    new.locator("button[type=submit]").click()
    saved(s)
    assert "没有被任何规则使用" not in s.page.inner_text("body")  # the finding is fixed

    # Three test cases, each passing.
    red = {"violates_discipline_or_law": "false", "defied_explicit_ban": "false", "private_gain": "false"}
    red |= {"intentional": "false", "major_incident": "false", "public_interest": "true"}
    add_test(s, "江宁开发区试点失误 → 免责", red | {"collective_decision": "true", "jn_pilot_zone": "true"}, "exempt")
    add_test(s, "谋取私利 → 不予容错", red | {"private_gain": "true"}, "not_tolerated")
    add_test(s, "是否属于试点未查明 → 待定", red | {"collective_decision": "true"}, "undetermined")
    tests = s.page.locator("table.tests").inner_text()
    assert tests.count("通过") >= 3 and "未通过" not in tests, tests
    s.shot("drafting-03-tests-and-checks")

    # To consultation, the window opened and closed by the drafter.
    send = node_form(s, "send")
    send.locator("[name=explanation]").fill("依据江苏省实施意见，结合江宁开发区承担的省级改革试点任务起草。")
    send.locator("button[type=submit]").click()
    assert "/consultation/" in s.page.url or "意见征集" in s.page.inner_text("body"), s.page.inner_text("main")[:800]
    draft = Draft.objects.filter(policy_id=NEW_ID).first()
    assert draft is not None, s.page.inner_text("main")[:1500]
    s.go(f"/consultation/{draft.pk}/")
    s.page.locator("form[action$='/publish/'] button[type=submit]").click()
    s.page.locator("form[action$='/close/'] button[type=submit]").click()
    s.shot("drafting-04-consultation-closed")

    # The decision secretary adopts it.
    sec = open_session("secretary")
    sign_in(sec, "secretary")
    sec.go(f"/consultation/{draft.pk}/")
    sec.page.fill("#a-decision", "区委常委会议审议通过（2026年第3次）")
    sec.page.locator("form[action$='/adopt/'] button[type=submit]").click()
    assert "已采纳" in sec.page.inner_text("body"), sec.page.inner_text("main")[:800]

    # A new case in 江宁区 is evaluated under the adopted measure first.
    unit = make_unit("320115", "南京市江宁区发展和改革委员会")
    cadre = make_cadre(unit, "陈立新", id_number="320115198506071234", phone="13800005678", position="科长")
    applicant = _user("jn_applicant", "applicant", cadre_id=cadre.pk)
    case = case_actions.submit_application(
        applicant,
        {"title": "开发区试点失误", "summary": "试点中出现失误", "statement": "本人申请", "conduct_date": "2026-03-02"},
    )
    assert case.policies[0]["policy"] == NEW_ID
    handler = open_session("handler")
    sign_in(handler, "handler")
    handler.go(f"/cases/{case.pk}/")
    page = handler.page.inner_text("body")
    assert "南京市江宁区容错纠错实施办法（试行）" in page and "适用" in page, page[:2000]
    handler.shot("drafting-05-case-under-county-measure")

    # Where the county differs from the province.
    handler.go(f"/policies/diff/?a={NEW_ID}@2026&b=jiangsu-2017@2017")
    diff = handler.page.inner_text("body")
    assert "新增" in diff and "处置突发事件临机决断" in diff and "精确比较" in diff, diff[:2000]
    handler.shot("drafting-06-compared-with-province")
