"""Split a measure's text into 章, 条 (or 一、 headed sections), 款, 项 and 目, each with its ref and verbatim text.

Works on a normalised copy (normalise.py keeps every offset), so each piece's `text` is the original characters.
Refs follow the shipped rule files: 第十七条第一款第（二）项, 第十八条第（一）项; for a 意见 organised by 一、二、
headings, 实施意见·容错免责情形（1）. Items are found at the start of a line or inline (「：（一）…；（二）…。」)
when their numbers run 1, 2, 3 …; a paragraph listing 「…的；…的；…的等」 without numbers gives implicit items.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from . import numerals
from .normalise import normalise, unify_newlines

_NUM = f"[{numerals.NUMERAL_CHARS}]+|\\d+"
_ARTICLE = re.compile(rf"第\s*({_NUM})\s*条(?!第|之|的|规定|所)")
_CHAPTER = re.compile(rf"第\s*({_NUM})\s*([章节])\s*(.*)")
_HEADING = re.compile(r"([一二三四五六七八九十]+)、\s*(.*)")
_KINDS = ("实施意见", "意见", "实施细则", "细则", "办法", "条例", "规定", "制度", "方案", "通知")
_SENTENCE_END = "。；：！？」”』）…"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"

# Item markers by level: （一）/一、 are 项; （1）/1. are 项 at the top, 目 below a （一）; ① below those.
_MARKERS: tuple[tuple[str, int, re.Pattern[str]], ...] = (
    ("paren_cn", 1, re.compile(r"（([一二三四五六七八九十]+)）")),
    ("dun_cn", 1, re.compile(r"(?:^|(?<=\n))([一二三四五六七八九十]+)、")),
    ("paren_num", 2, re.compile(r"（(\d{1,2})）")),
    ("dot_num", 2, re.compile(r"(?:^|(?<=[\n：；。]))\s*(\d{1,2})[\.、](?!\d)")),
    ("circled", 3, re.compile(f"([{_CIRCLED}])")),
)
_INLINE_BEFORE = "：；。，\n 　"  # an inline marker follows a pause, never 「第」 (「第（一）项」 cites an item)


@dataclass
class Piece:
    """One 条/款/项/目 (kind: article, paragraph, item, subitem) with its ref and the original text."""

    ref: str
    kind: str
    text: str
    start: int
    end: int
    marker: str = ""
    number: int | None = None
    heading: str = ""
    chapter: str = ""
    implicit: bool = False
    lead: str = ""  # the words before the first item (「有下列情形之一的，可以……：」)
    children: list[Piece] = field(default_factory=list)

    def walk(self):
        yield self
        for c in self.children:
            yield from c.walk()

    def items(self) -> list[Piece]:
        return [p for p in self.walk() if p.kind in ("item", "subitem")]

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"ref": self.ref, "kind": self.kind, "text": self.text}
        d.update(start=self.start, end=self.end)
        for key in ("marker", "number", "heading", "chapter", "lead"):
            if getattr(self, key) not in ("", None):
                d[key] = getattr(self, key)
        if self.implicit:
            d["implicit"] = True
        if self.children:
            d["children"] = [c.to_dict() for c in self.children]
        return d


@dataclass
class Document:
    title: str
    kind: str  # 办法 / 意见 / 实施意见 …: the prefix of heading-based refs
    style: str  # "articles" (第X条) or "headings" (一、二、) or "plain"
    articles: list[Piece]
    chapters: list[dict[str, str]]
    text: str

    def pieces(self) -> list[Piece]:
        return [p for a in self.articles for p in a.walk()]

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "kind": self.kind,
            "style": self.style,
            "chapters": self.chapters,
            "articles": [a.to_dict() for a in self.articles],
        }


@dataclass
class _Line:
    start: int
    end: int
    norm: str


def _lines(norm: str) -> list[_Line]:
    out, pos = [], 0
    for raw in norm.split("\n"):
        stripped = raw.strip()
        if stripped:
            lead = len(raw) - len(raw.lstrip())
            out.append(_Line(pos + lead, pos + lead + len(stripped), stripped))
        pos += len(raw) + 1
    return out


def doc_kind(title: str, default: str = "办法") -> str:
    """The word heading-based refs start with: the measure's own name (办法, 意见, 实施意见 …) from its title."""
    inner = re.findall(r"《([^》]+)》", title)
    name = inner[-1] if inner else title
    name = re.sub(r"[（(][^）)]*[）)]\s*$", "", name)  # （试行）
    hits = [(name.rfind(k) + len(k), len(k), k) for k in _KINDS if k in name and k != "通知"]  # last, longest
    if not hits:
        return default
    k = max(hits)[2]
    return {"实施细则": "细则"}.get(k, k)


