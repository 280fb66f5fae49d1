"""Test-wide settings: database tests are marked `django_db` and run on SQLite, and again on
PostgreSQL when RONGCUO_TEST_POSTGRES names one (scripts/test runs `pytest -m django_db` with
DATABASE_URL set to it)."""

from __future__ import annotations

import os
import tempfile

# Private files (keys, attachments) of the test run live in a temporary folder, never the checkout.
os.environ.setdefault("RONGCUO_DATA_DIR", tempfile.mkdtemp(prefix="rongcuo-test-"))


def pytest_configure(config) -> None:
    from django.conf import settings

    # Argon2 costs ~50 ms per hash by design; tests create many accounts.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
