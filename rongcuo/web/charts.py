"""Charts drawn by the application as inline SVG: no JavaScript, no external asset, no CDN.

Pure functions from (label, value) rows to an SVG string. Every text is escaped; each chart carries a <title>
and a <desc> (the figures in words, for screen readers) and `role="img"`, and scales to its container through
its viewBox, so it holds on a phone. Labels are Chinese; widths are estimated (a CJK character is one em).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

FONT = 13
PALETTE = ("#0b57d0", "#a4161a", "#1a7f37", "#9a6700", "#6e40c9", "#0e7490", "#c2410c", "#5b636b")
OUTCOME_COLOURS = {
    "exempt": "#1a7f37",
    "mitigate": "#0b57d0",
    "not_tolerated": "#b42318",
    "undetermined": "#9a6700",
    "": "#8c959f",
}
EMPTY_TEXT = "暂无数据"


@dataclass(frozen=True)
class Item:
    label: str
    value: float
    colour: str | None = None


Rows = Sequence[Item] | Sequence[tuple[str, float]]


def _items(rows: Rows) -> list[Item]:
    return [r if isinstance(r, Item) else Item(str(r[0]), float(r[1] or 0)) for r in rows]


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def text_width(text: str, size: float = FONT) -> float:
    """Estimated rendered width: full-width characters one em, others a little over half."""
    return sum(size if ord(ch) > 0x2E7F else size * 0.6 for ch in text)


def clip(text: str, width: float, size: float = FONT) -> str:
    """The text shortened with … to fit a width (the full text stays in the element's <title>)."""
    if text_width(text, size) <= width:
        return text
    out = ""
    for ch in text:
        if text_width(out + ch + "…", size) > width:
            break
        out += ch
    return out + "…"


def number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _ident(ident: str | None, title: str) -> str:
    if ident:
        return re.sub(r"[^a-zA-Z0-9_-]", "-", ident)
    return "chart-" + hashlib.sha1(title.encode()).hexdigest()[:8]


def _open(ident: str, title: str, desc: str, width: float, height: float, cls: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {cls}" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'role="img" aria-label="{_e(title)}" aria-describedby="{ident}-d" '
        f'font-size="{FONT}" font-family="inherit">'
        f'<title id="{ident}-t">{_e(title)}</title><desc id="{ident}-d">{_e(desc)}</desc>'
    )


def _desc(items: list[Item], unit: str) -> str:
    return "；".join(f"{i.label}：{number(i.value)}{unit}" for i in items) or EMPTY_TEXT


def _empty(ident: str, title: str) -> str:
    return (
        _open(ident, title, EMPTY_TEXT, 320, 40, "empty")
        + f'<text x="8" y="25" fill="#5b636b">{EMPTY_TEXT}</text></svg>'
    )


def hbar(rows: Rows, *, title: str, unit: str = "件", ident: str | None = None, width: int = 640) -> str:
    """Horizontal bars, one row per item, the value at the end of each bar."""
    items = _items(rows)
    ident = _ident(ident, title)
    if not items:
        return _empty(ident, title)
    row_h, pad = 26, 6
    label_w = min(max(text_width(i.label) for i in items) + 10, width * 0.38)
    value_w = max(text_width(number(i.value) + unit) for i in items) + 12
    plot_w = max(width - label_w - value_w, 40)
    top = max(i.value for i in items) or 1
    height = pad * 2 + row_h * len(items)
    out = [_open(ident, title, _desc(items, unit), width, height, "hbar")]
    for n, item in enumerate(items):
        y = pad + n * row_h
        bar = plot_w * max(item.value, 0) / top
        colour = item.colour or PALETTE[0]
        shown = f"{item.label}：{number(item.value)}{unit}"
        out.append(
            f"<g><title>{_e(shown)}</title>"
            f'<text x="{label_w - 8:.1f}" y="{y + row_h / 2 + 4.5:.1f}" text-anchor="end" fill="#1f2328">'
            f"{_e(clip(item.label, label_w - 10))}</text>"
            f'<rect x="{label_w:.1f}" y="{y + 4}" width="{bar:.1f}" height="{row_h - 8}" rx="2" fill="{_e(colour)}"/>'
            f'<text x="{label_w + bar + 6:.1f}" y="{y + row_h / 2 + 4.5:.1f}" fill="#1f2328">'
            f"{_e(number(item.value) + unit)}</text></g>"
        )
    out.append("</svg>")
    return "".join(out)


def stacked(rows: Rows, *, title: str, unit: str = "件", ident: str | None = None, width: int = 640) -> str:
    """One 100% bar split into each item's share, with a legend giving counts and percentages."""
    items = [i for i in _items(rows) if i.value > 0]
    ident = _ident(ident, title)
    total = sum(i.value for i in items)
    if not total:
        return _empty(ident, title)
    bar_h, legend_row = 34, 22
    per_row = max(1, int(width // 210))
    legend_rows = (len(items) + per_row - 1) // per_row
    height = 8 + bar_h + 10 + legend_rows * legend_row + 4
    desc = "；".join(f"{i.label}：{number(i.value)}{unit}（{i.value / total:.0%}）" for i in items)
    out = [_open(ident, title, desc, width, height, "stacked")]
    x = 0.0
    for n, item in enumerate(items):
        w = width * item.value / total
        colour = item.colour or PALETTE[n % len(PALETTE)]
        pct = f"{item.value / total:.0%}"
        out.append(
            f"<g><title>{_e(f'{item.label}：{number(item.value)}{unit}（{pct}）')}</title>"
            f'<rect x="{x:.1f}" y="8" width="{w:.1f}" height="{bar_h}" fill="{_e(colour)}"/>'
        )
        if w >= text_width(pct) + 8:
            out.append(
                f'<text x="{x + w / 2:.1f}" y="{8 + bar_h / 2 + 4.5:.1f}" text-anchor="middle" fill="#fff">{pct}</text>'
            )
        out.append("</g>")
        x += w
    col_w = width / per_row
    for n, item in enumerate(items):
        lx = (n % per_row) * col_w
        ly = 8 + bar_h + 10 + (n // per_row) * legend_row
        colour = item.colour or PALETTE[n % len(PALETTE)]
        text = f"{item.label} {number(item.value)}{unit}（{item.value / total:.0%}）"
        out.append(
            f'<rect x="{lx:.1f}" y="{ly + 3}" width="12" height="12" fill="{_e(colour)}"/>'
            f'<text x="{lx + 17:.1f}" y="{ly + 14}" fill="#1f2328">{_e(clip(text, col_w - 22))}</text>'
        )
    out.append("</svg>")
    return "".join(out)


def columns(
    rows: Rows, *, title: str, unit: str = "件", ident: str | None = None, width: int = 640, height: int = 220
) -> str:
    """Vertical columns for a sequence of periods; a label may have two lines separated by a newline."""
    items = _items(rows)
    ident = _ident(ident, title)
    if not items:
        return _empty(ident, title)
    top_pad, bottom = 22, 40
    plot_h = height - top_pad - bottom
    slot = width / len(items)
    col_w = max(slot * 0.62, 2)
    top = max(i.value for i in items) or 1
    out = [
        _open(
            ident,
            title,
            _desc([Item(i.label.replace("\n", ""), i.value) for i in items], unit),
            width,
            height,
            "columns",
        )
    ]
    base = top_pad + plot_h
    out.append(f'<line x1="0" y1="{base}" x2="{width}" y2="{base}" stroke="#d8dde3"/>')
    for n, item in enumerate(items):
        h = plot_h * max(item.value, 0) / top
        cx = slot * n + slot / 2
        lines = item.label.split("\n")
        shown = f"{''.join(lines)}：{number(item.value)}{unit}"
        out.append(
            f"<g><title>{_e(shown)}</title>"
            f'<rect x="{cx - col_w / 2:.1f}" y="{base - h:.1f}" width="{col_w:.1f}" height="{h:.1f}" rx="2" '
            f'fill="{_e(item.colour or PALETTE[0])}"/>'
            f'<text x="{cx:.1f}" y="{base - h - 5:.1f}" text-anchor="middle" fill="#1f2328">'
            f"{_e(number(item.value))}</text>"
        )
        for k, line in enumerate(lines[:2]):
            out.append(
                f'<text x="{cx:.1f}" y="{base + 16 + k * 15}" text-anchor="middle" fill="#5b636b">'
                f"{_e(clip(line, slot - 2))}</text>"
            )
        out.append("</g>")
    out.append("</svg>")
    return "".join(out)