def _is_article_line(line: str) -> re.Match[str] | None:
    m = _ARTICLE.match(line)
    return m if m and numerals.parse(m.group(1)) is not None else None


def split(text: str, kind: str | None = None) -> Document:
    """The structure of a measure's text. `kind` overrides the ref prefix guessed from the title."""
    text = unify_newlines(text)
    norm = normalise(text)
    lines = _lines(norm)
    has_articles = any(_is_article_line(ln.norm) for ln in lines)
    has_headings = any(_HEADING.match(ln.norm) for ln in lines)
    title = ""
    if lines and not _structural(lines[0].norm) and len(lines[0].norm) <= 80 and lines[0].norm[-1] not in "。；：":
        title = text[lines[0].start : lines[0].end]
        lines = lines[1:]
    prefix = kind or doc_kind(title)
    style = "articles" if has_articles else "headings" if has_headings else "plain"
    sections, chapters = _sections(lines, style)
    articles: list[Piece] = []
    for sec in sections:
        articles.append(_article(sec, text, norm, prefix))
    return Document(title, prefix, style, articles, chapters, text)


def _structural(line: str) -> bool:
    return bool(_is_article_line(line) or _HEADING.match(line) or _CHAPTER.match(line))


@dataclass
class _Section:
    kind: str  # "article" or "heading" or "plain"
    number: int | None
    marker: str
    heading: str
    chapter: str
    head: _Line
    body_start: int  # where the first paragraph begins (after 第X条 or the heading)
    paragraphs: list[list[_Line]] = field(default_factory=list)


def _sections(lines: list[_Line], style: str) -> tuple[list[_Section], list[dict[str, str]]]:
    sections: list[_Section] = []
    chapters: list[dict[str, str]] = []
    chapter = ""
    cur: _Section | None = None
    prev_item = False
    for ln in lines:
        s = ln.norm
        m_ch = _CHAPTER.match(s) if style == "articles" else None
        if m_ch and m_ch.group(2) == "章" and not _is_article_line(s):
            chapter = s
            chapters.append({"ref": f"第{numerals.format_number(numerals.parse(m_ch.group(1)) or 0)}章",
                             "title": m_ch.group(3).strip()})
            cur = None
            continue
        if m_ch and m_ch.group(2) == "节":
            continue
        m_art = _is_article_line(s) if style == "articles" else None
        m_head = _HEADING.match(s)
        if m_art:
            n = numerals.parse(m_art.group(1))
            cur = _Section("article", n, m_art.group(0), "", chapter, ln, ln.start + m_art.end())
            sections.append(cur)
            rest = s[m_art.end() :].strip()
            cur.paragraphs.append([ln] if rest else [])
            prev_item = False
            continue
        if m_head and (style == "headings" or not _inside_list(cur, prev_item)):
            n = numerals.parse(m_head.group(1))
            heading, body = _heading_parts(m_head.group(2))
            cur = _Section("heading", n, m_head.group(1) + "、", heading, chapter, ln, ln.start + len(s) - len(body))
            sections.append(cur)
            cur.paragraphs.append([ln] if body else [])
            prev_item = False
            continue
        if cur is None:
            if style != "plain":
                continue  # preamble before the first article: not a rule
            cur = _Section("plain", None, "", "", chapter, ln, ln.start)
            sections.append(cur)
            cur.paragraphs.append([])
        item = _starts_item(s)
        last = cur.paragraphs[-1]
        if not last:
            last.append(ln)
        elif item or (last[-1].norm[-1] not in _SENTENCE_END and not prev_item):
            last.append(ln)  # an item of the paragraph, or a hard-wrapped line continuing it
        else:
            cur.paragraphs.append([ln])
        prev_item = item
    if style == "articles":  # 「一、总则」 directly above 第X条 lines heads a group of articles, like a 章
        kept: list[_Section] = []
        for sec in sections:
            if sec.kind == "heading" and not any(sec.paragraphs):
                chapters.append({"ref": sec.marker, "title": sec.heading})
                continue
            kept.append(sec)
        sections = kept
    return sections, chapters


