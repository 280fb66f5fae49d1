"""Fixtures of the exchange tests: the `world` of users (tests/cases/conftest.py)."""

from tests.cases.conftest import PASSWORD, World, world  # noqa: F401
