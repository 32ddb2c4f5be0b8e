"""Where each table of a dataset folder is, and its raw rows from there: a CSV file, a workbook
of its own, or a sheet of a workbook that holds several tables (docs/data-format.md §1).

A table ``dbcs`` is read from exactly one of: ``dbcs.csv``; ``dbcs.xlsx`` (its sheet named
``dbcs``, else its first sheet); a sheet named ``dbcs`` (case and surrounding spaces aside) of
any other ``.xlsx`` in the folder, e.g. ``data.xlsx`` with the sheets ``hospitals``,
``insurers``, ``prices``, ``dbcs``. A workbook with no sheet named after a table is ignored, as
any other file is; so is Excel's lock file ``~$data.xlsx``. Found in two places, the table is
refused: ``dbcs.csv:0: (file): dbcs is in both dbcs.csv and dbcs.xlsx; keep one of them``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from spreiding.contract.files import OPTIONAL_FILES, SPECS, read_csv
from spreiding.contract.workbooks import SOURCE, label, read_sheet, sheet_names
from spreiding.domain.errors import DatasetError


@dataclass(frozen=True)
class Source:
    """A CSV file (``sheet`` None) or one sheet of a workbook."""

    path: Path
    sheet: str | None = None

    def __str__(self) -> str:
        return self.path.name if self.sheet is None else label(self.path, self.sheet)


@dataclass(frozen=True)
class Sources:
    """Per table (``SPECS``' names) where it is; None where it is in no place, or in more than
    one (already reported), or may be in a workbook that cannot be read (reported)."""

    found: dict[str, Source | None]
    workbooks: tuple[Path, ...]
    unreadable: bool
    doubled: frozenset[str]


def _is_workbook(path: Path) -> bool:
    return path.is_file() and path.suffix == ".xlsx" and not path.name.startswith("~$")


def locate(folder: Path, errors: list[DatasetError]) -> Sources:
    """Where each table of ``folder`` is; a table in two places is reported here."""
    tables = {name: spec.name.removesuffix(".csv") for name, spec in SPECS.items()}
    books = sorted(p for p in folder.glob("*.xlsx") if _is_workbook(p))
    sheets: dict[Path, list[str]] = {}
    unreadable = False
    for book in books:
        names, error = sheet_names(book)
        if error is not None:
            errors.append(error)
            unreadable = True
        sheets[book] = names
    others = [b for b in books if b.stem not in tables.values()]
    found: dict[str, Source | None] = {}
    doubled: set[str] = set()
    for name, stem in tables.items():
        places: list[Source] = []
        if (folder / SPECS[name].name).is_file():
            places.append(Source(folder / SPECS[name].name))
        own = folder / f"{stem}.xlsx"
        if sheets.get(own):
            named = [s for s in sheets[own] if s.strip().casefold() == stem]
            places.append(Source(own, (named or sheets[own])[0]))
        for book in others:
            places += [Source(book, s) for s in sheets[book] if s.strip().casefold() == stem]
        if len(places) > 1:
            where = " and ".join(str(p) for p in places)
            message = f"{stem} is in both {where}; keep one of them"
            errors.append(DatasetError(SPECS[name].name, 0, "(file)", message))
            doubled.add(name)
        found[name] = places[0] if len(places) == 1 else None
    return Sources(found, tuple(others), unreadable, frozenset(doubled))


def read_tables(
    folder: Path, errors: list[DatasetError], notes: list[str] | None = None
) -> dict[str, pd.DataFrame | None]:
    """The raw frame of every table of ``folder`` (None where it could not be read, or is an
    optional table that is not there), wherever each is; errors and notes as ``read_csv``."""
    sources = locate(folder, errors)
    return {name: _read(folder, name, sources, errors, notes) for name in SPECS}


def read_table(folder: Path, name: str) -> pd.DataFrame | None:
    """The raw frame of one table of ``folder``, wherever it is (None when it cannot be read)."""
    errors: list[DatasetError] = []
    return _read(folder, name, locate(folder, errors), errors, None)


def source_of(frame: pd.DataFrame, name: str) -> str:
    """How errors name the place ``frame`` was read from: ``dbcs.csv``, ``data.xlsx[dbcs]``."""
    return str(frame.attrs.get(SOURCE, SPECS[name].name))


def _read(
    folder: Path,
    name: str,
    sources: Sources,
    errors: list[DatasetError],
    notes: list[str] | None,
) -> pd.DataFrame | None:
    spec = SPECS[name]
    source = sources.found[name]
    if source is None:
        if name in sources.doubled or sources.unreadable:
            return None  # in two places, or perhaps in the workbook that cannot be read
        if sources.workbooks and spec.name not in OPTIONAL_FILES:
            books = ", ".join(b.name for b in sources.workbooks)
            stem = spec.name.removesuffix(".csv")
            message = f"required file is missing, and no sheet of {books} is named {stem}"
            errors.append(DatasetError(spec.name, 0, "(file)", message))
            return None
        return read_csv(folder, spec, errors, notes)
    if source.sheet is None:
        return read_csv(folder, spec, errors, notes)
    return read_sheet(source.path, source.sheet, spec, errors)
