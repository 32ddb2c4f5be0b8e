"""Errors in a dataset, in the contract's format ``FILE:LINE: COLUMN: message``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

# The order in which files are read and reported (docs/data-format.md §1).
FILE_ORDER = (
    "hospitals.csv",
    "insurers.csv",
    "agreements.json",
    "prices.csv",
    "dbcs.csv",
    "declarations.csv",
    "transfers.csv",
    "hours.csv",
)


@dataclass(frozen=True, order=True)
class DatasetError:
    """One thing wrong in one place. ``line`` counts the header as 1 (0: the file itself);
    for ``agreements.json`` it is the agreement's index in the list and ``column`` the field
    path within it."""

    file: str
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.column}: {self.message}"

    def sort_key(self) -> tuple[int, int, str, str]:
        return (_rank(self.file), self.line, self.column, self.message)


def _rank(file: str) -> int:
    """The place of ``file`` in ``FILE_ORDER``; a table read from a workbook ranks as its CSV
    file: ``dbcs.xlsx[Blad1]`` by the workbook's name, ``data.xlsx[dbcs]`` by the sheet's."""
    book, _, sheet = file.partition("[")
    for name in (file, book.removesuffix(".xlsx") + ".csv", sheet.removesuffix("]") + ".csv"):
        if name.strip().casefold() in FILE_ORDER:
            return FILE_ORDER.index(name.strip().casefold())
    return len(FILE_ORDER)


class DatasetInvalid(Exception):
    """A dataset that breaks the contract; ``errors`` lists every breach, sorted."""

    def __init__(self, errors: Iterable[DatasetError]):
        self.errors = sorted(set(errors), key=DatasetError.sort_key)
        super().__init__(f"{len(self.errors)} error(s) in dataset")

    def __str__(self) -> str:
        return "\n".join(str(error) for error in self.errors)


class DatasetConflict(Exception):
    """A dataset whose rows have the key of stored rows but other values."""

    def __init__(self, conflicts: Iterable[str]):
        self.conflicts = list(conflicts)
        super().__init__(f"{len(self.conflicts)} conflict(s) with stored data")

    def __str__(self) -> str:
        return "\n".join(self.conflicts)
