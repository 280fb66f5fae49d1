from tests.cases.conftest import world  # noqa: F401
from tests.documents.conftest import _no_background_pdf, body  # noqa: F401
