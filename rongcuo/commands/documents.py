"""`rongcuo documents …`: verify a signed document, set an issuing body, list kinds, write the default
template, and (operators) make a document's PDF now or export a document with its signature.

`verify` exit status: 0 the signature is valid, 1 it is not (file changed, signature or key wrong), 2 bad
input (a file missing or unreadable, a malformed signature file).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from rongcuo.commands import django_setup
from rongcuo.commands.common import friendly


@click.group()
def documents() -> None:
    """公文文书：签名校验、发文机关、文书种类与模板。"""


def _read(path: str, what: str) -> bytes:
    p = Path(path)
    if not p.is_file():
        click.echo(f"rongcuo: {what}不存在：{path}", err=True)
        sys.exit(2)
    try:
        return p.read_bytes()
    except OSError as exc:
        click.echo(f"rongcuo: 无法读取{what}：{exc}", err=True)
        sys.exit(2)


@documents.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--signature", "sig_path", type=click.Path(dir_okay=False), help="签名文件（默认 FILE.sig.json）")
@click.option("--public-key", "public_key", help="只信任该公钥（十六进制）；默认信任本机构的签名公钥")
@friendly
def verify(file: str, sig_path: str | None, public_key: str | None) -> None:
    """校验已签名文书：重算 SM3/SHA-256 并验证 SM2 签名。"""
    content = _read(file, "文件")
    sig_file = sig_path or f"{file}.sig.json"
    raw = _read(sig_file, "签名文件")
    django_setup.setup()
    from rongcuo.documents import signing

    try:
        record = signing.parse_sidecar(raw)
        trusted = {public_key.strip().lower()} if public_key else None
        verdict = signing.verify(content, record, trusted)
    except signing.BadSignatureFile as exc:
        click.echo(f"rongcuo: {sig_file}：{exc}", err=True)
        sys.exit(2)
    st = verdict.statement
    click.echo(f"{'有效' if verdict.valid else '无效'}：{verdict.reason}")
    click.echo(f"文书：{st.get('title', '')} {st.get('document_number', '')}".rstrip())
    click.echo(f"签名人：{st.get('signer', '')}，时间：{st.get('signed_at', '')}")
    sys.exit(0 if verdict.valid else 1)


@documents.command()
@click.argument("jurisdiction")
@click.option("--name", required=True, help="发文机关全称，如 中共江苏省纪律检查委员会")
@click.option("--mark", required=True, help="发文机关标志，如 中共江苏省纪律检查委员会文件")
@click.option("--code", required=True, help="机关代字，如 苏纪")
@click.option("--kind", type=click.Choice(["discipline", "organisation"]), default="discipline", show_default=True)
@click.option("--signer", default="", help="上行文签发人")
@click.option("--cc", default="", help="默认抄送机关（以顿号分隔）")
@click.option("--printer", default="", help="印发机关，默认为“发文机关+办公厅”")
@friendly
def body(jurisdiction: str, name: str, mark: str, code: str, kind: str, signer: str, cc: str, printer: str) -> None:
    """设置区划的发文机关与机关代字（替换原设置）。"""
    django_setup.setup()
    from rongcuo.audit.chain import Actor
    from rongcuo.core.errors import ActionError
    from rongcuo.documents.actions import set_issuing_body

    try:
        b = set_issuing_body(
            Actor.system("cli"),
            jurisdiction,
            name=name,
            mark=mark,
            code=code,
            kind=kind,
            signer=signer,
            cc=cc,
            printer=printer,
        )
    except ActionError as exc:
        click.echo(f"rongcuo: {exc.message}", err=True)
        sys.exit(2)
    click.echo(f"已设置发文机关：{b.name}，机关代字 {b.code}（发文字号如 {b.code}发〔2025〕1号）")


@documents.command()
def kinds() -> None:
    """列出文书种类及其模板可用字段。"""
    django_setup.setup()
    from rongcuo.documents import kinds as registry

    for k in registry.all_kinds():
        flags = "，".join(
            f
            for f, on in (
                (f"发文字号（{k.series}）", k.numbered),
                ("上行文", k.upward),
                ("可签名", k.signable),
            )
            if on
        )
        click.echo(f"{k.id}\t{k.label}\t{flags}\t字段：{'、'.join(k.fields)}")


@documents.command("default-template")
@click.argument("out", type=click.Path(dir_okay=False))
def default_template(out: str) -> None:
    """写出内置版式的 docxtpl 模板（各区划定制模板的起点）。"""
    django_setup.setup()
    from rongcuo.documents import render

    Path(out).write_bytes(render.default_template())
    click.echo(f"已写出 {out}")


@documents.command()
@click.argument("document_id", type=int)
@friendly
def pdf(document_id: int) -> None:
    """立即将文书转换为 PDF（运维用；需要 LibreOffice）。"""
    django_setup.setup()
    from rongcuo.audit.chain import Actor, append
    from rongcuo.documents import pdf as pdfs
    from rongcuo.documents.models import Document

    if not Document.objects.filter(pk=document_id).exists():
        click.echo(f"rongcuo: 文书 {document_id} 不存在", err=True)
        sys.exit(2)
    doc = pdfs.render_now(document_id)
    append(Actor.system("cli"), "document.pdf", "document", doc.number or doc.pk, detail={"status": doc.pdf_status})
    click.echo(f"{doc.get_pdf_status_display()}" + (f"：{doc.pdf_pages} 页" if doc.pdf_pages else f" {doc.pdf_error}"))
    sys.exit(0 if doc.pdf_status == "done" else 1)


@documents.command()
@click.argument("document_id", type=int)
@click.argument("folder", type=click.Path(file_okay=False))
@friendly
def export(document_id: int, folder: str) -> None:
    """导出文书的 DOCX（及 PDF、签名文件）到目录（运维用，记入审计）。"""
    django_setup.setup()
    from rongcuo.audit.chain import Actor, append
    from rongcuo.documents import signing, storage
    from rongcuo.documents.models import Document

    doc = Document.objects.filter(pk=document_id).first()
    if doc is None:
        click.echo(f"rongcuo: 文书 {document_id} 不存在", err=True)
        sys.exit(2)
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    stem = doc.number or f"{doc.kind}-{doc.pk}"
    path = out / f"{stem}.docx"
    path.write_bytes(storage.read(doc.storage_name))
    written = [path]
    if doc.signature:
        written.append(out / f"{stem}.docx.sig.json")
        written[-1].write_bytes(signing.sidecar_bytes(doc.signature))
    if doc.pdf_status == "done":
        written.append(out / f"{stem}.pdf")
        written[-1].write_bytes(storage.read(doc.pdf_storage_name))
    append(Actor.system("cli"), "document.export", "document", doc.number or doc.pk, detail={"files": len(written)})
    for p in written:
        click.echo(str(p))
