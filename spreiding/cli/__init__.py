"""The ``spreiding`` command: the composition root that wires the layers together.

It may import ``spreiding``, ``settlement`` and ``api``; nothing imports it.
"""

from __future__ import annotations

from enum import StrEnum
from importlib.metadata import version as installed_version
from typing import Annotated

import typer

from spreiding.cli import (
    bureau,
    data,
    demo,
    invoices,
    keys,
    payments,
    runs,
    server,
    settle,
    trail,
    volumes,
)
from spreiding.cli import formats as formats_cli
from spreiding.cli import hours as hours_cli
from spreiding.cli import simulate as simulate_cli
from spreiding.cli.fhir import fhir_app
from spreiding.cli.localise import LocalisedGroup
from spreiding.render.i18n import N_

HELP = N_(
    "Settle and audit the care Dutch hospitals spread between them (spreiding van msz).\n\n"
    "Check a dataset folder with `spreiding validate MAP`, store it with `spreiding import "
    "MAP`, settle a year with `spreiding settle --year 2024` and audit the declarations with "
    "`spreiding audit --year 2024`. Add `--data MAP` to work on the files without storing "
    "anything. At a terminal the results are tables; in a pipe or with `--format json` they "
    "are JSON.\n\n"
    "The database is SPREIDING_DATABASE_URL (default: spreiding.db in this folder). Messages "
    "are Dutch; `--lang en` (or an English LANG) gives English. User guide: docs/user-guide.md."
)


class Lang(StrEnum):
    nl = "nl"
    en = "en"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"spreiding {installed_version('spreiding')}")
        raise typer.Exit()


app = typer.Typer(
    cls=LocalisedGroup,
    no_args_is_help=True,
    add_completion=True,
    help=HELP,
    rich_markup_mode="markdown",
)


@app.callback()
def main(
    lang: Annotated[
        Lang | None,
        typer.Option(
            "--lang",
            help=N_("Language of messages and help: nl or en (default: the locale, else nl)."),
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help=N_("Show the version and stop.")
        ),
    ] = False,
) -> None:
    # The language was chosen before parsing (``localise.LocalisedGroup``); nothing to do.
    del lang, version


# Registered in the order ``spreiding --help`` lists them.
app.command(help=N_("Check a dataset folder against the contract; exit 2 with every error."))(
    data.validate
)
app.command("init-db", help=N_("Create or upgrade the database schema."))(data.init_db)
app.command(
    "import", help=N_("Check a dataset and store it whole in one transaction, or nothing.")
)(data.import_)
app.command(help=N_("Import, settle and audit every sample in a fresh demo database."))(demo.demo)
app.command("settle", help=N_("Settle the ODV DBCs of a year at benchmark prices."))(settle.settle_)
app.command("audit", help=N_("Audit the declarations of a year against the agreements."))(
    settle.audit_
)
app.command("volumes", help=N_("Planned volumes and ceilings against what a year settled."))(
    volumes.volumes_
)
app.command("simulate", help=N_("What an agreement would move: from plan, replayed, by share."))(
    simulate_cli.simulate
)
app.add_typer(runs.runs_app, name="runs")
app.add_typer(bureau.agreements_app, name="agreements")
app.add_typer(bureau.transfers_app, name="transfers")
app.add_typer(hours_cli.hours_app, name="hours")
app.command(help=N_("Serve the HTTP API on the configured database."))(server.serve)
app.add_typer(keys.keys_app, name="keys")
app.add_typer(trail.log_app, name="log")
app.add_typer(payments.payments_app, name="payments")
app.add_typer(invoices.invoices_app, name="invoices")
formats_cli.register(app)
app.add_typer(fhir_app, name="fhir")
