"""What every command shares: the two consoles, the exit code of a refusal, options."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from spreiding.domain.dataset import Dataset
from spreiding.domain.errors import DatasetConflict, DatasetInvalid

out = Console(highlight=False, soft_wrap=True, emoji=False)
err = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)

INVALID = 2
SAMPLE_YEAR = 2024  # the year the samples model

DataDir = Annotated[Path, typer.Argument(help="A dataset folder (CONTRACT §1).")]


class Format(StrEnum):
    json = "json"
    table = "table"


FormatOption = Annotated[Format, typer.Option("--format", help="json or table.")]


def refuse(exc: DatasetInvalid | DatasetConflict, what: str) -> typer.Exit:
    """Every error or conflict on stderr, then a count; the exit of a refused dataset."""
    for line in str(exc).splitlines():
        err.print(line, markup=False)
    count = len(exc.errors) if isinstance(exc, DatasetInvalid) else len(exc.conflicts)
    err.print(f"{what}: {count} {'error' if isinstance(exc, DatasetInvalid) else 'conflict'}(s)")
    return typer.Exit(INVALID)


def fail(exc: Exception) -> typer.Exit:
    """A refused request on one run: its message on stderr."""
    err.print(str(exc), markup=False)
    return typer.Exit(INVALID)


def at_terminal() -> bool:
    """Whether a person can answer a question: stdin is a terminal, not a pipe or a file."""
    return sys.stdin.isatty()


def names(dataset: Dataset) -> dict[str, str]:
    """AGB to name of a dataset's hospitals."""
    return dict(zip(dataset.hospitals["agb"], dataset.hospitals["name"], strict=True))
