from tests.cases.conftest import world  # noqa: F401
