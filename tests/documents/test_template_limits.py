"""Uploaded templates are untrusted: bombs (huge expansion, millions of elements, entity tricks, a ZIP
directory that lies) and malformed files are refused with a 400 and a Chinese message, before anything
parses them whole; only the staff who manage templates may have one checked or uploaded.

The bombs are built here with zipfile, streamed so that no large buffer is ever held: each is a few
hundred KB at most."""

from __future__ import annotations

import io
import struct
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from rongcuo.accounts import actions as accounts
from rongcuo.core.errors import Forbidden, Invalid
from rongcuo.documents import actions, kinds, package, render

from .test_templates import docx_with

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
HEAD = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {W}><w:body>'.encode()
TAIL = b"</w:body></w:document>"


def deflated(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def replaced(document_xml_chunks, *, base: bytes | None = None, name: str = "word/document.xml") -> bytes:
    """A real .docx with one part replaced by the streamed chunks (deflated as they come)."""
    src = zipfile.ZipFile(io.BytesIO(base or docx_with("{{ title }}")))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            if info.filename == name:
                with z.open(deflated(name), "w") as f:
                    for chunk in document_xml_chunks:
                        f.write(chunk)
            else:
                z.writestr(info, src.read(info.filename))
    return out.getvalue()


def expanding(mb: int):
    yield HEAD + b"<w:p><w:r><w:t>"
    block = b" " * (1024 * 1024)
    for _ in range(mb):
        yield block
    yield b"</w:t></w:r></w:p>" + TAIL


def paragraphs(n: int):
    yield HEAD
    block = b"<w:p/>" * 100_000
    for _ in range(n // 100_000):
        yield block
    yield TAIL


def refused(content: bytes) -> str:
    with pytest.raises(Invalid) as exc:
        render.validate(kinds.get("acceptance"), content)
    assert exc.value.field == "file"
    return exc.value.message


def test_expansion_bomb_is_refused_from_the_directory() -> None:
    bomb = replaced(expanding(200))
    assert len(bomb) < 400 * 1024  # 200 MB of XML in a file of some 200 KB
    message = refused(bomb)
    assert "word/document.xml" in message and "解压后超过" in message


def test_many_parts_add_up() -> None:
    base = docx_with("{{ title }}")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in zipfile.ZipFile(io.BytesIO(base)).infolist():
            z.writestr(info, zipfile.ZipFile(io.BytesIO(base)).read(info.filename))
        for i in range(3):
            with z.open(deflated(f"word/media/pad{i}.txt"), "w") as f:
                for _ in range(15):
                    f.write(b"\0" * (1024 * 1024))
    assert "总大小" in refused(out.getvalue())


def test_a_directory_that_lies_is_caught_while_reading() -> None:
    """The central directory says 1 KB; the part inflates to 30 MB: refused while it is read."""
    bomb = bytearray(replaced(expanding(30)))
    name = b"word/document.xml"
    at = bomb.find(b"PK\x01\x02")
    while bytes(bomb[at + 46 : at + 46 + len(name)]) != name:
        at = bomb.find(b"PK\x01\x02", at + 4)
    assert struct.unpack("<I", bomb[at + 24 : at + 28])[0] > 30 * 1024 * 1024
    bomb[at + 24 : at + 28] = struct.pack("<I", 1024)  # the uncompressed size the directory claims
    assert "word/document.xml" in refused(bytes(bomb))


def test_millions_of_empty_paragraphs_are_refused() -> None:
    bomb = replaced(paragraphs(3_500_000))
    assert len(bomb) < 100 * 1024
    message = refused(bomb)
    assert "word/document.xml" in message


def test_too_many_elements_within_the_size_limit() -> None:
    bomb = replaced(paragraphs(300_000))  # 1.8 MB of XML: small enough, but 300 000 elements
    message = refused(bomb)
    assert "元素过多" in message and str(package.MAX_ELEMENTS) in message


def test_malformed_xml_and_entities_are_refused() -> None:
    broken = replaced([HEAD, b"<w:p><w:r><w:t>unclosed", TAIL])
    assert "格式正确的 XML" in refused(broken)
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
        + f"<w:document {W}><w:body><w:p><w:r><w:t>&c;</w:t></w:r></w:p></w:body></w:document>".encode()
    )
    assert "DOCTYPE" in refused(replaced([laughs]))
    assert "有效的 Word 文档" in refused(b"PK\x03\x04 not really a zip")
    no_types = io.BytesIO()
    with zipfile.ZipFile(no_types, "w") as z:
        z.writestr("word/document.xml", HEAD + TAIL)
    assert "不是 Word 文档" in refused(no_types.getvalue())


def test_a_normal_template_still_passes() -> None:
    assert "doc_number" in render.validate(kinds.get("acceptance"), render.default_template())
    package.check(render.default_template(), max_bytes=render.TEMPLATE_MAX_BYTES)


# --- through the API: 400 with the message, and only the template staff -----------------------------------


def client(user) -> tuple[Client, dict[str, str]]:
    return Client(), {"Authorization": f"Bearer {accounts.issue_token(user)}"}


@pytest.mark.django_db
def test_api_answers_400_and_only_template_staff_may_call(world) -> None:
    bomb = replaced(paragraphs(3_500_000))
    c, h = client(world.handler)
    for url, extra in (
        ("/api/documents/templates/validate", {}),
        ("/api/documents/templates", {"jurisdiction": "320000"}),
    ):
        for content in (bomb, replaced([HEAD, b"<w:p>", TAIL]), replaced(expanding(50))):
            r = c.post(url, {"file": SimpleUploadedFile("t.docx", content), "kind": "acceptance", **extra}, headers=h)
            assert r.status_code == 400, (url, r.content)
            assert r.json()["field"] == "file" and "模板" in r.json()["message"]
    good = render.default_template()
    r = c.post(
        "/api/documents/templates/validate",
        {"file": SimpleUploadedFile("t.docx", good), "kind": "acceptance"},
        headers=h,
    )
    assert r.status_code == 200 and r.json()["valid"] is True
    for name in ("applicant", "unit_contact", "investigator", "publisher", "sysadmin", "auditadmin"):
        c, h = client(getattr(world, name))
        for url, extra in (
            ("/api/documents/templates/validate", {}),
            ("/api/documents/templates", {"jurisdiction": "320000"}),
        ):
            r = c.post(url, {"file": SimpleUploadedFile("t.docx", good), "kind": "acceptance", **extra}, headers=h)
            assert r.status_code == 403, (name, url, r.content)
    with pytest.raises(Forbidden):
        actions.validate_template(world.applicant, "acceptance", good)
    assert actions.validate_template(world.secretary, "acceptance", good)
