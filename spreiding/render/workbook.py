"""Typed XLSX sheets, shared by the audit workbook and the run's exports: Dutch euro and date
formats, columns as wide as their contents, a filter on every column, the header row frozen."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from spreiding.render.numbers import euros

EURO_FORMAT = '"€" #,##0.00;"€" -#,##0.00'
DATE_FORMAT = "dd-mm-yyyy"


def add_sheet(
    workbook: Any,
    title: str,
    rows: list[list[Any]],
    widths: Sequence[int],
    formats: Mapping[int, str],
) -> None:
    """A sheet of ``rows`` (the first the header): each column as wide as its longest value
    (at least ``widths``, at most 80 characters), a filter on every column, the header row
    frozen, and the number format of ``formats`` (column index to format) on every cell
    below the header."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.utils import get_column_letter

    sheet = workbook.create_sheet(title)
    for index, width in enumerate(widths):
        longest = max((len(shown_text(row[index])) for row in rows), default=0)
        sheet.column_dimensions[get_column_letter(index + 1)].width = min(
            max(width, longest + 2), 80
        )
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(widths))}{len(rows)}"
    sheet.append(rows[0])
    for row in rows[1:]:
        cells: list[Any] = list(row)
        for index, number_format in formats.items():
            cell = WriteOnlyCell(sheet, value=row[index])
            cell.number_format = number_format
            cells[index] = cell
        sheet.append(cells)


def shown_text(value: Any) -> str:
    """About what a cell shows, for its column's width: a date as dd-mm-yyyy, an amount with
    its euro sign and thousands dots."""
    if value is None:
        return ""
    if isinstance(value, date):
        return "00-00-0000"
    if isinstance(value, Decimal):
        return euros(int(value * 100))
    return str(value)
