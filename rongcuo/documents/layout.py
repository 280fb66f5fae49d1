"""A GB/T 9704-2012 「党政机关公文格式」 document builder on python-docx.

Page: A4 (210×297 mm); margins top 37 mm, left 28 mm; text block 156×225 mm (so right 26 mm, bottom
35 mm). Body: 3号 (16 pt) 仿宋_GB2312, 22 lines of 28 characters: exact line pitch 28.95 pt (22 × 28.95 pt
fits 225 mm) and characters condensed by 0.25 pt (28 × 15.75 pt fits 156 mm).

Elements in order: 发文机关标志 (red 方正小标宋简体, centred, 35 mm below the top of the text block),
发文字号 (two lines below, centred; 上行文: left with 签发人 on the right) with a red rule 4 mm below it,
title (2号 方正小标宋简体, two lines below the rule), 主送机关, body with headings 一、(黑体) （一）(楷体_GB2312)
1. and （1）(仿宋_GB2312), 发文机关署名 and 成文日期 (no seal: 署名 right two characters, the date's first
character two to the right of the 署名's), 附注, and 版记 (抄送, 印发机关 and 印发日期 between rules, in a
frame at the foot of the last page). Page numbers: 4号 宋体 with em dashes 「— 1 —」, odd pages right and
even pages left, one character in.

East-Asian font names are written into w:rFonts/@w:eastAsia of every style and run (theme fonts are
removed), so users with the official fonts see them exactly; pdf.py maps them to free fonts. Digits and
Latin letters use half-width Times New Roman (Liberation Serif in the PDF), page numbers 宋体.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass, field

from docx import Document as new_document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor, Twips
from docx.text.paragraph import Paragraph

from . import ooxml

PAGE_WIDTH_MM, PAGE_HEIGHT_MM = 210, 297
TOP_MM, LEFT_MM = 37, 28
TEXT_WIDTH_MM, TEXT_HEIGHT_MM = 156, 225
RIGHT_MM = PAGE_WIDTH_MM - LEFT_MM - TEXT_WIDTH_MM  # 26
BOTTOM_MM = PAGE_HEIGHT_MM - TOP_MM - TEXT_HEIGHT_MM  # 35
LINES, CHARS = 22, 28
LINE_PITCH = Twips(579)  # 28.95 pt
TEXT_WIDTH_PT = TEXT_WIDTH_MM * 72 / 25.4
CHAR_PT = TEXT_WIDTH_PT / CHARS  # ≈ 15.79 pt: one character of the body grid
CONDENSE_TWENTIETHS = -5  # −0.25 pt per character: 28 × 15.75 pt ≤ 156 mm
RED = RGBColor(0xFF, 0x00, 0x00)

FANGSONG = "仿宋_GB2312"
XIAOBIAOSONG = "方正小标宋简体"
HEITI = "黑体"
KAITI = "楷体_GB2312"
SONGTI = "宋体"
LATIN = "Times New Roman"

SIZE_3 = Pt(16)  # 三号
SIZE_2 = Pt(22)  # 二号
SIZE_4 = Pt(14)  # 四号
MARK_MAX = 36.0  # 小初; shrunk to fit the text width


@dataclass(frozen=True)
class StyleSpec:
    name: str
    font: str
    size: Pt
    align: WD_ALIGN_PARAGRAPH | None = None
    first_line_chars: int = 0
    color: RGBColor | None = None


# The paragraph styles every document carries (tests and templates refer to them by name).
STYLES = {
    "mark": StyleSpec("公文-发文机关标志", XIAOBIAOSONG, Pt(MARK_MAX), WD_ALIGN_PARAGRAPH.CENTER, color=RED),
    "number": StyleSpec("公文-发文字号", FANGSONG, SIZE_3, WD_ALIGN_PARAGRAPH.CENTER),
    "title": StyleSpec("公文-标题", XIAOBIAOSONG, SIZE_2, WD_ALIGN_PARAGRAPH.CENTER),
    "addressee": StyleSpec("公文-主送机关", FANGSONG, SIZE_3, WD_ALIGN_PARAGRAPH.JUSTIFY),
    "body": StyleSpec("公文-正文", FANGSONG, SIZE_3, WD_ALIGN_PARAGRAPH.JUSTIFY, first_line_chars=2),
    "h1": StyleSpec("公文-一级标题", HEITI, SIZE_3, WD_ALIGN_PARAGRAPH.JUSTIFY, first_line_chars=2),
    "h2": StyleSpec("公文-二级标题", KAITI, SIZE_3, WD_ALIGN_PARAGRAPH.JUSTIFY, first_line_chars=2),
    "h3": StyleSpec("公文-三级标题", FANGSONG, SIZE_3, WD_ALIGN_PARAGRAPH.JUSTIFY, first_line_chars=2),
    "signature": StyleSpec("公文-署名", FANGSONG, SIZE_3, WD_ALIGN_PARAGRAPH.RIGHT),
    "date": StyleSpec("公文-成文日期", FANGSONG, SIZE_3, WD_ALIGN_PARAGRAPH.RIGHT),
    "note": StyleSpec("公文-附注", FANGSONG, SIZE_3, WD_ALIGN_PARAGRAPH.LEFT, first_line_chars=2),
    "imprint": StyleSpec("公文-版记", FANGSONG, SIZE_4, WD_ALIGN_PARAGRAPH.LEFT),
    "page": StyleSpec("公文-页码", SONGTI, SIZE_4),
}


def cn_date(d: dt.date | None) -> str:
    """2025年3月5日: Arabic numerals, no zero padding (GB/T 9704-2012 7.3.5)."""
    return f"{d.year}年{d.month}月{d.day}日" if d else ""


def text_width(text: str) -> float:
    """Width in body characters: half-width characters count one half."""
    return sum(0.5 if ord(ch) < 0x2E80 else 1.0 for ch in text)


def mark_size(text: str) -> float:
    """The mark's point size: 小初 (36 pt) unless that would not fit the text width."""
    width = max(text_width(text), 1.0)
    return min(MARK_MAX, float(int(TEXT_WIDTH_PT / width)))


