"""From a draft to DOCX bytes: the built-in GB/T 9704 layout, or a jurisdiction's docxtpl template.

Templates are Jinja inside Word (docxtpl). On upload a template is parsed and every variable it uses is
checked against the fields its kind allows (`kinds.COMMON_FIELDS` + the kind's own): an unknown field is
refused by name. Rendering uses a sandboxed Jinja environment with XML escaping, and a rendered document
that still holds a `{{`, `{%` or `{#` tag is refused.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from docxtpl import DocxTemplate
from jinja2 import TemplateError, TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment
from lxml import etree

from rongcuo.core.errors import Invalid

from . import package
from .kinds import Draft, Kind
from .layout import Gongwen, Imprint, cn_date

TEMPLATE_MAX_BYTES = 5 * 1024 * 1024
TAG_RE = re.compile(r"\{\{|\{%|\{#")
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass(frozen=True)
class Header:
    """What the issuing body puts on a numbered document."""

    mark: str = ""
    number: str = ""
    signer: str = ""
    printer: str = ""
    printed_on: dt.date | None = None
    case_number: str = ""
    organ: str = ""  # the issuing body's full name: the mark of a letter (信函格式)


# --- built-in layout ---------------------------------------------------------------------------------------


def build(kind: Kind, draft: Draft, header: Header) -> bytes:
    g = Gongwen(title_for_properties=draft.title, author=draft.organ)
    official = bool(header.number)
    letter = official and kind.letter
    if letter:
        g.letter_head(header.organ or header.mark.removesuffix("文件"), header.number)
    elif official:
        g.mark(header.mark)
        g.number(header.number, signer=header.signer if kind.upward and header.signer else None)
    g.title(draft.title, after_rule=official)
    if draft.addressee:
        g.addressee(draft.addressee)
    for style, text in draft.blocks:
        g.paragraph(text, style)
    if draft.organ:
        g.signature(draft.organ, cn_date(draft.date))
    if draft.note:
        g.note(draft.note)
    if official:
        g.imprint(Imprint(cc=draft.cc, printer=header.printer, printed_on=cn_date(header.printed_on)), letter=letter)
    return g.to_bytes()


def default_template() -> bytes:
    """The built-in layout with Jinja tags in place of the texts: a starting point for a jurisdiction's own
    template (every kind can use it; its own fields are listed by GET /api/documents/kinds)."""
    g = Gongwen(title_for_properties="{{ title }}", author="{{ organ }}")
    g.mark("{{ organ_mark }}", size_pt=32)
    g.number("{{ doc_number }}")
    g.title("{{ title }}")
    g.addressee("{{ addressee }}")
    g.paragraph("{%p for b in body %}")
    g.paragraph("{%p if b.style == 'h1' %}")
    g.paragraph("{{ b.text }}", "h1")
    g.paragraph("{%p elif b.style == 'h2' %}")
    g.paragraph("{{ b.text }}", "h2")
    g.paragraph("{%p else %}")
    g.paragraph("{{ b.text }}")
    g.paragraph("{%p endif %}")
    g.paragraph("{%p endfor %}")
    g.signature("{{ organ }}", "{{ date }}", date_indent_chars=4)
    g.paragraph("{%p if note %}")
    g.note("（{{ note }}）")
    g.paragraph("{%p endif %}")
    g.imprint(
        Imprint(cc=["{{ cc_text }}"], printer="{{ printer }}", printed_on="{{ printed_on }}"),
        cc_guard=("{%p if cc %}", "{%p endif %}"),
    )
    return g.to_bytes()


# --- templates ---------------------------------------------------------------------------------------------


def _env() -> SandboxedEnvironment:
    return SandboxedEnvironment(autoescape=True)


def context(kind: Kind, draft: Draft, header: Header) -> dict[str, Any]:
    return {
        "organ_mark": header.mark,
        "doc_number": header.number,
        "signer": header.signer,
        "title": draft.title,
        "addressee": draft.addressee,
        "body": [{"style": s, "text": t} for s, t in draft.blocks],
        "organ": draft.organ,
        "date": cn_date(draft.date),
        "cc": list(draft.cc),
        "cc_text": "，".join(draft.cc),
        "printer": header.printer,
        "printed_on": cn_date(header.printed_on),
        "note": draft.note,
        "case_number": header.case_number,
        "kind_label": kind.label,
        **draft.fields,
    }


def sample_context(kind: Kind) -> dict[str, Any]:
    """Every allowed field with a harmless value, for a trial rendering on upload."""
    draft = Draft(title="标题", addressee="主送机关：", blocks=[("h1", "一、标题"), ("body", "正文")], organ="机关")
    draft.date = timezone.localdate()
    draft.cc = ["抄送机关"]
    draft.fields = {f: "示例" for f in kind.fields}
    header = Header("发文机关标志", "某纪发〔2025〕1号", "签发人", "印发机关", timezone.localdate(), "RC-0")
    return context(kind, draft, header)


def _open(content: bytes) -> DocxTemplate:
    """The template, after package.check has bounded its size, parts and elements (an upload is untrusted)."""
    package.check(content, max_bytes=TEMPLATE_MAX_BYTES)
    try:
        tpl = DocxTemplate(io.BytesIO(content))
        tpl.init_docx()
    except (zipfile.BadZipFile, KeyError, ValueError, etree.XMLSyntaxError) as exc:
        raise Invalid(f"模板不是有效的 Word 文档（.docx）：{type(exc).__name__}", field="file") from None
    return tpl


def template_fields(content: bytes) -> set[str]:
    """The variables a template uses (its own loop variables excluded)."""
    tpl = _open(content)
    env = _env()
    try:
        names = set(tpl.get_undeclared_template_variables(jinja_env=env))
        props = tpl.docx.core_properties
        for prop in ("author", "comments", "identifier", "language", "subject", "title"):
            from jinja2 import meta

            names |= meta.find_undeclared_variables(env.parse(getattr(props, prop) or ""))
    except TemplateSyntaxError as exc:
        raise Invalid(f"模板语法错误：{exc.message}", field="file") from None
    except etree.XMLSyntaxError as exc:
        raise Invalid(f"模板不是格式正确的 XML：{exc.msg}", field="file") from None
    return names


def validate(kind: Kind, content: bytes) -> list[str]:
    """Refuse a template that uses a field its kind does not have, naming each; try it on sample data."""
    used = template_fields(content)
    unknown = sorted(used - kind.allowed_fields)
    if unknown:
        names = "、".join(unknown)
        raise Invalid(
            f"模板使用了《{kind.label}》没有的字段：{names}（可用字段：{'、'.join(sorted(kind.allowed_fields))}）",
            field="file",
        )
    render_template(content, sample_context(kind))
    return sorted(used)


def render_template(content: bytes, ctx: dict[str, Any]) -> bytes:
    tpl = _open(content)
    try:
        tpl.render(ctx, jinja_env=_env(), autoescape=True)
    except TemplateError as exc:
        raise Invalid(f"模板无法生成文书：{exc}", field="template") from None
    except etree.XMLSyntaxError as exc:
        raise Invalid(f"模板生成的文书不是格式正确的 XML：{exc.msg}", field="template") from None
    buf = io.BytesIO()
    tpl.save(buf)
    out = buf.getvalue()
    left = leftover_tags(out)
    if left:
        raise Invalid(f"模板生成的文书中仍有未填写的标记：{'；'.join(left[:5])}", field="template")
    return out


def leftover_tags(docx: bytes) -> list[str]:
    """Template tags left anywhere in the document's text (body, headers, footers, properties)."""
    found: list[str] = []
    with zipfile.ZipFile(io.BytesIO(docx)) as z:
        for name in z.namelist():
            if not name.endswith(".xml"):
                continue
            text = re.sub(r"<[^>]+>", "", z.read(name).decode("utf-8", "replace"))
            for m in TAG_RE.finditer(text):
                found.append(f"{name}: …{text[max(0, m.start() - 10) : m.end() + 10]}…")
    return found
