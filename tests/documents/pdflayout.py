"""Measuring a PDF rendition against GB/T 9704-2012 with pdfplumber: text lines (characters grouped by
baseline, in millimetres from the top-left corner of the page), rules (red lines), and the ink of the page
number's dashes (the page rasterised, since a glyph's box says nothing about where a dash is drawn).

All positions are in mm. The 版心 is 156 × 225 mm at 28 mm from the left and 37 mm from the top."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from functools import cached_property

import pdfplumber

PT = 25.4 / 72  # mm per point
LEFT, TOP, WIDTH, HEIGHT = 28.0, 37.0, 156.0, 225.0
RIGHT, BOTTOM = LEFT + WIDTH, TOP + HEIGHT  # 184, 262
CHAR = WIDTH / 28  # one character of the body grid (5.57 mm)
CHAR4 = 14 * PT  # one 4号 character (版记, page numbers)


def is_red(color) -> bool:
    if not color:
        return False
    c = tuple(float(x) for x in color) if isinstance(color, (list, tuple)) else (float(color),)
    return len(c) == 3 and c[0] > 0.8 and c[1] < 0.3 and c[2] < 0.3


@dataclass
class Line:
    page: int  # 0-based
    baseline: float
    chars: list[dict] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(c["text"] for c in self.chars)

    @property
    def x0(self) -> float:
        return min(c["x0"] for c in self.chars) * PT

    @property
    def x1(self) -> float:
        return max(c["x1"] for c in self.chars) * PT

    @property
    def top(self) -> float:
        return min(c["top"] for c in self.chars) * PT

    @property
    def bottom(self) -> float:
        return max(c["bottom"] for c in self.chars) * PT

    @property
    def size(self) -> float:
        return max(round(c["size"], 1) for c in self.chars)

    @property
    def fonts(self) -> set[str]:
        return {c["fontname"].split("+", 1)[-1] for c in self.chars if c["text"].strip()}

    @property
    def red(self) -> bool:
        return all(is_red(c.get("non_stroking_color")) for c in self.chars if c["text"].strip())

    def find(self, text: str) -> tuple[float, float]:
        """x0 and x1 (mm) of the first occurrence of `text` on this line."""
        s = self.text
        i = s.index(text)
        cs = self.chars[i : i + len(text)]
        return cs[0]["x0"] * PT, cs[-1]["x1"] * PT

    def __repr__(self) -> str:
        return f"<p{self.page + 1} {self.baseline:.1f}mm {self.x0:.1f}–{self.x1:.1f} {self.size}pt {self.text[:30]}>"


@dataclass
class Rule:
    page: int
    x0: float
    x1: float
    y: float
    width: float  # line width in mm
    red: bool

    @property
    def length(self) -> float:
        return self.x1 - self.x0


class Measured:
    def __init__(self, pdf: bytes) -> None:
        self.pdf = pdf
        self._doc = pdfplumber.open(io.BytesIO(pdf))
        self.pages = self._doc.pages
        self.lines: list[list[Line]] = [self._lines(i, p) for i, p in enumerate(self.pages)]
        self.rules: list[list[Rule]] = [self._rules(i, p) for i, p in enumerate(self.pages)]

    def close(self) -> None:
        self._doc.close()

    @staticmethod
    def _lines(index: int, page) -> list[Line]:
        out: list[Line] = []
        chars = sorted(page.chars, key=lambda c: (round(page.height - c["matrix"][5], 0), c["x0"]))
        for c in chars:
            base = (page.height - c["matrix"][5]) * PT
            if out and abs(out[-1].baseline - base) < 1.2:
                out[-1].chars.append(c)
            else:
                out.append(Line(index, base, [c]))
        for line in out:
            line.chars.sort(key=lambda c: c["x0"])
        return out

    @staticmethod
    def _rules(index: int, page) -> list[Rule]:
        out = []
        for ln in page.lines:
            if abs(ln["top"] - ln["bottom"]) < 0.5:
                out.append(
                    Rule(
                        index,
                        ln["x0"] * PT,
                        ln["x1"] * PT,
                        ln["top"] * PT,
                        float(ln.get("linewidth") or 0) * PT,
                        is_red(ln.get("stroking_color")),
                    )
                )
        for r in page.rects:  # a rule may be drawn as a thin filled rectangle
            h = (r["bottom"] - r["top"]) * PT
            if h < 1.5 and (r["x1"] - r["x0"]) * PT > 20:
                red = is_red(r.get("non_stroking_color")) or is_red(r.get("stroking_color"))
                out.append(Rule(index, r["x0"] * PT, r["x1"] * PT, (r["top"] + r["bottom"]) / 2 * PT, h, red))
        unique: dict[tuple, Rule] = {}
        for r in out:
            unique.setdefault((round(r.x0, 1), round(r.x1, 1), round(r.y, 1)), r)
        return sorted(unique.values(), key=lambda r: r.y)

    # --- what the checks read ----------------------------------------------------------------------------

    def body_lines(self, page: int) -> list[Line]:
        """Text lines of the 3号 body (headings included), within the text block's height."""
        return [
            ln
            for ln in self.lines[page]
            if abs(ln.size - 16) < 0.6 and TOP - 3 < ln.baseline < BOTTOM + 3 and ln.text.strip()
        ]

    def footer_lines(self, page: int) -> list[Line]:
        return [ln for ln in self.lines[page] if ln.baseline > BOTTOM + 2]

    def find_line(self, text: str, *, page: int | None = None) -> Line:
        for i, lines in enumerate(self.lines):
            if page is not None and i != page:
                continue
            for ln in lines:
                if text in ln.text:
                    return ln
        raise AssertionError(f"no line with {text!r}")

    @cached_property
    def all_text(self) -> str:
        return "\n".join(ln.text for lines in self.lines for ln in lines)

    @cached_property
    def _images(self) -> dict[int, object]:
        return {}

    def image(self, page: int):
        """The page rasterised at 10 pixels per mm (RGB)."""
        if page not in self._images:
            self._images[page] = self.pages[page].to_image(resolution=254).original.convert("RGB")
        return self._images[page]

    def ink_rows(self, page: int, line: Line) -> tuple[float, float]:
        """The top and bottom (mm) of the ink of a text line, from the rasterised page."""
        img = self.image(page)
        px = img.load()
        x0, x1 = int(line.x0 * 10), int(line.x1 * 10)
        rows = [
            y
            for y in range(max(int(line.top * 10) - 30, 0), min(int(line.bottom * 10) + 30, img.size[1]))
            if any(sum(px[x, y]) < 384 for x in range(x0, x1, 2))
        ]
        assert rows, line
        return rows[0] / 10, rows[-1] / 10

    def dash_ink(self, page: int) -> tuple[float, float, float] | None:
        """The page number's dash as drawn: (y of its ink, x0, x1) in mm, from the page rasterised at
        10 pixels per mm; None if the page shows no number."""
        lines = [ln for ln in self.footer_lines(page) if "—" in ln.text]
        if not lines:
            return None
        ln = lines[0]
        x0, x1 = ln.find("—")
        img = self.image(page)
        px = img.load()
        scale = 10  # px per mm
        best, best_y = 0, None
        top, bottom = int(ln.top * scale) - 20, int(ln.bottom * scale) + 20
        for y in range(max(top, 0), min(bottom, img.size[1])):
            n = sum(1 for x in range(int(x0 * scale), int(x1 * scale)) if sum(px[x, y]) < 384)
            if n > best:
                best, best_y = n, y
        if best_y is None:
            return None
        return best_y / scale, ln.x0, ln.x1
