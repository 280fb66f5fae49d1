"""Where a 规则起草人 may draft: the jurisdiction subtrees of their drafter grants, read from the grants
themselves (not from rongcuo.cases.access, whose grants are about cases). A draft outside them is NotFound,
the same answer as a missing one."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from rongcuo.accounts.models import RoleAssignment, User
from rongcuo.accounts.roles import Role
from rongcuo.org.models import Jurisdiction

ROLE = Role.DRAFTER.value


@dataclass(frozen=True)
class DraftingScope:
    roots: tuple[Jurisdiction, ...]
    codes: frozenset[str]

    def __bool__(self) -> bool:
        return bool(self.codes)

    def parent_codes(self) -> set[str]:
        """Places a measure may be derived from: every ancestor of a root (中央 included) and the roots'
        neighbours under the same parent, besides the drafter's own subtree."""
        out = set(self.codes)
        for root in self.roots:
            out |= {c for c in root.path.split("/") if c}
            if root.parent_id:
                out |= set(Jurisdiction.objects.filter(parent_id=root.parent_id).values_list("code", flat=True))
        return out


def drafting_scope(user: User) -> DraftingScope:
    cached = getattr(user, "_rongcuo_drafting", None)
    if cached is not None:
        return cached
    roots: tuple[Jurisdiction, ...] = ()
    codes: frozenset[str] = frozenset()
    if user is not None and user.is_authenticated and user.is_active:
        grants = RoleAssignment.objects.filter(user_id=user.pk, role=ROLE, revoked_at__isnull=True)
        roots = tuple(ra.jurisdiction for ra in grants.select_related("jurisdiction") if ra.jurisdiction is not None)
        if roots:
            q = Q(pk__in=[])
            for root in roots:
                q |= Q(path__startswith=root.path)
            codes = frozenset(Jurisdiction.objects.filter(q).values_list("code", flat=True))
    scope = DraftingScope(roots, codes)
    user._rongcuo_drafting = scope  # type: ignore[attr-defined]
    return scope


def is_drafter(user: User) -> bool:
    return bool(drafting_scope(user))
