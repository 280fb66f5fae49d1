"""Which policies apply to a case, the versions it pins, and its live evaluation under each."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from rongcuo.consultation.library import effective_library
from rongcuo.core.prepared import PreparedQuery
from rongcuo.org.models import Jurisdiction
from rongcuo.policy import evaluate
from rongcuo.policy.applicable import version_for_case
from rongcuo.policy.errors import PolicyError
from rongcuo.policy.model import Policy, PolicyVersion

from .models import Case, FactValue


def applicable_policies(jurisdiction: Jurisdiction) -> list[Policy]:
    """Policies of the jurisdiction chain (county, city, province, 中央), most local first."""
    lib = effective_library()
    order = {j.code: i for i, j in enumerate(jurisdiction.chain())}
    found = [p for p in lib.policies.values() if p.jurisdiction_code in order]
    return sorted(found, key=lambda p: (order[p.jurisdiction_code], -p.latest().effective_from.toordinal(), p.id))


def pin_versions(jurisdiction: Jurisdiction, conduct_date: dt.date | None, today: dt.date) -> list[dict[str, Any]]:
    """Pin a version of each applicable policy per its applies_by; policies with none in force are left out."""
    pins = []
    for p in applicable_policies(jurisdiction):
        try:
            # An unknown conduct date is read as today until it is established (the pin records which).
            v = version_for_case(p, conduct_date=conduct_date or today, decision_date=today)
        except PolicyError:
            continue
        pins.append(
            {
                "policy": p.id,
                "version": v.version,
                "applies_by": v.applies_by,
                "jurisdiction": p.jurisdiction_code,
                "conduct_date_known": conduct_date is not None,
            }
        )
    return pins


def pinned_versions(case: Case, facts: dict[str, bool | None] | None = None) -> list[PolicyVersion]:
    """The versions the case is evaluated under. For 从旧兼从优 (most_favourable) the better of the
    conduct-date and today's version on the facts known now."""
    lib = effective_library()
    out = []
    today = timezone.localdate()
    for pin in case.policies:
        try:
            policy = lib.get(pin["policy"])
        except PolicyError:
            continue  # a policy withdrawn from the library: its pinned record stays in earlier evaluations
        if pin.get("applies_by") == "most_favourable":
            try:
                out.append(version_for_case(policy, conduct_date=case.conduct_date, decision_date=today, facts=facts))
                continue
            except PolicyError:
                pass
        try:
            out.append(policy.version_named(pin["version"]))
        except PolicyError:
            continue
    return out


_FACTS = PreparedQuery(lambda pk: FactValue.objects.filter(case_id=pk).order_by("id").values_list("fact", "value"), int)


def case_facts(case: Case) -> dict[str, bool | None]:
    return dict(_FACTS(case.pk))


def summarise(result_dict: dict[str, Any]) -> dict[str, Any]:
    """What a case keeps of an evaluation between steps (the full trace is kept with decisions)."""
    keep = (
        "policy",
        "version",
        "title",
        "jurisdiction",
        "completeness",
        "completeness_note",
        "outcome",
        "outcome_label",
        "possible_outcomes",
        "dispositions",
        "citations",
        "decisive_facts",
        "questions",
        "explanation",
        "deciding_rule",
    )
    return {k: result_dict[k] for k in keep if k in result_dict}


def evaluate_case(case: Case, *, full: bool = False) -> list[dict[str, Any]]:
    facts = case_facts(case)
    results = []
    for v in pinned_versions(case, facts):
        d = evaluate(v, facts).to_dict()
        results.append(d if full else summarise(d))
    return results


APPLIES_BY_WORDS = {
    "conduct_date": "按行为发生时有效的版本",
    "decision_date": "按作出决定时有效的版本",
    "most_favourable": "从旧兼从优（行为时与决定时两个版本中对当事人更有利的）",
}


def governance(case: Case, results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each stored evaluation with its standing in the case: the first (the measure of the place nearest the
    case, the one `engine_outcome` follows) 「适用」, the rest 「参照」, and the reason in plain Chinese."""
    pins = {p["policy"]: p for p in case.policies}
    place = case.jurisdiction.name if case.jurisdiction_id else "本地"
    out = []
    for i, r in enumerate(results):
        pin = pins.get(r.get("policy"), {})
        how = APPLIES_BY_WORDS.get(pin.get("applies_by", ""), "")
        version = f"版本：{how}，为{r.get('version')}版" if how else f"版本：{r.get('version')}版"
        if pin and not pin.get("conduct_date_known", True):
            version += "（行为发生日期尚未查明，暂按今天）"
        if i == 0:
            why = f"本案发生在{place}，这是与发生地最近的一级所制定的办法，本案按此认定；{version}。"
            out.append({**r, "standing": "适用", "standing_reason": why})
        else:
            why = f"上级规定，一并参照；与适用办法结论不一致的，由认定机关集体研判。{version}。"
            out.append({**r, "standing": "参照", "standing_reason": why})
    return out


def refresh_evaluation(case: Case) -> list[dict[str, Any]]:
    """Recompute and store the live evaluation (called by every action that changes facts or stage)."""
    results = evaluate_case(case)
    case.evaluation = results
    case.evaluated_at = timezone.now()
    case.engine_outcome = results[0]["outcome"] if results else ""
    return results


def all_fact_ids(case: Case) -> list[str]:
    """Every fact any pinned policy reads (catalog order, local facts last), for the facts checklist."""
    seen: dict[str, None] = {}
    for v in pinned_versions(case):
        for f in v.facts_used():
            seen.setdefault(f, None)
    return list(seen)


def known_fact(case: Case, fact: str) -> bool:
    return any(v.fact(fact) is not None for v in pinned_versions(case))
