"""The workbench's edit verbs: each returns a new document that still loads, refuses bad input with an EditError
naming the field (path and Chinese), and never changes its argument."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest

from rongcuo.policy import authoring as A
from rongcuo.policy.authoring import EditError
from rongcuo.policy.evaluate import evaluate
from rongcuo.policy.loader import load_policy_text, policies_dir


@pytest.fixture
def jiangsu() -> dict:
    return A.from_yaml((policies_dir() / "jiangsu-2017.yaml").read_text(encoding="utf-8"))


@pytest.fixture
def blank() -> dict:
    return A.blank_document("demo-draft", "示范容错纠错办法", "530524", "昌宁县", "2024", dt.date(2024, 1, 1))


def loads(doc: dict):  # type: ignore[no-untyped-def]
    return load_policy_text(A.to_yaml(doc), "draft.yaml")


def last(doc: dict) -> dict:
    return doc["versions"][-1]


def refused(fn: Any, subject: Any, *args: Any, field: str, words: str, **kwargs: Any) -> EditError:
    before = copy.deepcopy(subject)
    with pytest.raises(EditError) as info:
        fn(subject, *args, **kwargs)
    assert info.value.field == field, info.value.message
    assert words in info.value.message, info.value.message
    assert subject == before  # a refused edit leaves the argument as it was
    return info.value


def done(fn: Any, doc: dict, *args: Any, **kwargs: Any) -> dict:
    before = copy.deepcopy(doc)
    out = fn(doc, *args, **kwargs)
    assert doc == before and out is not doc  # pure: the argument is never changed
    loads(out)
    return out


SITUATION = {"id": "s_park", "ref": "办法·第五条", "text": "在园区改革试点中先行先试出现失误的",
             "when": "exploratory_reform and pre_filed"}


# --- documents ------------------------------------------------------------------------------------------------


def test_blank_document_loads_and_asks_for_citations(blank: dict) -> None:
    policy = loads(blank)
    assert policy.id == "demo-draft" and policy.versions[0].base is not None
    assert A.from_yaml(A.to_yaml(blank)) == blank


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("Demo", "题", "530524", "县", "1", dt.date(2024, 1, 1)), "id"),
        (("demo", "", "530524", "县", "1", dt.date(2024, 1, 1)), "title"),
        (("demo", "题", "5305", "县", "1", dt.date(2024, 1, 1)), "jurisdiction.code"),
        (("demo", "题", "530524", " ", "1", dt.date(2024, 1, 1)), "jurisdiction.name"),
        (("demo", "题", "530524", "县", "", dt.date(2024, 1, 1)), "version"),
        (("demo", "题", "530524", "县", "1", "2024-02-30"), "effective_from"),
    ],
)
def test_blank_document_refuses_bad_particulars(args: tuple, field: str) -> None:
    with pytest.raises(EditError) as info:
        A.blank_document(*args)
    assert info.value.field == field and info.value.message


def test_revision_closes_the_previous_version(jiangsu: dict) -> None:
    doc = done(A.revision_document, jiangsu, "2025", dt.date(2025, 3, 1))
    assert [v["version"] for v in doc["versions"]] == ["2017", "2025"]
    assert doc["versions"][0]["effective"]["to"] == dt.date(2025, 2, 28)
    assert last(doc)["effective"] == {"from": dt.date(2025, 3, 1), "to": None}
    assert last(doc)["situations"] == jiangsu["versions"][0]["situations"]
    assert "document_number" not in last(doc) and last(doc)["source"] == {}
    policy = loads(doc)
    assert policy.version_on(dt.date(2025, 3, 1)).version == "2025"
    refused(A.revision_document, jiangsu, "2017", dt.date(2025, 3, 1), field="version", words="已有")
    refused(A.revision_document, jiangsu, "2016", dt.date(2016, 3, 1), field="effective_from", words="应晚于")


def test_derived_document_takes_the_parent_content_not_its_identity(jiangsu: dict) -> None:
    doc = done(A.derived_document, jiangsu, "2017", "jiangsu-nanjing-jiangning", "江宁区容错纠错办法", "320115",
               "江苏省南京市江宁区", "2024", dt.date(2024, 5, 1))
    v, p = last(doc), jiangsu["versions"][0]
    for key in ("articles", "conditions", "situations", "exclusions", "outcomes", "readings", "result_use",
                "procedure", "base", "open_situations"):
        assert v[key] == p[key]
    assert v["source"] == {} and "document_number" not in v and v["effective"]["from"] == dt.date(2024, 5, 1)
    with pytest.raises(EditError) as info:
        A.derived_document(jiangsu, "2099", "x-y", "题", "320115", "江宁区", "1", dt.date(2024, 1, 1))
    assert info.value.field == "parent_version" and "2017" in info.value.message


# --- rule nodes -----------------------------------------------------------------------------------------------


def test_put_node_adds_and_the_rule_decides(jiangsu: dict) -> None:
    doc = done(A.put_node, jiangsu, "situations", SITUATION)
    assert [n["id"] for n in last(doc)["situations"]] == ["s_reform_no_precedent", "s_park"]
    v = loads(doc).versions[0]
    facts = {"public_interest": True, "collective_decision": True, "exploratory_reform": True, "pre_filed": True,
             "violates_discipline_or_law": False, "defied_explicit_ban": False, "private_gain": False,
             "intentional": False, "major_incident": False}
    assert evaluate(v, facts).outcome == "exempt"
    assert evaluate(loads(jiangsu).versions[0], facts).outcome == "undetermined"  # open list without s_park


def test_put_node_replaces_in_place_and_renames_follow(jiangsu: dict) -> None:
    doc = A.put_node(jiangsu, "situations", SITUATION, position=0)
    assert last(doc)["situations"][0]["id"] == "s_park"
    doc = A.put_node(doc, "outcomes", {"id": "o_park", "ref": "办法·第五条", "text": "",
                                       "when": "s_park and not excluded", "outcome": "mitigate",
                                       "dispositions": ["从轻处理"]}, position=0)
    doc = A.put_reading(doc, "办法·第五条", "园区试点另列一项", node="s_park")
    renamed = done(A.put_node, doc, "situations", {**SITUATION, "id": "s_pilot"}, old_id="s_park")
    v = last(renamed)
    assert [n["id"] for n in v["situations"]] == ["s_pilot", "s_reform_no_precedent"]
    assert v["outcomes"][0]["when"] == "s_pilot and not excluded"
    assert v["readings"][-1]["node"] == "s_pilot"


@pytest.mark.parametrize(
    ("group", "node", "field", "words"),
    [
        ("situations", {**SITUATION, "when": "exploratory_reform and foo"}, "situations[s_park].when",
         "情形 s_park 的成立条件：未知事实 foo"),
        ("situations", {**SITUATION, "when": "exploratory_reform and ("}, "situations[s_park].when", "语法错误"),
        ("situations", {**SITUATION, "when": "exploratory_reform or tolerable"}, "situations[s_park].when",
         "不能引用规则编号或组名 tolerable"),
        ("situations", {**SITUATION, "when": ""}, "situations[s_park].when", "不能为空"),
        ("situations", {**SITUATION, "id": "S-Park"}, "situations[S-Park].id", "不合格式"),
        ("situations", {**SITUATION, "id": "c_public_spirited"}, "situations[c_public_spirited].id", "已被容错条件"),
        ("situations", {**SITUATION, "id": "lacks_precedent"}, "situations[lacks_precedent].id", "与事实名相同"),
        ("situations", {**SITUATION, "id": "tolerable"}, "situations[tolerable].id", "保留编号"),
        ("situations", {**SITUATION, "id": "rl_private_gain"}, "situations[rl_private_gain].id", "共同红线"),
        ("situations", {**SITUATION, "ref": " "}, "situations[s_park].ref", "情形 s_park 的条款出处：不能为空"),
        ("situations", {**SITUATION, "text": ""}, "situations[s_park].text", "不能为空"),
        ("situations", {**SITUATION, "text": "甲\x00乙"}, "situations[s_park].text", "空字符"),
        ("situations", {**SITUATION, "text": "甲\u2066乙"}, "situations[s_park].text", "文字方向控制符"),
        ("situations", {**SITUATION, "text": "长" * 20_001}, "situations[s_park].text", "过长"),
        ("situations", {**SITUATION, "ref": "第一条\n第二条"}, "situations[s_park].ref", "换行"),
        ("situations", {**SITUATION, "extra": 1}, "situations[s_park]", "不认识的字段 extra"),
        ("groups", SITUATION, "group", "未知的组"),
        ("outcomes", {"id": "o_x", "ref": "办法", "when": "s_nope", "outcome": "exempt", "dispositions": ["免予问责"]},
         "outcomes[o_x].when", "不认识 s_nope"),
        ("outcomes", {"id": "o_x", "ref": "办法", "when": "exploratory_reform", "outcome": "exempt",
                      "dispositions": ["免予问责"]}, "outcomes[o_x].when", "不认识 exploratory_reform"),
        ("outcomes", {"id": "o_x", "ref": "办法", "when": "tolerable", "outcome": "maybe",
                      "dispositions": ["免予问责"]}, "outcomes[o_x].outcome", "结论规则 o_x 的结论"),
        ("outcomes", {"id": "o_x", "ref": "办法", "when": "tolerable", "outcome": "mitigate",
                      "dispositions": ["从轻处理", "免予问责"]}, "outcomes[o_x].dispositions", "不能包含免予问责"),
        ("outcomes", {"id": "o_x", "ref": "办法", "when": "tolerable", "outcome": "exempt", "dispositions": ["原谅"]},
         "outcomes[o_x].dispositions", "未知的处理方式「原谅」"),
        ("outcomes", {"id": "o_x", "ref": "办法", "when": "tolerable", "outcome": "exempt", "dispositions": []},
         "outcomes[o_x].dispositions", "至少选一种"),
    ],
)
def test_put_node_refuses(jiangsu: dict, group: str, node: dict, field: str, words: str) -> None:
    refused(A.put_node, jiangsu, group, node, field=field, words=words)


def test_put_node_other_refusals(jiangsu: dict) -> None:
    refused(A.put_node, jiangsu, "situations", SITUATION, old_id="s_nope", field="situations[s_nope]",
            words="没有这条规则")
    refused(A.put_node, jiangsu, "situations", SITUATION, position=5, field="situations[s_park].position",
            words="应为 0 至 1")
    outcome = {"id": "o_x", "ref": "办法", "when": "tolerable and rl_private_gain", "outcome": "exempt",
               "dispositions": ["免予问责"]}
    assert last(done(A.put_node, jiangsu, "outcomes", outcome))["outcomes"][-1]["id"] == "o_x"  # a red line is known


def test_remove_node(jiangsu: dict) -> None:
    doc = A.put_node(jiangsu, "situations", SITUATION)
    out = done(A.remove_node, doc, "situations", "s_park")
    assert out == jiangsu
    refused(A.remove_node, jiangsu, "exclusions", "x_nope", field="exclusions[x_nope]", words="没有这条规则")
    refused(A.remove_node, jiangsu, "exclusions", "x_major_incident", field="exclusions[x_major_incident]",
            words="解读说明")
    refused(A.remove_node, jiangsu, "outcomes", "o_tolerate", field="outcomes[o_tolerate]", words="至少要有一条")
    doc = A.put_node(doc, "outcomes", {"id": "o_park", "ref": "办法", "when": "s_park", "outcome": "exempt",
                                       "dispositions": ["免予问责"]})
    refused(A.remove_node, doc, "situations", "s_park", field="situations[s_park]", words="结论规则 o_park")


# --- articles -------------------------------------------------------------------------------------------------


def test_put_article_adds_replaces_and_renames_citations(jiangsu: dict) -> None:
    doc = done(A.put_article, jiangsu, "办法·第五条", "在园区改革试点中……", verified=False, note="措辞取自报道")
    assert last(doc)["articles"][-1] == {"ref": "办法·第五条", "verified": False, "text": "在园区改革试点中……"}
    assert last(doc)["readings"][-1] == {"ref": "办法·第五条", "note": "措辞取自报道"}
    old = "实施意见·容错条件与情形"
    doc = A.put_node(doc, "situations", {**SITUATION, "ref": old + "（园区）"})
    renamed = done(A.put_article, doc, "实施意见·第三条", "原文", verified=True, old_ref=old)
    v = last(renamed)
    assert v["articles"][0]["ref"] == "实施意见·第三条"  # kept its place
    assert v["situations"][-1]["ref"] == "实施意见·第三条（园区）"
    assert v["readings"][1]["ref"] == "实施意见·第三条"
    # a longer article ref that also begins the citation is the one cited: its citations do not move
    assert v["conditions"][0]["ref"] == "实施意见·容错条件（出以公心）"
    commentary = next(a for a in v["articles"] if a["ref"] == "省委组织部解读·研判维度")
    assert commentary["kind"] == "commentary"
    ref = "省委组织部解读·研判维度"
    kept = done(A.put_article, renamed, ref, "新", verified=False, old_ref=ref)
    assert next(a for a in last(kept)["articles"] if a["ref"] == ref)["kind"] == "commentary"


def test_put_article_refusals(jiangsu: dict) -> None:
    refused(A.put_article, jiangsu, "实施意见·容错处理", "x", verified=True, field="articles[实施意见·容错处理].ref",
            words="已有同一出处")
    refused(A.put_article, jiangsu, "第一条", "", verified=True, field="articles[第一条].text", words="不能为空")
    refused(A.put_article, jiangsu, "第一条", "x", verified="yes", field="articles[第一条].verified", words="是或否")
    refused(A.put_article, jiangsu, "第一条", "x", verified=True, old_ref="第九条", field="articles[第九条]",
            words="没有这一条")
    refused(A.put_article, jiangsu, "第一条", "x", verified=True, kind="note", field="articles[第一条].kind",
            words="commentary")


def test_remove_article(jiangsu: dict) -> None:
    doc = A.put_article(jiangsu, "办法·附则", "本办法自印发之日起施行。", verified=True)
    assert done(A.remove_article, doc, "办法·附则") == jiangsu
    error = refused(A.remove_article, jiangsu, "实施意见·容错处理", field="articles[实施意见·容错处理]",
                    words="结论规则 o_tolerate")
    assert "引用了这一条" in error.message
    refused(A.remove_article, jiangsu, "第九条", field="articles[第九条]", words="没有这一条")


# --- local facts, readings ------------------------------------------------------------------------------------


def test_local_facts(jiangsu: dict) -> None:
    doc = done(A.put_fact, jiangsu, "park_pilot", "园区试点", "是否属于经批准的园区改革试点事项？")
    doc = A.put_node(doc, "situations", {**SITUATION, "when": "park_pilot and exploratory_reform"})
    renamed = done(A.put_fact, doc, "zone_pilot", "园区试点", "是否属于经批准的园区改革试点事项？", old_id="park_pilot")
    assert list(last(renamed)["facts"]) == ["zone_pilot"]
    assert last(renamed)["situations"][-1]["when"] == "zone_pilot and exploratory_reform"
    refused(A.remove_fact, renamed, "zone_pilot", field="facts[zone_pilot]", words="情形 s_park")
    refused(A.put_fact, jiangsu, "private_gain", "私利", "是否？", field="facts[private_gain].id", words="要件库已有")
    refused(A.put_fact, jiangsu, "Park", "园区", "是否？", field="facts[Park].id", words="不合格式")
    refused(A.put_fact, jiangsu, "park", "park", "是否？", field="facts[park].label", words="中文")
    refused(A.put_fact, jiangsu, "park", "园区", "", field="facts[park].question", words="不能为空")
    refused(A.put_fact, jiangsu, "o_tolerate", "园区", "是否？", field="facts[o_tolerate].id", words="规则编号")
    refused(A.put_fact, doc, "park_pilot", "园区", "是否？", field="facts[park_pilot].id", words="已声明")
    clean = done(A.put_fact, jiangsu, "park", "园区", "是否？")
    assert done(A.remove_fact, clean, "park") == {**jiangsu, "versions": [{**last(jiangsu), "facts": {}}]}


def test_readings(jiangsu: dict) -> None:
    n = len(last(jiangsu)["readings"])
    doc = done(A.put_reading, jiangsu, "实施意见·容错处理", "读作免予问责", node="o_tolerate")
    assert last(doc)["readings"][n] == {"ref": "实施意见·容错处理", "node": "o_tolerate", "note": "读作免予问责"}
    doc = done(A.put_reading, doc, "实施意见·容错处理", "改写", index=n)
    assert last(doc)["readings"][n] == {"ref": "实施意见·容错处理", "note": "改写"}
    assert done(A.remove_reading, doc, n) == jiangsu
    refused(A.put_reading, jiangsu, "x", "y", node="s_nope", field=f"readings[{n}].node", words="没有规则 s_nope")
    refused(A.put_reading, jiangsu, "x", "", field=f"readings[{n}].note", words="不能为空")
    refused(A.put_reading, jiangsu, "x", "y", index=99, field="readings[99]", words="没有第 100 条")
    refused(A.remove_reading, jiangsu, 99, field="readings[99]", words="没有第 100 条")


def test_opting_out_of_a_red_line_needs_its_reason(jiangsu: dict, blank: dict) -> None:
    refused(A.set_base, blank, "cn-common-red-lines", opt_out=["rl_intentional"], field="base.opt_out[0]",
            words="解读说明")
    doc = A.put_reading(blank, "办法", "本办法不以主观故意为红线", node="rl_intentional")
    out = done(A.set_base, doc, "cn-common-red-lines", opt_out=["rl_intentional"])
    assert last(out)["base"] == {"id": "cn-common-red-lines", "opt_out": ["rl_intentional"]}
    assert "rl_intentional" in loads(out).versions[0].opted_out
    refused(A.remove_reading, out, 0, field="readings[0]", words="不继承共同红线 rl_intentional")
    refused(A.put_reading, out, "办法", "改写", index=0, field="readings[0].node", words="不能去掉")
    assert last(done(A.set_base, out, "cn-common-red-lines", opt_out=[]))["base"] == "cn-common-red-lines"
    # jiangsu restates rl_intentional in its own words (base.cite): opting out of it is refused until that goes
    doc = A.put_reading(jiangsu, "实施意见", "理由", node="rl_intentional")
    refused(A.set_base, doc, "cn-common-red-lines", opt_out=["rl_intentional"], field="base.cite[3].node",
            words="所继承的共同红线规则")
    kept = done(A.set_base, jiangsu, "cn-common-red-lines")
    assert last(kept)["base"] == last(jiangsu)["base"]  # cite kept when not named
    refused(A.set_base, jiangsu, "cn-nope", field="base.id", words="找不到")
    refused(A.set_base, jiangsu, "cn-common-red-lines", opt_out=["rl_nope"], field="base.opt_out[0]", words="没有规则")
    assert last(done(A.set_base, jiangsu, "cn-common-red-lines", cite=[]))["base"] == "cn-common-red-lines"


# --- particulars ----------------------------------------------------------------------------------------------


def test_set_meta(jiangsu: dict) -> None:
    doc = done(A.set_meta, jiangsu, title="新题", issued_by="中共江苏省委", document_number="苏办发〔2017〕1号",
               issued="2017-06-01", effective_to=dt.date(2020, 12, 31), source_url="https://example.cn/a",
               source_note="", applies_by="most_favourable")
    v = last(doc)
    assert doc["title"] == "新题" and doc["issued_by"] == "中共江苏省委"
    assert v["document_number"] == "苏办发〔2017〕1号" and v["issued"] == dt.date(2017, 6, 1)
    assert v["effective"]["to"] == dt.date(2020, 12, 31) and v["applies_by"] == "most_favourable"
    assert v["source"] == {"url": "https://example.cn/a"}  # "" cleared the note
    cleared = done(A.set_meta, doc, document_number="", issued="", effective_to="")
    assert "document_number" not in last(cleared) and "issued" not in last(cleared)
    assert last(cleared)["effective"]["to"] is None


@pytest.mark.parametrize(
    ("kwargs", "field", "words"),
    [
        ({"title": ""}, "title", "办法名称：不能为空"),
        ({"issued_by": "\u202e"}, "issued_by", "文字方向控制符"),
        ({"issued": "2017-13-01"}, "issued", "不是有效日期"),
        ({"effective_from": "昨天"}, "effective_from", "不是有效日期"),
        ({"effective_to": dt.date(2016, 1, 1)}, "effective_to", "不能早于施行日期"),
        ({"source_url": "www.example.cn"}, "source_url", "http"),
        ({"completeness": "whole"}, "completeness", "complete"),
        ({"completeness_note": ""}, "completeness_note", "须写明"),
        ({"applies_by": "today"}, "applies_by", "从旧兼从优"),
        ({"effective_from": dt.datetime(2020, 1, 1, 8)}, "effective_from", "不含时间"),
    ],
)
def test_set_meta_refuses(jiangsu: dict, kwargs: dict, field: str, words: str) -> None:
    refused(A.set_meta, jiangsu, field=field, words=words, **kwargs)


def test_set_meta_refuses_an_overlap_with_an_earlier_version(jiangsu: dict) -> None:
    doc = A.revision_document(jiangsu, "2025", dt.date(2025, 1, 1))
    refused(A.set_meta, doc, effective_from=dt.date(2020, 1, 1), field="effective_from", words="重叠")
    refused(A.set_meta, doc, version="2017", field="version", words="另一版本")


def test_open_situations_and_otherwise(jiangsu: dict) -> None:
    refused(A.set_open_situations, jiangsu, None, field="open_situations", words="第 1 条解读说明")
    closed = done(A.set_open_situations, A.remove_reading(jiangsu, 0), None)
    assert "open_situations" not in last(closed)
    reopened = done(A.set_open_situations, closed, "意见·情形", "……等", "列举未尽")
    assert last(reopened)["open_situations"] == {"ref": "意见·情形", "text": "……等", "note": "列举未尽"}
    refused(A.set_open_situations, closed, "意见·情形", "……", "", field="open_situations.note", words="不能为空")
    doc = done(A.set_otherwise, jiangsu, ref="意见（反面解释）", outcome="not_tolerated", dispositions=["问责处理"])
    assert last(doc)["otherwise"]["ref"] == "意见（反面解释）"
    refused(A.set_otherwise, jiangsu, ref="x", outcome="exempt", dispositions=["问责处理"],
            field="otherwise.dispositions", words="没有一项属于")
    refused(A.set_otherwise, jiangsu, ref="", field="otherwise.ref", words="不能为空")


# --- result use and procedure ---------------------------------------------------------------------------------


def test_result_use(jiangsu: dict) -> None:
    rule = {"id": "r_cleared", "applies_to": "exempt", "ref": "办法·第九条", "text": "不作负面评价",
            "unaffected": ["appraisal"], "no_negative_evaluation": True}
    doc = done(A.put_result_use, jiangsu, rule, position=0)
    assert last(doc)["result_use"][0] == rule
    doc = done(A.put_result_use, doc, {**rule, "id": "r_clear"}, old_id="r_cleared")
    assert [r["id"] for r in last(doc)["result_use"]] == ["r_clear", "r_exempted", "r_lightened"]
    assert done(A.remove_result_use, doc, "r_clear") == jiangsu
    refused(A.put_result_use, jiangsu, {**rule, "unaffected": ["salary"]}, field="result_use[r_cleared].unaffected",
            words="未知的方面「salary」")
    refused(A.put_result_use, jiangsu, {**rule, "applies_to": "maybe"}, field="result_use[r_cleared].applies_to",
            words="结果运用 r_cleared 的适用的结论")
    refused(A.put_result_use, jiangsu, {**rule, "id": "r_exempted"}, field="result_use[r_exempted].id", words="已有")
    refused(A.put_result_use, jiangsu, {**rule, "influence_period": {"months": -1}},
            field="result_use[r_cleared].influence_period.months", words="不能为负数")
    refused(A.remove_result_use, jiangsu, "r_nope", field="result_use[r_nope]", words="没有")


def test_procedure(jiangsu: dict) -> None:
    step = {"stage": "application", "name": "申请", "ref": "办法·第十条", "text": "本人书面提出申请"}
    doc = done(A.put_procedure_step, jiangsu, step)
    doc = done(A.put_procedure_step, doc, {**step, "stage": "acceptance", "name": "受理"}, position=0)
    assert [s["name"] for s in last(doc)["procedure"]["steps"]] == ["受理", "申请"]
    doc = done(A.put_procedure_step, doc, {**step, "name": "提出申请"}, index=1)
    assert last(doc)["procedure"]["steps"][1]["name"] == "提出申请"
    doc = done(A.remove_procedure_step, doc, 0)
    assert done(A.remove_procedure_step, doc, 0)["versions"][0]["procedure"] == {**last(jiangsu)["procedure"],
                                                                                 "steps": []}
    refused(A.put_procedure_step, jiangsu, {**step, "stage": "tea"}, field="procedure.steps[0].stage",
            words="未知的环节")
    refused(A.put_procedure_step, jiangsu, {"stage": "application"}, field="procedure.steps[0].name", words="必填")
    refused(A.remove_procedure_step, jiangsu, 3, field="procedure.steps[3]", words="没有第 4 步")
    body = done(A.set_procedure_part, jiangsu, "deciding_body", {"name": "县纪委常委会", "ref": "办法·第十一条"})
    assert last(body)["procedure"]["deciding_body"] == {"name": "县纪委常委会", "ref": "办法·第十一条"}
    assert "proactive" not in last(done(A.set_procedure_part, jiangsu, "proactive", None))["procedure"]
    refused(A.set_procedure_part, jiangsu, "appeal", {"within": 0}, field="procedure.appeal.within", words="应为正数")
    refused(A.set_procedure_part, jiangsu, "deadlines", [{"stage": "tea", "within": 5, "unit": "days", "from": "受理"}],
            field="procedure.deadlines[0].stage", words="未知的环节")
    refused(A.set_procedure_part, jiangsu, "lunch", {}, field="procedure", words="未知的部分")


# --- the tests table ------------------------------------------------------------------------------------------


def test_tests_table(jiangsu: dict) -> None:
    tests = {"policy": "jiangsu-2017", "cases": []}
    row = {"name": "试点", "on": "2018-01-01", "facts": {"exploratory_reform": True, "private_gain": None},
           "expect": {"outcome": "undetermined", "decisive_facts": ["private_gain"]}}
    before = copy.deepcopy(tests)
    out = A.put_test(tests, row, doc=jiangsu)
    assert tests == before
    assert out["cases"][0] == {"name": "试点", "on": dt.date(2018, 1, 1),
                               "facts": {"exploratory_reform": True, "private_gain": None},
                               "expect": {"outcome": "undetermined", "decisive_facts": ["private_gain"]}}
    out2 = A.put_test(out, {**row, "name": "改名"}, index=0, doc=jiangsu)
    assert [c["name"] for c in out2["cases"]] == ["改名"]
    assert A.remove_test(out2, 0)["cases"] == []
    assert A.tests_from_yaml(A.tests_to_yaml(out2)) == out2
    bad = [
        ({**row, "name": ""}, "cases[0].name", "不能为空"),
        ({**row, "facts": {"zzz": True}}, "cases[0].facts", "未知事实 zzz"),
        ({**row, "facts": {"private_gain": "yes"}}, "cases[0].facts.private_gain", "是、否或未查明"),
        ({**row, "expect": {"outcome": "maybe"}}, "cases[0].expect.outcome", "待定（undetermined）"),
        ({**row, "expect": {"outcome": "exempt", "decisive_facts": ["zzz"]}}, "cases[0].expect.decisive_facts", "zzz"),
        ({**row, "expect": {"outcome": "exempt", "dispositions": ["原谅"]}}, "cases[0].expect.dispositions",
         "处理方式"),
        ({**row, "on": "明天"}, "cases[0].on", "不是有效日期"),
        ({**row, "colour": 1}, "cases[0]", "不认识的字段 colour"),
    ]
    for bad_row, field, words in bad:
        refused(A.put_test, tests, bad_row, doc=jiangsu, field=field, words=words)
    refused(A.remove_test, tests, 0, field="cases[0]", words="没有第 1 个用例")
    revision = A.revision_document(jiangsu, "2025", dt.date(2025, 1, 1))
    refused(A.put_test, tests, {**row, "on": None}, doc=revision, field="cases[0].on", words="多个版本")
    local = A.put_fact(jiangsu, "park", "园区", "是否？")
    refused(A.put_test, tests, {**row, "facts": {"park": True}}, field="cases[0].facts", words="未知事实 park")
    renamed = A.rename_fact_in_tests(A.put_test(tests, {**row, "facts": {"park": True},
                                                         "expect": {"outcome": "exempt", "decisive_facts": ["park"]}},
                                                doc=local), "park", "zone")
    assert renamed["cases"][0]["facts"] == {"zone": True}
    assert renamed["cases"][0]["expect"]["decisive_facts"] == ["zone"]
