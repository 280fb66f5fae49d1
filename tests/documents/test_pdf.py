"""PDF renditions through LibreOffice, off the request path. Where `soffice` is installed every test here
converts for real and reads the PDF back; in CI (CI=true) a missing LibreOffice is a failure, since the
set-up (scripts/apt-packages.txt) installs it with free CJK fonts."""

from __future__ import annotations

import io
import os
import time

import pytest
from pypdf import PdfReader

from rongcuo.core.errors import Conflict
from rongcuo.documents import actions, pdf
from rongcuo.documents.models import Document, PdfStatus

from .conftest import decided
from .test_numbering import migrated_rows, unit_case  # noqa: F401


def need_soffice() -> None:
    if pdf.soffice() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but LibreOffice (soffice) is not installed: scripts/setup must install it")
        pytest.skip("LibreOffice (soffice) is not installed here")


@pytest.mark.django_db
def test_decision_to_pdf(world, body) -> None:
    need_soffice()
    case = decided(world, "从轻处理", months=6)
    doc = actions.issue_document(world.secretary, case.pk, "decision")
    assert doc.pdf_status == PdfStatus.PENDING
    doc = pdf.render_now(doc.pk)
    assert doc.pdf_status == PdfStatus.DONE, doc.pdf_error
    _, content = actions.read_document(world.secretary, doc.pk, "pdf")
    reader = PdfReader(io.BytesIO(content))
    assert len(reader.pages) >= 1 and doc.pdf_pages == len(reader.pages)
    box = reader.pages[0].mediabox
    assert abs(float(box.width) - 595.3) < 1 and abs(float(box.height) - 841.9) < 1  # A4
    first = reader.pages[0].extract_text()
    assert "苏纪发" in first and "从轻处理的决定" in first
    fonts = set()
    for page in reader.pages:
        for f in (page["/Resources"].get("/Font") or {}).values():
            fonts.add(str(f.get_object().get("/BaseFont")))
    assert any("FandolFang" in f for f in fonts), fonts  # 仿宋_GB2312 mapped to a free FangSong face


@pytest.mark.django_db
def test_issue_schedules_the_pdf_after_commit(world, body, settings, django_capture_on_commit_callbacks) -> None:
    need_soffice()
    settings.RONGCUO_DOCUMENTS_PDF = "sync"
    case = unit_case(world, 0)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        doc = actions.issue_document(world.handler, case.pk, "acceptance")
    # The PDF, and the notice to the party (rongcuo.notices): both after commit, none inside the act.
    assert len(callbacks) == 2
    doc.refresh_from_db()
    assert doc.pdf_status == PdfStatus.DONE and doc.pdf_pages >= 1


@pytest.mark.django_db
def test_without_libreoffice_docx_still_works(world, body, monkeypatch) -> None:
    monkeypatch.setattr(pdf, "soffice", lambda: None)
    case = unit_case(world, 0)
    doc = actions.issue_document(world.handler, case.pk, "acceptance")
    assert doc.pdf_status == PdfStatus.UNAVAILABLE
    assert pdf.render_now(doc.pk).pdf_status == PdfStatus.UNAVAILABLE
    with pytest.raises(Conflict) as exc:
        actions.read_document(world.handler, doc.pk, "pdf")
    assert "LibreOffice" in exc.value.message
    _, content = actions.read_document(world.handler, doc.pk, "docx")
    assert content.startswith(b"PK")


@pytest.mark.django_db
def test_timeout_kills_the_conversion() -> None:
    need_soffice()
    from rongcuo.documents import render
    from rongcuo.documents.kinds import Draft, get

    content = render.build(get("acceptance"), Draft(title="标题", blocks=[("body", "正文")]), render.Header())
    with pytest.raises(pdf.ConversionFailed) as exc:
        pdf.convert(content, timeout=0.05)
    assert "超时" in str(exc.value)


@pytest.mark.django_db(transaction=True)
def test_background_worker_converts(migrated_rows, world, settings) -> None:  # noqa: F811
    need_soffice()
    from .test_numbering import make_body

    make_body(world)
    settings.RONGCUO_DOCUMENTS_PDF = "async"
    case = unit_case(world, 0)
    doc = actions.issue_document(world.handler, case.pk, "acceptance")  # commits; the worker starts
    for _ in range(240):
        status = Document.objects.get(pk=doc.pk).pdf_status
        if status != PdfStatus.PENDING:
            break
        time.sleep(0.5)
    doc.refresh_from_db()
    assert doc.pdf_status == PdfStatus.DONE, doc.pdf_error
