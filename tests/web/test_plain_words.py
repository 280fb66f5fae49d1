"""No developer words on the pages people read: every page reachable from the navigation, for an account of
every demo role, shows no code identifier (a fact id, a node id, a stage or verb code, a role code, an outcome
code) or machine-format time outside code samples, form values and web addresses.

The crawl follows links from each account's navigation breadth-first, visiting at most two pages of each
URL shape (ids collapsed), so it covers every kind of page without reading every case.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from rongcuo import demo
from rongcuo.accounts.models import User
from rongcuo.accounts.roles import Role
from rongcuo.policy.catalog import OUTCOME_LABELS, catalog
from rongcuo.procedure.engine import definition
from rongcuo.web.templatetags.web_nav import LINKS

pytestmark = pytest.mark.django_db

SNAKE = re.compile(r"(?<![A-Za-z0-9_@./:=-])([a-z][a-z0-9]*(?:_[a-z0-9]+)+)(?![A-Za-z0-9_@/=-])")
WORD = re.compile(r"(?<![A-Za-z0-9_@./:=-])([a-z][a-z0-9]+)(?![A-Za-z0-9_@/=-])")
URL = re.compile(r"https?://\S+")
ISO_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d")  # a machine time: people read 年月日 时:分
SKIP_TAGS = {"script", "style", "code", "pre", "textarea", "kbd", "samp", "option", "datalist"}
# Pages that are files, change state on GET by design of the link (sign-out), or only repeat another page.
SKIP_PATHS = ("/logout", "/static/", "/api/", "download", "export", ".json", ".csv", ".docx", ".pdf", ".xlsx")
PER_SHAPE = 2
MAX_PAGES = 80


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.links: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIP_TAGS:
            self._skip += 1
        href = dict(attrs).get("href") if tag == "a" else None
        if href and href.startswith("/"):
            self.links.append(href.split("#")[0])

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIP_TAGS and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def _codes() -> set[str]:
    """One-word codes a reader must never see (multi-word ones are caught by their underscore)."""
    proc = definition()
    words = {f for f in catalog().facts} | set(OUTCOME_LABELS) | set(Role.values)
    words |= {s["id"] for s in proc["stages"]} | set(proc["verbs"])
    return {w for w in words if "_" not in w}


def _shape(path: str) -> str:
    return re.sub(r"/\d+(?=/|$)", "/N", path.split("?")[0])


@pytest.fixture(scope="module")
def built(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock(), transaction.atomic():
        demo.load()
        yield
        transaction.set_rollback(True)


def _crawl(user: User, names: set[str], codes: set[str]) -> list[tuple[str, str]]:
    User.objects.filter(pk=user.pk).update(totp_enabled=True)  # past enrolment: the pages, not the gate
    client = Client()
    client.force_login(user)
    queue = ["/", *[href for href, _, _ in LINKS]]
    seen: set[str] = set()
    shapes: dict[str, int] = {}
    found: list[tuple[str, str]] = []
    while queue and len(seen) < MAX_PAGES:
        path = queue.pop(0)
        shape = _shape(path)
        if path in seen or any(s in path for s in SKIP_PATHS) or shapes.get(shape, 0) >= PER_SHAPE:
            continue
        seen.add(path)
        shapes[shape] = shapes.get(shape, 0) + 1
        r = client.get(path)
        if r.status_code != 200 or "text/html" not in r.get("Content-Type", ""):
            continue
        parser = _Text()
        parser.feed(r.content.decode())
        text = URL.sub(" ", " ".join(parser.parts))
        words = set(SNAKE.findall(text)) | (set(WORD.findall(text)) & codes) | set(ISO_TIME.findall(text))
        found += [(w, path) for w in sorted(words - names)]
        queue += [link for link in parser.links if link not in seen]
    return found


def test_no_developer_words_on_any_page_for_any_role(built: None) -> None:
    names = set(User.objects.values_list("username", flat=True))
    codes = _codes()
    accounts = {}
    for user in User.objects.filter(username__in=demo.usernames()).prefetch_related("assignments"):
        for a in user.assignments.all():
            accounts.setdefault(a.role, user)
    assert set(accounts) == set(Role.values)  # one account of every role is crawled
    problems = []
    for role, user in sorted(accounts.items()):
        problems += [f"{role} {user.username} {path}: {word}" for word, path in _crawl(user, names, codes)]
    assert not problems, "页面上出现了代码标识符：\n" + "\n".join(problems[:60])
