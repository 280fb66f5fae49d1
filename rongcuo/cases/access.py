"""The one access chokepoint for cases: every read and every action goes through here.

A user's grants define a scope: a jurisdiction subtree, a unit subtree, their own cadre record, or one
case. `visible_cases(user)` is the restricted queryset; `access_case` answers missing and forbidden
alike (NotFound), so a case's existence never leaks. Administrators 「三员」 see no case contents.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from rongcuo.accounts.models import RoleAssignment, User
from rongcuo.accounts.roles import SCOPE
from rongcuo.core.errors import NotFound
from rongcuo.org.models import Jurisdiction, Unit

from .models import Case


@dataclass(frozen=True)
class Grant:
    role: str
    kind: str  # jurisdiction / unit / cadre / case
    jurisdiction_codes: frozenset[str] = frozenset()
    unit_ids: frozenset[int] = frozenset()
    cadre_id: int | None = None
    case_id: int | None = None

    def covers(self, case: Case) -> bool:
        if self.kind == "jurisdiction":
            return case.jurisdiction_id in self.jurisdiction_codes
        if self.kind == "unit":
            return case.unit_id in self.unit_ids
        if self.kind == "cadre":
            return case.cadre_id is not None and case.cadre_id == self.cadre_id
        if self.kind == "case":
            return case.id == self.case_id
        return False

    def q(self) -> Q:
        if self.kind == "jurisdiction":
            return Q(jurisdiction_id__in=self.jurisdiction_codes)
        if self.kind == "unit":
            return Q(unit_id__in=self.unit_ids)
        if self.kind == "cadre":
            return Q(cadre_id=self.cadre_id)
        if self.kind == "case":
            return Q(id=self.case_id)
        return Q(pk__in=[])


def grants(user: User) -> list[Grant]:
    """The user's active grants with their scopes resolved (cached on the user object for one request)."""
    cached = getattr(user, "_rongcuo_grants", None)
    if cached is not None:
        return cached
    out: list[Grant] = []
    if user is None or not user.is_authenticated or not user.is_active:
        return out
    rows = list(
        RoleAssignment.objects.filter(user=user, revoked_at__isnull=True).select_related("jurisdiction", "unit")
    )
    for ra in rows:
        kind = SCOPE.get(ra.role, "none")
        if kind == "jurisdiction" and ra.jurisdiction is not None:
            codes = frozenset(
                Jurisdiction.objects.filter(path__startswith=ra.jurisdiction.path).values_list("code", flat=True)
            )
            out.append(Grant(ra.role, kind, jurisdiction_codes=codes))
        elif kind == "unit" and ra.unit is not None:
            ids = frozenset(Unit.objects.filter(path__startswith=ra.unit.path).values_list("id", flat=True))
            out.append(Grant(ra.role, kind, unit_ids=ids))
        elif kind == "cadre" and ra.cadre_id is not None:
            out.append(Grant(ra.role, kind, cadre_id=ra.cadre_id))
        elif kind == "case" and ra.case_id is not None:
            out.append(Grant(ra.role, kind, case_id=ra.case_id))
        elif kind == "none":
            out.append(Grant(ra.role, kind))
    user._rongcuo_grants = out  # type: ignore[attr-defined]
    return out


def forget_grants(user: User) -> None:
    if hasattr(user, "_rongcuo_grants"):
        del user._rongcuo_grants


def role_names(user: User) -> set[str]:
    return {g.role for g in grants(user)}


def visible_cases(user: User) -> QuerySet[Case]:
    q = Q(pk__in=[])
    for g in grants(user):
        if g.kind != "none":
            q |= g.q()
    return Case.objects.filter(q)


def access_case(
    user: User,
    case_id: int | str,
    *,
    for_update: bool = False,
    related: Callable[[QuerySet[Case]], QuerySet[Case]] | None = None,
) -> Case:
    """The case if the user may see it, else NotFound. `related` adds joins and prefetches to the
    restricted queryset (it is applied to visible_cases, so it can only narrow)."""
    try:
        pk = int(case_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    qs = visible_cases(user).filter(pk=pk)
    if related is not None:
        qs = related(qs)
    if for_update:
        qs = qs.select_for_update()
    case = qs.first()
    if case is None:
        raise NotFound()
    return case


def roles_on_case(user: User, case: Case) -> list[str]:
    """The roles in which this user may act on this case (stable order)."""
    seen: list[str] = []
    for g in grants(user):
        if g.covers(case) and g.role not in seen:
            seen.append(g.role)
    return seen


def jurisdictions_for(user: User, roles: set[str]) -> set[str]:
    """Jurisdiction codes where the user holds one of these roles (for creating things there)."""
    codes: set[str] = set()
    for g in grants(user):
        if g.role in roles and g.kind == "jurisdiction":
            codes |= g.jurisdiction_codes
    return codes


def units_for(user: User, roles: set[str]) -> set[int]:
    ids: set[int] = set()
    for g in grants(user):
        if g.role in roles and g.kind == "unit":
            ids |= g.unit_ids
    return ids


def cadres_for(user: User, roles: set[str]) -> set[int]:
    return {g.cadre_id for g in grants(user) if g.role in roles and g.kind == "cadre" and g.cadre_id}
