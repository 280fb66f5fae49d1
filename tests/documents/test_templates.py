"""Per-jurisdiction templates (docxtpl): unknown fields refused by name, syntax errors refused, the default
template round-trips, an uploaded template is used for that jurisdiction's documents."""

from __future__ import annotations

import io

import pytest
from docx import Document as new_docx

from rongcuo.core.errors import Invalid, NotFound
from rongcuo.documents import actions, kinds, render, storage
from rongcuo.documents.models import Template

from .test_kinds import check, issue
from .test_numbering import unit_case

pytestmark = pytest.mark.django_db


def docx_with(*paragraphs: str) -> bytes:
    d = new_docx()
    for p in paragraphs:
        d.add_paragraph(p)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def test_unknown_field_is_refused_by_name(world) -> None:
    content = docx_with("{{ title }}", "{{ doc_number }}", "当事人：{{ subject }}，身份证号 {{ id_number }}")
    with pytest.raises(Invalid) as exc:
        actions.upload_template(world.handler, "320000", "acceptance", "受理.docx", content)
    assert "id_number" in exc.value.message and exc.value.field == "file"
    assert "subject" not in exc.value.message.split("（可用字段")[0]
    assert not Template.objects.exists()


def test_unknown_fields_inside_loops_and_conditions(world) -> None:
    content = docx_with("{% for b in body %}{{ b.text }}{{ secret_note }}{% endfor %}", "{% if phone %}x{% endif %}")
    with pytest.raises(Invalid) as exc:
        render.validate(kinds.get("decision"), content)
    assert "phone" in exc.value.message and "secret_note" in exc.value.message
    assert "“b”" not in exc.value.message


def test_syntax_errors_and_non_documents_are_refused(world) -> None:
    with pytest.raises(Invalid) as exc:
        render.validate(kinds.get("decision"), docx_with("{{ title "))
    assert "语法错误" in exc.value.message
    with pytest.raises(Invalid):
        render.validate(kinds.get("decision"), b"not a docx at all")


def test_sandbox_refuses_attribute_tricks(world) -> None:
    with pytest.raises(Invalid):
        render.validate(kinds.get("decision"), docx_with("{{ title.__class__.__mro__ }}"))


def test_default_template_is_valid_for_every_kind() -> None:
    content = render.default_template()
    for k in kinds.all_kinds():
        assert set(render.validate(k, content)) <= k.allowed_fields


def test_uploaded_template_is_used_and_checked(world, body) -> None:
    with pytest.raises(NotFound):
        actions.upload_template(world.outsider, "320000", "acceptance", "t.docx", render.default_template())
    t = actions.upload_template(world.handler, "320000", "acceptance", "t.docx", render.default_template())
    assert t.active and "organ_mark" in t.fields
    case = unit_case(world, 0)
    doc, text = issue(world, case, "acceptance")
    assert doc.template_id == t.pk
    assert "予以受理" in text and doc.number in text
    # a second upload replaces the first
    own = docx_with(
        "{{ title }}", "{{ addressee }}", "案件编号：{{ case_number }}，{{ subject }}", "{{ organ }} {{ date }}"
    )
    t2 = actions.upload_template(world.handler, "320000", "acceptance", "own.docx", own)
    t.refresh_from_db()
    assert not t.active and t2.active
    doc2 = actions.issue_document(world.handler, case.pk, "acceptance")
    content = storage.read(doc2.storage_name)
    assert not render.leftover_tags(content)
    text2 = "\n".join(p.text for p in new_docx(io.BytesIO(content)).paragraphs)
    assert f"案件编号：{case.number}，江苏省某县发展和改革局" in text2


def test_values_are_escaped_in_templates(world, body) -> None:
    actions.upload_template(world.handler, "320000", "acceptance", "t.docx", render.default_template())
    case = unit_case(world, 0)
    case.unit.name = "A&B <单位>"
    case.unit.save()
    doc = actions.issue_document(world.handler, case.pk, "acceptance")
    assert "A&B <单位>" in check(doc)