def _inside_list(cur: _Section | None, prev_item: bool) -> bool:
    """In an article, 「一、」 lines are items when they follow 「……：」 or another item."""
    if cur is None or not cur.paragraphs or not cur.paragraphs[-1]:
        return False
    return prev_item or cur.paragraphs[-1][-1].norm.endswith("：")


def _heading_parts(rest: str) -> tuple[str, str]:
    """「容错免责情形。单位或个人……」 → heading 「容错免责情形」 and the body after it."""
    m = re.match(r"([^。：；]{1,30})[。：]\s*(.*)", rest)
    if m and m.group(2):
        return m.group(1).strip(), m.group(2)
    if len(rest) > 40:  # a numbered paragraph, not a heading: its first clause names it, all of it is body
        return re.split(r"[，；。：]", rest, maxsplit=1)[0][:20], rest
    return rest.rstrip("。：；").strip(), ""


def _starts_item(line: str) -> bool:
    return bool(re.match(rf"（[一二三四五六七八九十]+）|（\d{{1,2}}）|\d{{1,2}}[\.、](?!\d)|[{_CIRCLED}]", line))


def _article(sec: _Section, text: str, norm: str, prefix: str) -> Piece:
    paras = [p for p in sec.paragraphs if p]
    if sec.kind == "article":
        ref = f"第{numerals.format_number(sec.number or 0)}条"
    elif sec.kind == "heading":
        ref = f"{prefix}·{sec.heading}"
    else:
        ref = prefix
    start = _skip_space(norm, sec.body_start if paras and paras[0][0] is sec.head else
                        (paras[0][0].start if paras else sec.head.end))
    end = max(start, paras[-1][-1].end if paras else sec.head.end)
    art = Piece(ref, "article", text[start:end], start, end, sec.marker, sec.number, sec.heading, sec.chapter)
    for i, lines in enumerate(paras, 1):
        p_start = _skip_space(norm, sec.body_start if lines[0] is sec.head else lines[0].start)
        p_end = lines[-1].end
        p_ref = ref + f"第{numerals.format_number(i)}款" if len(paras) > 1 else ref
        para = Piece(p_ref, "paragraph", text[p_start:p_end], p_start, p_end, number=i)
        _items(para, text, norm, sec.kind == "article", level=0)
        art.children.append(para)
    return art


def _skip_space(norm: str, pos: int) -> int:
    while pos < len(norm) and norm[pos] in " \n":
        pos += 1
    return pos


def _trim_item(norm: str, body: int, end: int) -> tuple[int, int]:
    """An item's words without its marker and the 「；」「。」 that closes it."""
    body = _skip_space(norm, body)
    while end > body and norm[end - 1] in " \n；;，。":
        end -= 1
    return body, end


