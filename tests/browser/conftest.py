"""Browser tests in real Chromium (Debian's /usr/bin/chromium) driven by Playwright.

In CI (CI=true) a missing browser fails the run instead of skipping it: the project's set-up installs it.
Screenshots of the main pages are saved under test-artifacts/screenshots/ as test artifacts.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cases.conftest import PASSWORD, world  # noqa: F401

CHROMIUM = os.environ.get("RONGCUO_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make between page
# actions are ordinary synchronous code, so Django's async-safety guard does not apply to them.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _browser_available() -> bool:
    return Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is not None


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not _browser_available():
        if os.environ.get("CI"):
            pytest.fail(f"Chromium not found at {CHROMIUM}: scripts/setup installs it (scripts/apt-packages.txt)")
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield b
        b.close()


class Session:
    """One person at one browser window, with console errors collected."""

    def __init__(self, browser, base_url: str, name: str, viewport: dict[str, int] | None = None) -> None:  # type: ignore[no-untyped-def]
        self.context = browser.new_context(viewport=viewport or {"width": 1366, "height": 768}, locale="zh-CN")
        self.page = self.context.new_page()
        self.base = base_url
        self.name = name
        self.errors: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))

    def _console(self, message) -> None:  # type: ignore[no-untyped-def]
        # A page answered 400/401/404 on purpose (a refused form, a hidden case) makes Chromium log the
        # document's status as a console error; the tests assert those statuses themselves. Every other
        # console error (scripts, styles, images, sub-requests) fails the test.
        if message.type != "error":
            return
        location = (message.location or {}).get("url", "")
        if "Failed to load resource" in message.text and location.split("#")[0] == self.page.url.split("#")[0]:
            return
        self.errors.append(f"{message.type}: {message.text} ({location})")

    def go(self, path: str):  # type: ignore[no-untyped-def]
        return self.page.goto(self.base + path)

    def shot(self, label: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{label}.png"), full_page=True)

    def close(self) -> None:
        self.context.close()


@pytest.fixture(autouse=True)
def migrated_rows(transactional_db: None) -> Iterator[None]:
    """Browser tests share the live server's database, so they are transactional: each starts from the
    empty tables the last one's flush left. Put back what the migrations seed (jurisdictions, the audit
    head, the append-only triggers) and lift the triggers for the closing flush."""
    import importlib

    from django.db import connection

    from rongcuo.audit.chain import GENESIS
    from rongcuo.audit.models import AuditHead
    from rongcuo.org.models import Jurisdiction
    from rongcuo.org.seed import seed_jurisdictions

    append_only = importlib.import_module("rongcuo.audit.migrations.0003_append_only")
    seed_jurisdictions(Jurisdiction)
    AuditHead.objects.get_or_create(id=1, defaults={"seq": 0, "hash": GENESIS})
    append_only.install(connection)
    yield
    append_only.remove(connection)


@pytest.fixture
def open_session(browser, live_server):  # type: ignore[no-untyped-def]
    sessions: list[Session] = []

    def make(name: str, viewport: dict[str, int] | None = None) -> Session:
        s = Session(browser, live_server.url, name, viewport)
        sessions.append(s)
        return s

    yield make
    problems = [f"[{s.name}] {e}" for s in sessions for e in s.errors]
    for s in sessions:
        s.close()
    assert problems == [], "console errors:\n" + "\n".join(problems)
