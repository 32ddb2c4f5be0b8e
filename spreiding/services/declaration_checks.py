"""``declarations.csv`` checked block by block, by the reader's own rules and messages.

A large declarations file is not read whole: it is cut at line ends into blocks of about
``BLOCK_BYTES``; each block is parsed as ``spreiding.contract.files.read_csv`` parses the whole
file (same options, every line's own number: the block's first line offset), its unreadable
cells are emptied (``storable_rows``) and ``check_declarations`` runs on it against the
hospitals, insurers and DBC keys of the other files. Two things the reader decides over the
whole file are gathered across blocks and decided at the end:

- a rule broken on many lines is reported on its first ``MAX_SAME`` lines and one line that
  counts the rest, over the whole file (one ``contract.tally.Tally`` shared by the
  blocks' ``Rows``), not per block;
- ``declaration_id`` is unique over the whole file: a 64-bit hash of each id is kept (8 bytes
  a line), sorted at the end, and only the ids whose hash repeats are read again and checked
  exactly by ``Rows.unique`` (same message, same lines).

Every error is the one the reader gives for the same file, same text; the caller audits
nothing unless ``errors`` is empty at the end. Only a plain UTF-8 file separated by ``,`` is
read this way (``streamable``); any other file is read whole by the reader.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from spreiding.contract.cells import MAX_HEADER_CHARS
from spreiding.contract.checks import check_declarations
from spreiding.contract.dates import parse_dates
from spreiding.contract.files import (
    LINE,
    SPECS,
    UNREADABLE,
    check_header,
    detect_encoding,
    rows_of_table,
)
from spreiding.contract.money_cells import cents
from spreiding.contract.reader import read_dataset
from spreiding.contract.rows import Rows, key
from spreiding.contract.sources import Source, locate, read_tables
from spreiding.contract.tally import Tally
from spreiding.domain.dataset import DECLARATIONS, Dataset, conform
from spreiding.domain.errors import DatasetError, DatasetInvalid
from spreiding.domain.string_columns import hashes as string_hashes

BLOCK_BYTES = 16 << 20
SPEC = SPECS["declarations"]
FILE = SPEC.name


def streamable(path: Path, *, scan: bool = True) -> list[str] | None:
    """The header of ``path`` when the file can be checked block by block: UTF-8, ``,``
    between cells, a header the reader accepts. None for anything else (the reader then reads
    it whole, and reports what is wrong with it). ``scan=False`` checks the header's bytes
    only: the caller finds any other bytes that are not UTF-8 as it reads the blocks."""
    if not path.is_file():
        return None
    if scan and detect_encoding(path)[0] != "utf-8-sig":
        return None
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            first = handle.readline(MAX_HEADER_CHARS + 1)
    except UnicodeDecodeError:
        return None
    if not first.strip() or len(first.rstrip("\r\n")) > MAX_HEADER_CHARS:
        return None
    if ";" in first and "," not in first:
        return None
    header = next(csv.reader([first], delimiter=","))
    if not check_header(SPEC, header, []):
        return None
    return header


def blocks(path: Path, *, block_bytes: int = BLOCK_BYTES) -> Iterator[tuple[int, bytes]]:
    """The file after its header in blocks cut at line ends: (line of the block's first line,
    its bytes)."""
    with path.open("rb") as file:
        file.readline()
        line = 2
        rest = b""
        while True:
            block = file.read(block_bytes)
            text = rest + block
            cut = len(text) if not block else text.rfind(b"\n") + 1
            rest = text[cut:]
            if cut:
                chunk = text[:cut]
                yield line, chunk
                line += chunk.count(b"\n")
            if not block:
                return


def block_frame(
    header: list[str], first_line: int, data: bytes, errors: list[DatasetError]
) -> pd.DataFrame:
    """The raw frame of one block as ``read_csv`` makes it of the whole file: stripped strings,
    ``_line`` the file's own line numbers, rows of a wrong cell count and empty lines reported
    and left out, unreadable cells reported and emptied."""
    bad_rows: list[tuple[int, int]] = []

    def on_invalid(row: pacsv.InvalidRow) -> str:
        bad_rows.append((first_line - 1 + (row.number or 0), row.actual_columns))
        return "skip"

    table = pacsv.read_csv(
        pa.BufferReader(data),
        read_options=pacsv.ReadOptions(use_threads=False, column_names=header),
        parse_options=pacsv.ParseOptions(
            delimiter=",", invalid_row_handler=on_invalid, ignore_empty_lines=False
        ),
        convert_options=pacsv.ConvertOptions(
            column_types={c: pa.string() for c in header},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    return rows_of_table(SPEC, header, table, bad_rows, first_line, errors)


def id_hashes(ids: pd.Series) -> np.ndarray:
    """A 64-bit hash of each id (``string_columns.hashes``). Two ids of one hash are only
    candidates: ``Checked.finish`` compares them exactly, so a collision of two different ids
    is never a duplicate."""
    return string_hashes(ids)


class _BlockRows(Rows):
    """``Rows`` of one block whose flags count over the whole file (one ``Tally`` shared by
    the blocks) and whose uniqueness of ``declaration_id`` is decided at the end
    (``Checked.finish``): here only each id's 64-bit hash is kept."""

    def __init__(
        self,
        frame: pd.DataFrame,
        errors: list[DatasetError],
        tally: Tally,
        hashes: list[np.ndarray],
    ) -> None:
        super().__init__(FILE, frame, errors, tally=tally)
        self.hashes = hashes

    def unique(self, *columns: str, codes: np.ndarray | None = None) -> None:
        assert columns == ("declaration_id",)
        values = self.frame["declaration_id"]
        self.hashes.append(id_hashes(values[values != ""]))


