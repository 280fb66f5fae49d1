"""Two saves of one draft from the same revision, in real threads with their own connections: one is saved,
the other gets the conflict, and the stored draft keeps the first's change."""

from __future__ import annotations

import pytest

from rongcuo.accounts.models import User
from rongcuo.authoring import actions, source
from rongcuo.authoring.models import PolicyDraft
from rongcuo.core.errors import Conflict
from tests.concurrency.test_conflicts import migrated_rows, race  # noqa: F401

from .conftest import derive_jiangning, drafters, world  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_saves_from_one_revision(drafters) -> None:  # noqa: F811
    draft = derive_jiangning(drafters.drafter)

    def save(name: str):
        return lambda: actions.set_meta(User.objects.get(username="drafter"), draft.pk, 1, {"issued_by": name})

    results = race(save("中共南京市江宁区委"), save("江宁区纪委监委"))
    saved = [r for r in results if isinstance(r, PolicyDraft)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(saved) == 1 and len(refused) == 1, results
    fresh = PolicyDraft.objects.get(pk=draft.pk)
    assert fresh.revision == 2
    assert source.materialise(fresh)["issued_by"] == source.materialise(saved[0])["issued_by"]
    assert "保存为第 2 稿" in refused[0].message
