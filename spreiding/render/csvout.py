"""The CSV dialects the project writes.

``standard`` is the contract's form: `,` between cells, `.` as decimal point, UTF-8 without a
byte order mark, LF line ends (what scripts and the contract's readers expect).
``excel-nl`` is what Dutch Excel opens as columns with a double click: `;` between cells, a
decimal comma, a UTF-8 byte order mark (without it Excel reads the file as Windows-1252 and
shows ``PatiÃ«nt``) and CRLF line ends.

Example: the row ``["PAR-001", 1234567]`` (text, cents) is ``PAR-001,12345.67\\n`` in the
standard dialect and ``PAR-001;12345,67\\r\\n`` in ``excel-nl``, after the BOM that starts
the file.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum

from spreiding.render.cells import safe_text
from spreiding.render.numbers import decimal_comma, plain

BOM = "\ufeff"


class CsvDialect(StrEnum):
    standard = "standard"
    excel_nl = "excel-nl"


def default_dialect(environ: Mapping[str, str]) -> CsvDialect:
    """``excel-nl`` where the user's locale is Dutch (``LC_ALL`` / ``LC_NUMERIC`` / ``LANG``
    ``nl_*``): there Excel expects `;` and decimal commas. Elsewhere the standard dialect."""
    for name in ("LC_ALL", "LC_NUMERIC", "LANG"):
        value = environ.get(name, "")
        if value:
            return CsvDialect.excel_nl if value.lower().startswith("nl") else CsvDialect.standard
    return CsvDialect.standard


class Money(int):
    """An amount in cents in a row: written as a number in the dialect's form, not as text."""


Cell = str | Money | None


def write_csv(header: Sequence[str], rows: Iterable[Sequence[Cell]], dialect: CsvDialect) -> str:
    """The rows as CSV text in ``dialect``. Text cells go through ``safe_text`` (no cell is
    run as a formula); ``Money`` cells are numbers and are written as such; None is empty.

    The decimal comma comes from Babel (``numbers.decimal_comma``), not from replacing the
    point in the contract's money string, so one function defines every Dutch amount."""
    nl = dialect is CsvDialect.excel_nl
    amount = decimal_comma if nl else plain
    buffer = io.StringIO()
    if nl:
        buffer.write(BOM)
    writer = csv.writer(buffer, delimiter=";" if nl else ",", lineterminator="\r\n" if nl else "\n")
    writer.writerow([safe_text(h) for h in header])

    def cell(value: Cell) -> str:
        if value is None:
            return ""
        if isinstance(value, Money):
            return amount(int(value))
        return safe_text(value)

    writer.writerows([cell(value) for value in row] for row in rows)
    return buffer.getvalue()


def write_file_text(text: str) -> bytes:
    """The bytes of a CSV text (UTF-8; the BOM of ``excel-nl`` is in the text already)."""
    return text.encode("utf-8")