class Checked:
    """The checks of one declarations file, fed block by block (``frame``), ended by
    ``finish``; ``errors`` collects every error the reader would give for the file."""

    def __init__(
        self,
        path: Path,
        header: list[str],
        hospitals: set[str] | None,
        insurers: set[str] | None,
        dbc_keys: pd.Series | None,
    ) -> None:
        self.path = path
        self.header = header
        self.references = (hospitals, insurers, dbc_keys)
        self.tally = Tally()
        self.hashes: list[np.ndarray] = []
        self.unreadable: set[tuple[int, str]] = set()
        self.errors: list[DatasetError] = []
        # The last block's date columns as the checks parsed them (``Rows.dates``).
        self.dates: dict[str, pd.Series] = {}

    def frame(self, first_line: int, data: bytes) -> pd.DataFrame:
        """The checked raw frame of a block (the checks' errors in ``errors``)."""
        frame = block_frame(self.header, first_line, data, self.errors)
        self.unreadable |= frame.attrs.get(UNREADABLE, set())
        hospitals, insurers, dbc_keys = self.references
        rows = _BlockRows(frame, self.errors, self.tally, self.hashes)
        check_declarations(rows, hospitals, insurers, dbc_keys)
        self.dates = rows.dates
        return frame

    def finish(self, *, block_bytes: int = BLOCK_BYTES) -> list[DatasetError]:
        """Every error of the file: the blocks', the counts of the rest, and the duplicate ids
        (their hashes compared, the ids of a repeated hash read again and compared exactly)."""
        self.errors.extend(self.tally.counts(FILE))
        if not self.hashes:
            return self.errors
        hashes = np.concatenate(self.hashes)
        self.hashes = []
        hashes.sort()
        repeated = np.unique(hashes[1:][hashes[1:] == hashes[:-1]])
        del hashes
        if repeated.size:
            self._duplicates(repeated, block_bytes)
        return self.errors

    def _duplicates(self, repeated: np.ndarray, block_bytes: int) -> None:
        found: list[pd.DataFrame] = []
        for first_line, data in blocks(self.path, block_bytes=block_bytes):
            frame = block_frame(self.header, first_line, data, [])
            values = frame["declaration_id"]
            present = frame.loc[values != "", ["declaration_id", LINE]]
            hashed = id_hashes(present["declaration_id"])
            found.append(present.loc[np.isin(hashed, repeated)])
        candidates = pd.concat(found, ignore_index=True)
        candidates.attrs[UNREADABLE] = self.unreadable
        Rows(FILE, candidates, self.errors).unique("declaration_id")


def csv_only(folder: Path) -> bool:
    """Whether the declarations of ``folder`` are in ``declarations.csv`` and nowhere else
    (not in a workbook's sheet as well)."""
    sources = locate(folder, [])
    return not sources.unreadable and sources.found["declarations"] == Source(
        folder / "declarations.csv"
    )


References = tuple[set[str] | None, set[str] | None, pd.Series | None]


def read_others(folder: Path) -> tuple[Dataset | None, list[DatasetError], References]:
    """The folder but its declarations, read and checked whole by the reader (from a folder
    of links to its files): the dataset (None when invalid), its errors, and what the
    declarations refer to (hospitals, insurers, DBC keys) as the reader gives its checks."""
    with tempfile.TemporaryDirectory(prefix="dataset-files-") as links:
        for entry in folder.iterdir():
            if entry.name != "declarations.csv":
                (Path(links) / entry.name).symlink_to(entry.resolve())
        try:
            dataset = read_dataset(links)
        except DatasetInvalid as exc:
            raw = read_tables(Path(links), [])
            hospitals, insurers, dbcs = raw["hospitals"], raw["insurers"], raw["dbcs"]
            references: References = (
                _known(hospitals, "agb"),
                _known(insurers, "uzovi"),
                None if dbcs is None else key(dbcs["agb"], dbcs["dbc_id"]),
            )
            return None, list(exc.errors), references
    references = (
        set(dataset.hospitals["agb"]),
        set(dataset.insurers["uzovi"]),
        key(dataset.dbcs["agb"], dataset.dbcs["dbc_id"]),
    )
    return dataset, [], references


def _known(frame: pd.DataFrame | None, column: str) -> set[str] | None:
    if frame is None:
        return None
    return set(frame[column][frame[column] != ""].unique())


def typed(frame: pd.DataFrame, *, consume: bool = False) -> pd.DataFrame:
    """The canonical frame (``DECLARATIONS``) of a checked block, typed as the reader types the
    whole file: amounts to exact cents, dates by the format they were checked against, sorted
    by ``declaration_id``. ``consume``: the block's strings are taken out of ``frame``."""
    columns: dict[str, Any] = {
        "amount_cents": cents(frame.pop("amount_eur") if consume else frame["amount_eur"])
    }
    for column, kind in DECLARATIONS.columns.items():
        if kind == "date":
            columns[column] = pd.Series(parse_dates(frame[column]), index=frame.index)
        elif column != "amount_cents":
            columns[column] = frame.pop(column) if consume else frame[column]
    return conform(pd.DataFrame(columns, index=frame.index), DECLARATIONS, consume=True)
