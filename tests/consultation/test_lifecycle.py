"""意见征集 from draft to adoption, through the actions."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from django.utils import timezone

from rongcuo.audit.models import AuditRecord
from rongcuo.cases import actions as case_actions
from rongcuo.consultation import actions, export
from rongcuo.consultation.drafting import PolicyTextInvalid
from rongcuo.consultation.library import effective_library
from rongcuo.consultation.models import AdoptedPolicy, Draft
from rongcuo.core.errors import Conflict, Forbidden, Invalid, NotFound
from rongcuo.policy import Library, evaluate
from rongcuo.policy.applicable import version_for_case

from .helpers import QUESTIONNAIRE, draft_payload, dump, jiangsu, with_new_version

pytestmark = pytest.mark.django_db

FACTS = {  # tolerated from 2026 (exploratory reform alone); before, outside the one known situation
    "violates_discipline_or_law": False,
    "private_gain": False,
    "public_interest": True,
    "collective_decision": True,
    "exploratory_reform": True,
    "lacks_precedent": False,
    "intentional": False,
    "defied_explicit_ban": False,
    "major_incident": False,
    "superior_decision_illegal": False,
    "emergency_response": False,
}


def later(days: float) -> dt.datetime:
    return timezone.now() + dt.timedelta(days=days)


def published(w) -> Draft:
    draft, check = actions.create_draft(w.handler, draft_payload())
    assert draft.status == "draft" and draft.new_versions == ["2026"] and check.warnings == []
    return actions.publish_draft(w.handler, draft.pk, {"closes_at": later(30).isoformat()})


def end_window(draft: Draft) -> None:
    """Time passes: the closing time is now behind us."""
    Draft.objects.filter(pk=draft.pk).update(closes_at=timezone.now() - dt.timedelta(seconds=1))


def respond(draft: Draft, answers: dict, name: str = "", unit: str = ""):
    return actions.submit_response(draft.pk, {"answers": answers, "respondent_name": name, "respondent_unit": unit})


# --- drafting ---------------------------------------------------------------------------------------------------


def test_yaml_syntax_error_refused_with_line(world) -> None:
    text = "format: 1\nid: jiangsu-2017\ntitle: [未闭合\nversions: []\n"
    with pytest.raises(PolicyTextInvalid) as exc:
        actions.create_draft(world.handler, draft_payload(text))
    assert exc.value.field == "yaml_text" and exc.value.line is not None
    assert f"第{exc.value.line}行" in exc.value.message and "YAML" in exc.value.message
    assert not Draft.objects.exists()
    assert AuditRecord.objects.filter(action="consultation.draft", success=False).count() == 1


def test_schema_and_check_errors_name_the_line(world) -> None:
    data = with_new_version()
    data["versions"][1]["situations"][0]["wehn"] = "exploratory_reform"
    text = dump(data)
    with pytest.raises(PolicyTextInvalid) as exc:
        actions.create_draft(world.handler, draft_payload(text))
    wanted = next(i for i, line in enumerate(text.splitlines(), 1) if "wehn:" in line)
    assert exc.value.problems[0]["line"] in (wanted, wanted - 1)
    assert "不认识的字段" in exc.value.message
    # An error of the static checks (a rule without its citation) refuses too, with its line.
    data = with_new_version()
    data["versions"][1]["situations"][0]["ref"] = ""
    with pytest.raises(PolicyTextInvalid) as exc:
        actions.create_draft(world.handler, draft_payload(dump(data)))
    assert "缺少条款出处" in exc.value.message and exc.value.line is not None
    assert exc.value.to_dict()["problems"][0]["field"].startswith("versions[1].situations")
    # An unknown fact is a loader error with its line.
    data = with_new_version()
    data["versions"][1]["situations"][0]["when"] = "no_such_fact"
    with pytest.raises(PolicyTextInvalid) as exc:
        actions.create_draft(world.handler, draft_payload(dump(data)))
    assert "no_such_fact" in exc.value.message


def test_existing_versions_must_be_kept_and_one_added(world) -> None:
    with pytest.raises(Invalid) as exc:
        actions.create_draft(world.handler, draft_payload(dump(jiangsu())))
    assert "没有新增版本" in exc.value.message
    data = with_new_version()
    del data["versions"][0]
    data["versions"][0]["version"] = "2026"
    with pytest.raises(Invalid) as exc:
        actions.create_draft(world.handler, draft_payload(dump(data)))
    assert "删去了现行政策的版本 2017" in exc.value.message
    data = with_new_version()
    data["versions"][0]["effective"]["from"] = dt.date(2018, 1, 1)
    with pytest.raises(Invalid) as exc:
        actions.create_draft(world.handler, draft_payload(dump(data)))
    assert "施行日期不能更改" in exc.value.message
    with pytest.raises(Invalid) as exc:
        actions.create_draft(world.handler, draft_payload(policy_id="shandong-2017"))
    assert "不一致" in exc.value.message


def test_jurisdiction_and_roles(world) -> None:
    # 昌宁县's handler cannot draft 江苏's measure; an investigator of 江苏 cannot draft at all.
    for user in (world.outsider, world.investigator, world.secretary, world.sysadmin):
        with pytest.raises(Forbidden):
            actions.create_draft(user, draft_payload())
    draft, _ = actions.create_draft(world.handler, draft_payload())
    with pytest.raises(NotFound):
        actions.access_draft(world.outsider, draft.pk)
    with pytest.raises(NotFound):
        actions.access_draft(world.auditadmin, draft.pk)
    assert actions.access_draft(world.investigator, draft.pk).pk == draft.pk  # staff of the jurisdiction read it
    with pytest.raises(Forbidden):
        actions.publish_draft(world.investigator, draft.pk, {"closes_at": later(3).isoformat()})
    with pytest.raises(Forbidden):
        export.export(world.investigator, draft.pk, "csv")


def test_questionnaire_validation(world) -> None:
    bad = [
        ([], "questionnaire"),
        ([{"id": "q1", "text": "题", "kind": "single", "options": ["只有一个"]}], "questionnaire[0].options"),
        ([{"id": "q1", "text": "题", "kind": "rating"}], "questionnaire[0].kind"),
        (
            [{"id": "q1", "text": "题", "kind": "text"}, {"id": "q1", "text": "题", "kind": "text"}],
            "questionnaire[1].id",
        ),
        ([{"id": "q 1", "text": "题", "kind": "text"}], "questionnaire[0].id"),
        ([{"id": "q1", "text": "题", "kind": "text", "options": ["a", "b"]}], "questionnaire[0].options"),
        ([{"id": "q1", "text": "", "kind": "text"}], "questionnaire[0].text"),
    ]
    for questionnaire, field in bad:
        with pytest.raises(Invalid) as exc:
            actions.create_draft(world.handler, draft_payload(questionnaire=questionnaire))
        assert exc.value.field == field, (questionnaire, exc.value.message)


def test_revise_only_before_publication(world) -> None:
    draft, _ = actions.create_draft(world.handler, draft_payload())
    draft, _ = actions.update_draft(world.handler, draft.pk, {"title": "修订后的标题"})
    assert draft.title == "修订后的标题"
    with pytest.raises(PolicyTextInvalid):
        actions.update_draft(world.handler, draft.pk, {"yaml_text": "id: [\n"})
    with pytest.raises(Invalid) as exc:
        actions.publish_draft(world.handler, draft.pk, {})
    assert exc.value.field == "closes_at"
    with pytest.raises(Invalid) as exc:
        actions.publish_draft(world.handler, draft.pk, {"closes_at": later(-1).isoformat()})
    assert exc.value.field == "closes_at"
    actions.publish_draft(world.handler, draft.pk, {"closes_at": later(10).isoformat()})
    with pytest.raises(Conflict):
        actions.update_draft(world.handler, draft.pk, {"title": "再改"})
    with pytest.raises(Conflict):
        actions.publish_draft(world.handler, draft.pk, {"closes_at": later(10).isoformat()})


# --- responses ----------------------------------------------------------------------------------------------------


def test_named_and_anonymous_responses_inside_the_window_only(world) -> None:
    draft = published(world)
    assert list(actions.open_drafts()) == [draft]
    r1 = respond(draft, {"q1": "赞成", "q2": ["征地拆迁", "招商引资"], "q3": "建议细化"}, "李四", "某县发改局")
    r2 = respond(draft, {"q1": "赞成"})
    assert not r1.anonymous and r2.anonymous
    assert r1.answers["q2"] == ["招商引资", "征地拆迁"]  # kept in questionnaire order
    assert r2.answers == {"q1": "赞成"}
    end_window(draft)
    with pytest.raises(Forbidden) as exc:
        respond(draft, {"q1": "赞成"})
    assert exc.value.field == "window" and "截止" in exc.value.message
    assert draft.responses.count() == 2
    assert list(actions.open_drafts()) == []


def test_response_before_opening_and_on_unpublished_drafts(world) -> None:
    draft, _ = actions.create_draft(world.handler, draft_payload())
    with pytest.raises(NotFound):
        respond(draft, {"q1": "赞成"})
    actions.publish_draft(
        world.handler, draft.pk, {"opens_at": later(2).isoformat(), "closes_at": later(9).isoformat()}
    )
    with pytest.raises(Forbidden) as exc:
        respond(draft, {"q1": "赞成"})
    assert "开始" in exc.value.message
    assert list(actions.open_drafts()) == []
    with pytest.raises(NotFound):
        actions.submit_response("abc", {"answers": {"q1": "赞成"}})


def test_answer_validation(world) -> None:
    draft = published(world)
    bad = [
        ({"q2": ["招商引资"]}, "answers.q1"),  # required
        ({"q1": "也许"}, "answers.q1"),
        ({"q1": ["赞成"]}, "answers.q1"),
        ({"q1": "赞成", "q2": "招商引资"}, "answers.q2"),
        ({"q1": "赞成", "q2": ["招商引资", "招商引资"]}, "answers.q2"),
        ({"q1": "赞成", "q2": ["围填海"]}, "answers.q2"),
        ({"q1": "赞成", "q3": 5}, "answers.q3"),
        ({"q1": "赞成", "q3": "长" * 5001}, "answers.q3"),
        ({"q1": "赞成", "q9": "多余"}, "answers.q9"),
        ({"q1": "   "}, "answers.q1"),
    ]
    for answers, field in bad:
        with pytest.raises(Invalid) as exc:
            respond(draft, answers)
        assert exc.value.field == field, (answers, exc.value.message)
    with pytest.raises(Invalid) as exc:
        respond(draft, {"q1": "赞成"}, name="名" * 65)
    assert exc.value.field == "respondent_name"
    assert draft.responses.count() == 0


# --- export and summary -------------------------------------------------------------------------------------------


def test_exports_and_summary(world) -> None:
    draft = published(world)
    respond(draft, {"q1": "赞成", "q2": ["征地拆迁", "招商引资"], "q3": '=HYPERLINK("x")'}, "李四", "某县发改局")
    respond(draft, {"q1": "赞成", "q2": ["应急处置"]})
    respond(draft, {"q1": "不赞成", "q3": "建议明确负面清单"}, unit="某镇政府")

    out = export.export(world.handler, draft.pk, "csv")
    assert out.body.startswith(b"\xef\xbb\xbf") and out.filename.endswith(".csv")
    rows = list(csv.reader(io.StringIO(out.body.decode("utf-8-sig"))))
    assert rows[0][:4] == ["序号", "提交时间", "姓名", "单位"] and rows[0][4].startswith("q1. ")
    assert len(rows) == 4
    assert rows[1][2:] == ["李四", "某县发改局", "赞成", "招商引资；征地拆迁", '\'=HYPERLINK("x")']
    assert rows[2][2:] == ["（匿名）", "", "赞成", "应急处置", ""]
    assert rows[3][2:] == ["（匿名）", "某镇政府", "不赞成", "", "建议明确负面清单"]

    data = json.loads(export.export(world.handler, draft.pk, "json").body)
    assert [r["respondent_name"] for r in data["responses"]] == ["李四", None, None]
    assert data["responses"][1]["anonymous"] is True and data["questionnaire"] == QUESTIONNAIRE_CLEAN
    assert data["draft"]["new_versions"] == ["2026"]

    s = json.loads(export.export(world.secretary, draft.pk, "summary").body)
    assert (s["responses"], s["named"], s["anonymous"]) == (3, 1, 2)
    q1, q2, q3 = s["questions"]
    assert q1["options"] == [
        {"option": "赞成", "count": 2, "percent": 66.7},
        {"option": "不赞成", "count": 1, "percent": 33.3},
        {"option": "不确定", "count": 0, "percent": 0.0},
    ]
    assert (q2["answered"], q2["skipped"]) == (2, 1)
    assert {o["option"]: o["percent"] for o in q2["options"]} == {"招商引资": 50.0, "征地拆迁": 50.0, "应急处置": 50.0}
    assert q3["answers"] == ['=HYPERLINK("x")', "建议明确负面清单"]

    report = export.export(world.handler, draft.pk, "report").body.decode("utf-8")
    assert "调研报告" in report and "收回问卷 3 份，其中署名 1 份、匿名 2 份" in report
    assert "赞成：2 份，占 66.7%" in report and "建议明确负面清单" in report and "李四" not in report

    exports = AuditRecord.objects.filter(action="consultation.export", success=True)
    assert [json.loads(r.detail)["format"] for r in exports.order_by("seq")] == ["csv", "json", "summary", "report"]
    with pytest.raises(Invalid):
        export.export(world.handler, draft.pk, "xlsx")


QUESTIONNAIRE_CLEAN = [
    {**q, "options": q.get("options", []), "required": q.get("required", False)} for q in QUESTIONNAIRE
]


# --- adoption -----------------------------------------------------------------------------------------------------


def test_adopt_only_after_close_by_the_secretary(world) -> None:
    draft = published(world)
    with pytest.raises(Conflict) as exc:
        actions.adopt_draft(world.secretary, draft.pk, {"decision": "省委常委会议审议通过"})
    assert "结束后" in exc.value.message
    draft = actions.close_draft(world.handler, draft.pk)
    assert draft.state(timezone.now()) == "closed"
    with pytest.raises(Forbidden):
        actions.adopt_draft(world.handler, draft.pk, {"decision": "x"})
    with pytest.raises(NotFound):
        actions.adopt_draft(world.outsider, draft.pk, {"decision": "x"})
    with pytest.raises(Invalid) as exc:
        actions.adopt_draft(world.secretary, draft.pk, {"decision": ""})
    assert exc.value.field == "decision"
    adopted = actions.adopt_draft(world.secretary, draft.pk, {"decision": "省委常委会议审议通过"})
    assert adopted.policy_id == "jiangsu-2017" and Draft.objects.get(pk=draft.pk).status == "adopted"
    with pytest.raises(Conflict):
        actions.adopt_draft(world.secretary, draft.pk, {"decision": "再次"})
    actions_logged = set(AuditRecord.objects.filter(success=True).values_list("action", flat=True))
    assert {"consultation.draft", "consultation.publish", "consultation.close", "consultation.adopt"} <= actions_logged


def test_adopted_version_is_in_force(world, monkeypatch) -> None:
    before = effective_library()
    assert [v.version for v in before.get("jiangsu-2017").versions] == ["2017"]
    assert effective_library() is before  # cached while nothing is adopted
    draft = published(world)
    end_window(draft)  # the window ran out without an explicit close
    actions.adopt_draft(world.secretary, draft.pk, {"decision": "省委常委会议审议通过"})
    assert AdoptedPolicy.objects.count() == 1

    lib = effective_library()
    assert lib is not before
    policy = lib.get("jiangsu-2017")
    assert [v.version for v in policy.versions] == ["2017", "2026"]
    assert policy.version_on(dt.date(2026, 3, 1)).version == "2026"
    assert policy.version_on(dt.date(2023, 5, 1)).version == "2017"
    v = version_for_case(policy, conduct_date=dt.date(2026, 3, 1), decision_date=dt.date(2026, 6, 1))
    assert v.version == "2026" and evaluate(v, FACTS).outcome == "exempt"
    old = version_for_case(policy, conduct_date=dt.date(2023, 5, 1), decision_date=dt.date(2026, 6, 1))
    # the 2017 text is known in part (1 of its 8 situations): outside it the result is 待定, not 不予容错
    assert old.version == "2017" and evaluate(old, FACTS).outcome == "undetermined"
    assert set(lib.ids()) == set(Library.default().ids())  # the other shipped policies are all still there
    assert "2026" not in [v.version for v in Library.default().get("jiangsu-2017").versions]  # shipped file untouched

    # The case system reads effective_library(): a case whose conduct falls in 2026 uses the new version.
    case = case_actions.submit_application(
        world.applicant,
        {"title": "改革试点失误", "summary": "s", "statement": "申请", "conduct_date": "2026-03-01"},
    )
    assert case.policies[0] == {
        "policy": "jiangsu-2017",
        "version": "2026",
        "applies_by": "conduct_date",
        "jurisdiction": "320000",
        "conduct_date_known": True,
    }
    case_actions.transition(world.unit_reviewer, case.pk, "endorse", {"discussion": "讨论", "opinion": "同意"})
    case_actions.transition(world.handler, case.pk, "accept", {})
    for k, val in FACTS.items():
        case_actions.set_fact(world.investigator, case.pk, {"fact": k, "value": val, "comment": "核实"})
    case.refresh_from_db()
    assert case.evaluation[0]["version"] == "2026" and case.engine_outcome == "exempt"


def test_second_draft_must_keep_the_adopted_version(world) -> None:
    draft = published(world)
    actions.close_draft(world.handler, draft.pk)
    # A rival draft published before the first was adopted proposes 2026 too …
    rival, _ = actions.create_draft(world.handler, draft_payload())
    actions.adopt_draft(world.secretary, draft.pk, {"decision": "通过"})
    # … it no longer adds anything new against the library now in force, so it cannot be published or adopted.
    with pytest.raises(Invalid) as exc:
        actions.publish_draft(world.handler, rival.pk, {"closes_at": later(5).isoformat()})
    assert "没有新增版本" in exc.value.message
    # A later revision builds on the adopted file.
    data = with_new_version(with_new_version(), version="2027")
    data["versions"][1]["effective"]["to"] = dt.date(2026, 12, 31)
    data["versions"][2]["effective"]["from"] = dt.date(2027, 1, 1)
    third, _ = actions.create_draft(world.handler, draft_payload(dump(data)))
    assert third.new_versions == ["2027"]


def test_new_policy_and_a_broken_adoption(world, caplog) -> None:
    data = with_new_version()
    data["id"] = "jiangsu-reform-2026"
    data["title"] = "江苏省改革创新容错办法"
    draft, _ = actions.create_draft(world.handler, draft_payload(dump(data)))
    assert draft.policy_id == "jiangsu-reform-2026" and draft.new_versions == ["2017", "2026"]
    actions.publish_draft(world.handler, draft.pk, {"closes_at": later(1).isoformat()})
    end_window(draft)
    actions.adopt_draft(world.secretary, draft.pk, {"decision": "通过"})
    lib = effective_library()
    assert "jiangsu-reform-2026" in lib.ids() and "jiangsu-2017" in lib.ids()
    assert lib.get("jiangsu-reform-2026").path is None
    # An adopted text that no longer loads is skipped (and logged); the policy in force before it stays.
    other, _ = actions.create_draft(world.handler, draft_payload())
    AdoptedPolicy.objects.create(
        policy_id="jiangsu-2017",
        yaml_text="id: [\n",
        draft=other,
        adopted_at=timezone.now(),
        adopted_by=world.secretary,
    )
    lib = effective_library()
    assert [v.version for v in lib.get("jiangsu-2017").versions] == ["2017"]
    assert "无法加载" in caplog.text
