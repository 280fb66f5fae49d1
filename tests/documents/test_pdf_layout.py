"""The PDF renditions measured against GB/T 9704-2012: every kind of document is issued from cases driven
through the lifecycle, converted by LibreOffice in one run, and measured with pdfplumber (text lines by
baseline, rules) and, for ink positions, on the page rasterised at 10 px/mm (pdflayout.py).

Tolerances: ±1 mm for margins and vertical positions, ±0.5 mm for rule lengths, horizontal offsets and
the right edge of the text block. The baseline of a line of exact height sits at 4/5 of it (Word and
LibreOffice alike), so the top of the text block is measured as the first baseline less 0.8 line pitch.

Without LibreOffice these tests are skipped (failed with CI=true, like test_pdf.py). The documents are built
once for the module in a transaction rolled back at the end; the layout does not depend on the database,
so the PostgreSQL pass of scripts/test skips this module rather than converting everything again."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from django.db import connection, transaction

from rongcuo.audit.chain import GENESIS
from rongcuo.audit.models import AuditHead
from rongcuo.documents import kinds, pdf
from rongcuo.org.models import Jurisdiction
from rongcuo.org.seed import seed_jurisdictions

from .every_kind import OPENING, docx_bytes, every_kind, make_world
from .pdflayout import BOTTOM, CHAR, CHAR4, LEFT, PT, RIGHT, TOP, Measured
from .test_pdf import need_soffice

PITCH = 28.95 * PT  # mm
KINDS = sorted(k.id for k in kinds.all_kinds())
OFFICIAL = [k.id for k in kinds.all_kinds() if k.numbered and k.series != "函"]  # under the 文件 mark
LETTERS = [k.id for k in kinds.all_kinds() if k.numbered and k.series == "函"]  # 信函格式
MM = 1.0  # tolerance, mm
pytestmark = pytest.mark.django_db  # (so that pytest-django sets up the test database for the fixture)
FINE = 0.5


class Rendered(dict):
    seconds: float = 0.0


@pytest.fixture(scope="module")
def rendered(django_db_setup, django_db_blocker) -> Iterator[dict[str, Measured]]:
    import time

    need_soffice()
    if connection.vendor != "sqlite":
        pytest.skip("the layout does not depend on the database: measured on the SQLite pass")
    with django_db_blocker.unblock(), transaction.atomic():
        seed_jurisdictions(Jurisdiction)  # a transactional test before may have flushed the seeded rows
        AuditHead.objects.get_or_create(id=1, defaults={"seq": 0, "hash": GENESIS})
        docs = every_kind(make_world())
        contents = {k: docx_bytes(d) for k, d in docs.items()}
        transaction.set_rollback(True)
    assert sorted(contents) == KINDS
    started = time.monotonic()
    pdfs = pdf.convert_many(list(contents.values()))
    out = Rendered({k: Measured(p) for k, p in zip(contents, pdfs, strict=True)})
    out.seconds = time.monotonic() - started
    folder = os.environ.get("RONGCUO_PDF_DUMP")  # to look at them: RONGCUO_PDF_DUMP=/tmp/pdfs pytest …
    if folder:
        os.makedirs(folder, exist_ok=True)
        for (k, content), p in zip(contents.items(), pdfs, strict=True):
            with open(os.path.join(folder, f"{k}.docx"), "wb") as f:
                f.write(content)
            with open(os.path.join(folder, f"{k}.pdf"), "wb") as f:
                f.write(p)
    print(f"\n{len(pdfs)} documents converted by LibreOffice in {out.seconds:.1f} s")
    yield out
    for m in out.values():
        m.close()


def near(value: float, want: float, tol: float = MM) -> bool:
    return abs(value - want) <= tol


# --- the text block ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_margins_and_text_block(rendered, kind) -> None:
    m = rendered[kind]
    body = [ln for i in range(len(m.pages)) for ln in m.body_lines(i)]
    assert body, kind
    assert near(min(ln.x0 for ln in body), LEFT), f"left margin {min(ln.x0 for ln in body):.2f} mm"
    for i in range(len(m.pages)):
        lines = m.body_lines(i)
        if not lines:
            continue
        if i > 0:  # a continuation page starts at the top of the text block
            assert near(lines[0].baseline - 0.8 * PITCH, TOP), f"p{i + 1} top {lines[0].baseline - 0.8 * PITCH:.2f}"
        assert lines[-1].baseline + 0.2 * PITCH <= BOTTOM + MM, f"p{i + 1} below the text block: {lines[-1]}"


@pytest.mark.parametrize("kind", KINDS)
def test_no_glyph_outside_the_text_block(rendered, kind) -> None:
    """Hanging punctuation would put a closing mark in the right margin (5.5 mm out)."""
    m = rendered[kind]
    for i in range(len(m.pages)):
        for ln in m.body_lines(i):
            assert ln.x1 <= RIGHT + FINE and ln.x0 >= LEFT - FINE, f"{ln} x {ln.x0:.2f}–{ln.x1:.2f} mm"


def test_punctuation_at_the_end_of_a_line_stays_inside(rendered) -> None:
    m = rendered["decision"]
    line = m.find_line(OPENING[:10])
    assert line.x1 <= RIGHT + FINE, f"{line} ends at {line.x1:.2f} mm"
    assert not line.text.endswith("，") or line.x1 <= RIGHT + FINE


def test_a_full_page_holds_22_lines_of_28_characters(rendered) -> None:
    """Every page of body text before the 署名's page: 22 lines (the page just before it may give its last
    line to the 署名, which keeps with the body's last line), none wider than 28 characters, and the
    widest exactly 28."""
    widest, pages = 0.0, 0
    for kind, m in rendered.items():
        signed = _signature(m)[0].page
        for i in range(1, signed):
            lines = m.body_lines(i)
            want = {22} if i < signed - 1 else {21, 22}
            assert len(lines) in want, (kind, i + 1, len(lines))
            # in characters of the grid: digits and Latin letters are half-width
            widths = [sum(1 if ord(c) >= 0x2E80 else 0.5 for c in ln.text) for ln in lines]
            assert max(widths) <= 28, (kind, i + 1, max(widths))
            widest = max(widest, *widths)
            pages += 1
    assert pages and widest == 28, (pages, widest)


@pytest.mark.parametrize("kind", KINDS)
def test_body_text_is_fangsong_embedded(rendered, kind) -> None:
    m = rendered[kind]
    counts: dict[str, int] = {}
    for i in range(len(m.pages)):
        for ln in m.body_lines(i):
            for c in ln.chars:
                if ord(c["text"][0]) >= 0x4E00 and abs(c["size"] - 16) < 0.6:
                    assert "+" in c["fontname"], f"{c['fontname']} is not embedded (no subset prefix)"
                    face = c["fontname"].split("+", 1)[1]
                    counts[face] = counts.get(face, 0) + 1
    assert max(counts, key=counts.__getitem__) == "FandolFang-Regular", counts
    assert set(counts) <= {"FandolFang-Regular", "FandolHei-Regular", "FandolKai-Regular"}, counts


# --- the head: mark, number, rule, 签发人 -------------------------------------------------------------------


@pytest.mark.parametrize("kind", OFFICIAL)
def test_mark_number_and_red_rule(rendered, kind) -> None:
    m = rendered[kind]
    mark = m.lines[0][0]
    assert mark.red and mark.text.endswith("文件")
    top, _ = m.ink_rows(0, mark)
    assert near(top, TOP + 35), f"mark top {top:.2f} mm: 35 mm below the text block's top"
    red = [r for r in m.rules[0] if r.red]
    assert len(red) == 1, red
    rule = red[0]
    assert near(rule.length, 156, FINE), f"red rule {rule.length:.2f} mm"
    assert near(rule.x0, LEFT, FINE), f"red rule starts at {rule.x0:.2f} mm"
    number = m.find_line("〔", page=0)
    _, ink_bottom = m.ink_rows(0, number)
    assert near(rule.y - ink_bottom, 4), f"rule {rule.y - ink_bottom:.2f} mm below the number"


def test_upward_document_signer_one_character_in(rendered) -> None:
    m = rendered["filing_report"]
    line = m.find_line("签发人", page=0)
    assert near(RIGHT - line.x1, CHAR, FINE), f"签发人 {RIGHT - line.x1:.2f} mm from the right edge"
    assert near(line.x0 - LEFT, CHAR, FINE), f"number {line.x0 - LEFT:.2f} mm from the left edge"
    assert line.text.split("签发人")[0].strip().endswith("号")


# --- 署名, date, 版记, page numbers ------------------------------------------------------------------------


def _signature(m: Measured) -> tuple:
    for lines in m.lines:
        for j, ln in enumerate(lines):
            if j and ln.size == 16 and ln.text.endswith("日") and "年" in ln.text and ln.x0 > LEFT + 4 * CHAR:
                above = lines[j - 1]
                if abs(above.baseline - (ln.baseline - PITCH)) < 1:
                    return above, ln
    raise AssertionError("no 署名 and date")


@pytest.mark.parametrize("kind", KINDS)
def test_signature_and_date(rendered, kind) -> None:
    """Date's first character two characters right of the 署名's; neither closer than two characters to
    the right edge; both on one page (found on the same page, one line apart)."""
    m = rendered[kind]
    organ, date = _signature(m)
    assert near(date.x0 - organ.x0, 2 * CHAR, FINE), f"date starts {(date.x0 - organ.x0) / CHAR:.2f} chars right"
    assert RIGHT - date.x1 >= 2 * CHAR - FINE, f"date {RIGHT - date.x1:.2f} mm from the right edge"
    assert RIGHT - organ.x1 >= 2 * CHAR - FINE, f"署名 {RIGHT - organ.x1:.2f} mm from the right edge"


@pytest.mark.parametrize("kind", OFFICIAL)
def test_imprint(rendered, kind) -> None:
    m = rendered[kind]
    line = m.find_line("印发")
    assert line.text.endswith("印发")
    assert near(line.x0 - LEFT, CHAR4, FINE), f"印发机关 {line.x0 - LEFT:.2f} mm in"
    assert near(RIGHT - line.x1, CHAR4, FINE), f"印发日期 {RIGHT - line.x1:.2f} mm from the right"


@pytest.mark.parametrize("kind", KINDS)
def test_page_numbers(rendered, kind) -> None:
    m = rendered[kind]
    for i in range(len(m.pages)):
        ink = m.dash_ink(i)
        if i == 0 and kind in LETTERS:
            assert ink is None, "信函格式: no page number on the first page"
            continue
        assert ink is not None, f"page {i + 1} has no number"
        y, x0, x1 = ink
        assert near(y - BOTTOM, 7), f"page {i + 1}: dash {y - BOTTOM:.2f} mm below the text block"
        if i % 2 == 0:  # odd page: right, one character in
            assert near(RIGHT - x1, CHAR4, 0.7), f"page {i + 1}: {RIGHT - x1:.2f} mm from the right"
        else:
            assert near(x0 - LEFT, CHAR4, 0.7), f"page {i + 1}: {x0 - LEFT:.2f} mm from the left"


# --- 信函格式 ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", LETTERS)
def test_letter_format(rendered, kind) -> None:
    m = rendered[kind]
    mark = m.lines[0][0]
    assert mark.red and mark.text == "中共江苏省纪律检查委员会", mark  # the organ's name, not 「…文件」
    top, bottom = m.ink_rows(0, mark)
    assert near(top, 30), f"mark top {top:.2f} mm from the top of the page"
    red = [r for r in m.rules[0] if r.red]
    upper = [r for r in red if r.y < 100]
    lower = [r for r in red if r.y > 200]
    assert len(upper) == 2 and len(lower) == 2, red
    for r in red:
        assert near(r.length, 170, FINE) and near(r.x0, 20, FINE), f"rule {r.x0:.2f}–{r.x1:.2f}"
    assert upper[0].width > upper[1].width, "upper double rule: thick above thin"
    assert lower[0].width < lower[1].width, "lower double rule: thin above thick"
    assert near(upper[0].y - upper[0].width / 2 - bottom, 4), f"rule {upper[0].y - bottom:.2f} mm below the mark"
    assert near(lower[1].y + lower[1].width / 2, 297 - 20), f"lower rule at {lower[1].y:.2f} mm"
    number = m.find_line("〔", page=0)
    assert "函〔" in number.text and near(number.x1, RIGHT, FINE), f"number ends at {number.x1:.2f} mm"
    ink_top, _ = m.ink_rows(0, number)
    below = ink_top - (upper[1].y + upper[1].width / 2)
    assert near(below, 7 / 8 * 16 * PT), f"number {below:.2f} mm below the rule (7/8 of a 3号 character)"
    assert "印发" not in m.all_text  # 版记 without 印发机关 and 印发日期


def test_conversion_time(rendered) -> None:
    """Not a timed assertion: the figure is printed for the report (-s shows it)."""
    print(f"{len(rendered)} kinds converted in {rendered.seconds:.1f} s")
