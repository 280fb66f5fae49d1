"""Opening a generated DOCX and checking it against GB/T 9704-2012 as laid out by rongcuo.documents.layout."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

from docx import Document as open_docx
from docx.oxml.ns import qn
from docx.shared import Length

from rongcuo.documents import layout, ooxml

NUMBER_RE = re.compile(r"^.+〔\d{4}〕[1-9]\d*号$")
CN_DATE_RE = re.compile(r"^\d{4}年[1-9]\d?月[1-9]\d?日$")
BAD_DATE_RE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{4}年0\d月|月0\d日|\d{4}/\d{1,2}/\d{1,2}")
TAG_RE = re.compile(r"\{\{|\{%|\{#|\}\}|%\}")

# paragraph style → East-Asian font the element must be named with
FONTS = {
    "公文-发文机关标志": layout.XIAOBIAOSONG,
    "公文-标题": layout.XIAOBIAOSONG,
    "公文-正文": layout.FANGSONG,
    "公文-一级标题": layout.HEITI,
    "公文-二级标题": layout.KAITI,
    "公文-三级标题": layout.FANGSONG,
    "公文-发文字号": layout.FANGSONG,
    "公文-主送机关": layout.FANGSONG,
    "公文-署名": layout.FANGSONG,
    "公文-成文日期": layout.FANGSONG,
    "公文-版记": layout.FANGSONG,
}


def mm(length: Length | None) -> float:
    assert length is not None
    return length.mm


@dataclass
class Inspected:
    texts: dict[str, list[str]]  # style name → paragraph texts
    all_text: str

    def one(self, style: str) -> str:
        items = self.texts.get(style, [])
        assert len(items) == 1, (style, items)
        return items[0]


def inspect(content: bytes, *, numbered: bool = True, letter: bool = False) -> Inspected:
    """Every check of the layout; returns the texts by element for the caller's own checks."""
    doc = open_docx(io.BytesIO(content))
    s = doc.sections[0]
    assert round(mm(s.page_width), 1) == 210.0 and round(mm(s.page_height), 1) == 297.0  # A4
    assert round(mm(s.top_margin), 1) == 37.0 and round(mm(s.left_margin), 1) == 28.0
    assert round(mm(s.page_width) - mm(s.left_margin) - mm(s.right_margin), 1) == 156.0  # text block width
    assert round(mm(s.page_height) - mm(s.top_margin) - mm(s.bottom_margin), 1) == 225.0  # text block height
    texts: dict[str, list[str]] = {}
    for p in doc.paragraphs:
        style = p.style.name if p.style is not None else ""
        if style in FONTS and p.text.strip():
            texts.setdefault(style, []).append(p.text)
            want = FONTS[style]
            assert ooxml.east_asian_font(p.style.element.rPr) == want, (style, "style font")
            prev = ""
            for r in p.runs:
                if r.text.strip():
                    # GB/T 9704 7.2.4: the 签发人's name is in 楷体
                    expected = layout.KAITI if prev.endswith("签发人：") else want
                    assert ooxml.east_asian_font(r._r.rPr) == expected, (style, r.text, "run font")
                    prev = r.text
        if style in ("公文-正文", "公文-一级标题", "公文-二级标题"):
            pf = p.style.paragraph_format
            assert pf.line_spacing is not None and abs(pf.line_spacing.pt - 28.95) < 0.01  # 22 lines in 225 mm
            assert p.style.font.size.pt == 16  # 3号
    assert texts.get("公文-标题"), "a title"
    title_style = doc.styles["公文-标题"]
    assert title_style.font.size.pt == 22  # 2号
    if numbered:
        mark = doc.styles["公文-发文机关标志"]
        assert str(mark.font.color.rgb) == "FF0000"
        number = texts["公文-发文字号"][0].split("\t")[0]
        assert NUMBER_RE.match(number), number
        assert "第" not in number and "〔0" not in number
        num_p = next(p for p in doc.paragraphs if p.style.name == "公文-发文字号")
        if letter:  # 信函格式: the organ's name, two red double rules (frames), no 印发 line, no first page number
            assert not texts["公文-发文机关标志"][0].endswith("文件")
            framed = [p for p in doc.paragraphs if p._p.pPr is not None and p._p.pPr.find(qn("w:framePr")) is not None]
            red = [
                b
                for p in framed
                for b in (p._p.pPr.find(qn("w:pBdr")) if p._p.pPr.find(qn("w:pBdr")) is not None else [])
                if b.get(qn("w:color")) == "FF0000"
            ]
            assert len(red) == 4, red
            assert not any("印发" in t for t in texts.get("公文-版记", []))
            assert s.different_first_page_header_footer
        else:
            bottom = num_p._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
            assert bottom.get(qn("w:color")) == "FF0000"  # the red rule under the number
            assert any("印发" in t for t in texts.get("公文-版记", []))
    for d in texts.get("公文-成文日期", []):
        assert CN_DATE_RE.match(d), d
    all_text = "\n".join(p.text for p in doc.paragraphs)
    assert not BAD_DATE_RE.search(all_text), BAD_DATE_RE.search(all_text)
    # page numbers: odd and even footers, em dashes, 4号
    assert doc.settings.odd_and_even_pages_header_footer
    for footer in (s.footer, s.even_page_footer):
        text = "".join(t.text or "" for t in footer._element.iter(qn("w:t")))
        assert text.startswith("— ") and text.endswith(" —"), text
        assert any(i.text and "PAGE" in i.text for i in footer._element.iter(qn("w:instrText")))
    # no template tag left anywhere
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        for name in z.namelist():
            if name.endswith(".xml"):
                plain = re.sub(r"<[^>]+>", "", z.read(name).decode("utf-8"))
                assert not TAG_RE.search(plain), (name, TAG_RE.search(plain))
    return Inspected(texts, all_text)


def xml_text(content: bytes) -> str:
    """The text of every XML part of a DOCX (body, headers, footers, properties)."""
    out = []
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        for name in z.namelist():
            if name.endswith(".xml"):
                out.append(re.sub(r"<[^>]+>", "", z.read(name).decode("utf-8")))
    return "\n".join(out)
