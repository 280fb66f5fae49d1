"""Every published demo case through every public page: none of the demo's people may be identified."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from rongcuo import demo
from rongcuo.accounts import actions as accounts
from rongcuo.accounts.models import User
from rongcuo.cases.models import Case
from rongcuo.core import crypto
from rongcuo.disclosure import actions, deid
from rongcuo.disclosure.models import Rendition, RenditionStatus, TypicalCase
from rongcuo.org.models import Cadre, Unit

from .conftest import PASSWORD
from .test_public import TAGS, public_urls

pytestmark = pytest.mark.django_db


def _identifying() -> list[str]:
    """The demo's cadres (names, ID numbers, phones), every account holder's name and every unit's name."""
    out: list[str] = []
    for c in Cadre.objects.all():
        out += [c.name, crypto.decrypt(c.id_number_enc), crypto.decrypt(c.phone_enc)]
    for name in User.objects.values_list("display_name", flat=True):
        n = deid.normalise_name(name)
        if n and re.fullmatch(r"[\u4e00-\u9fff]+", n):
            out.append(n)
    out += list(Unit.objects.values_list("name", flat=True))
    out += list(Case.objects.values_list("number", flat=True))
    return sorted({x for x in out if x})


def test_demo_cases_published_and_every_public_page_clean() -> None:
    assert demo.load().created
    accounts.create_user(None, "central_publisher", PASSWORD, "central_publisher", must_change_password=False)
    accounts.grant_role(None, "central_publisher", "publisher", jurisdiction="000000")
    publisher = User.objects.get(username="central_publisher")
    # The demo publishes the cases that reached publication; the rest of the decided ones are published here.
    published = list(Rendition.objects.filter(status=RenditionStatus.PUBLISHED))
    assert published and TypicalCase.objects.exists()
    candidates = list(actions.candidate_cases(publisher).order_by("id").distinct())
    assert len(candidates) + len(published) >= 5
    for case in candidates:
        r = actions.generate_rendition(publisher, case.pk)
        assert r.last_scan["clean"], (case.number, r.last_scan["findings"])
        r = actions.approve_rendition(publisher, r.pk)
        assert r.status == RenditionStatus.PUBLISHED
        tags = [case.domain] if case.domain in TAGS else []
        actions.curate_typical(publisher, r.pk, {"significance": "依规容错纠错的典型", "tags": tags})
        published.append(r)
    forbidden = _identifying()
    assert len(forbidden) > 50
    client = Client()
    for url in public_urls([r.public_number for r in published], TAGS):
        response = client.get(url)
        assert response.status_code == 200, url
        body = re.sub(r"\s+", "", response.content.decode("utf-8"))
        leaked = [x for x in forbidden if x in body]
        assert not leaked, (url, leaked)