def _exact(paragraph_format, pitch=LINE_PITCH) -> None:
    paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    paragraph_format.line_spacing = pitch
    paragraph_format.space_before = Pt(0)
    paragraph_format.space_after = Pt(0)


def latin_for(font: str) -> str:
    """Digits and Latin letters: half-width Times New Roman (page numbers: 宋体, GB/T 9704 7.5)."""
    return font if font == SONGTI else LATIN


def style_run(run, font: str, size: Pt | None = None, *, color: RGBColor | None = None, condense: bool = False):
    rpr = run._r.get_or_add_rPr()
    ooxml.set_fonts(rpr, font, latin=latin_for(font))
    if size is not None:
        run.font.size = size
    if color is not None:
        run.font.color.rgb = color
    if condense:
        ooxml.set_condensed(rpr, CONDENSE_TWENTIETHS)
    return run


# --- the builder ------------------------------------------------------------------------------------


@dataclass
class Imprint:
    """版记: 抄送 (may be empty), 印发机关 and 印发日期."""

    cc: list[str] = field(default_factory=list)
    printer: str = ""
    printed_on: str = ""


class Gongwen:
    """Builds one document element by element; `to_bytes()` gives the DOCX."""

    def __init__(self, *, title_for_properties: str = "", author: str = "") -> None:
        self.doc: DocxDocument = new_document()
        self._body_started = False
        self._setup_page()
        self._setup_styles()
        self._page_numbers()
        props = self.doc.core_properties
        props.title = title_for_properties[:255]
        props.author = author[:255]
        props.language = "zh-CN"
        props.comments = "按 GB/T 9704-2012《党政机关公文格式》排版"
        # The default template's empty first paragraph is removed so the mark is the first line.
        body = self.doc.element.body
        for p in list(body.iterchildren(qn("w:p"))):
            body.remove(p)

    # page, styles, footers ---------------------------------------------------------------------------

    def _setup_page(self) -> None:
        s = self.doc.sections[0]
        s.orientation = WD_ORIENT.PORTRAIT
        s.page_width, s.page_height = Mm(PAGE_WIDTH_MM), Mm(PAGE_HEIGHT_MM)
        s.top_margin, s.left_margin = Mm(TOP_MM), Mm(LEFT_MM)
        s.right_margin, s.bottom_margin = Mm(RIGHT_MM), Mm(BOTTOM_MM)
        s.header_distance = Mm(15)
        # The page number's em-dash line sits about 7 mm below the text block.
        s.footer_distance = Mm(BOTTOM_MM - 7 - 6)
        s.gutter = Mm(0)
        grid = s._sectPr.find(qn("w:docGrid"))
        if grid is None:
            grid = OxmlElement("w:docGrid")
            s._sectPr.append(grid)
        # No snapping grid: LibreOffice would snap the exact-spaced header lines to it and lose body lines.
        grid.attrib.pop(qn("w:type"), None)
        grid.set(qn("w:linePitch"), str(int(LINE_PITCH.twips)))

    def _setup_styles(self) -> None:
        styles = self.doc.styles
        # Document defaults: no theme fonts, 仿宋_GB2312 三号, Chinese language.
        defaults = self.doc.styles.element.find(qn("w:docDefaults"))
        if defaults is not None:
            rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
            ooxml.set_fonts(rpr, FANGSONG, latin=LATIN)
            ooxml.set_lang(rpr)
            sz = ooxml.ordered(rpr, "w:sz")
            sz.set(qn("w:val"), "32")
        normal = styles["Normal"]
        ooxml.set_fonts(normal.element.get_or_add_rPr(), FANGSONG, latin=LATIN)
        normal.font.size = SIZE_3
        _exact(normal.paragraph_format)
        for spec in STYLES.values():
            st = styles.add_style(spec.name, WD_STYLE_TYPE.PARAGRAPH)
            st.base_style = normal
            st.quick_style = True
            rpr = st.element.get_or_add_rPr()
            ooxml.set_fonts(rpr, spec.font, latin=latin_for(spec.font))
            st.font.size = spec.size
            if spec.color is not None:
                st.font.color.rgb = spec.color
            if spec.font == FANGSONG or spec.font in (HEITI, KAITI):
                ooxml.set_condensed(rpr, CONDENSE_TWENTIETHS)
            pf = st.paragraph_format
            _exact(pf)
            if spec.align is not None:
                pf.alignment = spec.align
            pf.widow_control = False
            ooxml.no_autospace(st.element.get_or_add_pPr())
            if spec.first_line_chars:
                ooxml.first_line_chars(st.element.get_or_add_pPr(), spec.first_line_chars, CHAR_PT)

    def _page_numbers(self) -> None:
        self.doc.settings.odd_and_even_pages_header_footer = True
        s = self.doc.sections[0]
        spec = STYLES["page"]
        for footer, align in ((s.footer, WD_ALIGN_PARAGRAPH.RIGHT), (s.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
            footer.is_linked_to_previous = False
            p = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
            p.style = self.doc.styles[spec.name]
            p.alignment = align
            pf = p.paragraph_format
            _exact(pf, Pt(16))
            if align == WD_ALIGN_PARAGRAPH.RIGHT:
                pf.right_indent = Pt(14)
            else:
                pf.left_indent = Pt(14)
            style_run(p.add_run("— "), SONGTI, SIZE_4)
            ooxml.page_field(lambda p=p: style_run(p.add_run(), SONGTI, SIZE_4))
            style_run(p.add_run(" —"), SONGTI, SIZE_4)

    # elements ----------------------------------------------------------------------------------------

    def _para(self, kind: str, text: str = "", *, condense: bool | None = None) -> Paragraph:
        spec = STYLES[kind]
        p = self.doc.add_paragraph(style=self.doc.styles[spec.name])
        if text:
            cond = spec.font in (FANGSONG, HEITI, KAITI) if condense is None else condense
            style_run(p.add_run(text), spec.font, spec.size, color=spec.color, condense=cond)
        return p

    def mark(self, text: str, *, size_pt: float | None = None) -> Paragraph:
        """发文机关标志: red, centred; its top 35 mm below the top of the text block."""
        size = size_pt or mark_size(text)
        p = self._para("mark")
        style_run(p.add_run(text), XIAOBIAOSONG, Pt(size), color=RED)
        pf = p.paragraph_format
        _exact(pf, Pt(size * 1.2))
        pf.space_before = Mm(35) - Pt(size * 0.1)
        return p

    def number(self, text: str, *, signer: str | None = None) -> Paragraph:
        """发文字号 two lines below the mark, with the red rule 4 mm below it. With `signer` (上行文) the
        number is left, one character in, and 「签发人：」 with the name (楷体) on the right."""
        p = self._para("number")
        p.paragraph_format.space_before = Pt(LINE_PITCH.pt * 2)
        if signer is None:
            style_run(p.add_run(text), FANGSONG, SIZE_3, condense=True)
        else:
            pf = p.paragraph_format
            pf.alignment = WD_ALIGN_PARAGRAPH.LEFT
            pf.left_indent = Pt(CHAR_PT)
            pf.right_indent = Pt(CHAR_PT)
            pf.tab_stops.add_tab_stop(Pt(TEXT_WIDTH_PT - 2 * CHAR_PT), WD_TAB_ALIGNMENT.RIGHT)
            style_run(p.add_run(text + "\t"), FANGSONG, SIZE_3, condense=True)
            style_run(p.add_run("签发人："), FANGSONG, SIZE_3, condense=True)
            style_run(p.add_run(signer), KAITI, SIZE_3, condense=True)
        ooxml.border(p._p.get_or_add_pPr(), "bottom", size_eighths=12, space_pt=5, color="FF0000")
        return p

    def title(self, text: str, *, after_rule: bool = True) -> Paragraph:
        p = self._para("title", text)
        p.paragraph_format.space_before = Pt(LINE_PITCH.pt * (2 if after_rule else 0))
        return p

    def addressee(self, text: str) -> Paragraph:
        p = self._para("addressee", text)
        p.paragraph_format.space_before = LINE_PITCH
        self._body_started = True
        return p

    def paragraph(self, text: str, kind: str = "body") -> Paragraph:
        p = self._para(kind, text)
        if not self._body_started:
            p.paragraph_format.space_before = LINE_PITCH
            self._body_started = True
        return p

    def paragraphs(self, items: Iterable[tuple[str, str]]) -> None:
        for kind, text in items:
            self.paragraph(text, kind)

    def signature(self, organ: str, date_text: str, *, date_indent_chars: float | None = None) -> None:
        """No seal: 署名 one line below the body, two characters from the right; the date on the next line
        with its first character two to the right of the 署名's first character."""
        p = self._para("signature", organ)
        p.paragraph_format.space_before = LINE_PITCH
        p.paragraph_format.right_indent = Pt(2 * CHAR_PT)
        organ_w, date_w = text_width(organ), text_width(date_text)
        right = organ_w - date_w  # in characters, from the right edge
        if right < 0:  # a long date: keep it on the line and move the 署名 left instead
            p.paragraph_format.right_indent = Pt((2 - right) * CHAR_PT)
            right = 0
        if date_indent_chars is not None:
            right = date_indent_chars
        d = self._para("date", date_text)
        d.paragraph_format.right_indent = Pt(max(right, 0) * CHAR_PT)

    def note(self, text: str) -> Paragraph:
        """附注, in round brackets, two characters in, on the line below the date."""
        return self._para("note", text if text.startswith("（") else f"（{text}）")

    def imprint(self, imprint: Imprint, *, cc_guard: tuple[str, str] | None = None) -> None:
        """版记 at the foot of the last page: 抄送 and 印发 lines between rules (thick, thin, thick), full
        text width, each line in a frame of its own whose bottom meets the bottom of the text block.

        `cc_guard` (templates): paragraphs placed around the 抄送 line (e.g. `{%p if cc %}`); the 印发 line
        then carries the thin rule on its top, so the rules stay right whether the 抄送 line is kept or not."""
        char4 = 14.0
        rows: list[tuple[Paragraph, int]] = []
        if imprint.cc:
            text = "抄送：" + "，".join(imprint.cc) + "。"
            if cc_guard:
                self.paragraph(cc_guard[0])
            p = self._para("imprint")
            style_run(p.add_run(text), FANGSONG, SIZE_4)
            pf = p.paragraph_format
            pf.left_indent = Pt(char4 * 4)
            pf.first_line_indent = Pt(-char4 * 3)
            pf.right_indent = Pt(char4)
            first = int((TEXT_WIDTH_PT - 2 * char4) // char4)
            rest = int((TEXT_WIDTH_PT - 5 * char4) // char4)
            over = max(0.0, text_width(text) - first)
            rows.append((p, 1 + int(-(-over // rest))))
            if cc_guard:
                self.paragraph(cc_guard[1])
        p = self._para("imprint")
        pf = p.paragraph_format
        pf.left_indent = Pt(char4)
        pf.right_indent = Pt(char4)
        pf.tab_stops.add_tab_stop(Pt(TEXT_WIDTH_PT - 2 * char4), WD_TAB_ALIGNMENT.RIGHT)
        style_run(p.add_run(f"{imprint.printer}\t{imprint.printed_on}印发"), FANGSONG, SIZE_4)
        rows.append((p, 1))
        pitch = int(LINE_PITCH.twips)
        y = round(TEXT_HEIGHT_MM / 25.4 * 1440) - pitch * sum(n for _, n in rows)
        for i, (para, n) in enumerate(rows):
            ppr = para._p.get_or_add_pPr()
            ooxml.frame(ppr, width_twips=round(TEXT_WIDTH_PT * 20), height_twips=pitch * n, y_twips=y)
            last = i == len(rows) - 1
            if i == 0:
                ooxml.border(ppr, "top", size_eighths=8, space_pt=0)
            elif cc_guard:
                ooxml.border(ppr, "top", size_eighths=6, space_pt=0)
            if last or not cc_guard:
                ooxml.border(ppr, "bottom", size_eighths=8 if last else 6, space_pt=0)
            y += pitch * n
        # Frames anchor to the paragraph that follows them; Word wants the body to end with a paragraph.
        tail = self.doc.add_paragraph(style=self.doc.styles[STYLES["imprint"].name])
        _exact(tail.paragraph_format, Pt(1))

    def to_bytes(self) -> bytes:
        buf = io.BytesIO()
        self.doc.save(buf)
        return buf.getvalue()
