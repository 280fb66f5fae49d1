"""The verbs of documents, each one transaction with its audit record (and case-timeline event where the
document belongs to a case): issue, sign, read (download), regenerate the PDF, upload a template, and
set an issuing body (command line).

Issuing: the source is reached through the access chokepoint and locked, the kind's role is checked, the
draft is built, then the 发文字号 is taken (numbering.allocate: row lock, same transaction), the DOCX is
rendered with it (built-in layout or the jurisdiction's template), stored outside any served folder, and
the document row, the timeline event and the audit record are written. The PDF is made after commit.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from rongcuo.accounts.models import User
from rongcuo.audit.chain import Actor, append, append_failure
from rongcuo.cases import access
from rongcuo.cases.actions import actor_for, attempt, record_event, visible_prefilings
from rongcuo.cases.models import Case, Decision, PreFiling
from rongcuo.core.errors import Conflict, Forbidden, Invalid, NotFound
from rongcuo.disclosure.models import Rendition
from rongcuo.org.models import Jurisdiction
from rongcuo.outcomes.models import Clarification

from . import kinds, numbering, pdf, render, signing, storage
from .kinds import Ctx, Draft, Kind
from .models import Document, IssuingBody, PdfStatus, Template
from .sources import CaseData

TEMPLATE_ROLES = {"handler", "secretary"}
SIGN_ROLES = {"secretary", "handler"}
READ_ROLES_NON_CASE = {"handler", "secretary"}


class DocumentCorrupted(Conflict):
    code = "document_corrupted"


def _role(user: User, case: Case, allowed: frozenset[str] | set[str], label: str) -> str:
    roles = [r for r in access.roles_on_case(user, case) if r in allowed]
    if not roles:
        raise Forbidden(f"您在本案中没有制发《{label}》的角色")
    return roles[0]


def active_template(jurisdiction: Jurisdiction, kind: str) -> Template | None:
    """The jurisdiction's own template for the kind, or the nearest one above it."""
    chain = jurisdiction.chain()
    found = {t.jurisdiction_id: t for t in Template.objects.filter(jurisdiction__in=chain, kind=kind, active=True)}
    return next((found[j.code] for j in chain if j.code in found), None)


def _produce(
    user: User,
    spec: Kind,
    draft: Draft,
    body: IssuingBody | None,
    *,
    jurisdiction: Jurisdiction,
    case: Case | None = None,
    pre_filing: PreFiling | None = None,
    clarification: Clarification | None = None,
    signer: str = "",
    reuse: tuple[int, int] | None = None,
) -> Document:
    """Number, render, store and record one document (inside the caller's transaction). `reuse` is a
    (year, seq) the counter already gave out (a decision's registered 文号): the document takes it."""
    today = timezone.localdate()
    header = render.Header(case_number=case.number if case else "")
    seq = year = None
    number = ""
    if spec.numbered:
        assert body is not None
        year, seq = reuse or (today.year, numbering.allocate(body, spec.series, today.year))
        number = numbering.format_number(body.code, spec.series, year, seq)
        header = render.Header(
            mark=body.mark,
            number=number,
            organ=body.name,
            signer=signer or body.signer,
            printer=body.printer or f"{body.name}办公厅",
            printed_on=today,
            case_number=header.case_number,
        )
    template = active_template(jurisdiction, spec.id)
    if template is not None:
        content = render.render_template(bytes(template.docx), render.context(spec, draft, header))
    else:
        content = render.build(spec, draft, header)
    name = storage.store(content)
    try:
        doc = Document.objects.create(
            kind=spec.id,
            title=draft.title[:300],
            jurisdiction=jurisdiction,
            case=case,
            pre_filing=pre_filing,
            clarification=clarification,
            body=body if spec.numbered else None,
            series=spec.series if spec.numbered else "",
            year=year,
            seq=seq,
            number=number,
            template=template,
            storage_name=name,
            size=len(content),
            sha256=storage.sha256(content),
            sm3=storage.sm3(content),
            pdf_status=PdfStatus.PENDING if pdf.soffice() else PdfStatus.UNAVAILABLE,
            created_by=user,
        )
    except Exception:
        storage.discard(name)
        raise
    if doc.pdf_status == PdfStatus.PENDING:
        transaction.on_commit(lambda: pdf.schedule(doc.pk))
    return doc


