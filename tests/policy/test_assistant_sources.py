"""Reading uploads: .txt in UTF-8 / GB18030, .docx (paragraphs and tables in order), and the refused inputs."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest

from rongcuo.policy import PolicyError
from rongcuo.policy.assistant import draft_from_text, read_source
from rongcuo.policy.assistant import sources as src

from .test_assistant_split import ART17

TEXT = "中国共产党问责条例\n" + ART17


def make_docx(paragraphs: list[str], table: list[list[str]] | None = None) -> bytes:
    d = docx.Document()
    for p in paragraphs[:2]:
        d.add_paragraph(p)
    if table:
        t = d.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, cell in enumerate(row):
                t.cell(r, c).text = cell
    for p in paragraphs[2:]:
        d.add_paragraph(p)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def refused(data: bytes, name: str) -> str:
    with pytest.raises(PolicyError) as exc:
        read_source(data, name)
    assert exc.value.field == (name or "上传文件")
    assert any("\u4e00" <= ch <= "\u9fff" for ch in exc.value.message)
    return exc.value.message


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_txt_encodings(encoding: str) -> None:
    data = TEXT.replace("\n", "\r\n").encode(encoding)
    text = read_source(data, "问责条例.TXT")
    assert text == TEXT
    assert draft_from_text(text).articles[0].ref == "第十七条"


def test_gb18030_only_characters() -> None:
    word = "第一条　䶮字测试𠀀"  # ext-A and ext-B characters: GB18030 four-byte sequences
    assert read_source(word.encode("gb18030"), "a.txt") == word


def test_refused_text_inputs() -> None:
    assert "UTF-16" in refused(TEXT.encode("utf-16"), "a.txt")
    assert "空字符" in refused(b"abc\x00def", "a.txt")
    assert "编码" in refused(b"\x81\x20\xff\xfe\x80" * 20, "a.txt")
    assert "Word" in refused(make_docx(["x"]), "renamed.txt")
    assert "为空" in refused(b"", "a.txt")
    assert "MB" in refused(b"a" * (src.MAX_TXT_BYTES + 1), "a.txt")


def test_docx_paragraphs_and_tables_in_order() -> None:
    paras = ["某县容错纠错办法", "第一条　为了鼓励担当作为，制定本办法。", "第三条　本办法自印发之日起施行。"]
    data = make_docx(paras, table=[["第二条　有下列情形之一的，可以容错：", "（一）先行先试出现失误的；"],
                                   ["（二）因不可抗力造成损失的。", "（二）因不可抗力造成损失的。"]])
    text = read_source(data, "办法.docx")
    assert text.split("\n") == [
        paras[0], paras[1], "第二条　有下列情形之一的，可以容错：", "（一）先行先试出现失误的；",
        "（二）因不可抗力造成损失的。", "（二）因不可抗力造成损失的。", paras[2],
    ]
    doc = draft_from_text(text).document
    assert [a.ref for a in doc.articles] == ["第一条", "第二条", "第三条"]


def test_docx_merged_cell_read_once() -> None:
    d = docx.Document()
    t = d.add_table(rows=1, cols=3)
    t.cell(0, 0).merge(t.cell(0, 1)).text = "合并的单元格"
    t.cell(0, 2).text = "右侧"
    buf = io.BytesIO()
    d.save(buf)
    assert read_source(buf.getvalue(), "t.docx").split("\n") == ["合并的单元格", "右侧"]


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in members.items():
            zf.writestr(name, body)
    return buf.getvalue()


def _encrypted(data: bytes) -> bytes:
    """Set the 'encrypted' bit of every member in the local headers and the central directory."""
    out = bytearray(data)
    for sig, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        pos = out.find(sig)
        while pos >= 0:
            out[pos + offset] |= 0x1
            pos = out.find(sig, pos + 4)
    return bytes(out)


def test_zip_bomb_refused_before_parsing() -> None:
    bomb = _zip({"[Content_Types].xml": b"<x/>", "word/document.xml": b"<" + b"a" * (60 * 1024 * 1024) + b">"})
    assert len(bomb) < src.MAX_DOCX_BYTES
    assert "解压后超过" in refused(bomb, "bomb.docx")


def test_too_many_members_refused() -> None:
    many = _zip({f"word/media/{i}.xml": b"" for i in range(src.MAX_DOCX_MEMBERS + 1)})
    assert "部件" in refused(many, "many.docx")


def test_encrypted_and_disguised_files_refused() -> None:
    assert "加密" in refused(_encrypted(_zip({"word/document.xml": b"<x/>"})), "enc.docx")
    assert "加密" in refused(src._OLE + b"\x00" * 600, "protected.docx")  # Office encryption: an OLE container
    assert "不是有效的 .docx" in refused(b"%PDF-1.7 not a word file", "fake.docx")
    assert "不是有效的 .docx" in refused(b"PK\x03\x04 broken zip", "broken.docx")
    assert "document.xml" in refused(_zip({"readme.txt": b"hello"}), "other.docx")
    assert "损坏" in refused(_zip({"word/document.xml": b"<not xml", "[Content_Types].xml": b"<x/>"}), "bad.docx")
    assert "MB" in refused(b"PK\x03\x04" + b"\x00" * src.MAX_DOCX_BYTES, "big.docx")


def test_other_extensions_refused() -> None:
    assert ".doc" in refused(b"\xd0\xcf\x11\xe0", "old.doc")
    assert ".docx 或 .txt" in refused(b"%PDF", "scan.pdf")
    assert ".docx 或 .txt" in refused(b"abc", "")
