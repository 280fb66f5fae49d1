"""What the API documents and checks for every operation at once, so no route has to repeat it:

- `document_errors`: every operation's OpenAPI responses list the error statuses it can answer, each with
  the one error body `{error, message, field}` (components/schemas/Error). A route's own declaration of a
  status (`response={…}` or `openapi_extra`) is kept as it is.
- `bound_path_ids`: integer path parameters (`/cases/{case_id}`) hold database ids, 1 … 2⁶³−1
  (rongcuo.core.types.MAX_ID): a larger one is a 400 naming the parameter, never an overflow in the driver,
  and the bound is in the OpenAPI document.

Which statuses apply (rongcuo/api.py turns every error into one of them):
  400 any operation with parameters or a body (validation, bad JSON or multipart, values out of range);
  401 operations that need sign-in;
  403 operations that need sign-in (a visible object but not this user's act, CSRF, password to change);
  404 operations that need sign-in (missing and forbidden objects look the same) or take path parameters;
  409 operations that need sign-in and change something (a concurrent change, the wrong stage);
  413 operations with a body (larger than Django's or the upload limit);
  414 every operation (a request line longer than settings.RONGCUO_MAX_REQUEST_LINE, whatever its query);
and PUBLIC_EXTRA for the few public operations with more (sign-in: 401, 403, 429 from accounts/throttle.py;
a comparison naming a missing policy: 404). tests/api/test_schemathesis.py fails on any status not listed.
"""

from __future__ import annotations

from typing import Any

import annotated_types as at

from .types import MAX_ID

ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "description": "错误（所有错误状态均为此格式，message 为中文说明）",
    "properties": {
        "error": {"type": "string", "description": "错误代码，如 invalid、not_found、conflict"},
        "message": {"type": "string", "description": "中文说明"},
        "field": {"anyOf": [{"type": "string"}, {"type": "null"}], "description": "出错的字段（如有）"},
    },
    "required": ["error", "message", "field"],
}
DESCRIPTIONS = {
    400: "请求无效（参数、请求体或取值不符合要求）",
    401: "未登录，或访问令牌无效",
    403: "无权执行该操作（含 CSRF 校验失败、须先修改密码）",
    404: "对象不存在或无权访问",
    409: "对象状态不允许该操作（如已被他人修改、所处环节不符）",
    413: "请求或上传的文件过大",
    414: "请求地址过长（rongcuo.core.middleware.RequestLineLimit）",
    429: "请求过于频繁，请稍后再试",
}
# Operations open without sign-in whose answers include statuses the rules below cannot see.
PUBLIC_EXTRA = {
    ("post", "/api/auth/login"): (401, 403, 429),  # wrong credentials; login CSRF; the sign-in throttle
    ("post", "/api/consultation/public/drafts/{draft_id}/responses"): (403,),  # the window has closed
    ("post", "/api/policies/compare"): (404,),  # a policy id in the body that does not exist
}
UNSAFE = {"post", "put", "patch", "delete"}
METHODS = UNSAFE | {"get", "head", "options"}


def statuses_for(path: str, method: str, op: dict[str, Any]) -> list[int]:
    signed_in = bool(op.get("security"))
    has_path = any(p.get("in") == "path" for p in op.get("parameters", []))
    has_body = "requestBody" in op
    wanted = {
        400: has_body or bool(op.get("parameters")),
        401: signed_in,
        403: signed_in,
        404: signed_in or has_path,
        409: signed_in and method in UNSAFE,
        413: has_body,
        414: True,
    }
    extra = set(PUBLIC_EXTRA.get((method, path), ()))
    return sorted({status for status, applies in wanted.items() if applies} | extra)


def document_errors(schema: dict[str, Any]) -> dict[str, Any]:
    schemas = schema.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Error", ERROR_SCHEMA)
    content = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path, item in schema.get("paths", {}).items():
        for method, op in item.items():
            if method not in METHODS or not isinstance(op, dict):
                continue
            responses = op.setdefault("responses", {})
            declared = {str(code) for code in responses}
            for status in statuses_for(path, method, op):
                if str(status) not in declared:
                    responses[status] = {"description": DESCRIPTIONS[status], "content": content}
    return schema


def _is_bounded(metadata: list[Any]) -> bool:
    return any(isinstance(m, at.Le | at.Lt) for m in metadata)


def bound_path_ids(operations: Any) -> None:
    """Add 1 … MAX_ID to every int path parameter of these ninja operations (their parameter models are
    shared by the clones ninja binds to the API, so this is done once per model)."""
    for op in operations:
        for model in op.models:
            if getattr(model, "__ninja_param_source__", None) != "path":
                continue
            changed = False
            for info in model.model_fields.values():
                if info.annotation is int and not _is_bounded(info.metadata):
                    info.metadata = [*info.metadata, at.Ge(1), at.Le(MAX_ID)]
                    changed = True
            if changed:
                model.model_rebuild(force=True)