def _item_ref(parent: Piece, marker_type: str, number: int, legal: bool, level: int) -> str:
    if marker_type == "circled":
        label = _CIRCLED[number - 1]
    elif marker_type in ("paren_cn", "dun_cn"):
        label = f"（{numerals.format_number(number)}）"
    else:
        label = f"（{number}）"
    if not legal:
        return parent.ref + label
    if level == 0 and marker_type != "circled":
        return f"{parent.ref}第{label}项"
    return f"{parent.ref}第{label.strip('（）')}目"


def _find_run(seg: str, pattern: re.Pattern[str]) -> list[tuple[int, int, int]]:
    """Marker positions (start, body start, number) whose numbers run 1, 2, 3 …; at least two."""
    run: list[tuple[int, int, int]] = []
    expect = 1
    for m in pattern.finditer(seg):
        raw = m.group(1)
        n = _CIRCLED.index(raw) + 1 if raw in _CIRCLED else numerals.parse(raw)
        start = m.start(1) - (1 if seg[m.start(1) - 1 : m.start(1)] == "（" else 0)
        before = seg[start - 1] if start > 0 else "\n"
        if n == expect and (before in _INLINE_BEFORE or not seg[:start].strip()):
            run.append((start, m.end(), n))
            expect += 1
    return run if len(run) >= 2 else []


def _items(parent: Piece, text: str, norm: str, legal: bool, level: int) -> None:
    seg = norm[parent.start : parent.end]
    for mtype, mlevel, pattern in _MARKERS:
        if mlevel <= level:
            continue
        run = _find_run(seg, pattern)
        if not run:
            continue
        parent.lead = text[parent.start : parent.start + run[0][0]].strip()
        kind = "item" if level == 0 else "subitem"
        inline = any(seg[:s].strip() and seg[s - 1] != "\n" for s, _, _ in run)
        for i, (s, body, n) in enumerate(run):
            e = run[i + 1][0] if i + 1 < len(run) else _last_item_end(seg, body, inline)
            a, b = _trim_item(norm, parent.start + body, parent.start + e)
            child = Piece(_item_ref(parent, mtype, n, legal, level), kind, text[a:b], a, b, seg[s:body].strip(), n)
            if level == 0:
                _items(child, text, norm, legal, mlevel)
            parent.children.append(child)
        return
    if level == 0:
        _implicit_items(parent, text, norm, legal)


def _last_item_end(seg: str, body: int, inline: bool) -> int:
    """An inline list ends with its last item's sentence: 「（三）……的。法律另有规定的，从其规定。」"""
    stop = seg.find("。", body)
    if inline and 0 <= stop < len(seg.rstrip()) - 1:
        return stop + 1
    return len(seg)


def _implicit_items(parent: Piece, text: str, norm: str, legal: bool) -> None:
    """「如A的；B的；C的等……」: an enumeration by semicolons, each clause ending in 的, gives numbered items."""
    seg = norm[parent.start : parent.end]
    if "\n" in seg.strip():
        return
    bounds = [m.start() for m in re.finditer("；", seg)]
    if not bounds:
        return
    pieces, pos = [], 0
    for b in [*bounds, len(seg)]:
        pieces.append((pos, b))
        pos = b + 1
    *body, (ls, le) = pieces
    if not all(seg[s:e].rstrip().endswith("的") for s, e in body):
        return
    last = seg[ls:le]
    m = re.search(r"的(?=等)", last) or (re.search(r"的(?=[。]?\s*$)", last))
    if not m:
        return
    pieces[-1] = (ls, ls + m.end())
    first_s, first_e = pieces[0]
    lead_m = re.search(r".*(：|，如|如：)", seg[first_s:first_e])
    if lead_m:
        pieces[0] = (first_s + lead_m.end(), first_e)
        parent.lead = text[parent.start : parent.start + lead_m.end()].strip()
    for i, (s, e) in enumerate(pieces, 1):
        a, b = _trim_item(norm, parent.start + s, parent.start + e)
        ref = _item_ref(parent, "paren_cn", i, legal, 0)
        parent.children.append(Piece(ref, "item", text[a:b], a, b, "", i, implicit=True))
