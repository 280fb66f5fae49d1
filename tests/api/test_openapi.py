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


def test_every_operation_documents_its_error_statuses(spec: dict[str, Any]) -> None:
    error = spec["components"]["schemas"]["Error"]
    assert set(error["required"]) == {"error", "message", "field"}
    ref = {"$ref": "#/components/schemas/Error"}
    count = 0
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method not in METHODS:
                continue
            responses = op["responses"]
            wanted = {"414"}  # an over-long request line, whatever the operation
            if op.get("parameters") or "requestBody" in op:
                wanted.add("400")
            if op.get("security"):
                wanted |= {"401", "403", "404"}
                if method != "get":
                    wanted.add("409")
            if "requestBody" in op:
                wanted.add("413")
            if any(p["in"] == "path" for p in op.get("parameters", [])):
                wanted.add("404")
            missing = wanted - set(responses)
            assert not missing, f"{method.upper()} {path} does not document {sorted(missing)}"
            for status in wanted:
                content = responses[status].get("content", {})
                assert "application/json" in content, f"{method.upper()} {path} {status}"
                count += content["application/json"]["schema"] == ref
    assert count > 300
    login = spec["paths"]["/api/auth/login"]["post"]["responses"]
    assert {"401", "403", "429"} <= set(login)


def test_file_responses_name_their_media_type(spec: dict[str, Any]) -> None:
    docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    default = spec["paths"]["/api/documents/templates/default"]["get"]["responses"]["200"]["content"]
    assert list(default) == [docx] and default[docx]["schema"]["format"] == "binary"
    standing = spec["paths"]["/api/outcomes/standing"]["get"]["responses"]["200"]["content"]
    assert set(standing) == {"application/json", "text/plain"}


def test_integer_path_parameters_are_database_ids(spec: dict[str, Any]) -> None:
    seen = 0
    for path, item in spec["paths"].items():
        for method, op in item.items():
            for p in op.get("parameters", []) if method in METHODS else []:
                if p["in"] == "path" and p["schema"].get("type") == "integer":
                    assert (p["schema"]["minimum"], p["schema"]["maximum"]) == (1, 2**63 - 1), f"{path} {p['name']}"
                    seen += 1
    assert seen > 40
