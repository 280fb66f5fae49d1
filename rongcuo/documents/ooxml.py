"""WordprocessingML details python-docx has no API for: East-Asian font names, character spacing, paragraph
borders, frames and indents in characters, each written in its schema position (Word refuses out-of-order
property elements as "unreadable content")."""

from __future__ import annotations

from typing import Any

from docx.oxml import OxmlElement
from docx.oxml.ns import qn

# ECMA-376 sequences of w:pPr and w:rPr children (CT_PPrBase + rPr/sectPr/pPrChange, CT_RPr).
PPR_ORDER = (
    "w:pStyle", "w:keepNext", "w:keepLines", "w:pageBreakBefore", "w:framePr", "w:widowControl", "w:numPr",
    "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap",
    "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd",
    "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
    "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr",
    "w:sectPr", "w:pPrChange",
)  # fmt: skip
RPR_ORDER = (
    "w:rStyle", "w:rFonts", "w:b", "w:bCs", "w:i", "w:iCs", "w:caps", "w:smallCaps", "w:strike", "w:dstrike",
    "w:outline", "w:shadow", "w:emboss", "w:imprint", "w:noProof", "w:snapToGrid", "w:vanish", "w:webHidden",
    "w:color", "w:spacing", "w:w", "w:kern", "w:position", "w:sz", "w:szCs", "w:highlight", "w:u", "w:effect",
    "w:bdr", "w:shd", "w:fitText", "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang", "w:eastAsianLayout",
    "w:specVanish", "w:oMath",
)  # fmt: skip
BORDER_ORDER = ("top", "left", "bottom", "right", "between", "bar")


def ordered(parent: Any, tag: str) -> Any:
    """The child `tag` of a w:pPr or w:rPr, created in its schema position if missing."""
    el = parent.find(qn(tag))
    if el is not None:
        return el
    seq = PPR_ORDER if parent.tag == qn("w:pPr") else RPR_ORDER
    el = OxmlElement(tag)
    later = {qn(t) for t in seq[seq.index(tag) + 1 :]}
    nxt = next((c for c in parent if c.tag in later), None)
    if nxt is not None:
        nxt.addprevious(el)
    else:
        parent.append(el)
    return el


def set_fonts(rpr: Any, font: str, *, latin: str | None = None) -> None:
    """Name the font in every slot (East-Asian first), removing theme fonts that would override it."""
    rfonts = ordered(rpr, "w:rFonts")
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        if rfonts.get(qn(attr)) is not None:
            del rfonts.attrib[qn(attr)]
    other = latin or font
    rfonts.set(qn("w:ascii"), other)
    rfonts.set(qn("w:hAnsi"), other)
    rfonts.set(qn("w:eastAsia"), font)
    rfonts.set(qn("w:cs"), other)
    rfonts.set(qn("w:hint"), "eastAsia")


def east_asian_font(rpr: Any) -> str | None:
    if rpr is None:
        return None
    rfonts = rpr.find(qn("w:rFonts"))
    return None if rfonts is None else rfonts.get(qn("w:eastAsia"))


def set_condensed(rpr: Any, twentieths: int) -> None:
    ordered(rpr, "w:spacing").set(qn("w:val"), str(twentieths))


def set_size(rpr: Any, half_points: int) -> None:
    ordered(rpr, "w:sz").set(qn("w:val"), str(half_points))


def set_lang(rpr: Any) -> None:
    lang = ordered(rpr, "w:lang")
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")


def border(
    ppr: Any, side: str, *, size_eighths: int, space_pt: int, color: str = "000000", val: str = "single"
) -> None:
    bdr = ordered(ppr, "w:pBdr")
    el = OxmlElement(f"w:{side}")
    el.set(qn("w:val"), val)
    el.set(qn("w:sz"), str(size_eighths))
    el.set(qn("w:space"), str(space_pt))
    el.set(qn("w:color"), color)
    later = {qn(f"w:{s}") for s in BORDER_ORDER[BORDER_ORDER.index(side) + 1 :]}
    nxt = next((c for c in bdr if c.tag in later), None)
    if nxt is not None:
        nxt.addprevious(el)
    else:
        bdr.append(el)


def no_autospace(ppr: Any) -> None:
    """No automatic space between Chinese and Latin text or digits (so 2025年3月5日 keeps its width)."""
    for tag in ("w:autoSpaceDE", "w:autoSpaceDN"):
        ordered(ppr, tag).set(qn("w:val"), "0")


def no_hanging_punctuation(ppr: Any) -> None:
    """East-Asian line breaking without hanging punctuation: a closing mark that does not fit pulls the
    previous character down to the next line (禁则 kept), so no glyph runs into the right margin."""
    ordered(ppr, "w:kinsoku").set(qn("w:val"), "1")
    ordered(ppr, "w:overflowPunct").set(qn("w:val"), "0")
    ordered(ppr, "w:topLinePunct").set(qn("w:val"), "0")


def first_line_chars(ppr: Any, chars: int, char_pt: float) -> None:
    ind = ordered(ppr, "w:ind")
    ind.set(qn("w:firstLineChars"), str(chars * 100))
    ind.set(qn("w:firstLine"), str(round(chars * char_pt * 20)))


def frame(
    ppr: Any, *, width_twips: int, height_twips: int, y_twips: int, anchor: str = "margin", wrap: str = "around"
) -> None:
    """Put the paragraph in a frame of its own, centred, at `y` below the top of the text block
    (anchor "margin") or of the page (anchor "page").

    One paragraph per frame: LibreOffice only turns consecutive framed paragraphs into one frame when all
    their paragraph borders are equal, and the 版记 rules differ line by line."""
    fp = ordered(ppr, "w:framePr")
    fp.set(qn("w:w"), str(width_twips))
    fp.set(qn("w:h"), str(height_twips))
    fp.set(qn("w:hRule"), "exact")
    fp.set(qn("w:wrap"), wrap)
    fp.set(qn("w:vAnchor"), anchor)
    fp.set(qn("w:hAnchor"), anchor)
    fp.set(qn("w:xAlign"), "center")
    fp.set(qn("w:y"), str(y_twips))


def page_field(run_factory: Any) -> None:
    """A PAGE field as begin / instruction / separator / shown value / end runs (`run_factory()` gives a run)."""
    for kind in ("begin", "instr", "separate", "value", "end"):
        r = run_factory()
        if kind == "instr":
            it = OxmlElement("w:instrText")
            it.set(qn("xml:space"), "preserve")
            it.text = " PAGE "
            r._r.append(it)
        elif kind == "value":
            r.text = "1"
        else:
            fc = OxmlElement("w:fldChar")
            fc.set(qn("w:fldCharType"), kind)
            r._r.append(fc)
