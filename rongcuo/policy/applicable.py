"""Which version of a policy governs a case: the policy's declared `applies_by`, never a hard-coded rule.

- conduct_date: the version in force when the conduct happened;
- decision_date: the version in force when the decision is made;
- most_favourable 「从旧兼从优」: of the versions in force on those two days, the one giving the
  cadre the better outcome on the facts known (exempt > mitigate > undetermined > not_tolerated),
  the conduct-date version on a tie.

The setting is read from the version in force on the decision date (the rule now in force says
how transitions are handled), or from the conduct-date version when none is in force then.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from .errors import PolicyError
from .evaluate import run
from .expr import Value
from .model import Policy, PolicyVersion

FAVOUR = {"exempt": 0, "mitigate": 1, "undetermined": 2, "not_tolerated": 3}


def _try(policy: Policy, day: dt.date | None) -> PolicyVersion | None:
    if day is None:
        return None
    try:
        return policy.version_on(day)
    except PolicyError:
        return None


def version_for_case(
    policy: Policy,
    *,
    conduct_date: dt.date | None,
    decision_date: dt.date,
    facts: Mapping[str, Value] | None = None,
) -> PolicyVersion:
    at_conduct = _try(policy, conduct_date)
    at_decision = _try(policy, decision_date)
    governing = at_decision or at_conduct
    if governing is None:
        raise PolicyError(
            f"{policy.id} 在行为发生时（{conduct_date}）和决定时（{decision_date}）均没有有效版本", field="policy"
        )
    rule = governing.applies_by
    if rule == "decision_date":
        if at_decision is None:
            raise PolicyError(f"{policy.id} 按决定时适用，但 {decision_date} 没有有效版本", field="policy")
        return at_decision
    if rule == "conduct_date":
        if at_conduct is None:
            raise PolicyError(f"{policy.id} 按行为发生时适用，但 {conduct_date} 没有有效版本", field="policy")
        return at_conduct
    candidates = [v for v in (at_conduct, at_decision) if v is not None]
    if facts is None or len(candidates) == 1:
        return candidates[0]
    return min(candidates, key=lambda v: (FAVOUR[run(v, facts).outcome], candidates.index(v)))
