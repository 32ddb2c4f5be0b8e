"""What every command shares: the two consoles, the exit code of a refusal, options."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console
from sqlalchemy import Engine, make_url
from sqlalchemy.exc import ArgumentError, InterfaceError, NoSuchModuleError, OperationalError

from spreiding.config import Settings
from spreiding.domain.dataset import Dataset
from spreiding.domain.errors import DatasetConflict, DatasetInvalid
from spreiding.store.database import MigrationNotPermitted, make_engine, open_database

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


def settings() -> Settings:
    """The configuration, or one line naming the setting that is wrong and exit 2."""
    try:
        return Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        name = "SPREIDING_" + "_".join(str(part) for part in first["loc"]).upper()
        err.print(f"{name}: {first['msg']}", markup=False)
        raise typer.Exit(INVALID) from None


@contextmanager
def database(url: str | None = None, *, migrate_as_owner: bool = False) -> Iterator[Engine]:
    """``open_database`` on the configured URL (or ``url``). A URL that cannot be parsed,
    names an unknown driver or one not installed, a server or database that cannot be
    reached, or a schema this role may not migrate: one line on stderr (the password hidden)
    and exit 2, instead of a traceback. Errors of the command's own work are not caught here."""
    if url is None:
        configured = settings()
        app_url, name = configured.database_url, "SPREIDING_DATABASE_URL"
        owner_url = configured.migration_database_url if migrate_as_owner else None
    else:
        app_url, name, owner_url = url, "the database URL", None
    _usable(name, app_url)
    if owner_url is not None:
        _usable("SPREIDING_MIGRATION_DATABASE_URL", owner_url)
    with ExitStack() as stack:
        try:
            engine = stack.enter_context(open_database(app_url, migration_url=owner_url))
        except MigrationNotPermitted as exc:
            raise fail(exc) from None
        except (OperationalError, InterfaceError) as exc:
            # Opening connects first as the owner when it migrates, else as the application.
            shown = shown_url(owner_url or app_url)
            reason = " ".join(str(exc.orig).split("\n")[0].split())
            err.print(f"cannot open the database at {shown}: {reason}", markup=False)
            raise typer.Exit(INVALID) from None
        yield engine


def shown_url(url: str) -> str:
    """``url`` with its password hidden, also when it cannot be parsed."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        # scheme:[//]user:password@…: the password, however the rest is malformed
        return re.sub(r"^([^:]*:/*[^:/@]*:)[^@]*@", r"\1***@", url)


def _usable(name: str, url: str) -> None:
    """Whether SQLAlchemy can make an engine of ``url`` (nothing is connected yet)."""
    try:
        make_engine(url).dispose()
    except NoSuchModuleError:  # an ArgumentError: first
        message = (
            f"{name} names a database driver spreiding does not know: "
            f"{make_url(url).drivername} in {shown_url(url)} (sqlite or postgresql+psycopg)"
        )
    except (ArgumentError, ValueError):
        message = (
            f"{name} is not a database URL: {shown_url(url)!r} "
            "(e.g. sqlite:///spreiding.db or postgresql+psycopg://user@host/database)"
        )
    except ImportError as exc:
        message = (
            f"{name} needs the Python module {exc.name}, which is not installed: "
            f"{shown_url(url)} (use postgresql+psycopg)"
        )
    else:
        return
    err.print(message, markup=False)
    raise typer.Exit(INVALID)


def now() -> datetime:
    """The present, in UTC: when a key is issued or revoked (a test fixes it)."""
    return datetime.now(UTC)


def at_terminal() -> bool:
    """Whether a person can answer a question: stdin is a terminal, not a pipe or a file."""
    return sys.stdin.isatty()


def names(dataset: Dataset) -> dict[str, str]:
    """AGB to name of a dataset's hospitals."""
    return dict(zip(dataset.hospitals["agb"], dataset.hospitals["name"], strict=True))
