"""The authorisation matrix: every API route × every role of the `world` × a case inside and outside scope.

Routes are enumerated from the NinjaAPI itself (every mounted router, every path operation, every
method), so a new endpoint without an entry in EXPECTED fails `test_every_route_has_an_expectation`.
An entry says how to call the route and which status each caller must get:

- the inside case is in 江苏 (320000) for the world's cadre and unit; the outside case is in 昌宁县
  (530524), in scope of the `outsider` handler only;
- the evaluator holds a case role on the inside case, the hearing host on a sibling case only: case-scoped
  roles see their own case and nothing else;
- administrators 「三员」 see no case: 404 on every case URL, like anyone out of scope;
- anonymous callers get 401 except on public endpoints.

Routes of other apps (outcomes, disclosure, consultation, stats, …) have coarse entries here (`foreign`):
public or not, never a server error, and on every `{case_id}` URL a caller out of scope gets 404. Their
owners should tighten them; a new route still needs its line.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from rongcuo.accounts import actions as accounts
from rongcuo.cases import access, actions
from rongcuo.procedure.sweep import sweep
from tests import samples
from tests.cases.conftest import enrol

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

TODAY = str(dt.date.today())
PDF = samples.pdf()
ANON = "anonymous"
ROLES = [
    "applicant",
    "unit_contact",
    "unit_reviewer",
    "handler",
    "investigator",
    "secretary",
    "org_liaison",
    "publisher",
    "drafter",
    "outsider",
    "evaluator",
    "hearing_host",
    "sysadmin",
    "secadmin",
    "auditadmin",
]
CALLERS = [*ROLES, ANON]
# Who sees which case (the world's grants; see the module docstring).
SEES = {
    "inside": {
        "applicant",
        "unit_contact",
        "unit_reviewer",
        "handler",
        "investigator",
        "secretary",
        "org_liaison",
        "publisher",
        "evaluator",
    },
    "outside": {"outsider"},
}
ANY = frozenset(range(100, 500))  # anything but a server error


# --- the world the matrix runs in -------------------------------------------------------------------------


@dataclass
class Ctx:
    world: Any
    ids: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Any:
        return self.ids[key]


def _matter(user: Any, unit: Any) -> tuple[Any, Any]:
    return actions.open_matter(
        user, {"unit_id": unit.pk, "title": "问责事项", "initiating_organ": "纪委", "started_on": TODAY}
    )


def build(world: Any) -> Ctx:
    w = world
    ctx = Ctx(w)
    base = {"summary": "概述", "statement": "本人申请", "conduct_date": "2023-05-01"}
    inside = actions.submit_application(w.applicant, {**base, "title": "范围内案件"})
    sibling = actions.submit_application(w.applicant, {**base, "title": "同辖区另一案件"})
    accounts.grant_role(None, "evaluator", "evaluator", case_id=inside.pk)
    accounts.grant_role(None, "hearing_host", "hearing_host", case_id=sibling.pk)
    outside_matter, auto = _matter(w.outsider, w.other_unit)
    outside = auto or actions.open_proactive(w.outsider, outside_matter.pk)
    inside_matter, _ = _matter(w.handler, w.unit)
    ctx.ids.update(
        inside=inside.pk,
        sibling=sibling.pk,
        outside=outside.pk,
        inside_matter=inside_matter.pk,
        outside_matter=outside_matter.pk,
        inside_attachment=actions.add_attachment(w.handler, inside.pk, "a.pdf", PDF).pk,
        outside_attachment=actions.add_attachment(w.outsider, outside.pk, "b.pdf", PDF).pk,
    )
    accounts.create_user(None, "contact2", PASSWORD, must_change_password=False)
    accounts.grant_role(None, "contact2", "unit_contact", unit_id=w.other_unit.pk)
    pre = {"title": "报备", "measure": "m", "risks": "r", "safeguards": "s", "expected_effect": "e"}
    ctx.ids["inside_prefiling"] = actions.submit_prefiling(w.unit_contact, {**pre, "unit_id": w.unit.pk}).pk
    contact2 = accounts.User.objects.get(username="contact2")
    ctx.ids["outside_prefiling"] = actions.submit_prefiling(contact2, {**pre, "unit_id": w.other_unit.pk}).pk
    accounts.create_user(None, "target", PASSWORD, must_change_password=False)
    ctx.ids["target_grant"] = accounts.grant_role(None, "target", "handler", jurisdiction="320000").pk
    # a 规则起草人 of the inside cases' province: a staff role whose scope is for drafting rules; it reads no case
    accounts.create_user(None, "drafter", PASSWORD, "规则起草人", must_change_password=False)
    accounts.grant_role(None, "drafter", "drafter", jurisdiction="320000")
    w.users["drafter"] = enrol(accounts.User.objects.get(username="drafter"))
    sweep(dt.date.today() + dt.timedelta(days=90))  # reminders for every running deadline
    return ctx


# --- expectations -----------------------------------------------------------------------------------------

Expect = Callable[[str, str | None], frozenset[int]]


@dataclass(frozen=True)
class Route:
    url: Callable[[Ctx, str | None], str]
    expect: Expect
    body: Callable[[Ctx, str], Any] | None = None
    scoped: bool = False  # run once with the inside and once with the outside case
    upload: bool = False
    public: bool | None = None  # default: anonymous callers are not told 401


def codes(*values: int) -> frozenset[int]:
    return frozenset(values)


def signed_in(code: int | frozenset[int]) -> Expect:
    ok = code if isinstance(code, frozenset) else codes(code)
    return lambda role, scope: codes(401) if role == ANON else ok


def public(code: int) -> Expect:
    return lambda role, scope: codes(code)


def only(roles: set[str], code: int | frozenset[int], others: int = 404) -> Expect:
    ok = code if isinstance(code, frozenset) else codes(code)
    return lambda role, scope: codes(401) if role == ANON else ok if role in roles else codes(others)


def in_case(by_role: dict[str, int | frozenset[int]] | None = None, default: int = 200) -> Expect:
    """Callers who see the case get by_role[role] (or default); everyone else 404, anonymous 401."""

    def expect(role: str, scope: str | None) -> frozenset[int]:
        if role == ANON:
            return codes(401)
        if scope is None or role not in SEES[scope]:
            return codes(404)
        got = (by_role or {}).get(f"{role}@{scope}", (by_role or {}).get(role, default))
        return got if isinstance(got, frozenset) else codes(got)

    return expect


def foreign(public_route: bool = False, write: bool = False) -> Expect:
    """Coarse entry for another app's route (see the module docstring). Out of scope a case URL answers 404;
    a write may also refuse its (empty) body first with 400, which tells nothing about the case."""

    def expect(role: str, scope: str | None) -> frozenset[int]:
        if role == ANON and not public_route:
            return codes(401)
        if scope is not None and role not in SEES[scope] and not public_route:
            return codes(400, 404) if write else codes(404)
        return ANY - codes(401)

    return expect


def case_url(suffix: str = "") -> Callable[[Ctx, str | None], str]:
    return lambda c, scope: f"/api/cases/{c[scope or 'inside']}{suffix}"


def fixed(url: str) -> Callable[[Ctx, str | None], str]:
    return lambda c, scope: url


STAFF_JS = {"handler", "investigator", "secretary", "org_liaison", "publisher"}
UPLOADERS = {"handler", "investigator", "applicant", "unit_contact", "evaluator", "outsider"}

EXPECTED: dict[tuple[str, str], Route] = {
    # signing in
    ("GET", "/auth/csrf"): Route(fixed("/api/auth/csrf"), public(200)),
    ("POST", "/auth/login"): Route(
        fixed("/api/auth/login"),
        public(401),
        body=lambda c, r: {"username": r, "password": "wrong-password"},
        public=True,
    ),
    ("POST", "/auth/logout"): Route(fixed("/api/auth/logout"), signed_in(200)),
    ("POST", "/auth/logout-everywhere"): Route(fixed("/api/auth/logout-everywhere"), signed_in(200)),
    ("POST", "/auth/password"): Route(
        fixed("/api/auth/password"), signed_in(400), body=lambda c, r: {"old_password": "x", "new_password": "y"}
    ),
    ("POST", "/auth/tokens"): Route(fixed("/api/auth/tokens"), signed_in(201), body=lambda c, r: {"name": "m"}),
    ("GET", "/me"): Route(fixed("/api/me"), signed_in(200)),
    # administrators
    ("GET", "/admin/users"): Route(fixed("/api/admin/users"), only({"sysadmin", "secadmin"}, 200)),
    ("POST", "/admin/users"): Route(
        fixed("/api/admin/users"), only({"sysadmin"}, 201), body=lambda c, r: {"username": "new1", "password": PASSWORD}
    ),
    ("POST", "/admin/users/{username}/disable"): Route(
        fixed("/api/admin/users/target/disable"), only({"sysadmin"}, 200)
    ),
    ("POST", "/admin/users/{username}/enable"): Route(fixed("/api/admin/users/target/enable"), only({"sysadmin"}, 200)),
    ("POST", "/admin/users/{username}/password"): Route(
        fixed("/api/admin/users/target/password"),
        only({"sysadmin"}, 200),
        body=lambda c, r: {"password": "Temp#Word2049x"},
    ),
    ("POST", "/admin/users/{username}/totp-reset"): Route(
        fixed("/api/admin/users/target/totp-reset"), only({"sysadmin"}, 200)
    ),
    ("POST", "/admin/grants"): Route(
        fixed("/api/admin/grants"),
        only({"secadmin"}, 201),
        body=lambda c, r: {"username": "target", "role": "investigator", "jurisdiction": "320000"},
    ),
    ("DELETE", "/admin/grants/{grant_id}"): Route(
        lambda c, s: f"/api/admin/grants/{c['target_grant']}", only({"secadmin"}, 200)
    ),
    # organisation
    ("GET", "/jurisdictions"): Route(fixed("/api/jurisdictions"), signed_in(200)),
    ("GET", "/units"): Route(fixed("/api/units"), signed_in(200)),
    ("GET", "/cadres"): Route(fixed("/api/cadres"), signed_in(200)),
    ("GET", "/matters"): Route(fixed("/api/matters"), signed_in(200)),
    ("POST", "/matters"): Route(
        fixed("/api/matters"),
        only({"handler"}, 201),
        body=lambda c, r: {
            "unit_id": c.world.unit.pk,
            "title": "新问责事项",
            "initiating_organ": "纪委",
            "started_on": TODAY,
        },
    ),
    ("POST", "/matters/{matter_id}/proactive"): Route(
        lambda c, scope: f"/api/matters/{c[f'{scope}_matter']}/proactive",
        in_case({"handler": 409, "outsider": codes(201, 409)}, default=404),
        scoped=True,
    ),
    # cases
    ("POST", "/applications"): Route(
        fixed("/api/applications"),
        # a unit contact sending no unit_id is told the field is required (400) before any scope check
        lambda role, scope: codes(400) if role == "unit_contact" else only({"applicant"}, 201)(role, scope),
        body=lambda c, r: {"title": "申请", "summary": "概述", "statement": "本人申请"},
    ),
    ("GET", "/cases"): Route(fixed("/api/cases"), signed_in(200)),
    ("GET", "/cases/{case_id}"): Route(case_url(), in_case(), scoped=True),
    ("POST", "/cases/{case_id}/actions/{verb}"): Route(
        case_url("/actions/accept"), in_case(default=409), scoped=True, body=lambda c, r: {}
    ),
    ("POST", "/cases/{case_id}/facts"): Route(
        case_url("/facts"),
        in_case({"handler": 409, "investigator": 409, "outsider": 200}, default=403),
        scoped=True,
        body=lambda c, r: {"fact": "private_gain", "value": False},
    ),
    ("POST", "/cases/{case_id}/interviews"): Route(
        case_url("/interviews"),
        in_case({"handler": 201, "investigator": 201, "outsider": 201}, default=403),
        scoped=True,
        body=lambda c, r: {"interviewee": "李四", "held_on": TODAY, "content": "走访"},
    ),
    ("POST", "/cases/{case_id}/attachments"): Route(
        case_url("/attachments"), in_case(dict.fromkeys(UPLOADERS, 201), default=403), scoped=True, upload=True
    ),
    ("GET", "/cases/{case_id}/attachments/{attachment_id}"): Route(
        lambda c, scope: f"/api/cases/{c[scope or 'inside']}/attachments/{c[f'{scope}_attachment']}",
        in_case(),
        scoped=True,
    ),
    ("GET", "/cases/{case_id}/evaluation"): Route(case_url("/evaluation"), in_case(), scoped=True),
    ("GET", "/cases/{case_id}/commission"): Route(case_url("/commission"), in_case(), scoped=True),
    # Only the handler and the decision secretary commission; neither case is at 第三方评估 or 听证 (409).
    ("POST", "/cases/{case_id}/commission"): Route(
        case_url("/commission"),
        in_case({"handler": 409, "secretary": 409, "outsider": 409}, default=403),
        scoped=True,
        body=lambda c, r: {"role": "evaluator", "user_id": c.world.evaluator.pk},
    ),
    ("GET", "/prefilings"): Route(fixed("/api/prefilings"), signed_in(200)),
    ("POST", "/prefilings"): Route(
        fixed("/api/prefilings"),
        only({"unit_contact"}, 201),
        body=lambda c, r: {
            "unit_id": c.world.unit.pk,
            "title": "报备",
            "measure": "m",
            "risks": "r",
            "safeguards": "s",
            "expected_effect": "e",
        },
    ),
    ("POST", "/prefilings/{prefiling_id}/review"): Route(
        lambda c, scope: f"/api/prefilings/{c[f'{scope}_prefiling']}/review",
        in_case({"handler": 200, "outsider": 200}, default=404),
        scoped=True,
        body=lambda c, r: {"acknowledge": False, "response": "退回补充"},
    ),
    ("GET", "/reminders"): Route(fixed("/api/reminders"), signed_in(200)),
    # policies (public texts)
    ("GET", "/policies"): Route(fixed("/api/policies"), public(200)),
    ("POST", "/policies/compare"): Route(
        fixed("/api/policies/compare"), public(200), body=lambda c, r: {"facts": {"private_gain": False}}
    ),
    ("GET", "/policies/{policy_id}"): Route(fixed("/api/policies/jiangsu-2017"), public(200)),
    ("GET", "/policies/compare/exact"): Route(
        fixed("/api/policies/compare/exact?a=guizhou-tongren&b=yunnan-dali-2019"), public(200)
    ),
    ("GET", "/policies/compare/matrix"): Route(fixed("/api/policies/compare/matrix"), public(200)),
    ("GET", "/policies/{policy_id}/verify"): Route(fixed("/api/policies/jiangsu-2017/verify"), public(200)),
    ("POST", "/policies/{policy_id}/evaluate"): Route(
        fixed("/api/policies/jiangsu-2017/evaluate"), public(200), body=lambda c, r: {"facts": {"private_gain": False}}
    ),
    # audit
    ("GET", "/audit"): Route(fixed("/api/audit"), only({"auditadmin"}, 200)),
    ("GET", "/audit/verify"): Route(fixed("/api/audit/verify"), only({"auditadmin"}, 200)),
    ("GET", "/audit/checkpoints"): Route(fixed("/api/audit/checkpoints"), only({"auditadmin"}, 200)),
}


def _foreign(method: str, path: str, public_route: bool = False) -> Route:
    def url(c: Ctx, scope: str | None) -> str:
        filled = path.replace("{case_id}", str(c[scope or "inside"]))
        return "/api" + re.sub(r"\{[^}]+\}", "999999", filled)

    expect = foreign(public_route, write=method != "GET")
    return Route(url, expect, body=lambda c, r: {}, scoped="{case_id}" in path, public=public_route)


FOREIGN: dict[tuple[str, str], bool] = {
    # (method, path): public?
    ("GET", "/documents/kinds"): False,
    ("GET", "/documents/cases/{case_id}"): False,
    ("POST", "/documents/cases/{case_id}"): False,
    ("POST", "/documents/prefilings/{prefiling_id}"): False,
    ("POST", "/documents/clarifications/{clarification_id}"): False,
    ("GET", "/documents/{document_id}/docx"): False,
    ("GET", "/documents/{document_id}/pdf"): False,
    ("POST", "/documents/{document_id}/pdf"): False,
    ("POST", "/documents/{document_id}/signature"): False,
    ("GET", "/documents/{document_id}/signature"): False,
    ("POST", "/documents/verify"): False,
    ("GET", "/documents/templates/default"): False,
    ("POST", "/documents/templates/validate"): False,
    ("POST", "/documents/templates"): False,
    ("GET", "/documents/{document_id}"): False,
    ("POST", "/exchange/import"): False,
    ("GET", "/exchange/exports/cases"): False,
    ("GET", "/exchange/exports/stats"): False,
    ("GET", "/exchange/exports/standing"): False,
    ("GET", "/exchange/template"): False,
    ("GET", "/outcomes/standing"): False,
    ("GET", "/outcomes/cases/{case_id}/early-warning"): False,
    ("GET", "/outcomes/cases/{case_id}/correction"): False,
    ("POST", "/outcomes/cases/{case_id}/correction"): False,
    ("POST", "/outcomes/cases/{case_id}/correction/progress"): False,
    ("POST", "/outcomes/cases/{case_id}/correction/assessments"): False,
    ("POST", "/outcomes/cases/{case_id}/correction/completion"): False,
    ("POST", "/outcomes/cases/{case_id}/correction/verify"): False,
    ("POST", "/outcomes/cases/{case_id}/correction/refusal"): False,
    ("GET", "/outcomes/reports"): False,
    ("POST", "/outcomes/reports"): False,
    ("GET", "/outcomes/reports/{report_id}"): False,
    ("POST", "/outcomes/reports/{report_id}/conclusion"): False,
    ("POST", "/outcomes/reports/{report_id}/clarifications"): False,
    ("POST", "/outcomes/reports/{report_id}/referral"): False,
    ("GET", "/disclosure/candidates"): False,
    ("POST", "/disclosure/cases/{case_id}/rendition"): False,
    ("GET", "/disclosure/renditions"): False,
    ("GET", "/disclosure/renditions/{rendition_id}"): False,
    ("PATCH", "/disclosure/renditions/{rendition_id}"): False,
    ("POST", "/disclosure/renditions/{rendition_id}/scan"): False,
    ("POST", "/disclosure/renditions/{rendition_id}/approve"): False,
    ("POST", "/disclosure/renditions/{rendition_id}/withdraw"): False,
    ("PUT", "/disclosure/renditions/{rendition_id}/typical"): False,
    ("DELETE", "/disclosure/renditions/{rendition_id}/typical"): False,
    ("GET", "/disclosure/public/decisions"): True,
    ("GET", "/disclosure/public/decisions/{public_number}"): True,
    ("GET", "/disclosure/public/typical"): True,
    ("GET", "/disclosure/public/tags"): True,
    ("GET", "/consultation/drafts"): False,
    ("POST", "/consultation/drafts"): False,
    ("GET", "/consultation/drafts/{draft_id}"): False,
    ("PATCH", "/consultation/drafts/{draft_id}"): False,
    ("POST", "/consultation/drafts/{draft_id}/publish"): False,
    ("POST", "/consultation/drafts/{draft_id}/close"): False,
    ("POST", "/consultation/drafts/{draft_id}/adopt"): False,
    ("GET", "/consultation/drafts/{draft_id}/export"): False,
    ("GET", "/consultation/public/drafts"): True,
    ("GET", "/consultation/public/drafts/{draft_id}"): True,
    ("POST", "/consultation/public/drafts/{draft_id}/responses"): True,
    ("GET", "/stats/summary"): False,
    ("GET", "/stats/by/{dimension}"): False,
    ("GET", "/stats/processing-times"): False,
    ("GET", "/stats/overdue"): False,
    ("GET", "/stats/public"): True,
    ("GET", "/search/cases"): False,
    ("GET", "/search/public"): True,
    ("GET", "/search/similar/{case_id}"): False,
}
for _key, _public in FOREIGN.items():
    EXPECTED.setdefault(_key, _foreign(*_key, _public))


# --- the routes of the API --------------------------------------------------------------------------------


def api_routes() -> list[tuple[str, str, bool]]:
    """(method, path, public) for every operation of every router mounted on the API."""
    import rongcuo.urls  # noqa: F401  (apps mount their routers when the URLconf loads)
    from rongcuo.api import api

    out = []
    for bound in api._get_bound_routers():
        for path, view in bound.path_operations.items():
            full = re.sub(r"/+", "/", f"/{bound.prefix}/{path}").rstrip("/") or "/"
            for op in view.operations:
                for method in op.methods:
                    out.append((method, full, not op.auth_callbacks))
    return sorted(set(out))


ROUTES = api_routes()


def test_routes_are_found() -> None:
    assert len(ROUTES) >= len(EXPECTED) - len(FOREIGN)
    assert ("GET", "/cases/{case_id}", False) in ROUTES


@pytest.mark.parametrize(("method", "path", "is_public"), ROUTES, ids=[f"{m} {p}" for m, p, _ in ROUTES])
def test_every_route_has_an_expectation(method: str, path: str, is_public: bool) -> None:
    route = EXPECTED.get((method, path))
    assert route is not None, f"{method} /api{path} has no entry in tests/api/test_authz_matrix.py EXPECTED"
    declared = route.public
    if declared is None:
        declared = 401 not in route.expect(ANON, "inside" if route.scoped else None)
    assert declared == is_public, f"{method} {path}: public={is_public} but the entry says otherwise"


# --- running it -------------------------------------------------------------------------------------------


def _call(ctx: Ctx, role: str, method: str, route: Route, scope: str | None) -> Any:
    client = Client()
    if role != ANON:
        client.force_login(ctx.world.users[role])
    url = route.url(ctx, scope)
    if route.upload:
        return client.post(url, {"file": SimpleUploadedFile("证据.pdf", PDF), "kind": "evidence"})
    body = route.body(ctx, role) if route.body else None
    if method == "GET":
        return client.get(url)
    return client.generic(method, url, "" if body is None else json.dumps(body), "application/json")


# Routes that change who is signed in or what exists run after the rest (logout-everywhere, disable…).
LAST = {"/auth/logout-everywhere", "/admin/users/{username}/disable", "/admin/grants/{grant_id}"}


def test_authorisation_matrix(world) -> None:
    ctx = build(world)
    failures = []
    order = sorted(ROUTES, key=lambda r: (r[1] in LAST, r[1], r[0]))
    for method, path, _ in order:
        route = EXPECTED.get((method, path))
        if route is None:
            continue  # reported by test_every_route_has_an_expectation
        for scope in ("inside", "outside") if route.scoped else (None,):
            for role in CALLERS:
                response = _call(ctx, role, method, route, scope)
                allowed = route.expect(role, scope)
                if response.status_code not in allowed:
                    shown = sorted(allowed) if len(allowed) < 10 else "<500"
                    text = response.content.decode(errors="replace")[:160]
                    failures.append(
                        f"{method} {path} [{scope}] as {role}: {response.status_code}, expected {shown}: {text}"
                    )
                ctype = response.get("Content-Type", "")
                if response.status_code >= 400 and not ctype.startswith("application/json"):
                    failures.append(f"{method} {path} [{scope}] as {role}: error {response.status_code} is not JSON")
    assert not failures, "\n".join(failures)


# --- lists never show what is out of scope ----------------------------------------------------------------


def _ids(client: Client, url: str, key: str = "id", **params: Any) -> list[Any]:
    response = client.get(url, {"page_size": 100, **params})
    assert response.status_code == 200, response.content
    return [item[key] for item in response.json()["items"]]


def test_lists_never_include_out_of_scope_items(world) -> None:
    ctx = build(world)
    all_cases = {ctx["inside"], ctx["sibling"], ctx["outside"]}
    for role in ROLES:
        user = world.users[role]
        client = Client()
        client.force_login(user)
        visible = set(access.visible_cases(user).values_list("pk", flat=True))
        listed = set(_ids(client, "/api/cases"))
        assert listed == visible, role
        for name, case_id in (("inside", ctx["inside"]), ("outside", ctx["outside"])):
            assert (case_id in listed) == (role in SEES[name]), (role, name)
        if role in {"sysadmin", "secadmin", "auditadmin", "hearing_host", "evaluator", "outsider"}:
            assert len(listed & all_cases) <= 1, role  # one case at most: their own
        reminders = client.get("/api/reminders", {"page_size": 100}).json()["items"]
        assert {r["case"]["id"] for r in reminders if r["case"]} <= visible, role
        prefilings = set(_ids(client, "/api/prefilings"))
        assert (ctx["outside_prefiling"] in prefilings) == (role == "outsider"), role
        matters = set(_ids(client, "/api/matters"))
        assert (ctx["outside_matter"] in matters) == (role == "outsider"), role
        assert (ctx["inside_matter"] in matters) == (role == "handler"), role
        units = set(_ids(client, "/api/units"))
        assert (world.other_unit.pk in units) == (role in {"outsider", "secadmin"}), role
        cadres = client.get("/api/cadres", {"page_size": 100}).json()["items"]
        sees_cadre = role in {"applicant", "unit_contact", "unit_reviewer", *STAFF_JS, "secadmin"}
        assert (world.cadre.pk in {c["id"] for c in cadres}) == sees_cadre, role
        for c in cadres:
            assert "*" in c["id_number_masked"] and c["id_number_masked"] != "320102198001011234"
    applicant = Client()
    applicant.force_login(world.applicant)
    assert [c["id"] for c in applicant.get("/api/cadres").json()["items"]] == [world.cadre.pk]
