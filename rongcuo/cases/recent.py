"""Recent activity in a user's scope (the workbench's 最近动态): the newest timeline events of visible cases.

"Newest events whose case is visible" is a query no index answers directly. Two plans, chosen by the size
of the scope (counted from the scope index):
- a small scope (a county's few hundred cases): read the scope's events through the case index and sort;
- a large scope (a province's tens of thousands): walk back from the newest event in growing windows of
  ids until enough are found, which ends in the first window unless the scope has been quiet.
Either way the work stays bounded by the scope or the window, never the whole timeline table.
"""

from __future__ import annotations

from django.db.models import QuerySet

from rongcuo.accounts.models import User
from rongcuo.core.pagination import unindexed_id_order

from . import access
from .models import CaseEvent

SMALL_SCOPE = 5_000  # cases: below this, sort the scope's events
FIRST_WINDOW = 20_000  # event ids: the first window walked back from the newest
GROWTH = 8


def _newest_first(qs: QuerySet[CaseEvent]) -> QuerySet[CaseEvent]:
    # The database filters first and sorts the matches, instead of walking the id index backwards.
    return qs.order_by(*unindexed_id_order(qs.order_by("-id")))


def recent_event_ids(user: User, limit: int = 20) -> list[int]:
    scope = access.visible_cases(user)
    events = CaseEvent.objects.filter(case__in=scope.values("pk"))
    if scope.count() <= SMALL_SCOPE:
        return list(_newest_first(events).values_list("pk", flat=True)[:limit])
    top = CaseEvent.objects.order_by("-id").values_list("pk", flat=True).first()
    if top is None:
        return []
    window = FIRST_WINDOW
    while True:
        found = list(_newest_first(events.filter(pk__gt=top - window)).values_list("pk", flat=True)[:limit])
        if len(found) == limit or window >= top:
            return found
        window *= GROWTH


def recent_events(user: User, limit: int = 20) -> list[CaseEvent]:
    """The newest `limit` events of cases the user may see, newest first, with their case's number."""
    ids = recent_event_ids(user, limit)
    rows = (
        CaseEvent.objects.filter(pk__in=ids).select_related("case").only("at", "actor_name", "summary", "case__number")
    )
    by_id = {e.pk: e for e in rows}
    return [by_id[i] for i in ids if i in by_id]
