"""REST endpoints of documents, mounted at /api/documents/ (rongcuo.core.routers).

Every endpoint calls a documents action: issuing, signing, PDF regeneration and template upload are
transactional verbs with their audit; listing and downloads go through the access chokepoint of the
document's case (or pre-filing, or report) and are audited. Files are always sent as attachments.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from rongcuo.core.api_auth import api_user, client_ip, default_auth
from rongcuo.core.errors import Invalid
from rongcuo.core.types import Id

from . import actions, kinds, render, signing
from .models import Document

PREFIX = "/documents"
router = Router(auth=default_auth(), tags=["公文文书"])
DOCX = render.DOCX_TYPE
Json = dict[str, Any]


class IssueIn(Schema):
    kind: str = Field(max_length=32, description="文书种类（GET /api/documents/kinds）")
    data: dict[str, Any] = Field(default_factory=dict, description="该种类需要填写的内容")
    body_id: Id | None = Field(default=None, description="发文机关（默认本区划或上级的纪检监察机关）")


class OtherIssueIn(Schema):
    body_id: Id | None = None


def document_dict(d: Document) -> Json:
    spec = kinds.get(d.kind)
    return {
        "id": d.pk,
        "kind": d.kind,
        "kind_label": spec.label,
        "title": d.title,
        "number": d.number,
        "case_id": d.case_id,
        "pre_filing_id": d.pre_filing_id,
        "clarification_id": d.clarification_id,
        "sha256": d.sha256,
        "sm3": d.sm3,
        "size": d.size,
        "template_id": d.template_id,
        "pdf": {
            "status": d.pdf_status,
            "label": d.get_pdf_status_display(),
            "pages": d.pdf_pages,
            "error": d.pdf_error,
        },
        "signed": bool(d.signature),
        "signature": None
        if not d.signature
        else {
            "algorithm": d.signature["algorithm"],
            "key_id": d.signature["key_id"],
            "signed_at": d.signed_at,
        },
        "created_at": d.created_at,
        "urls": {
            "docx": f"/api/documents/{d.pk}/docx",
            "pdf": f"/api/documents/{d.pk}/pdf",
            "signature": f"/api/documents/{d.pk}/signature",
        },
    }


def _file(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    ascii_name = filename.encode("ascii", "replace").decode("ascii").replace('"', "_").replace("?", "_")
    response["Content-Disposition"] = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _stem(d: Document) -> str:
    return d.number or f"{d.title}-{d.pk}"


FILE_RESPONSE = {
    "responses": {
        200: {
            "description": "文件（Content-Disposition: attachment）",
            "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


@router.get("/kinds", response=list[Json], summary="文书种类：名称、是否编发文字号、可签名、模板可用字段")
def list_kinds(request: HttpRequest) -> Any:
    return [
        {
            "kind": k.id,
            "label": k.label,
            "source": k.source,
            "numbered": k.numbered,
            "series": k.series if k.numbered else "",
            "upward": k.upward,
            "signable": k.signable,
            "roles": sorted(k.roles),
            "fields": sorted(k.allowed_fields),
            "inputs": k.inputs.model_json_schema() if k.inputs else None,
        }
        for k in kinds.all_kinds()
    ]


@router.get("/cases/{case_id}", response=list[Json], summary="案件的文书")
def case_documents(request: HttpRequest, case_id: int) -> Any:
    return [document_dict(d) for d in actions.list_documents(api_user(request), case_id, ip=client_ip(request))]


@router.post("/cases/{case_id}", response={201: Json}, summary="制发案件文书（按 GB/T 9704 排版，编发文字号）")
def issue(request: HttpRequest, case_id: int, payload: IssueIn) -> Any:
    doc = actions.issue_document(
        api_user(request), case_id, payload.kind, payload.data, body_id=payload.body_id, ip=client_ip(request)
    )
    return Status(201, document_dict(doc))


@router.post("/prefilings/{prefiling_id}", response={201: Json}, summary="出具报备容错受理决定书")
def issue_prefiling(request: HttpRequest, prefiling_id: int, payload: OtherIssueIn) -> Any:
    doc = actions.issue_prefiling_document(
        api_user(request), prefiling_id, body_id=payload.body_id, ip=client_ip(request)
    )
    return Status(201, document_dict(doc))


@router.post("/clarifications/{clarification_id}", response={201: Json}, summary="制发澄清正名通知")
def issue_clarification(request: HttpRequest, clarification_id: int, payload: OtherIssueIn) -> Any:
    doc = actions.issue_clarification_document(
        api_user(request), clarification_id, body_id=payload.body_id, ip=client_ip(request)
    )
    return Status(201, document_dict(doc))


@router.get("/{document_id}/docx", summary="下载 DOCX（经权限检查并记入审计）", openapi_extra=FILE_RESPONSE)
def download_docx(request: HttpRequest, document_id: int) -> HttpResponse:
    doc, content = actions.read_document(api_user(request), document_id, "docx", ip=client_ip(request))
    return _file(content, f"{_stem(doc)}.docx", DOCX)


@router.get("/{document_id}/pdf", summary="下载 PDF（生成完成后）", openapi_extra=FILE_RESPONSE)
def download_pdf(request: HttpRequest, document_id: int) -> HttpResponse:
    doc, content = actions.read_document(api_user(request), document_id, "pdf", ip=client_ip(request))
    return _file(content, f"{_stem(doc)}.pdf", "application/pdf")


@router.post("/{document_id}/pdf", response=Json, summary="重新生成 PDF（后台进行）")
def regenerate_pdf(request: HttpRequest, document_id: int) -> Any:
    return document_dict(actions.regenerate_pdf(api_user(request), document_id, ip=client_ip(request)))


@router.post("/{document_id}/signature", response=Json, summary="对决定进行电子签名（SM2）")
def sign(request: HttpRequest, document_id: int) -> Any:
    return document_dict(actions.sign_decision(api_user(request), document_id, ip=client_ip(request)))


@router.get("/{document_id}/signature", summary="下载签名文件（.sig.json）", openapi_extra=FILE_RESPONSE)
def download_signature(request: HttpRequest, document_id: int) -> HttpResponse:
    doc, content = actions.read_document(api_user(request), document_id, "signature", ip=client_ip(request))
    return _file(content, f"{_stem(doc)}.docx.sig.json", "application/json")


@router.post("/verify", response=Json, summary="校验已签名文书（文件与签名文件）")
def verify(request: HttpRequest, file: File[UploadedFile], signature: File[UploadedFile]) -> Any:
    api_user(request)
    try:
        record = signing.parse_sidecar(signature.read())
    except signing.BadSignatureFile as exc:
        raise Invalid(str(exc), field="signature") from None
    v = signing.verify(file.read(), record)
    return {"valid": v.valid, "reason": v.reason, "statement": v.statement}


@router.get(
    "/templates/default",
    summary="内置版式模板（docxtpl，定制起点）",
    openapi_extra={
        "responses": {
            200: {
                "description": "DOCX 模板文件（Content-Disposition: attachment）",
                "content": {DOCX: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def default_template(request: HttpRequest) -> HttpResponse:
    api_user(request)
    return _file(render.default_template(), "公文模板.docx", DOCX)


@router.post("/templates/validate", response=Json, summary="检查模板：只允许该种类的字段")
def validate_template(request: HttpRequest, file: File[UploadedFile], kind: Form[str]) -> Any:
    user = api_user(request)
    actions.may_manage_templates(user)  # before the untrusted file is read
    fields = actions.validate_template(user, kind, file.read(render.TEMPLATE_MAX_BYTES + 1))
    return {"kind": kind, "valid": True, "fields": fields}


@router.post("/templates", response={201: Json}, summary="上传区划的文书模板（校验字段后启用）")
def upload_template(
    request: HttpRequest,
    file: File[UploadedFile],
    kind: Form[str],
    jurisdiction: Form[str],
) -> Any:
    user = api_user(request)
    actions.may_manage_templates(user)  # before the untrusted file is read
    t = actions.upload_template(
        user,
        jurisdiction,
        kind,
        file.name or "",
        file.read(render.TEMPLATE_MAX_BYTES + 1),
        ip=client_ip(request),
    )
    return Status(
        201,
        {"id": t.pk, "jurisdiction": t.jurisdiction_id, "kind": t.kind, "fields": t.fields, "sha256": t.sha256},
    )


@router.get("/{document_id}", response=Json, summary="文书信息")
def read(request: HttpRequest, document_id: int) -> Any:
    doc, _role = actions.visible_document(api_user(request), document_id)
    return document_dict(doc)