def _body_for(spec: Kind, jurisdiction: Jurisdiction, body_id: int | None) -> IssuingBody | None:
    if spec.numbered or body_id is not None:
        return numbering.issuing_body(jurisdiction, "discipline", body_id)
    try:
        return numbering.issuing_body(jurisdiction)
    except Invalid:
        return None  # unnumbered documents only use the body's name where one is set


def _detail(doc: Document) -> dict[str, Any]:
    return {"document": doc.pk, "kind": doc.kind, "number": doc.number, "sha256": doc.sha256}


# --- issuing ------------------------------------------------------------------------------------------------


def _registered_number(case: Case, spec: Kind, body: IssuingBody | None) -> tuple[int, int] | None:
    """A decision whose 文号 was registered at the decide step is issued under that number, never a new one
    silently: the number must be one this body's counter gave out and no document may carry it yet;
    otherwise the issue is refused with the reason."""
    if spec.id != "decision" or body is None:
        return None
    registered = (Decision.objects.filter(case=case).values_list("document_number", flat=True).first() or "").strip()
    if not registered:
        return None
    if Document.objects.filter(number=registered).exclude(case=case, kind="decision").exists():
        raise Conflict(f"决定登记的文号「{registered}」已被其他文书使用，请决策秘书更正后再制发", field="kind")
    if Document.objects.filter(case=case, kind="decision", number=registered).exists():
        return None  # a reissue of the system's own decision document: the next number, as every reissue
    found = numbering.allocated(body, spec.series, registered)
    if found is None:
        raise Conflict(
            f"决定登记的文号「{registered}」不是{body.name}（机关代字 {body.code}）编发的文号："
            "系统只能按发文机关连续编号，不能采用自拟文号；如决定书已在系统外制发，无需在此重复制发",
            field="kind",
        )
    return found


def issue_document(
    user: User, case_id: int | str, kind: str, data: Any = None, *, body_id: int | None = None, ip: str = ""
) -> Document:
    """Issue a document of a case (or the public notice of its published rendition)."""
    spec = kinds.get(kind)
    if spec.source not in ("case", "rendition"):
        raise Invalid(f"《{spec.label}》不是案件文书", field="kind")
    with attempt(user, "document.issue", "case", case_id, ip):
        case = access.access_case(user, case_id, for_update=True)
        role = _role(user, case, spec.roles, spec.label)
        inputs = spec.parse_inputs(data)
        ctx = Ctx(today=timezone.localdate(), inputs=inputs)
        if spec.source == "rendition":
            ctx.source = Rendition.objects.filter(case=case).first()
            if ctx.source is None:
                raise Conflict("本案尚未生成公开文本", field="kind")
        else:
            ctx.data = CaseData.load(case)
        ctx.body = _body_for(spec, case.jurisdiction, body_id)
        reuse = _registered_number(case, spec, ctx.body)
        draft = spec.build(ctx)
        doc = _produce(
            user,
            spec,
            draft,
            ctx.body,
            jurisdiction=case.jurisdiction,
            case=case,
            signer=getattr(inputs, "signer", "") or "",
            reuse=reuse,
        )
        if spec.id == "decision" and doc.number:
            # The decision carries the 发文字号 of the document that made it known (the latest, if reissued).
            Decision.objects.filter(case=case).update(document_number=doc.number)
        label = f"制发《{draft.title}》" + (f"（{doc.number}）" if doc.number else "")
        record_event(case, user, actor_for(user, role, ip), "issue_document", label, data=_detail(doc))
    return doc


