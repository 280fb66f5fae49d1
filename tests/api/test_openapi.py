"""The OpenAPI document at /api/openapi.json: valid, complete, every operation named and described."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from .test_authz_matrix import ROUTES

MINE = {
    "/api/auth/login",
    "/api/me",
    "/api/admin/users",
    "/api/admin/grants/{grant_id}",
    "/api/jurisdictions",
    "/api/units",
    "/api/cadres",
    "/api/matters",
    "/api/matters/{matter_id}/proactive",
    "/api/applications",
    "/api/cases",
    "/api/cases/{case_id}",
    "/api/cases/{case_id}/actions/{verb}",
    "/api/cases/{case_id}/facts",
    "/api/cases/{case_id}/interviews",
    "/api/cases/{case_id}/attachments",
    "/api/cases/{case_id}/attachments/{attachment_id}",
    "/api/cases/{case_id}/evaluation",
    "/api/prefilings",
    "/api/prefilings/{prefiling_id}/review",
    "/api/reminders",
    "/api/policies",
    "/api/policies/{policy_id}",
    "/api/policies/{policy_id}/evaluate",
    "/api/policies/compare",
    "/api/audit",
    "/api/audit/verify",
    "/api/audit/checkpoints",
}
METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def test_document_structure(spec: dict[str, Any]) -> None:
    assert spec["openapi"].startswith("3.")
    assert spec["info"]["title"] and spec["info"]["version"]
    assert set(spec["paths"]) >= MINE
    schemes = spec["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} >= {"http", "apiKey"}
    assert any(s.get("scheme") == "bearer" for s in schemes.values())


def test_every_route_is_documented_once(spec: dict[str, Any]) -> None:
    documented = {
        (m.upper(), p.removeprefix("/api")) for p, item in spec["paths"].items() for m in item if m in METHODS
    }
    assert {(m, p) for m, p, _ in ROUTES} == documented
    ids = [op["operationId"] for item in spec["paths"].values() for m, op in item.items() if m in METHODS]
    assert len(ids) == len(set(ids)), "operationIds must be unique"


def test_operations_are_described_and_refs_resolve(spec: dict[str, Any]) -> None:
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method not in METHODS:
                continue
            assert op.get("summary"), f"{method.upper()} {path} has no summary"
            assert op.get("responses"), f"{method.upper()} {path} has no responses"
            for p in op.get("parameters", []):
                if p["in"] == "path":
                    assert "{" + p["name"] + "}" in path and p["required"] is True
    schemas = spec.get("components", {}).get("schemas", {})
    for ref in _refs(spec):
        assert ref.startswith("#/components/schemas/"), ref
        assert ref.rsplit("/", 1)[1] in schemas, f"unresolved {ref}"


def test_public_and_protected_operations(spec: dict[str, Any]) -> None:
    assert "security" not in spec["paths"]["/api/policies"]["get"]
    assert "security" not in spec["paths"]["/api/auth/login"]["post"]
    assert spec["paths"]["/api/cases"]["get"]["security"]
    upload = spec["paths"]["/api/cases/{case_id}/attachments"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in upload


def test_validates_with_openapi_spec_validator(spec: dict[str, Any]) -> None:
    validator = pytest.importorskip("openapi_spec_validator")
    validator.validate(spec)
