from tests.cases.conftest import PASSWORD, world  # noqa: F401
