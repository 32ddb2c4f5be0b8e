"""The grid of a statement's lines breaks across pages as reportlab's LongTable did, shows the
same text, and writes every text reportlab's fonts can (escapes, substitution fonts)."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import inch, mm
from reportlab.platypus import LongTable, SimpleDocTemplate, Spacer, TableStyle

from spreiding.render.statement_grid import ROW_HEIGHT, Grid

HEADER = ["DBC", "Patiënt (pseudoniem)", "Bedrag"]
WIDTHS = [30 * mm, 40 * mm, 30 * mm]
STYLE = TableStyle(
    [
        ("FONT", (0, 0), (-1, -1), "Helvetica", 8),
        ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6eef5")),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f6f8fa")]),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
        ("ALIGN", (2, 0), (2, -1), "RIGHT"),
    ]
)

FRAME = A4[1] - 2 * inch - 12  # the default page's frame: 1 inch margins, 6 pt padding
EXACT = [FRAME - 20 * ROW_HEIGHT + nudge for nudge in (-0.001, 0.0, 0.001)]  # 20 rows, just


def pages_of(story: list[object]) -> list[str]:
    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=A4, invariant=1)
    document.build(story)
    reader = PdfReader(io.BytesIO(buffer.getvalue()))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def rows(count: int) -> list[tuple[str, ...]]:
    return [(f"D{i:05d}", f"P{i:05d}", f"€ {i},00") for i in range(count)]


@pytest.mark.parametrize("lines", [1, 56, 57, 58, 130])
@pytest.mark.parametrize("above", [0.0, 12.6, 100.0, 333.3, 660.0, 673.5, *EXACT])
def test_the_grid_breaks_pages_where_the_table_did(lines: int, above: float) -> None:
    table = LongTable(
        [HEADER, *map(list, rows(lines))], colWidths=WIDTHS, rowHeights=ROW_HEIGHT, repeatRows=1
    )
    table.setStyle(STYLE)
    grid = Grid(HEADER, rows(lines), WIDTHS, right={2})
    assert pages_of([Spacer(1, above), grid]) == pages_of([Spacer(1, above), table])


def test_every_page_repeats_the_header_and_the_rows_keep_their_order() -> None:
    pages = pages_of([Grid(HEADER, rows(300), WIDTHS, right={2})])
    assert len(pages) > 1
    assert all(page.startswith("DBC Patiënt (pseudoniem) Bedrag") for page in pages)
    assert " ".join(pages).count("DBC Patiënt") == len(pages)
    assert "D00299 P00299 € 299,00" in pages[-1]


def test_texts_that_need_escapes_or_other_fonts_read_back() -> None:
    odd = [("(a)\\b", "Łódź ∑ ü", "€ -1,00")]
    grid = Grid(HEADER, odd, WIDTHS, right={2})
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, invariant=1).build([grid])
    text = PdfReader(io.BytesIO(buffer.getvalue())).pages[0].extract_text()
    assert "(a)\\b" in text and "∑" in text and "ü" in text and "€ -1,00" in text
    again = io.BytesIO()
    SimpleDocTemplate(again, pagesize=A4, invariant=1).build([Grid(HEADER, odd, WIDTHS, right={2})])
    assert again.getvalue() == buffer.getvalue()
