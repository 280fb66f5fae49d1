"""A GB/T 9704-2012 「党政机关公文格式」 document builder on python-docx.

Page: A4 (210×297 mm); margins top 37 mm, left 28 mm; text block 156×225 mm (so right 26 mm, bottom
35 mm). Body: 3号 (16 pt) 仿宋_GB2312, 22 lines of 28 characters: exact line pitch 28.95 pt (22 × 28.95 pt
fits 225 mm) and characters condensed by 0.25 pt (28 × 15.75 pt fits 156 mm).

Elements in order: 发文机关标志 (red 方正小标宋简体, centred, 35 mm below the top of the text block),
发文字号 (two lines below, centred; 上行文: left with 签发人 on the right) with a red rule 4 mm below it,
title (2号 方正小标宋简体, two lines below the rule), 主送机关, body with headings 一、(黑体) （一）(楷体_GB2312)
1. and （1）(仿宋_GB2312), 发文机关署名 and 成文日期 (no seal: 署名 right two characters, the date's first
character two to the right of the 署名's, both kept with the body's last line), 附注, and 版记 (抄送, 印发机关
one character in and 印发日期 one character from the right, between rules, in frames at the foot of the last
page). Page numbers: 4号 宋体 with em dashes 「— 1 —」, the dashes 7 mm below the text block, odd pages right
and even pages left, one character in. A 上行文's number is one character in and its 签发人 one character
from the right, above a rule as wide as the text block. A 函 uses the 信函格式 (`letter_head`, GB/T 9704
10.1). No hanging punctuation (w:overflowPunct off, 禁则 on): nothing runs into the right margin.

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
# Where a line of exact height puts its glyphs (Word and LibreOffice alike): the baseline at 4/5 of the
# line; an ideograph's ink from 0.84 em above the baseline to 0.08 em below it.
BASELINE_AT = 0.8
INK_ASCENT, INK_HEIGHT = 0.84, 0.92
# 信函格式 (GB/T 9704 10.1)
LETTER_MARK_TOP_MM = 30.0
LETTER_RULE_MM = 170.0
LETTER_RULE_GAP_MM = 1.0
# The page number's dash 7 mm below the text block (GB/T 9704 7.5)
PAGE_DASH_MM = 7.0
DASH_INK = 0.26  # em above the baseline where 宋体's (FandolSong's) em dash is drawn

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


def rendered_width(text: str, size_pt: float = 16.0, condense_pt: float = CONDENSE_TWENTIETHS / 20) -> float:
    """The width in points a line of text takes as rendered: full-width characters one em, digits and Latin
    half an em (Times New Roman), each less the condensing, and LibreOffice's space (about 0.22 em) at every
    change between Chinese and digits or Latin letters (Word adds none: there the text is a little narrower)."""
    width, prev = 0.0, None
    for ch in text:
        full = ord(ch) >= 0x2E80
        width += (size_pt if full else size_pt / 2) + condense_pt
        if prev is not None and prev != full and not ch.isspace():
            width += size_pt * 0.22
        prev = full
    return width


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
        # The page number's dashes 7 mm below the text block: the footer's one line is 16 pt high with its
        # baseline at 4/5 of it, and a dash is drawn DASH_INK em above the baseline.
        above_bottom_pt = (1 - BASELINE_AT) * 16 + DASH_INK * 14
        s.footer_distance = Mm(BOTTOM_MM - PAGE_DASH_MM - above_bottom_pt * 25.4 / 72)
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
        ooxml.no_hanging_punctuation(normal.element.get_or_add_pPr())
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
            ooxml.no_hanging_punctuation(st.element.get_or_add_pPr())
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

    def no_first_page_number(self) -> None:
        """信函格式: the first page shows no page number (its footer is empty)."""
        s = self.doc.sections[0]
        s.different_first_page_header_footer = True
        footer = s.first_page_footer
        footer.is_linked_to_previous = False
        p = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
        p.style = self.doc.styles[STYLES["page"].name]

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
        """发文字号 two lines below the mark, with the red rule 4 mm below it, as wide as the text block.
        With `signer` (上行文) the number is left, one character in, and 「签发人：」 with the name (楷体) on
        the right, one character in (GB/T 9704 7.2.3, 7.2.4). No paragraph indents: the rule is the border
        of this paragraph and spans its indents."""
        p = self._para("number")
        p.paragraph_format.space_before = Pt(LINE_PITCH.pt * 2)
        if signer is None:
            style_run(p.add_run(text), FANGSONG, SIZE_3, condense=True)
        else:
            pf = p.paragraph_format
            pf.alignment = WD_ALIGN_PARAGRAPH.LEFT
            pf.first_line_indent = Pt(CHAR_PT)
            pf.tab_stops.add_tab_stop(Pt(TEXT_WIDTH_PT - CHAR_PT), WD_TAB_ALIGNMENT.RIGHT)
            style_run(p.add_run(text + "\t"), FANGSONG, SIZE_3, condense=True)
            style_run(p.add_run("签发人："), FANGSONG, SIZE_3, condense=True)
            style_run(p.add_run(signer), KAITI, SIZE_3, condense=True)
        ooxml.border(p._p.get_or_add_pPr(), "bottom", size_eighths=12, space_pt=7, color="FF0000")
        return p

    def letter_head(self, organ: str, number: str, *, size_pt: float | None = None) -> None:
        """信函格式 (GB/T 9704 10.1): the organ's name in red 小标宋, centred, its top 30 mm below the top of
        the page; 4 mm below it a red double rule (thick over thin), 170 mm long and centred; the
        发文字号 at the right edge of the text block, 7/8 of a 3号 character below the rule; a second red
        double rule (thin over thick) 20 mm above the bottom of the page; no page number on the first
        page. The mark and the rules are frames anchored to the first page."""
        size = size_pt or mark_size(organ)
        line = size * 1.2  # the mark's exact line height (pt)
        top_pt = LETTER_MARK_TOP_MM * 72 / 25.4 - (BASELINE_AT * line - INK_ASCENT * size)
        # the mark: a frame of its own line height, the glyphs' tops at 30 mm
        p = self._para("mark")
        style_run(p.add_run(organ), XIAOBIAOSONG, Pt(size), color=RED)
        _exact(p.paragraph_format, Pt(line))
        ppr = p._p.get_or_add_pPr()
        ooxml.frame(
            ppr,
            width_twips=round(LETTER_RULE_MM / 25.4 * 1440),
            height_twips=round(line * 20),
            y_twips=round(top_pt * 20),
            anchor="page",
            wrap="through",
        )
        # the rules: empty frames, 170 mm wide, whose top and bottom borders are the two lines
        ink_bottom_mm = LETTER_MARK_TOP_MM + size * INK_HEIGHT * 25.4 / 72
        self._double_rule(ink_bottom_mm + 4, thick_first=True)
        self._double_rule(PAGE_HEIGHT_MM - 20 - LETTER_RULE_GAP_MM, thick_first=False)
        # the number, right-aligned at the text block's edge, 7/8 of a 3号 character below the first rule
        rule_bottom_mm = ink_bottom_mm + 4 + LETTER_RULE_GAP_MM
        glyph_top_mm = rule_bottom_mm + 7 / 8 * 16 * 25.4 / 72
        n = self._para("number")
        n.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        first_top_mm = TOP_MM + (BASELINE_AT * LINE_PITCH.pt - INK_ASCENT * 16) * 25.4 / 72
        n.paragraph_format.space_before = Mm(max(glyph_top_mm - first_top_mm, 0))
        style_run(n.add_run(number), FANGSONG, SIZE_3, condense=True)
        self.no_first_page_number()

    def _double_rule(self, top_mm: float, *, thick_first: bool) -> None:
        p = self.doc.add_paragraph(style=self.doc.styles[STYLES["mark"].name])
        _exact(p.paragraph_format, Pt(1))
        ppr = p._p.get_or_add_pPr()
        gap_twips = round(LETTER_RULE_GAP_MM / 25.4 * 1440)
        ooxml.frame(
            ppr,
            width_twips=round(LETTER_RULE_MM / 25.4 * 1440),
            height_twips=gap_twips,
            y_twips=round(top_mm / 25.4 * 1440),
            anchor="page",
            wrap="through",
        )
        thick, thin = 18, 6  # eighths of a point: 2.25 pt and 0.75 pt
        ooxml.border(ppr, "top", size_eighths=thick if thick_first else thin, space_pt=0, color="FF0000")
        ooxml.border(ppr, "bottom", size_eighths=thin if thick_first else thick, space_pt=0, color="FF0000")

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
        """No seal (GB/T 9704 7.3.5.2): 署名 one line below the body, two characters from the right; the date
        on the next line with its first character two characters right of the 署名's first character; a
        date longer than that allows sits two characters from the right and the 署名 moves left instead.

        The date is placed by its left indent, computed from the 署名's width, not right-aligned: LibreOffice
        adds space between digits and 年月日 (it ignores w:autoSpaceDE/DN="0" in DOCX), which would move a
        right-aligned date's first character. The 署名 and date keep with each other and with the last
        line of the body (never split across pages). `date_indent_chars` (templates, where the names are
        not known yet): the date right-aligned that many characters from the right."""
        body = self.doc.paragraphs[-1] if self.doc.paragraphs else None
        if body is not None and self._body_started:
            body.paragraph_format.keep_with_next = True
        p = self._para("signature", organ)
        p.paragraph_format.space_before = LINE_PITCH
        p.paragraph_format.keep_with_next = True
        d = self._para("date", date_text)
        if date_indent_chars is not None:
            p.paragraph_format.right_indent = Pt(2 * CHAR_PT)
            d.paragraph_format.right_indent = Pt(date_indent_chars * CHAR_PT)
            return
        organ_pt, date_pt = rendered_width(organ), rendered_width(date_text)
        right = 2 * CHAR_PT  # the 署名's right space
        start = TEXT_WIDTH_PT - right - organ_pt  # its first character
        date_start = start + 2 * CHAR_PT
        if date_start + date_pt > TEXT_WIDTH_PT - 2 * CHAR_PT:  # the date would come closer than 2 characters
            date_start = TEXT_WIDTH_PT - 2 * CHAR_PT - date_pt
            right = TEXT_WIDTH_PT - (date_start - 2 * CHAR_PT) - organ_pt
        p.paragraph_format.right_indent = Pt(right)
        pf = d.paragraph_format
        pf.alignment = WD_ALIGN_PARAGRAPH.LEFT
        pf.left_indent = Pt(max(date_start, 0))
        pf.right_indent = Pt(0)

    def note(self, text: str) -> Paragraph:
        """附注, in round brackets, two characters in, on the line below the date."""
        return self._para("note", text if text.startswith("（") else f"（{text}）")

    def imprint(self, imprint: Imprint, *, cc_guard: tuple[str, str] | None = None, letter: bool = False) -> None:
        """版记 at the foot of the last page: 抄送 and 印发 lines between rules (thick, thin, thick), full
        text width, each line in a frame of its own whose bottom meets the bottom of the text block.

        `cc_guard` (templates): paragraphs placed around the 抄送 line (e.g. `{%p if cc %}`); the 印发 line
        then carries the thin rule on its top, so the rules stay right whether the 抄送 line is kept or not.
        `letter` (信函格式, GB/T 9704 10.1): the 抄送 line only, without 印发机关, 印发日期 and rules."""
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
        if not letter:
            # 印发机关 one character in, 印发日期 one character from the right (GB/T 9704 7.4.3): a first-line
            # indent and a right tab, no paragraph indents (the rules are this paragraph's borders).
            p = self._para("imprint")
            pf = p.paragraph_format
            pf.first_line_indent = Pt(char4)
            pf.tab_stops.add_tab_stop(Pt(TEXT_WIDTH_PT - char4), WD_TAB_ALIGNMENT.RIGHT)
            style_run(p.add_run(f"{imprint.printer}\t{imprint.printed_on}印发"), FANGSONG, SIZE_4)
            rows.append((p, 1))
        if not rows:
            return
        pitch = int(LINE_PITCH.twips)
        y = round(TEXT_HEIGHT_MM / 25.4 * 1440) - pitch * sum(n for _, n in rows)
        for i, (para, n) in enumerate(rows):
            ppr = para._p.get_or_add_pPr()
            ooxml.frame(ppr, width_twips=round(TEXT_WIDTH_PT * 20), height_twips=pitch * n, y_twips=y)
            last = i == len(rows) - 1
            if letter:
                pass
            elif i == 0:
                ooxml.border(ppr, "top", size_eighths=8, space_pt=0)
            elif cc_guard:
                ooxml.border(ppr, "top", size_eighths=6, space_pt=0)
            if not letter and (last or not cc_guard):
                ooxml.border(ppr, "bottom", size_eighths=8 if last else 6, space_pt=0)
            y += pitch * n
        # Frames anchor to the paragraph that follows them; Word wants the body to end with a paragraph.
        tail = self.doc.add_paragraph(style=self.doc.styles[STYLES["imprint"].name])
        _exact(tail.paragraph_format, Pt(1))

    def to_bytes(self) -> bytes:
        buf = io.BytesIO()
        self.doc.save(buf)
        return buf.getvalue()
