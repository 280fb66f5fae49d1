"""A derived draft as an overlay on its parent version: exact round trip, review of a new parent version
(conflicts and inherited changes), and the draft moved onto it."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import pytest

from rongcuo.policy import authoring as A
from rongcuo.policy.evaluate import evaluate
from rongcuo.policy.loader import load_policy_text, policies_dir


def _doc(stem: str) -> dict:
    return A.from_yaml((policies_dir() / f"{stem}.yaml").read_text(encoding="utf-8"))


MEASURES = [p.stem for p in sorted(policies_dir().glob("*.yaml"))
            if not p.name.endswith(".test.yaml") and _doc(p.stem).get("kind") != "base"]


@pytest.fixture
def shandong() -> dict:
    return _doc("shandong-2017")


def _county(shandong: dict) -> dict:
    """A county measure under the province's: two situations changed, a local fact and a rule reading it."""
    doc = A.derived_document(shandong, "2017", "shandong-demo-county", "示范县容错纠错办法", "370124",
                             "山东省济南市平阴县", "2024", dt.date(2024, 3, 1))
    doc = A.set_meta(doc, issued_by="中共平阴县委", source_note="起草稿")
    pilot = next(n for n in doc["versions"][0]["situations"] if n["id"] == "s2_pilot_unintended")
    doc = A.put_node(doc, "situations", {**pilot, "when": "exploratory_reform and not intentional and pre_filed",
                                         "text": pilot["text"] + "（须事前报备）"}, old_id="s2_pilot_unintended")
    doc = A.put_fact(doc, "county_key_project", "县重点项目", "是否属于县委确定的重点项目？")
    doc = A.put_node(doc, "situations", {"id": "s_key_project", "ref": "办法·第六条",
                                         "text": "推进县重点项目中出现失误的",
                                         "when": "county_key_project and key_project_push"})
    return doc


def _new_parent(shandong: dict) -> dict:
    """A synthetic later version of the parent: the same situation changed, a condition reworded, an article added."""
    v = copy.deepcopy(shandong["versions"][0])
    v["version"] = "2025"
    v["effective"] = {"from": dt.date(2025, 1, 1), "to": None}
    for n in v["situations"]:
        if n["id"] == "s2_pilot_unintended":
            n["when"] = "exploratory_reform and not intentional and lacks_precedent"
    for n in v["conditions"]:
        if n["id"] == "c4_loss_retrieved":
            n["text"] = "主动挽回损失、消除不良影响的"
    v["articles"].append({"ref": "意见·附则", "verified": True, "text": "本意见自印发之日起施行。"})
    return v


def test_overlay_holds_only_the_changes(shandong: dict) -> None:
    doc = _county(shandong)
    parent = shandong["versions"][0]
    ov = A.overlay(parent, doc)
    assert set(ov["nodes"]) == {"situations:s2_pilot_unintended", "situations:s_key_project"}
    assert ov["nodes"]["situations:s2_pilot_unintended"]["op"] == "replace"
    assert ov["nodes"]["situations:s_key_project"]["op"] == "add"
    assert ov["facts"] == {"county_key_project": {"op": "add", "value": {"label": "县重点项目",
                                                                           "question": "是否属于县委确定的重点项目？"}}}
    assert ov["articles"] == {} and ov["readings"] is None and ov["result_use"] == {} and ov["procedure"] == {}
    assert set(ov["meta"]) <= {"version", "title", "effective", "issued", "document_number", "source"}
    assert ov["layout"] == {}
    assert A.apply_overlay(parent, ov, A.head_of(doc)) == doc
    summaries = [r["summary"] for r in A.describe_overlay(ov)]
    assert "本草案新增了容错情形 s_key_project（办法·第六条）" in summaries
    assert "本草案新增了本地事实 county_key_project（县重点项目）" in summaries


@pytest.mark.parametrize("parent_stem", ["jiangsu-2017", "shandong-2017", "cn-guidance-2018"])
@pytest.mark.parametrize("stem", MEASURES)
def test_apply_overlay_gives_the_document_back(parent_stem: str, stem: str) -> None:
    # any measure read as a "draft" of any other: the overlay is exact whatever the differences (order, absent
    # fields, different ids)
    parent = _doc(parent_stem)["versions"][-1]
    doc = _doc(stem)
    ov = A.overlay(parent, doc)
    assert A.apply_overlay(parent, ov, A.head_of(doc)) == doc
    assert A.rebase(parent, ov, A.head_of(doc)) == doc
    assert A.review_parent_change(parent, parent, ov) == []