def issue_prefiling_document(
    user: User, prefiling_id: int | str, kind: str = "prefiling_ack", *, body_id: int | None = None, ip: str = ""
) -> Document:
    spec = kinds.get(kind)
    if spec.source != "prefiling":
        raise Invalid(f"《{spec.label}》不是事前报备文书", field="kind")
    with attempt(user, "document.issue", "prefiling", prefiling_id, ip):
        pre = visible_prefilings(user).select_for_update().filter(pk=_pk(prefiling_id)).first()
        if pre is None:
            raise NotFound()
        if pre.jurisdiction_id not in access.jurisdictions_for(user, set(spec.roles)):
            raise Forbidden(f"只有本辖区的承办人可以制发《{spec.label}》")
        ctx = Ctx(today=timezone.localdate(), source=pre)
        ctx.body = _body_for(spec, pre.jurisdiction, body_id)
        doc = _produce(user, spec, spec.build(ctx), ctx.body, jurisdiction=pre.jurisdiction, pre_filing=pre)
        append(actor_for(user, "handler", ip), "document.issue", "prefiling", pre.number, detail=_detail(doc))
    return doc


def issue_clarification_document(
    user: User, clarification_id: int | str, *, body_id: int | None = None, ip: str = ""
) -> Document:
    spec = kinds.get("clarification")
    with attempt(user, "document.issue", "clarification", clarification_id, ip):
        codes = access.jurisdictions_for(user, set(spec.roles))
        cl = (
            Clarification.objects.select_for_update()
            .select_related("report__cadre", "report__unit", "report__jurisdiction")
            .filter(pk=_pk(clarification_id), report__jurisdiction_id__in=codes)
            .first()
        )
        if cl is None:
            raise NotFound()
        jurisdiction = cl.report.jurisdiction
        ctx = Ctx(today=timezone.localdate(), source=cl)
        ctx.body = _body_for(spec, jurisdiction, body_id)
        doc = _produce(user, spec, spec.build(ctx), ctx.body, jurisdiction=jurisdiction, clarification=cl)
        actor = actor_for(user, "handler", ip)
        cases = Case.objects.filter(pk__in=cl.matters.exclude(case=None).values("case_id")).order_by("pk")
        for case in cases:
            record_event(case, user, actor, "issue_document", f"制发《{doc.title}》（{doc.number}）", data=_detail(doc))
        append(actor, "document.issue", "report", cl.report.number, detail=_detail(doc))
    return doc


