"""What every command shares: the two consoles, the exit code of a refusal, options, the
output format chosen by where stdout goes, and progress bars at a terminal."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text
from sqlalchemy import Engine, make_url
from sqlalchemy.exc import ArgumentError, InterfaceError, NoSuchModuleError, OperationalError

from spreiding.config import Settings
from spreiding.domain.dataset import Dataset
from spreiding.domain.errors import DatasetConflict, DatasetInvalid
from spreiding.render.csvout import CsvDialect, default_dialect
from spreiding.render.i18n import N_, _
from spreiding.store.database import MigrationNotPermitted, make_engine, open_database

out = Console(highlight=False, soft_wrap=True, emoji=False)
err = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)

INVALID = 2
F = TypeVar("F", bound=StrEnum)
SAMPLE_YEAR = 2024  # the year the samples model

DataDir = Annotated[Path, typer.Argument(help=N_("A dataset folder (docs/data-format.md §1)."))]


class Format(StrEnum):
    json = "json"
    table = "table"


FormatOption = Annotated[
    Format | None,
    typer.Option(
        "--format", help=N_("json or table; without it a table at a terminal, JSON in a pipe.")
    ),
]
CsvDialectOption = Annotated[
    CsvDialect | None,
    typer.Option(
        "--csv-dialect",
        help=N_(
            "standard (, and a decimal point) or excel-nl (; a decimal comma, BOM, CRLF); "
            "without it excel-nl where the locale is Dutch (LANG=nl_NL…)."
        ),
    ),
]


def stdout_is_terminal() -> bool:
    """Whether a person reads stdout (a table), rather than a pipe or a file (JSON)."""
    return sys.stdout.isatty()


def chosen_format(given: F | None, table: F, json: F) -> F:
    """``--format`` when given; else a table at a terminal and JSON in a pipe or file."""
    if given is not None:
        return given
    return table if stdout_is_terminal() else json


def chosen_dialect(given: CsvDialect | None) -> CsvDialect:
    """``--csv-dialect`` when given; else by the user's locale."""
    return given if given is not None else default_dialect(os.environ)


def refuse(exc: DatasetInvalid | DatasetConflict, what: str) -> typer.Exit:
    """Every error or conflict on stderr, then a count; the exit of a refused dataset."""
    for line in str(exc).splitlines():
        err.print(line, markup=False)
    if isinstance(exc, DatasetInvalid):
        counted = _("{what}: {count} error(s)").format(what=what, count=len(exc.errors))
    else:
        counted = _("{what}: {count} conflict(s)").format(what=what, count=len(exc.conflicts))
    err.print(counted, markup=False)
    return typer.Exit(INVALID)


class RateColumn(ProgressColumn):
    """Steps per second, as far as known."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("" if speed is None else _("{rate:.1f}/s").format(rate=speed))


def progress_bar(*, transient: bool = False) -> Progress:
    """A bar on stderr with the count, the rate, the time spent and the time left; shown only
    when stderr is a terminal, so pipes and logs stay clean."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        RateColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err,
        disable=not err.is_terminal,
        transient=transient,
    )


@contextmanager
def steps(description: str, total: int) -> Iterator[Callable[[], None]]:
    """A progress bar over ``total`` steps of one command; yields the function that marks a
    step done."""
    with progress_bar(transient=True) as bar:
        task = bar.add_task(description, total=total)
        yield lambda: bar.advance(task)


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
        app_url, name, owner_url = url, _("the database URL"), None
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
            message = _("cannot open the database at {url}: {reason}")
            err.print(message.format(url=shown, reason=reason), markup=False)
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
        message = _(
            "{name} names a database driver spreiding does not know: "
            "{driver} in {url} (sqlite or postgresql+psycopg)"
        ).format(name=name, driver=make_url(url).drivername, url=shown_url(url))
    except (ArgumentError, ValueError):
        message = _(
            "{name} is not a database URL: {url} "
            "(e.g. sqlite:///spreiding.db or postgresql+psycopg://user@host/database)"
        ).format(name=name, url=repr(shown_url(url)))
    except ImportError as exc:
        message = _(
            "{name} needs the Python module {module}, which is not installed: "
            "{url} (use postgresql+psycopg)"
        ).format(name=name, module=exc.name, url=shown_url(url))
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
