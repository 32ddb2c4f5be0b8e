"""A long grid of one-line rows drawn straight onto the page: the lines of a statement.

A statement has thousands of lines over dozens of pages. reportlab's ``LongTable`` measures,
styles and draws every cell through its general machinery (spans, paragraphs, per-cell
styles), which made the lines four fifths of a statement's rendering time. Every row here is
one text line of the same height, so a page holds a number of rows found by arithmetic, and a
page's rows are written as one run of PDF text operators.

The grid looks and breaks across pages as the ``LongTable`` it replaced (the GRID style of
``statement_pdf``): a bold header on a pale blue band, repeated on every page, under it a rule;
rows alternately white and light grey, starting white on every page; text in Helvetica 8 pt,
6 pt in from the cell's edge, amounts right-aligned; the grid centred in the frame. A page
takes as many rows as reportlab's table split would (the same sums of the same row heights),
so a statement has the same pages with the same lines on them.

Example: ``Grid(["DBC", "Bedrag"], [("D1", "€ 1,00")], [30 * mm, 30 * mm], right={1})`` is a
flowable of two rows (header and one line) to put in a platypus story.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from functools import lru_cache

from reportlab.lib import colors
from reportlab.lib.rl_accel import escapePDF, fp_str
from reportlab.pdfbase.pdfmetrics import getFont, stringWidth, unicode2T1
from reportlab.platypus import Flowable

FONT = "Helvetica"
BOLD = "Helvetica-Bold"
SIZE = 8
PADDING = 1.5  # above and below the text
INSET = 6  # left and right of the text (reportlab's default cell padding)
ROW_HEIGHT = SIZE * 1.2 + 2 * PADDING  # one text line (leading 1.2) and its padding
HEADER_BAND = colors.HexColor("#e6eef5")
HEADER_RULE = colors.HexColor("#4a6a8a")
STRIPE = colors.HexColor("#f6f8fa")  # every second row; the first of a page is white
RULE_WIDTH = 0.6


def _rgb(color: colors.Color) -> str:
    return f"{fp_str(color.red)} {fp_str(color.green)} {fp_str(color.blue)}"


@lru_cache(maxsize=131_072)
def _segments(text: str, font: str) -> tuple[tuple[str, str], ...]:
    """``text`` encoded for the PDF as reportlab encodes it: the runs of the font (or of a
    substitution font for a character the font lacks), each escaped for a PDF string."""
    face = getFont(font)
    return tuple(
        (part.fontName, escapePDF(chunk))
        for part, chunk in unicode2T1(text, [face, *face.substitutionFonts])
    )


def _plain(text: str) -> str:
    """A text of printable ASCII as a PDF string's content (what ``escapePDF`` makes of it)."""
    if "(" in text or ")" in text or "\\" in text:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return text


@lru_cache(maxsize=131_072)
def _cell(text: str, font: str, place: float, right: bool) -> tuple[str, str] | None:
    """The PDF operators that show ``text`` starting at ``place`` (ending there if ``right``),
    before and after the baseline's y; None for a text that needs a substitution font. Cached:
    amounts, codes and dates repeat over thousands of lines."""
    if text.isascii() and text.isprintable():  # most cells: ids, codes, dates
        shown = _plain(text)
    else:
        segments = _segments(text, font)
        if len(segments) != 1 or segments[0][0] != font:
            return None
        shown = segments[0][1]
    x = place - stringWidth(text, font, SIZE) if right else place
    return f"1 0 0 1 {fp_str(x)} ", f" Tm ({shown}) Tj"


@lru_cache(maxsize=4_096)
def _height(rows: int) -> float:
    """The height of ``rows`` rows summed as reportlab sums a table's row heights (backwards,
    compensated), so a page break falls where the table's would."""
    height = c = 0.0
    for _ in range(rows):
        y = ROW_HEIGHT - c
        t = height + y
        c = (t - height) - y
        height = t
    return height


def _fitting(available: float, rows: int) -> int:
    """How many rows (the header first) fit in ``available`` points: reportlab's row-by-row
    sum, so the last row of a page is the one the table's split would pick."""
    h = 0.0
    n = 0
    while n < rows and h + ROW_HEIGHT <= available:
        h += ROW_HEIGHT
        n += 1
    return n


