"""Tables read from Excel workbooks (``.xlsx``), as the CSV reader reads them: the same raw
frame of stripped strings, each cell the text the CSV reader would have checked, and the row
number Excel shows (the header is row 1) in ``_line``.

Example: a sheet ``dbcs`` of ``data.xlsx`` whose ``agb`` column is General holds the number
6010101 where 06010101 was typed; it reads as the text ``6010101`` and is reported as
``data.xlsx[dbcs]:7: agb: AGB code '6010101' has 7 digits, must have 8 (leading zero lost?
format the column as text)``.

How a typed cell becomes text: a whole number as its digits; a number with a fraction as the
shortest decimal that is that number (``repr``: the cell typed ``1234.5`` reads as ``1234.5``,
one computed to ``0.30000000000000004`` as that, and is refused as an amount with more than two
decimals; money is never rounded through a float); a date as ``YYYY-MM-DD`` (with the time when
it has one, and is then refused as a date); ``TRUE``/``FALSE`` as ``true``/``false``. In a text
cell an amount or a number of hours may have a decimal comma, as in a ``;`` CSV file.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from spreiding.contract.files import DECIMAL_COMMA, LINE, FileSpec, check_header, storable_rows
from spreiding.domain.errors import DatasetError

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook

SOURCE = "_source"  # frame.attrs: how errors name the sheet the rows were read from
MAX_UNPACKED_BYTES = 1024**3  # what a workbook may unpack to (its XML is ~10x its CSV)
EXCEL_ROWS = 1_048_576  # the last row of an Excel sheet
SHOWN = 5  # empty lines named one by one; the rest counted on one line


def label(path: Path, sheet: str) -> str:
    """How an error names a sheet: ``data.xlsx[dbcs]``."""
    return f"{path.name}[{sheet}]"


def sheet_names(path: Path) -> tuple[list[str], DatasetError | None]:
    """The sheets of the workbook at ``path``, in order; or the error saying it cannot be read."""
    book = _open(path)
    if isinstance(book, DatasetError):
        return [], book
    try:
        return list(book.sheetnames), None
    finally:
        book.close()


def _open(path: Path) -> Workbook | DatasetError:
    """The workbook at ``path``, read-only with the values Excel saved; or why not. A workbook
    is a zip: what it unpacks to is bounded before anything is unpacked (a small file can hold
    gigabytes of repeated XML). openpyxl is imported here, when a workbook is read: it adds
    about 0.1 s to the start of every process that imports the reader."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(entry.file_size for entry in archive.infolist())
        if unpacked > MAX_UNPACKED_BYTES:
            message = (
                f"unpacks to {unpacked:,} bytes; at most {MAX_UNPACKED_BYTES:,} are read "
                "(save the tables as CSV files instead)"
            )
            return DatasetError(path.name, 0, "(file)", message)
        return load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        message = f"cannot be read as an Excel workbook (.xlsx): {exc}"
        return DatasetError(path.name, 0, "(file)", message)


def cell_text(value: object) -> str:
    """The text of a cell as the CSV reader would check it (before stripping)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return repr(value)
        # The shortest decimal that is this float: exact, with no digit of binary noise added.
        text = format(Decimal(repr(value)), "f")
        return text[:-2] if text.endswith(".0") else text
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def read_sheet(
    path: Path, sheet: str, spec: FileSpec, errors: list[DatasetError]
) -> pd.DataFrame | None:
    """The rows of ``sheet`` in the workbook at ``path`` as ``files.read_csv`` gives those of a
    CSV file; errors name ``FILE[SHEET]`` and Excel's row number. Empty rows after the last
    row with a value are no error (Excel keeps formatted rows), an empty row between is. Read
    row by row into columns: a large sheet is not held twice."""
    where = label(path, sheet)
    book = _open(path)
    if isinstance(book, DatasetError):
        errors.append(book)
        return None
    try:
        worksheet = book[sheet]
        if not hasattr(worksheet, "reset_dimensions"):
            errors.append(DatasetError(where, 0, "(file)", "is a chart, not a sheet of cells"))
            return None
        # The size a writer recorded may be wrong: read every row the sheet holds.
        worksheet.reset_dimensions()
        rows = worksheet.iter_rows(values_only=True)
        header = [cell_text(v).strip() for v in next(rows, ())]
        while header and header[-1] == "":
            header.pop()
        spec = FileSpec(where, spec.required, spec.optional, spec.money)
        if not header:
            errors.append(DatasetError(where, 1, "(header)", "the header row is missing"))
            return None
        if not check_header(spec, header, errors):
            return None
        cells, lines = _cells(where, rows, len(header), errors)
    finally:
        book.close()
    frame = pd.DataFrame(
        {
            name: pd.Series(values, dtype="object")
            for name, values in zip(header, cells, strict=True)
        }
    )
    for name in spec.required + spec.optional:
        if name not in frame:
            frame[name] = ""
        frame[name] = frame[name].astype("str")
    frame[LINE] = np.array(lines, dtype="int64")
    frame = storable_rows(where, frame, header, errors)
    frame.attrs[DECIMAL_COMMA] = spec.money
    frame.attrs[SOURCE] = where
    return frame


def _cells(
    where: str, rows: Iterator[tuple[object, ...]], width: int, errors: list[DatasetError]
) -> tuple[list[list[str]], list[int]]:
    """The stripped text of each column below the header, and each row's number; an empty row
    is reported only once a row with a value follows it."""
    cells: list[list[str]] = [[] for _ in range(width)]
    lines: list[int] = []
    empty: list[int] = []
    for number, row in enumerate(rows, start=2):
        if number > EXCEL_ROWS:  # only a workbook written by hand goes on past Excel's last row
            message = f"rows past row {EXCEL_ROWS:,}, Excel's last, are not read"
            errors.append(DatasetError(where, number, "(row)", message))
            break
        texts = [cell_text(v).strip() for v in row]
        used = max((i + 1 for i, text in enumerate(texts) if text), default=0)
        if used == 0:
            empty.append(number)
            continue
        errors.extend(DatasetError(where, n, "(row)", "empty line") for n in empty[:SHOWN])
        if len(empty) > SHOWN:
            more = f"{len(empty) - SHOWN:,} more empty lines up to row {empty[-1]:,}"
            errors.append(DatasetError(where, empty[SHOWN], "(row)", more))
        empty.clear()
        if used > width:
            message = f"has {used} cells, the header has {width}"
            errors.append(DatasetError(where, number, "(row)", message))
            continue
        texts += [""] * (width - len(texts))
        for values, text in zip(cells, texts, strict=False):
            values.append(text)
        lines.append(number)
    return cells, lines
