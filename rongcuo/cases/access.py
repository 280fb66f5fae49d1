"""The one access chokepoint for cases: every read and every action goes through here.

A user's grants define a scope: a jurisdiction subtree, a unit subtree, their own cadre record, or one
case. `visible_cases(user)` is the restricted queryset; `access_case` answers missing and forbidden
alike (NotFound), so a case's existence never leaks. Administrators 「三员」 see no case contents.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Protocol

from django.db import transaction
from django.db.models import Q, QuerySet
from django.db.transaction import TransactionManagementError

from rongcuo.accounts.models import RoleAssignment, User
from rongcuo.accounts.roles import CASE_BLIND_ROLES, SCOPE
from rongcuo.core.errors import NotFound
from rongcuo.core.prepared import PreparedQuery
from rongcuo.org.models import Jurisdiction, Unit

from .models import Case


@dataclass(frozen=True)
class Grant:
    """One active role assignment with its scope. A jurisdiction or unit scope is a subtree, given by the
    root's materialised path; its codes or ids are looked up only when a queryset needs them (a single
    case is checked by its own jurisdiction's or unit's path, without listing the subtree)."""

    role: str
    kind: str  # jurisdiction / unit / cadre / case / none
    root_path: str = ""
    cadre_id: int | None = None
    case_id: int | None = None
    # False for roles whose scope is a place but whose work is not its cases (the 规则起草人): the grant counts
    # for jurisdictions_for (drafts, consultation) and covers no case, in every check below and in search.
    cases: bool = True

    @cached_property
    def jurisdiction_codes(self) -> frozenset[str]:
        if self.kind != "jurisdiction":
            return frozenset()
        return frozenset(Jurisdiction.objects.filter(path__startswith=self.root_path).values_list("code", flat=True))

    @cached_property
    def unit_ids(self) -> frozenset[int]:
        if self.kind != "unit":
            return frozenset()
        return frozenset(Unit.objects.filter(path__startswith=self.root_path).values_list("id", flat=True))

    def covers(self, case: Case) -> bool:
        if not self.cases:
            return False
        if self.kind == "jurisdiction":
            if "jurisdiction_codes" not in self.__dict__ and Case.jurisdiction.is_cached(case):
                return case.jurisdiction.path.startswith(self.root_path)
            return case.jurisdiction_id in self.jurisdiction_codes
        if self.kind == "unit":
            if case.unit_id is None:
                return False
            if "unit_ids" not in self.__dict__ and Case.unit.is_cached(case):
                return case.unit.path.startswith(self.root_path)
            return case.unit_id in self.unit_ids
        if self.kind == "cadre":
            return case.cadre_id is not None and case.cadre_id == self.cadre_id
        if self.kind == "case":
            return case.id == self.case_id
        return False

    def q(self) -> Q:
        if not self.cases:
            return Q(pk__in=[])
        if self.kind == "jurisdiction":
            return Q(jurisdiction_id__in=self.jurisdiction_codes)
        if self.kind == "unit":
            return Q(unit_id__in=self.unit_ids)
        if self.kind == "cadre":
            return Q(cadre_id=self.cadre_id)
        if self.kind == "case":
            return Q(id=self.case_id)
        return Q(pk__in=[])


_ASSIGNMENTS = PreparedQuery(
    lambda user_id: (
        RoleAssignment.objects.filter(user_id=user_id, revoked_at__isnull=True)
        .select_related("jurisdiction", "unit")
        .order_by("id")
    ),
    int,
)


def grants(user: User) -> list[Grant]:
    """The user's active grants (cached on the user object for one request)."""
    cached = getattr(user, "_rongcuo_grants", None)
    if cached is not None:
        return cached
    out: list[Grant] = []
    if user is None or not user.is_authenticated or not user.is_active:
        return out
    for ra in _ASSIGNMENTS(user.pk):
        kind = SCOPE.get(ra.role, "none")
        if kind == "jurisdiction" and ra.jurisdiction is not None:
            out.append(Grant(ra.role, kind, root_path=ra.jurisdiction.path, cases=ra.role not in CASE_BLIND_ROLES))
        elif kind == "unit" and ra.unit is not None:
            out.append(Grant(ra.role, kind, root_path=ra.unit.path))
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
        if g.kind != "none" and g.cases:
            q |= g.q()
    return Case.objects.filter(q)


MAX_ID = 2**63 - 1


class CaseLoader(Protocol):
    """How a single-case read loads what it shows: `row` the case by id without regard to scope (with its
    jurisdiction and unit joined, so the check needs no subtree listing), `complete` the rest once the
    check has passed (a forbidden case's children are never read)."""

    def row(self, pk: int) -> Case | None: ...

    def complete(self, case: Case) -> None: ...


class _RowOnly:
    _row = PreparedQuery(lambda pk: Case.objects.filter(pk=pk).select_related("jurisdiction", "unit"), int)
    # FOR UPDATE OF the case row alone (not its jurisdiction and unit); SQLite's write lock is the transaction's.
    locked = PreparedQuery(
        lambda pk: Case.objects.filter(pk=pk).select_related("jurisdiction", "unit").select_for_update(of=("self",)),
        int,
    )

    def row(self, pk: int) -> Case | None:
        return self._row.first(pk)

    def complete(self, case: Case) -> None:
        return None


ROW_ONLY: CaseLoader = _RowOnly()


def may_see(user: User, case: Case) -> bool:
    """The same answer as `visible_cases(user).filter(pk=case.pk).exists()`, without a query."""
    return any(g.kind != "none" and g.covers(case) for g in grants(user))


def access_case(user: User, case_id: int | str, *, for_update: bool = False, loader: CaseLoader = ROW_ONLY) -> Case:
    """The case if the user may see it, else NotFound (missing and forbidden alike).

    The case is loaded by id and checked against the user's grants (`loader` says what else a read loads
    after the check). for_update locks the row first (inside the caller's transaction): a row the user may
    not see is then held only until that transaction rolls back on the NotFound."""
    try:
        pk = int(case_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    if not 0 < pk <= MAX_ID:  # bound as it is: a 20-digit id must read as missing, not overflow the driver
        raise NotFound()
    if for_update:
        if not transaction.get_connection().in_atomic_block:
            raise TransactionManagementError("access_case(for_update=True) must run inside the action's transaction")
        case = _RowOnly.locked.first(pk)
        if case is None or not may_see(user, case):
            raise NotFound()
        return case
    case = loader.row(pk)
    if case is None or not may_see(user, case):
        raise NotFound()
    loader.complete(case)
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