class Grid(Flowable):
    """Rows of text under a header that repeats on every page the rows run over."""

    def __init__(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[str]],
        widths: Sequence[float],
        *,
        right: Collection[int] = (),
    ) -> None:
        super().__init__()
        self.header = header
        self.rows = rows
        self.widths = widths
        self.right = frozenset(right)
        self.width = sum(widths)
        self.height = _height(len(rows) + 1)
        self.hAlign = "CENTER"

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Grid]:
        fit = _fitting(availHeight, len(self.rows) + 1)
        if fit <= 1:  # not even one row under the header: all of it on the next page
            return []
        if fit == len(self.rows) + 1:
            return [self]
        head, rest = self.rows[: fit - 1], self.rows[fit - 1 :]
        return [
            Grid(self.header, head, self.widths, right=self.right),
            Grid(self.header, rest, self.widths, right=self.right),
        ]

    def draw(self) -> None:
        canvas = self.canv
        document = canvas._doc  # the fonts a page uses are named by its document
        names = {FONT: document.getInternalFontName(FONT)}
        names[BOLD] = document.getInternalFontName(BOLD)
        # Where a column's text starts (left-aligned) or ends (right-aligned).
        places: list[tuple[float, bool, str]] = []
        x = 0.0
        for column, width in enumerate(self.widths):
            right = column in self.right
            place = x + width - INSET if right else x + INSET
            places.append((place, right, f"1 0 0 1 {fp_str(place)} "))
            x += width
        top = self.height
        code = ["q", f"{_rgb(HEADER_BAND)} rg 0 {fp_str(top - ROW_HEIGHT)} "]
        code[-1] += f"{fp_str(self.width)} {fp_str(ROW_HEIGHT)} re f"
        stripe = _rgb(STRIPE)
        for index in range(1, len(self.rows), 2):
            bottom = top - (index + 2) * ROW_HEIGHT
            code.append(
                f"{stripe} rg 0 {fp_str(bottom)} {fp_str(self.width)} {fp_str(ROW_HEIGHT)} re f"
            )
        code.append(f"0 0 0 rg BT {names[BOLD]} {SIZE} Tf")
        self._row(code, names, BOLD, self.header, places, top - PADDING - SIZE)
        code.append(f"{names[FONT]} {SIZE} Tf")
        baseline = top - PADDING - SIZE
        for index, row in enumerate(self.rows, start=1):
            self._row(code, names, FONT, row, places, baseline - index * ROW_HEIGHT)
        code.append("ET")
        rule = top - ROW_HEIGHT
        code.append(
            f"{fp_str(RULE_WIDTH)} w {_rgb(HEADER_RULE)} RG "
            f"0 {fp_str(rule)} m {fp_str(self.width)} {fp_str(rule)} l S Q"
        )
        canvas.addLiteral("\n".join(code))

    def _row(
        self,
        code: list[str],
        names: dict[str, str],
        font: str,
        row: Sequence[str],
        places: list[tuple[float, bool, str]],
        baseline: float,
    ) -> None:
        y = fp_str(baseline)
        for (place, right, start), text in zip(places, row, strict=True):
            if not text:
                continue
            if not right and text.isascii() and text.isprintable():
                # Ids and pseudonyms, each different: written out, not remembered.
                code.append(f"{start}{y} Tm ({_plain(text)}) Tj")
                continue
            cell = _cell(text, font, place, right)
            if cell is not None:
                code.append(f"{cell[0]}{y}{cell[1]}")
                continue
            # A character the font lacks, set in a substitution font as reportlab sets it.
            x = place - stringWidth(text, font, SIZE) if right else place
            code.append(f"1 0 0 1 {fp_str(x)} {y} Tm")
            for name, chunk in _segments(text, font):
                internal = names.get(name) or self.canv._doc.getInternalFontName(name)
                code.append(f"{internal} {SIZE} Tf ({chunk}) Tj")
            code.append(f"{names[font]} {SIZE} Tf")
