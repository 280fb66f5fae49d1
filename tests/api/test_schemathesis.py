"""Every operation of the live OpenAPI document, fuzzed by schemathesis in-process (no server, no network).

Two callers per operation: a browser session signed in through /api/auth/login (CSRF enforced, the token
sent as X-CSRFToken as the web pages do) and a bearer token of the same staff account (with TOTP enrolled),
issued through POST /api/auth/tokens. Each operation gets a fresh database (a unit, a cadre, the handler and
one submitted application), so an operation that signs out or changes the password spoils only its own
examples.

A test fails on any 5xx and on any answer the document does not describe: an undocumented status code, a
content type other than the documented one, a body that does not match its schema.

Examples are bounded (RONGCUO_SCHEMATHESIS_EXAMPLES, default 4, per phase) and derandomised, so the run is
repeatable and takes about a minute and a half on 2 CPUs; set RONGCUO_SCHEMATHESIS_SEED to explore others.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from typing import Any

import pytest
import schemathesis
from django.test.client import ClientHandler
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

import rongcuo.urls  # noqa: F401  (every app's router registered before the document is read)
from rongcuo.cases import actions
from rongcuo.org.builders import make_cadre, make_unit
from tests.api.test_auth import credentials
from tests.cases.conftest import _user

from .test_lifecycle_api import APPLICATION

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("RONGCUO_SCHEMATHESIS_EXAMPLES", "4"))
SEED = os.environ.get("RONGCUO_SCHEMATHESIS_SEED")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


class Application:
    """WSGI in front of Django's test handler: requests share the test's database connection and
    transaction (the plain WSGIHandler would close that connection at the end of each request)."""

    def __init__(self) -> None:
        self.handler = ClientHandler(enforce_csrf_checks=True)  # middleware loaded once, on the first call

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        response = self.handler(environ)
        headers = [(k, v) for k, v in response.items()]
        headers += [("Set-Cookie", morsel.OutputString()) for morsel in response.cookies.values()]
        start_response(f"{response.status_code} {response.reason_phrase}", headers)
        return [b"".join(response) if response.streaming else response.content]


def load(*, coverage: bool) -> Any:
    config = schemathesis.Config.from_dict(
        {
            "seed": int(SEED) if SEED else 0,
            "generation": {
                "max-examples": EXAMPLES,
                "deterministic": not SEED,
                "database": "none",
                "with-security-parameters": False,
            },
            "phases": {"coverage": {"enabled": coverage}},
        }
    )
    return schemathesis.openapi.from_wsgi("/api/openapi.json", Application(), config=config)


# The coverage phase (boundary values, missing and wrong-typed fields, every enum value: about 50 requests
# per operation) runs once, with the token; the session gets the documented examples and the fuzzing phase.
full = load(coverage=True)
light = load(coverage=False)


class Caller:
    """The staff account `handler`, signed in through the API as a browser would sign in."""

    def __init__(self, username: str = "handler") -> None:
        from django.test import Client

        self.client = Client(enforce_csrf_checks=True)
        csrf = self.client.get("/api/auth/csrf").json()["csrf_token"]
        login = self.client.post(
            "/api/auth/login",
            json.dumps(credentials(username)),
            content_type="application/json",
            headers={"X-CSRFToken": csrf},
        )
        assert login.status_code == 200, login.content
        self.csrf = login.json()["csrf_token"]
        issued = self.client.post(
            "/api/auth/tokens",
            json.dumps({"name": "schemathesis", "days": 1}),
            content_type="application/json",
            headers={"X-CSRFToken": self.csrf},
        )
        assert issued.status_code == 201, issued.content
        self.token = issued.json()["token"]

    def session_headers(self) -> dict[str, str]:
        cookies = "; ".join(f"{name}={morsel.value}" for name, morsel in self.client.cookies.items())
        return {"Cookie": cookies, "X-CSRFToken": self.csrf}

    def token_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture
def caller(db) -> Caller:
    """A small world of its own (the shared `world` makes 15 accounts; this run sets up 220 times): the
    handler of 320000, and one application from a cadre there, so that ids 1, 2… name real rows."""
    unit = make_unit("320000", "江苏省某县发展和改革局")
    cadre = make_cadre(unit, "张三", id_number="320102198001011234", phone="13800001234")
    applicant = _user("applicant", "applicant", cadre_id=cadre.pk)
    _user("handler", "handler", jurisdiction="320000")
    actions.submit_application(applicant, APPLICATION)
    return Caller()


SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=not SEED,
    suppress_health_check=list(HealthCheck),
)


@light.parametrize()
@SETTINGS
def test_signed_in_session(case: schemathesis.Case, caller: Caller) -> None:
    case.call_and_validate(headers=caller.session_headers(), checks=CHECKS)


@full.parametrize()
@SETTINGS
def test_staff_bearer_token(case: schemathesis.Case, caller: Caller) -> None:
    case.call_and_validate(headers=caller.token_headers(), checks=CHECKS)
