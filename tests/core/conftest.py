"""The `world` of accounts (tests/cases/conftest.py) for the sign-in and password tests here."""

from tests.cases.conftest import PASSWORD, world  # noqa: F401
