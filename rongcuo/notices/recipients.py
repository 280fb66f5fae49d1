"""Who a notice goes to: the people a case's stage waits for, and the party a document is served to.

Candidates are narrowed by a query on the grants that could cover the case (the cadre's own, a unit of the
case's unit chain, or this case); each is then confirmed through the access chokepoint
(`access.roles_on_case`), so a notice goes only to someone who holds the role on this case. Staff roles, whose
scope is a jurisdiction, are never notified: their workbench lists what awaits them.
"""

from __future__ import annotations

from django.db.models import Q

from rongcuo.accounts.models import RoleAssignment, User
from rongcuo.accounts.roles import SCOPE
from rongcuo.cases import access
from rongcuo.cases.models import Case
from rongcuo.procedure import engine

PERSONAL_SCOPES = frozenset({"cadre", "unit", "case"})
# The party a document is served to: the cadre's own accounts, or the unit's contact for a unit's case.
PARTY_ROLE = {"cadre": "applicant", "unit": "unit_contact"}


def _unit_chain(path: str) -> list[str]:
    """Every prefix of a unit's materialised path ("320000/12/34/"): the paths of the grants that cover it."""
    parts = [p for p in path.split("/") if p]
    return ["/".join(parts[:i]) + "/" for i in range(1, len(parts) + 1)]


def holders(case: Case, roles: set[str], *, exclude: int | None = None) -> list[tuple[User, list[str]]]:
    """Active users holding one of `roles` on this case (never a jurisdiction-scoped staff role), with those roles."""
    wanted = {r for r in roles if SCOPE.get(r) in PERSONAL_SCOPES}
    by_scope = {kind: [r for r in wanted if SCOPE[r] == kind] for kind in PERSONAL_SCOPES}
    q = Q(pk__in=[])
    if by_scope["cadre"] and case.cadre_id:
        q |= Q(role__in=by_scope["cadre"], cadre_id=case.cadre_id)
    if by_scope["unit"] and case.unit_id:
        q |= Q(role__in=by_scope["unit"], unit__path__in=_unit_chain(case.unit.path))
    if by_scope["case"]:
        q |= Q(role__in=by_scope["case"], case_id=case.pk)
    ids = RoleAssignment.objects.filter(q, revoked_at__isnull=True).values("user_id")
    users = User.objects.filter(pk__in=ids, is_active=True).exclude(pk=exclude).order_by("pk")
    out = []
    for user in users:
        held = [r for r in access.roles_on_case(user, case) if r in wanted]
        if held:
            out.append((user, held))
    return out


def verbs_awaiting(case: Case, stage: str, roles: list[str]) -> list[str]:
    """The labels of the pinned procedure's verbs from `stage` that one of these roles may take."""
    proc = engine.Procedure(case.procedure)
    return [proc.verb(name)["label"] for name in proc.verbs_from(stage) if set(proc.verb(name)["roles"]) & set(roles)]


def awaited(case: Case, stage: str, *, exclude: int | None = None) -> list[tuple[User, list[str]]]:
    """Who the stage waits for on this case, each with the labels of what they may do there."""
    proc = engine.Procedure(case.procedure)
    roles = {r for name in proc.verbs_from(stage) for r in proc.verb(name)["roles"]}
    out = []
    for user, held in holders(case, roles, exclude=exclude):
        verbs = verbs_awaiting(case, stage, held)
        if verbs:
            out.append((user, verbs))
    return out


def party(case: Case, *, exclude: int | None = None) -> list[tuple[User, str]]:
    """The accounts a case document is served to, each with the role it reads it in."""
    role = PARTY_ROLE.get(case.subject_type)
    if role is None:
        return []
    return [(user, role) for user, held in holders(case, {role}, exclude=exclude) if role in held]
