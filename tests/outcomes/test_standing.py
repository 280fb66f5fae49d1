"""Result use 「结果运用」: answers across influence periods, for each kind of decision, under a policy with
result-use rules (jiangsu-2017) and one without (cn-accountability-2019); appeals; clearances; scoping,
audit and a query count independent of the number of decisions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rongcuo.accounts.models import User
from rongcuo.audit.models import AuditRecord
from rongcuo.cases import actions as case_actions
from rongcuo.core.errors import Invalid, NotFound
from rongcuo.outcomes import clearing
from rongcuo.outcomes.actions import read_standing
from rongcuo.outcomes.models import ResultUse
from rongcuo.outcomes.standing import (
    Matter,
    Rule,
    add_months,
    influence_end,
    influence_months_for,
    judge,
    resolve_purpose,
    rule_kind,
)
from rongcuo.outcomes.statement import standing_text

from .conftest import TODAY, decide_through_verbs, proactive_case

pytestmark = pytest.mark.django_db

D = dt.date
DECIDED = D(2024, 1, 15)
END = D(2024, 7, 15)  # six months on: the corresponding day is the last day of the period


def ask(w, purpose: str | None, on: dt.date, user=None):
    s = read_standing(user or w.org_liaison, w.cadre.pk, purpose, on)
    return s.answers[0] if purpose else s


# --- pure rules ---------------------------------------------------------------------------------------


def test_months_and_vocabulary() -> None:
    assert add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)
    assert add_months(D(2024, 8, 31), 6) == D(2025, 2, 28)
    assert add_months(D(2024, 11, 15), 3) == D(2025, 2, 15)
    assert influence_end(DECIDED, 6) == END
    assert influence_end(DECIDED, 0) is None and influence_end(DECIDED, None) is None
    assert resolve_purpose("提拔任用") == resolve_purpose("promotion") == "promotion"
    assert resolve_purpose("升官") is None
    assert rule_kind("从轻处理", "exempt") == "mitigate"
    assert rule_kind("减轻处理", "exempt") == "mitigate"
    assert rule_kind("免予问责", "exempt") == "exempt"
    assert rule_kind("问责处理", "not_tolerated") == "not_tolerated"


def test_area_unaffected_during_period_and_policy_fixed_period() -> None:
    rule = Rule("r", "mitigate", "第九条", "影响期内评先评优不受影响", unaffected=("awards",), period_months=12)
    assert influence_months_for("mitigate", None, [rule]) == (12, "policy")
    assert influence_months_for("mitigate", 3, [rule]) == (3, "decision")
    assert influence_months_for("not_tolerated", None, [rule]) == (None, "")
    m = Matter(
        "RC-1",
        "mitigate",
        "mitigate",
        "从轻处理",
        DECIDED,
        "纪委",
        policy_title="《某办法》",
        influence_months=12,
        rules=(rule,),
    )
    v = judge(m, "awards", D(2024, 6, 1))
    assert not v.counts_against and v.status == "area_unaffected" and v.citations[-1].ref == "《某办法》第九条"
    assert judge(m, "promotion", D(2024, 6, 1)).counts_against
    assert not judge(m, "promotion", D(2025, 1, 16)).counts_against


# --- mitigate -----------------------------------------------------------------------------------------


def test_mitigate_under_jiangsu_across_the_period(world, decided) -> None:
    w = world
    decided("从轻处理", DECIDED, 6, form=1)
    before = ask(w, "提拔任用", DECIDED - dt.timedelta(days=1))
    assert not before.counts_against and before.verdicts[0].status == "not_yet"
    during = ask(w, "提拔任用", D(2024, 3, 1))
    v = during.verdicts[0]
    assert during.counts_against and v.status == "in_period"
    assert any(c.source == "policy" and "结果运用" in c.ref and "影响期" in c.text for c in v.citations)
    assert ask(w, "提拔任用", DECIDED).counts_against  # from the decision day
    assert ask(w, "提拔任用", END).counts_against  # still on the last day
    after = ask(w, "提拔任用", END + dt.timedelta(days=1))
    v = after.verdicts[0]
    assert not after.counts_against and v.status == "after_period"
    # 江苏: 期满后 … 及时合理安排使用 → after_period_unaffected [promotion]: cited from the policy
    assert any(c.source == "policy" and c.ref.endswith("实施意见·结果运用") for c in v.citations)
    # an area the policy does not name after the period: the general rule, labelled as the system's reading
    awards = ask(w, "评先评优", END + dt.timedelta(days=1)).verdicts[0]
    assert not awards.counts_against and awards.citations[-1].source == "system"
    assert "系统解读" in awards.citations[-1].ref
    # during the period every area counts (江苏 lists none as unaffected for mitigated handling)
    assert ask(w, "评先评优", D(2024, 3, 1)).counts_against


def test_mitigate_without_result_use_rules(world, decided) -> None:
    w = world
    decided("减轻处理", DECIDED, 12, policy="cn-accountability-2019", version="2019")
    during = ask(w, "promotion", D(2024, 6, 1)).verdicts[0]
    assert during.counts_against and during.citations[-1].source == "system"
    assert ask(w, "promotion", D(2025, 1, 15)).counts_against
    after = ask(w, "promotion", D(2025, 1, 16)).verdicts[0]
    assert not after.counts_against and "系统解读" in after.citations[-1].ref


def test_mitigate_with_no_period_and_disposition_over_engine_outcome(world, decided) -> None:
    w = world
    decided("从轻处理", DECIDED, 0)
    assert not ask(w, "提拔任用", DECIDED).counts_against
    # the engine said exempt, but the disposition 从轻处理 decides: mitigate rules apply
    d = decided("从轻处理", DECIDED, 6, outcome="exempt")
    assert ResultUse.objects.get(decision=d).kind == "mitigate"
    assert ask(w, "提拔任用", D(2024, 2, 1)).counts_against


# --- exempt -------------------------------------------------------------------------------------------


def test_exempt_never_counts_citing_the_policy_or_the_general_rule(world, decided) -> None:
    w = world
    decided("免除相关责任", DECIDED)
    for on in (DECIDED, D(2024, 3, 1), D(2030, 1, 1)):
        v = ask(w, "提拔任用", on).verdicts[0]
        assert not v.counts_against and v.status == "exempt"
        assert v.citations[-1].source == "policy" and "同样看待、不受影响" in v.citations[-1].text
    # 江苏 does not name 党风廉政意见回复: still unaffected, by the general rule (system's reading)
    v = ask(w, "党风廉政意见回复", D(2024, 3, 1)).verdicts[0]
    assert not v.counts_against and v.citations[-1].source == "system"
    s = ask(w, None, D(2024, 3, 1))
    assert not s.counts_against and len(s.answers) >= 11


def test_exempt_under_policy_without_result_use(world, decided) -> None:
    w = world
    decided("免予问责", DECIDED, policy="cn-accountability-2019", version="2019")
    v = ask(w, "提拔任用", D(2024, 3, 1)).verdicts[0]
    assert not v.counts_against
    assert v.citations[-1].source == "system" and "系统解读" in v.citations[-1].ref
    assert "同样看待、不受影响" in v.citations[-1].text


# --- not tolerated ------------------------------------------------------------------------------------


def test_not_tolerated_with_and_without_period(world, decided) -> None:
    w = world
    decided("问责处理", DECIDED, 12, form=2)
    assert not ask(w, "提拔任用", DECIDED - dt.timedelta(days=1)).counts_against
    assert ask(w, "提拔任用", D(2024, 6, 1)).counts_against
    assert ask(w, "提拔任用", D(2025, 1, 15)).counts_against
    assert not ask(w, "提拔任用", D(2025, 1, 16)).counts_against


def test_not_tolerated_without_period_counts_by_regulations(world, decided) -> None:
    w = world
    decided("问责处理", DECIDED, policy="cn-accountability-2019", version="2019")
    for on in (DECIDED, D(2030, 1, 1)):
        v = ask(w, "职级晋升", on).verdicts[0]
        assert v.counts_against and v.status == "by_regulations" and "按有关规定" in v.reason


def test_any_matter_counts(world, decided) -> None:
    w = world
    decided("免除相关责任", DECIDED)
    decided("从轻处理", D(2024, 5, 1), 3)
    a = ask(w, "提拔任用", D(2024, 6, 1))
    assert a.counts_against and [v.counts_against for v in a.verdicts] == [False, True]
    assert not ask(w, "提拔任用", D(2024, 8, 2)).counts_against


# --- appeal, clearing, statement --------------------------------------------------------------------------


def test_decisions_through_verbs_and_appeal_change(world) -> None:
    w = world
    case = decide_through_verbs(w, proactive_case(w), "从轻处理", months=6, form=1)
    row = ResultUse.objects.get(case=case)
    assert row.kind == "mitigate" and row.influence_ends_on == add_months(TODAY, 6) and row.form == 1
    assert ask(w, "提拔任用", TODAY).counts_against
    for verb, data in (
        ("give_feedback", {"text": "反馈", "delivered_on": str(TODAY)}),
        ("notify_organisation", {"letter": "函", "sent_on": str(TODAY), "recipient": "组织部"}),
        ("file_report", {"report": "备案", "filed_on": str(TODAY), "filed_with": "省委"}),
    ):
        case_actions.transition(w.handler, case.pk, verb, data)
    case_actions.transition(w.publisher, case.pk, "publish", {})
    case_actions.transition(w.applicant, case.pk, "submit_appeal", {"grounds": "应予免责"})
    case_actions.transition(
        w.secretary,
        case.pk,
        "decide_appeal",
        {"result": "changed", "reasoning": "符合容错情形", "new_disposition": "免除相关责任"},
    )
    row.refresh_from_db()
    assert row.kind == "exempt" and row.changed_on_appeal and row.original_disposition == "从轻处理"
    a = ask(w, "提拔任用", TODAY)
    assert not a.counts_against and a.verdicts[0].status == "exempt"
    s = read_standing(w.org_liaison, w.cadre.pk, "提拔任用", TODAY)
    text = standing_text(s.cadre, s.on, s.answers, s.clearances)
    assert "经申诉由“从轻处理”变更" in text and "第一种形态" in text


def test_cleared_matter_never_counts(world, decided) -> None:
    w = world
    d = decided("问责处理", DECIDED, policy="cn-accountability-2019", version="2019")
    assert ask(w, "提拔任用", D(2024, 3, 1)).counts_against
    report = clearing.register_report(
        w.handler,
        {
            "cadre_id": w.cadre.pk,
            "received_on": "2024-02-01",
            "channel": "来信",
            "summary": "反映项目审批问题",
            "matters": [{"text": "违规审批项目", "case_id": d.case_id}, {"text": "收受礼品"}],
        },
    )
    m1, m2 = report.matters.all()
    clearing.conclude(
        w.handler,
        report.pk,
        {
            "organ": "省纪委监委",
            "concluded_on": "2024-02-20",
            "conclusion": "经核实，反映不实",
            "findings": [{"matter_id": m1.pk, "finding": "untrue"}, {"matter_id": m2.pk, "finding": "true"}],
        },
    )
    clearing.clarify(
        w.handler,
        report.pk,
        {
            "matter_ids": [m1.pk],
            "methods": ["written"],
            "scope": "本单位",
            "written_text": "经核实，反映的违规审批问题不属实，予以澄清",
            "held_on": "2024-02-25",
        },
    )
    s = read_standing(w.org_liaison, w.cadre.pk, "提拔任用", D(2024, 3, 1))
    v = s.answers[0].verdicts[0]
    assert not s.counts_against and v.status == "cleared" and v.citations[0].source == "clarification"
    assert [c.matter_text for c in s.clearances] == ["违规审批项目"]
    assert "已澄清正名事项" in standing_text(s.cadre, s.on, s.answers, s.clearances)


def test_statement_names_the_decision_and_the_article(world, decided) -> None:
    w = world
    d = decided("从轻处理", DECIDED, 6, form=1)
    s = read_standing(w.org_liaison, w.cadre.pk, "提拔任用", D(2024, 3, 1))
    text = standing_text(s.cadre, s.on, s.answers, s.clearances, issued_by="组织部联络员")
    assert text.startswith("结果运用情况说明")
    assert d.case.number in text and d.document_number in text and "从轻处理" in text
    assert "2024年1月15日" in text and "至2024年7月15日止" in text and "第一种形态" in text
    assert "实施意见·结果运用「对给予容错酌情从轻、减轻处理的干部" in text
    assert "产生影响" in text and "张三" in text


# --- scope, audit, queries -------------------------------------------------------------------------------


def test_scope_and_audit(world, decided) -> None:
    w = world
    decided("从轻处理", DECIDED, 6)
    for user in (w.outsider, w.sysadmin, w.secadmin, w.auditadmin, w.applicant, w.investigator, w.evaluator):
        with pytest.raises(NotFound) as exc:
            read_standing(user, w.cadre.pk, "提拔任用", DECIDED)
        assert exc.value.field == "cadre"
    with pytest.raises(NotFound):
        read_standing(w.org_liaison, 999999, "提拔任用", DECIDED)
    refused = AuditRecord.objects.filter(action="standing.read", success=False)
    assert refused.filter(username="outsider", object_id=str(w.cadre.pk)).exists()
    for user in (w.org_liaison, w.handler, w.secretary):
        read_standing(user, w.cadre.pk, "提拔任用", DECIDED)
    ok = AuditRecord.objects.filter(action="standing.read", success=True, object_id=str(w.cadre.pk))
    assert {r.username for r in ok} == {"org_liaison", "handler", "secretary"}
    assert ok.get(username="org_liaison").role == "org_liaison"
    with pytest.raises(Invalid) as exc:
        read_standing(w.org_liaison, w.cadre.pk, "升官", DECIDED)
    assert exc.value.field == "purpose"


def _count(w, purpose: str | None) -> int:
    user = User.objects.get(pk=w.org_liaison.pk)  # no grants cached
    with CaptureQueriesContext(connection) as ctx:
        read_standing(user, w.cadre.pk, purpose, D(2024, 3, 1))
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_decisions(world, decided) -> None:
    w = world
    for i in range(2):
        decided("从轻处理", DECIDED + dt.timedelta(days=i), 6)
    two = (_count(w, "提拔任用"), _count(w, None))
    for i in range(8):
        decided("问责处理" if i % 2 else "免除相关责任", DECIDED + dt.timedelta(days=10 + i), 12)
    ten = (_count(w, "提拔任用"), _count(w, None))
    assert two == ten
    assert ResultUse.objects.filter(cadre=w.cadre).count() == 10
