"""Early warning 「早发现、早提醒、早纠正」: earlier cases of the cadre and unit, similar matters, and the
`repeat_error` suggestion for a prior handled matter of the same kind; scoped and audited."""

from __future__ import annotations

import datetime as dt

import pytest

from rongcuo.audit.models import AuditRecord
from rongcuo.cases.models import Case
from rongcuo.core.errors import Forbidden, NotFound
from rongcuo.org.builders import make_cadre, make_unit
from rongcuo.org.models import AccountabilityMatter
from rongcuo.outcomes.similar import keywords, same_kind, same_matter
from rongcuo.outcomes.warnings import early_warning, read_early_warning

from .conftest import proactive_case

pytestmark = pytest.mark.django_db
D = dt.date


def test_same_kind_rules() -> None:
    assert keywords("项目审批失误问责") == {"项目", "目审", "审批"}
    assert same_kind("征地补偿", "征地拆迁", "安置房分配", "征地拆迁") == "领域标签相同（征地拆迁）"
    assert same_kind("项目审批失误", "", "重大项目审批程序简化失误问责", "")
    assert same_kind("防汛应急处置失误", "", "项目审批失误", "") is None
    assert same_kind("审批", "", "审批", "") is None  # one shared keyword is not enough
    assert same_matter("违规审批项目", "违规审批项目。") and not same_matter("违规审批项目", "收受礼品")


def _case(w, unit, cadre, title: str, domain: str, n: str) -> Case:
    return Case.objects.create(
        number=f"RC-W-{n}",
        jurisdiction=unit.jurisdiction,
        start_type="proactive",
        subject_type="cadre" if cadre else "unit",
        cadre=cadre,
        unit=unit,
        title=title,
        summary="—",
        domain=domain,
        stage="investigation",
        created_by=w.handler,
    )


def test_lists_earlier_cases_and_suggests_repeat_error(world, decided) -> None:
    w = world
    prior = decided("从轻处理", D(2023, 5, 1), 6, domain="招商引资", title="招商项目审批失误")
    colleague = make_cadre(w.unit, "李四")
    unit_case = _case(w, w.unit, colleague, "防汛应急处置失误", "应急处置", "1")
    other_unit = make_unit("320000", "江苏省某县商务局")
    similar = _case(w, other_unit, None, "招商引资协议签订失误", "招商引资", "2")
    hidden = _case(w, w.other_unit, None, "招商引资失误", "招商引资", "3")  # outside the handler's jurisdiction
    AccountabilityMatter.objects.create(
        jurisdiction=w.unit.jurisdiction,
        subject_type="cadre",
        cadre=w.cadre,
        unit=w.unit,
        title="项目审批程序简化失误",
        initiating_organ="县纪委",
        started_on=D(2022, 1, 1),
        status="decided",
        decided_on=D(2022, 3, 1),
    )
    case = proactive_case(w, title="重大项目审批失误问责", domain="招商引资")
    out = early_warning(w.handler, case)
    assert [c["number"] for c in out["earlier_cases"]] == [prior.case.number]
    assert out["earlier_cases"][0]["same_kind"] == "领域标签相同（招商引资）"
    assert [c["number"] for c in out["unit_cases"]] == [unit_case.number]
    assert out["unit_cases"][0]["same_kind"] is None
    numbers = [c["number"] for c in out["similar_cases"]]
    assert similar.number in numbers and hidden.number not in numbers
    assert [m["title"] for m in out["earlier_matters"]] == ["项目审批程序简化失误"]
    assert out["earlier_matters"][0]["same_kind"].startswith("问责事项标题关键词重合")
    s = out["suggestion"]
    assert s["fact"] == "repeat_error" and s["value"] is True and s["current"] is None
    assert len(s["reasons"]) == 2 and prior.case.number in s["reasons"][0]
    assert "同类" in out["rule"]


def test_no_suggestion_for_a_different_kind_or_an_undecided_prior(world) -> None:
    w = world
    _case(w, w.unit, w.cadre, "招商项目审批失误", "招商引资", "9")  # same kind but not yet handled
    case = proactive_case(w, title="防汛应急处置失误问责", domain="")
    out = early_warning(w.handler, case)
    assert len(out["earlier_cases"]) == 1 and out["suggestion"] is None
    case2 = proactive_case(w, title="招商项目审批失误问责", domain="招商引资")
    out2 = early_warning(w.handler, case2)
    assert out2["earlier_cases"][-1]["same_kind"] and out2["suggestion"] is None


def test_scope_roles_and_audit(world, decided) -> None:
    w = world
    decided("问责处理", D(2023, 5, 1), 12, domain="招商引资")
    case = proactive_case(w, domain="招商引资")
    for user in (w.outsider, w.sysadmin, w.evaluator):
        with pytest.raises(NotFound):
            read_early_warning(user, case.pk)
    with pytest.raises(Forbidden):
        read_early_warning(w.applicant, case.pk)
    out = read_early_warning(w.investigator, case.pk)
    assert out["suggestion"] is not None
    rec = AuditRecord.objects.get(action="case.early_warning", success=True)
    assert rec.username == "investigator" and rec.object_id == case.number
    assert AuditRecord.objects.filter(action="case.early_warning", success=False).count() == 4


def _with_matter(case: Case, title: str) -> Case:
    case.matter = AccountabilityMatter.objects.create(
        jurisdiction=case.unit.jurisdiction,
        subject_type="unit",
        unit=case.unit,
        title=title,
        initiating_organ="县纪委",
        started_on=D(2022, 1, 1),
    )
    case.save()
    return case


def test_similar_cases_go_by_the_matter_title_then_the_case_title(world) -> None:
    w = world
    other_unit = make_unit("320000", "江苏省某县交通运输局")
    by_matter = _with_matter(_case(w, other_unit, None, "其他事项", "", "7"), "重大项目审批程序简化失误")
    _with_matter(_case(w, other_unit, None, "重大项目审批程序失误", "", "8"), "防汛物资调拨")  # the matter decides
    by_title = _case(w, other_unit, None, "重大项目审批流程失误", "", "9")
    case = proactive_case(w, title="重大项目审批失误问责")
    similar = early_warning(w.handler, case)["similar_cases"]
    assert [c["number"] for c in similar] == [by_title.number, by_matter.number]  # newest first
    assert similar[1]["title"] == "重大项目审批程序简化失误" and similar[1]["same_kind"]
