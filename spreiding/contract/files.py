"""The files of a dataset folder as raw strings: each file's header rules, from its schema in
``spreiding.domain.dataset``, and the CSV reading that keeps every row's line number.

Example: ``read_csv(folder, SPECS["prices"], errors)`` reads ``prices.csv`` (``,`` or a Dutch
spreadsheet's ``;`` with decimal commas) into a frame of stripped strings with the column
``_line``; a header without ``price_eur`` adds ``prices.csv:1: price_eur: required column is
missing`` to ``errors`` and returns None.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from spreiding.contract.cells import MAX_CHARS, MAX_HEADER_CHARS, NUL, NUL_MESSAGE, too_long
from spreiding.domain.dataset import SCHEMAS, TableSchema
from spreiding.domain.errors import DatasetError

LINE = "_line"
UNREADABLE = "unreadable"


@dataclass(frozen=True)
class FileSpec:
    name: str
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    money: tuple[str, ...] = ()


def file_spec(schema: TableSchema) -> FileSpec:
    """The header rules of a file, from its schema: every column required unless the schema
    lets the file leave it out; money in euros. ``money`` lists the columns written with
    decimals (euros, and hours), which a ``;``-separated file may write with a decimal comma."""
    return FileSpec(
        schema.file,
        required=tuple(schema.file_column(c) for c in schema.columns if c not in schema.optional),
        optional=tuple(schema.file_column(c) for c in schema.columns if c in schema.optional),
        money=tuple(
            schema.file_column(c)
            for c, kind in schema.columns.items()
            if kind in ("cents", "hundredths")
        ),
    )


SPECS = {schema.name: file_spec(schema) for schema in SCHEMAS}


def read_csv(folder: Path, spec: FileSpec, errors: list[DatasetError]) -> pd.DataFrame | None:
    """The file's rows as strings (empty cell: ""), with the line number of each in ``_line``."""
    path = folder / spec.name
    optional_file = spec.name in ("declarations.csv", "transfers.csv", "hours.csv")
    if not path.is_file():
        if not optional_file:
            errors.append(DatasetError(spec.name, 0, "(file)", "required file is missing"))
        return None
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            # Bounded: a file of one endless line is not read whole to find its header.
            first = handle.readline(MAX_HEADER_CHARS + 1)
    except UnicodeDecodeError as exc:
        errors.append(DatasetError(spec.name, 0, "(file)", f"not UTF-8: {exc.reason}"))
        return None
    if not first.strip():
        errors.append(DatasetError(spec.name, 1, "(header)", "the header row is missing"))
        return None
    if len(first.rstrip("\r\n")) > MAX_HEADER_CHARS:
        message = f"the header line is longer than {MAX_HEADER_CHARS:,} characters"
        errors.append(DatasetError(spec.name, 1, "(header)", message))
        return None
    # A Dutch spreadsheet export writes ';' between cells and a decimal comma.
    delimiter = ";" if ";" in first and "," not in first else ","
    header = next(csv.reader([first], delimiter=delimiter))
    if not check_header(spec, header, errors):
        return None

    bad_rows: list[tuple[int, int]] = []

    def on_invalid(row: pacsv.InvalidRow) -> str:
        bad_rows.append((row.number or 0, row.actual_columns))
        return "skip"

    try:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(use_threads=False, block_size=1 << 24),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter, invalid_row_handler=on_invalid, ignore_empty_lines=False
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.string() for c in header},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        errors.append(DatasetError(spec.name, 0, "(file)", f"cannot be read as CSV: {exc}"))
        return None
    for number, actual in bad_rows:
        errors.append(
            DatasetError(
                spec.name, number, "(row)", f"has {actual} cells, the header has {len(header)}"
            )
        )
    frame = table.to_pandas()
    for column in spec.required + spec.optional:
        if column not in frame:
            frame[column] = ""
        frame[column] = frame[column].astype("str").str.strip()
    lines = np.arange(2, len(frame) + len(bad_rows) + 2, dtype="int64")
    if bad_rows:
        lines = np.setdiff1d(lines, np.array([n for n, _ in bad_rows], dtype="int64"))
    frame[LINE] = lines[: len(frame)]
    blank = (frame[list(header)] == "").all(axis=1)
    if blank.any():
        for number in frame.loc[blank, LINE]:
            errors.append(DatasetError(spec.name, int(number), "(row)", "empty line"))
        frame = frame.loc[~blank].reset_index(drop=True)
    frame = storable_rows(spec.name, frame, header, errors)
    if delimiter == ";":
        for column in spec.money:
            frame[column] = frame[column].str.replace(",", ".", regex=False)
    return frame


def storable_rows(
    file: str, frame: pd.DataFrame, columns: list[str], errors: list[DatasetError]
) -> pd.DataFrame:
    """``frame`` with each value too long to check or impossible to store (a NUL character)
    reported and emptied; the cells are listed in ``frame.attrs[UNREADABLE]`` as
    ``(line, column)``, and no later check reports on them: no message quotes such a value,
    and its row still counts for the references to it."""
    unreadable: set[tuple[int, str]] = set()
    for column in columns:
        values = frame[column]
        if not _suspect(values):
            continue
        length = values.str.len()
        long = (length > MAX_CHARS).to_numpy()
        nul = values.str.contains(NUL, regex=False).to_numpy(dtype=bool) & ~long
        for number, size in zip(frame[LINE][long], length[long], strict=True):
            errors.append(DatasetError(file, int(number), column, too_long(int(size))))
            unreadable.add((int(number), column))
        for number in frame[LINE][nul]:
            errors.append(DatasetError(file, int(number), column, NUL_MESSAGE))
            unreadable.add((int(number), column))
        if long.any() or nul.any():
            frame[column] = values.mask(long | nul, "")
    frame.attrs[UNREADABLE] = unreadable
    return frame


def _suspect(values: pd.Series) -> bool:
    """Whether a value of ``values`` may be too long or hold a NUL: a look at Arrow's buffers
    (a tenth of the exact check's time) that is exact when it says no, since a value has no
    more characters than bytes."""
    array = pa.array(values)
    chunks = array.chunks if isinstance(array, pa.ChunkedArray) else [array]
    for chunk in chunks:
        if len(chunk) == 0:
            continue
        if (pc.max(pc.binary_length(chunk)).as_py() or 0) > MAX_CHARS:
            return True
        data = chunk.buffers()[2]
        if data is not None and not np.frombuffer(data, dtype=np.uint8).all():
            return True
    return False


def check_header(spec: FileSpec, header: list[str], errors: list[DatasetError]) -> bool:
    ok = True
    allowed = set(spec.required) | set(spec.optional)
    seen: set[str] = set()
    for column in header:
        if column in seen:
            errors.append(DatasetError(spec.name, 1, column, "column appears twice"))
            ok = False
        elif column not in allowed:
            errors.append(DatasetError(spec.name, 1, column, "unknown column"))
            ok = False
        seen.add(column)
    for column in spec.required:
        if column not in seen:
            errors.append(DatasetError(spec.name, 1, column, "required column is missing"))
            ok = False
    return ok