def _pk(value: int | str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise NotFound() from None


# --- reading ------------------------------------------------------------------------------------------------


def visible_document(user: User, document_id: int | str, *, for_update: bool = False) -> tuple[Document, str]:
    """The document and the user's role for it, through the access chokepoint of its source."""
    qs = Document.objects.filter(pk=_pk(document_id))
    doc = (qs.select_for_update() if for_update else qs).first()
    if doc is None:
        raise NotFound()
    if doc.case_id is not None:
        case = access.access_case(user, doc.case_id, for_update=for_update)
        roles = _reading_roles(user, case, doc)
        if not roles:
            raise NotFound()  # an internal document: as if it did not exist
        return doc, roles[0]
    if doc.pre_filing_id is not None:
        if not visible_prefilings(user).filter(pk=doc.pre_filing_id).exists():
            raise NotFound()
        return doc, "handler"
    if doc.jurisdiction_id in access.jurisdictions_for(user, READ_ROLES_NON_CASE):
        return doc, "handler"
    raise NotFound()


def list_documents(user: User, case_id: int | str, *, ip: str = "") -> list[Document]:
    try:
        with transaction.atomic():
            case = access.access_case(user, case_id)
            roles = access.roles_on_case(user, case)
            append(actor_for(user, roles[0] if roles else "", ip), "document.list", "case", case.number)
    except NotFound:
        append_failure(actor_for(user, "", ip), "document.list", "case", str(case_id))
        raise
    docs = Document.objects.filter(case=case).select_related("created_by", "signed_by").order_by("id")
    return [d for d in docs if _reading_roles(user, case, d)]


def _reading_roles(user: User, case: Case, doc: Document) -> list[str]:
    """The user's roles on the case in which they may read this document (none: not theirs to read)."""
    roles = access.roles_on_case(user, case)
    spec = kinds.find(doc.kind)
    if spec is None:  # a kind no longer issued: its documents stay with the case staff
        return [r for r in roles if r in kinds.CASE_STAFF]
    return [r for r in roles if spec.readable_by(r)]


def read_document(user: User, document_id: int | str, fmt: str = "docx", *, ip: str = "") -> tuple[Document, bytes]:
    """A document's DOCX or PDF, after the access check, recorded in the audit."""
    if fmt not in ("docx", "pdf", "signature"):
        raise Invalid("格式应为 docx、pdf 或 signature", field="format")
    try:
        with transaction.atomic():
            doc, role = visible_document(user, document_id)
            append(
                actor_for(user, role, ip),
                "document.download",
                "document",
                doc.number or doc.pk,
                detail={"format": fmt, "sha256": doc.sha256},
            )
    except NotFound:
        append_failure(actor_for(user, "", ip), "document.download", "document", str(document_id), format=fmt)
        raise
    if fmt == "signature":
        if not doc.signature:
            raise Conflict("该文书尚未签名", field="format")
        return doc, signing.sidecar_bytes(doc.signature)
    if fmt == "pdf":
        if doc.pdf_status != PdfStatus.DONE:
            raise Conflict(
                f"PDF 不可用：{doc.get_pdf_status_display()}{('，' + doc.pdf_error) if doc.pdf_error else ''}"
            )
        return doc, storage.read(doc.pdf_storage_name)
    content = storage.read(doc.storage_name)
    if storage.sha256(content) != doc.sha256:
        raise DocumentCorrupted("文书内容与登记的校验值不符，可能已损坏或被篡改，请联系管理员")
    return doc, content


def regenerate_pdf(user: User, document_id: int | str, *, ip: str = "") -> Document:
    with attempt(user, "document.pdf", "document", document_id, ip):
        doc, role = visible_document(user, document_id, for_update=True)
        if role not in TEMPLATE_ROLES | {"publisher", "org_liaison", "investigator"}:
            raise Forbidden("只有办案人员可以重新生成 PDF")
        doc.pdf_status = PdfStatus.PENDING if pdf.soffice() else PdfStatus.UNAVAILABLE
        doc.pdf_error = ""
        doc.save(update_fields=["pdf_status", "pdf_error"])
        append(actor_for(user, role, ip), "document.pdf", "document", doc.number or doc.pk)
        if doc.pdf_status == PdfStatus.PENDING:
            transaction.on_commit(lambda: pdf.schedule(doc.pk))
    return doc


# --- signing ------------------------------------------------------------------------------------------------


def sign_decision(user: User, document_id: int | str, *, ip: str = "") -> Document:
    """Sign a decision document (SM2 over its digests; see signing.py)."""
    with attempt(user, "document.sign", "document", document_id, ip):
        doc, role = visible_document(user, document_id, for_update=True)
        if not kinds.get(doc.kind).signable:
            raise Conflict("只有决定类文书可以签名", field="document_id")
        if role not in SIGN_ROLES:
            raise Forbidden("只有承办人或决策秘书可以对决定签名")
        if doc.signature:
            raise Conflict("该文书已签名", field="document_id")
        content = storage.read(doc.storage_name)
        if storage.sha256(content) != doc.sha256:
            raise DocumentCorrupted("文书内容与登记的校验值不符，不能签名")
        doc.signature = signing.sign(
            content, number=doc.number, kind=doc.kind, title=doc.title, signer=user.display_name or user.username
        )
        doc.signed_by, doc.signed_at = user, timezone.now()
        doc.save(update_fields=["signature", "signed_by", "signed_at"])
        actor = actor_for(user, role, ip)
        summary = f"对《{doc.title}》（{doc.number}）进行电子签名（{doc.signature['algorithm']}）"
        record_event(
            doc.case, user, actor, "sign_document", summary, data={**_detail(doc), "key": doc.signature["key_id"]}
        )
    return doc


# --- templates and issuing bodies -------------------------------------------------------------------------------


def may_manage_templates(user: User) -> None:
    """Templates are set by the case staff of a jurisdiction (承办人, 决策秘书); nobody else may upload or
    have one checked (the check parses an untrusted file)."""
    if not access.jurisdictions_for(user, TEMPLATE_ROLES):
        raise Forbidden("只有承办人或决策秘书可以检查和上传文书模板")


def validate_template(user: User, kind: str, content: bytes) -> list[str]:
    """Check a template without keeping it: the fields it uses, or an Invalid naming what is wrong."""
    may_manage_templates(user)
    return render.validate(kinds.get(kind), content)


def upload_template(
    user: User, jurisdiction_code: str, kind: str, filename: str, content: bytes, *, ip: str = ""
) -> Template:
    spec = kinds.get(kind)
    with attempt(user, "document.template", "template", f"{jurisdiction_code}/{kind}", ip):
        if jurisdiction_code not in access.jurisdictions_for(user, TEMPLATE_ROLES):
            raise NotFound("区划不存在或无权设置其文书模板", field="jurisdiction")
        fields = render.validate(spec, content)
        Template.objects.select_for_update().filter(jurisdiction_id=jurisdiction_code, kind=kind, active=True).update(
            active=False
        )
        t = Template.objects.create(
            jurisdiction_id=jurisdiction_code,
            kind=kind,
            filename=(filename or "template.docx")[:200],
            docx=content,
            sha256=storage.sha256(content),
            fields=fields,
            uploaded_by=user,
        )
        append(
            actor_for(user, "handler", ip),
            "document.template",
            "template",
            t.pk,
            detail={"jurisdiction": jurisdiction_code, "kind": kind, "sha256": t.sha256, "fields": fields},
        )
    return t


def set_issuing_body(
    actor: Actor,
    jurisdiction_code: str,
    *,
    name: str,
    mark: str,
    code: str,
    kind: str = "discipline",
    signer: str = "",
    cc: str = "",
    printer: str = "",
) -> IssuingBody:
    """Configure (or replace) a jurisdiction's issuing body; numbering continues per 机关代字 only for the
    body row, so a replaced body starts its own series."""
    if not (name.strip() and mark.strip() and code.strip()):
        raise Invalid("发文机关名称、标志和机关代字都必须填写", field="code")
    if any(ch in code for ch in "〔〕[]()（）0123456789 "):
        raise Invalid("机关代字不应含括号、数字或空格，如 苏纪", field="code")
    with transaction.atomic():
        j = Jurisdiction.objects.filter(code=jurisdiction_code).first()
        if j is None:
            raise NotFound("区划不存在", field="jurisdiction")
        IssuingBody.objects.select_for_update().filter(jurisdiction=j, kind=kind, active=True).update(active=False)
        if IssuingBody.objects.filter(code=code.strip(), active=True).exists():
            raise Conflict(f"机关代字“{code}”已被其他发文机关使用", field="code")
        body = IssuingBody.objects.create(
            jurisdiction=j,
            kind=kind,
            name=name.strip(),
            mark=mark.strip(),
            code=code.strip(),
            signer=signer.strip(),
            cc=cc.strip(),
            printer=printer.strip(),
        )
        append(actor, "document.body", "issuing_body", body.pk, detail={"jurisdiction": j.code, "code": body.code})
    return body
