"""The files of a dataset folder as raw strings: each file's header rules, from its schema in
``spreiding.domain.dataset``, and the CSV reading that keeps every row's line number.

Example: ``read_csv(folder, SPECS["prices"], errors)`` reads ``prices.csv`` (``,`` or a Dutch
spreadsheet's ``;`` with decimal commas) into a frame of stripped strings with the column
``_line``; a header without ``price_eur`` adds ``prices.csv:1: price_eur: required column is
missing`` to ``errors`` and returns None.
"""

from __future__ import annotations

import codecs
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
DECIMAL_COMMA = "decimal_comma"
# What Excel's plain "CSV" is saved as on a Dutch (or any western) Windows.
CP1252 = "cp1252"
ENCODING_NAMES = {"utf-8-sig": "UTF-8", CP1252: "Windows-1252"}
_CHUNK = 1 << 24
# The files a dataset may leave out (docs/data-format.md §1).
OPTIONAL_FILES = ("declarations.csv", "transfers.csv", "hours.csv")


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


def _first_bad_utf8(path: Path) -> tuple[tuple[int, int, str] | None, int]:
    """Where ``path`` stops being UTF-8: (line, byte, reason) of its first bad byte, or None
    when the whole file is UTF-8; and its line ends as Arrow's CSV reader finds them (``\\n``,
    ``\\r\\n``, and a ``\\r`` alone) up to there. Read in chunks: a large file is not held
    whole."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    lines = 1  # the line a byte is on, as the messages number lines (by ``\\n``)
    ends = 0
    after_cr = False  # the chunk before ended with ``\\r``
    with path.open("rb") as handle:
        while True:
            chunk = handle.read(_CHUNK)
            pending = decoder.getstate()[0]
            if not (chunk and not pending and chunk.isascii()):
                # ASCII is UTF-8; the check of each byte is left to the decoder otherwise.
                try:
                    decoder.decode(chunk, final=not chunk)
                except UnicodeDecodeError as exc:
                    data = pending + chunk
                    before = data[: exc.start]
                    line = lines - pending.count(b"\n") + before.count(b"\n")
                    return (line, data[exc.start], str(exc.reason)), ends
                if not chunk:
                    return None, ends
            newlines = chunk.count(b"\n")
            lines += newlines
            ends += newlines
            if b"\r" in chunk:
                ends += chunk.count(b"\r") - chunk.count(b"\r\n")
            if after_cr and chunk.startswith(b"\n"):
                ends -= 1  # a ``\\r\\n`` across two chunks, counted as two ends
            after_cr = chunk.endswith(b"\r")


def _first_bad_cp1252(path: Path) -> tuple[int, int] | None:
    """(line, byte) of the first byte Windows-1252 leaves undefined, or None."""
    lines = 1
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            try:
                chunk.decode(CP1252)
            except UnicodeDecodeError as exc:
                return lines + chunk[: exc.start].count(b"\n"), chunk[exc.start]
            lines += chunk.count(b"\n")
    return None


def detect_encoding(path: Path) -> tuple[str | None, DatasetError | None]:
    """The encoding of a CSV file: UTF-8 (a byte order mark allowed) when it is valid UTF-8,
    else Windows-1252 when every byte is one of its characters (Excel's plain "CSV"); else
    the error naming the line of the first byte that is not UTF-8."""
    encoding, refusal, _ = _encoding(path)
    return encoding, refusal


def _encoding(path: Path) -> tuple[str | None, DatasetError | None, int | None]:
    """``detect_encoding``, and for a UTF-8 file the number of its line ends."""
    utf8, ends = _first_bad_utf8(path)
    if utf8 is None:
        return "utf-8-sig", None, ends
    if _first_bad_cp1252(path) is None:
        return CP1252, None, None
    line, byte, reason = utf8
    message = (
        f"neither UTF-8 ({reason}: byte 0x{byte:02x} on this line) nor Windows-1252; "
        'save it as "CSV UTF-8"'
    )
    return None, DatasetError(path.name, line, "(file)", message), None


def _lines_after_header(path: Path, ends: int) -> int:
    """The lines after the header of a file with ``ends`` line ends (``_first_bad_utf8``; a
    last line without one counted too)."""
    with path.open("rb") as handle:
        if handle.seek(0, 2) == 0:
            return 0
        handle.seek(-1, 2)
        unended = handle.read(1) not in (b"\n", b"\r")
    return ends - 1 + unended


def read_csv(
    folder: Path, spec: FileSpec, errors: list[DatasetError], notes: list[str] | None = None
) -> pd.DataFrame | None:
    """The file's rows as strings (empty cell: ""), with the line number of each in ``_line``.
    A file read as Windows-1252 rather than UTF-8 is said so in ``notes``."""
    path = folder / spec.name
    optional_file = spec.name in OPTIONAL_FILES
    if not path.is_file():
        if not optional_file:
            errors.append(DatasetError(spec.name, 0, "(file)", "required file is missing"))
        return None
    encoding, refusal, ends = _encoding(path)
    if encoding is None:
        assert refusal is not None
        errors.append(refusal)
        return None
    if encoding != "utf-8-sig" and notes is not None:
        notes.append(f"{spec.name}: read as {ENCODING_NAMES[encoding]}")
    with path.open(encoding=encoding, newline="") as handle:
        # Bounded: a file of one endless line is not read whole to find its header.
        first = handle.readline(MAX_HEADER_CHARS + 1)
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

    def read(threads: bool) -> pa.Table:
        bad_rows.clear()
        return pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(
                use_threads=threads,
                block_size=_CHUNK,
                **({"encoding": CP1252} if encoding == CP1252 else {}),
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter, invalid_row_handler=on_invalid, ignore_empty_lines=False
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.string() for c in header},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )

    try:
        # Parsed on Arrow's threads (a file of 10,000,000 lines: 1.6 -> 1.0 s on two cores),
        # read again on one thread unless they gave a row for every line end and no error:
        # threaded, Arrow does not know the line of a row with a wrong cell count, and where a
        # block is cut inside quotes it drops or splits rows without a word (one thread
        # refuses the file, or reads the quoted line end). A line end inside quotes is then
        # one more line than rows, so the file is read on one thread.
        table = None
        if ends is not None:
            try:
                table = read(threads=True)
            except pa.ArrowInvalid:  # one thread may read it, or says why not
                table = None
            if table is not None and (
                bad_rows or table.num_rows != _lines_after_header(path, ends)
            ):
                table = None
        if table is None:
            table = read(threads=False)
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        errors.append(DatasetError(spec.name, 0, "(file)", f"cannot be read as CSV: {exc}"))
        return None
    frame = rows_of_table(spec, header, table, bad_rows, 2, errors)
    # Kept as typed, so a message echoes the cell as the user wrote it; the checks of these
    # columns read the decimal comma as a point (rows.Rows.number).
    frame.attrs[DECIMAL_COMMA] = spec.money if delimiter == ";" else ()
    return frame


def rows_of_table(
    spec: FileSpec,
    header: list[str],
    table: pa.Table,
    bad_rows: list[tuple[int, int]],
    first_line: int,
    errors: list[DatasetError],
) -> pd.DataFrame:
    """The rows Arrow parsed from the lines of ``spec``'s file from ``first_line`` on (the whole
    file after its header, or a block of it): stripped strings, ``_line`` the file's own line
    numbers; the rows of a wrong cell count (``bad_rows``: line, cells; Arrow skipped them) and
    empty lines reported and left out, unreadable cells reported and emptied."""
    for number, actual in bad_rows:
        message = f"has {actual} cells, the header has {len(header)}"
        errors.append(DatasetError(spec.name, number, "(row)", message))
    frame = table.to_pandas()
    for column in spec.required + spec.optional:
        if column not in frame:
            frame[column] = ""
        values = frame[column].astype("str")
        frame[column] = values.str.strip() if _may_have_blank_edges(values) else values
    lines = np.arange(first_line, first_line + len(frame) + len(bad_rows), dtype="int64")
    if bad_rows:
        lines = np.setdiff1d(lines, np.array([n for n, _ in bad_rows], dtype="int64"))
    frame[LINE] = lines[: len(frame)]
    blank = (frame[header[0]] == "").to_numpy(dtype=bool, copy=True)
    for column in header[1:]:
        if not blank.any():
            break
        blank &= (frame[column] == "").to_numpy(dtype=bool)
    if blank.any():
        for number in frame.loc[blank, LINE]:
            errors.append(DatasetError(spec.name, int(number), "(row)", "empty line"))
        frame = frame.loc[~blank].reset_index(drop=True)
    return storable_rows(spec.name, frame, header, errors)


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


def _may_have_blank_edges(values: pd.Series) -> bool:
    """Whether a value of ``values`` may start or end with whitespace (``str.strip`` would
    change it): a look at the first and last byte of each value in Arrow's buffers, exact
    when it says no. Any byte up to the space or past ASCII counts as maybe."""
    try:
        array = pa.array(values, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
        return True
    chunks = array.chunks if isinstance(array, pa.ChunkedArray) else [array]
    for chunk in chunks:
        if not (pa.types.is_string(chunk.type) or pa.types.is_large_string(chunk.type)):
            return True
        if chunk.null_count:
            return True
        size = len(chunk)
        _validity, offsets_buffer, data_buffer = chunk.buffers()
        if size == 0 or data_buffer is None:
            continue
        kind = "int64" if pa.types.is_large_string(chunk.type) else "int32"
        offsets = np.frombuffer(offsets_buffer, dtype=kind)[chunk.offset : chunk.offset + size + 1]
        data = np.frombuffer(data_buffer, dtype=np.uint8)
        starts, ends = offsets[:-1], offsets[1:]
        filled = ends > starts
        edges = np.concatenate([data[starts[filled]], data[ends[filled] - 1]])
        if ((edges <= 0x20) | (edges >= 0x80)).any():
            return True
    return False


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