def test_layout_records_order_and_absent_fields(shandong: dict) -> None:
    parent = shandong["versions"][0]
    doc = _county(shandong)
    v = doc["versions"][0]
    v["situations"] = list(reversed(v["situations"]))
    del v["mitigations"]
    v["facts"] = dict(reversed(list(v["facts"].items()))) | {"a_fact": {"label": "甲", "question": "是否？"}}
    ov = A.overlay(parent, doc)
    assert ov["layout"]["situations"] == ["s_key_project", "s3_unforeseeable", "s2_pilot_unintended"]
    assert ov["layout"]["mitigations"] is None
    back = A.apply_overlay(parent, ov, A.head_of(doc))
    assert back == doc and list(back["versions"][0]["facts"]) == list(v["facts"])
    assert [n["id"] for n in back["versions"][0]["situations"]] == [n["id"] for n in v["situations"]]


def test_review_of_a_new_parent_version(shandong: dict) -> None:
    old, new = shandong["versions"][0], _new_parent(shandong)
    doc = _county(shandong)
    ov = A.overlay(old, doc)
    rows = A.review_parent_change(old, new, ov)
    by_key = {(r["kind"], r["key"]): r for r in rows}
    assert set(by_key) == {("node", "situations:s2_pilot_unintended"), ("node", "conditions:c4_loss_retrieved"),
                           ("article", "意见·附则")}  # the parent's own version name and dates are not listed
    pilot = by_key[("node", "situations:s2_pilot_unintended")]
    assert pilot["conflict"] is True and rows[0] is pilot  # conflicts first
    assert pilot["draft"]["when"].endswith("pre_filed") and pilot["parent_new"]["when"].endswith("lacks_precedent")
    assert "上级办法修改了容错情形 s2_pilot_unintended" in pilot["summary"] and "须决定" in pilot["summary"]
    loss = by_key[("node", "conditions:c4_loss_retrieved")]
    assert loss["conflict"] is False and loss["same"] is False and "一并更新" in loss["summary"]
    assert by_key[("article", "意见·附则")]["op"] == "add" and not by_key[("article", "意见·附则")]["conflict"]


def test_rebase_keeps_the_draft_and_takes_the_rest(shandong: dict) -> None:
    old, new = shandong["versions"][0], _new_parent(shandong)
    doc = _county(shandong)
    ov = A.overlay(old, doc)
    rebased = A.rebase(new, ov, A.head_of(doc))
    v = rebased["versions"][0]
    mine = {n["id"]: n for n in doc["versions"][0]["situations"]}
    assert {n["id"]: n for n in v["situations"]} == mine  # the draft's situations win
    assert next(n for n in v["conditions"] if n["id"] == "c4_loss_retrieved")["text"] == "主动挽回损失、消除不良影响的"
    assert v["articles"][-1]["ref"] == "意见·附则"
    assert v["version"] == "2024" and v["effective"]["from"] == dt.date(2024, 3, 1)  # the draft's own identity
    assert v["facts"] == doc["versions"][0]["facts"]
    policy = load_policy_text(A.to_yaml(rebased), "rebased.yaml")
    facts = {"exploratory_reform": True, "intentional": False, "pre_filed": True, "no_explicit_restriction": True,
             "remedied": True, "collective_decision": True, "violates_discipline_or_law": False,
             "defied_explicit_ban": False, "private_gain": False}
    assert evaluate(policy.versions[0], facts).outcome == "exempt"
    # after the rebase the draft overrides only what it changed itself
    again = A.overlay(new, rebased)
    assert set(again["nodes"]) == {"situations:s2_pilot_unintended", "situations:s_key_project"}


def test_a_draft_making_the_parent_change_itself_is_not_a_conflict(shandong: dict) -> None:
    old, new = shandong["versions"][0], _new_parent(shandong)
    doc = A.derived_document(shandong, "2017", "shandong-demo-county", "题", "370124", "平阴县", "1",
                             dt.date(2024, 1, 1))
    doc = A.put_article(doc, "意见·附则", "本意见自印发之日起施行。", verified=True)
    rows = A.review_parent_change(old, new, A.overlay(old, doc))
    row = next(r for r in rows if r["kind"] == "article")
    assert row["same"] is True and row["conflict"] is False and "同样的改动" in row["summary"]


def test_overlay_does_not_change_its_arguments(shandong: dict) -> None:
    doc = _county(shandong)
    parent = shandong["versions"][0]
    before = copy.deepcopy((parent, doc))
    ov = A.overlay(parent, doc)
    ov_before = copy.deepcopy(ov)
    out = A.apply_overlay(parent, ov, A.head_of(doc))
    out["versions"][0]["situations"].clear()
    A.review_parent_change(parent, _new_parent(shandong), ov)
    assert (parent, doc) == before and ov == ov_before


def test_measure_list_is_not_empty() -> None:
    assert len(MEASURES) >= 10 and Path(policies_dir()).is_dir()
