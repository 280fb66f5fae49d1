"""The standing result-use records: written from each decision (a DECISION_HOOK), read back as `Matter`s."""

from __future__ import annotations

from rongcuo.cases.models import Decision
from rongcuo.consultation.library import effective_library
from rongcuo.policy.errors import PolicyError

from .models import ResultUse
from .standing import Clearance, Matter, Rule, influence_end, influence_months_for, rule_kind, rules_from_policy

# What one standing query reads of each record: a fixed column list, so the query stays one SELECT.
COLUMNS = (
    "case_id",
    "matter_id",
    "case_number",
    "kind",
    "outcome",
    "disposition",
    "decided_on",
    "organ",
    "policy",
    "policy_version",
    "policy_title",
    "document_number",
    "form",
    "influence_months",
    "influence_source",
    "rules",
    "changed_on_appeal",
    "original_disposition",
)


def _policy_rules(policy: str, version: str, kind: str) -> tuple[list[Rule], str]:
    if not policy:
        return [], ""
    try:
        v = effective_library().get(policy).version_named(version)
    except PolicyError:
        return [], policy  # withdrawn from the library: no rules to cite; the general rules apply
    return rules_from_policy(v.result_use, kind), v.display_title()


def record_result_use(decision: Decision) -> ResultUse | None:
    """DECISION_HOOK: write (or, after an appeal changed the decision, rewrite) the cadre's standing record.
    Decisions on a unit (no cadre) have no per-cadre record."""
    case = decision.case
    if case.cadre_id is None:
        return None
    kind = rule_kind(decision.disposition, decision.outcome)
    rules, title = _policy_rules(decision.policy, decision.policy_version, kind)
    months, source = influence_months_for(kind, decision.influence_months, rules)
    old = ResultUse.objects.filter(decision=decision).first()
    changed = old is not None and (old.changed_on_appeal or old.disposition != decision.disposition)
    original = (old.original_disposition or old.disposition) if changed and old is not None else ""
    row, _ = ResultUse.objects.update_or_create(
        decision=decision,
        defaults={
            "case": case,
            "cadre_id": case.cadre_id,
            "matter_id": case.matter_id,
            "case_number": case.number,
            "kind": kind,
            "outcome": decision.outcome,
            "disposition": decision.disposition,
            "form": decision.form,
            "decided_on": decision.decided_on,
            "organ": decision.organ,
            "document_number": decision.document_number,
            "influence_months": months,
            "influence_source": source,
            "influence_ends_on": influence_end(decision.decided_on, months),
            "policy": decision.policy,
            "policy_version": decision.policy_version,
            "policy_title": title[:300],
            "rules": [r.to_dict() for r in rules],
            "changed_on_appeal": changed,
            "original_disposition": original,
        },
    )
    return row


def matter_from_values(row: dict, cleared: Clearance | None) -> Matter:
    return Matter(
        case_number=row["case_number"],
        kind=row["kind"],
        outcome=row["outcome"],
        disposition=row["disposition"],
        decided_on=row["decided_on"],
        organ=row["organ"],
        policy=row["policy"],
        policy_version=row["policy_version"],
        policy_title=row["policy_title"],
        document_number=row["document_number"],
        form=row["form"],
        influence_months=row["influence_months"],
        influence_source=row["influence_source"],
        rules=tuple(Rule.from_dict(r) for r in row["rules"] or ()),
        changed_on_appeal=row["changed_on_appeal"],
        original_disposition=row["original_disposition"],
        cleared=cleared,
    )


def matters_for_cadre(cadre_id: int) -> tuple[list[Matter], list[Clearance]]:
    """Every recorded decision on the cadre, with clearances applied; and every cleared matter of the cadre.
    Two queries, whatever the number of decisions."""
    from .models import ReportedMatter

    cleared_rows = ReportedMatter.objects.filter(report__cadre_id=cadre_id, cleared_by__isnull=False).values(
        "case_id", "matter_id", "text", "cleared_by__organ", "cleared_by__held_on", "report__number"
    )
    by_case: dict[int, Clearance] = {}
    by_matter: dict[int, Clearance] = {}
    clearances = []
    for r in cleared_rows:
        c = Clearance(r["cleared_by__organ"], r["cleared_by__held_on"], r["text"], r["report__number"])
        clearances.append(c)
        if r["case_id"]:
            by_case.setdefault(r["case_id"], c)
        if r["matter_id"]:
            by_matter.setdefault(r["matter_id"], c)
    matters = []
    for row in ResultUse.objects.filter(cadre_id=cadre_id).order_by("decided_on", "id").values(*COLUMNS):
        cleared = by_case.get(row["case_id"]) or (by_matter.get(row["matter_id"]) if row["matter_id"] else None)
        matters.append(matter_from_values(row, cleared))
    return matters, clearances
