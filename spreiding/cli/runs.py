"""``runs``: the settlement runs stored in the database, their statements, finalising one."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import Engine

from spreiding.cli import common
from spreiding.cli.common import (
    INVALID,
    Format,
    FormatOption,
    chosen_format,
    database,
    err,
    fail,
    out,
    progress_bar,
)
from spreiding.domain.run_errors import SettlementError
from spreiding.render.i18n import N_, _
from spreiding.render.settlement import (
    run_summary,
    run_to_json,
    run_to_public,
    runs_table,
    settlement_table,
)
from spreiding.render.statement_batch import page_count, render_statements
from spreiding.services import reference, settlement, signoff, statements
from spreiding.services.access import OPERATOR
from spreiding.services.errors import NotFound
from spreiding.services.statements import RunStatements
from spreiding.store.runs import FinalRunConflict

runs_app = typer.Typer(no_args_is_help=True, help=N_("Settlement runs stored in the database."))
RunId = Annotated[int, typer.Argument(help=N_("The run's id (see `spreiding runs list`)."))]


@runs_app.command("list", help=N_("Every stored run, oldest first."))
def runs_list(format_: FormatOption = None) -> None:
    """Every stored run, oldest first; an empty database says so."""
    with database() as engine, engine.connect() as connection:
        runs = settlement.list_runs(connection, OPERATOR)
    if chosen_format(format_, Format.table, Format.json) is Format.json:
        typer.echo(json.dumps([run_to_public(run) for run in runs], ensure_ascii=False))
        if not runs:
            err.print(_("no runs"), markup=False)
    else:
        typer.echo(runs_table(runs), nl=False)


@runs_app.command(
    "signoff",
    help=N_(
        "Who accepted or disputed each pair of a run (debtor→creditor), with the reasons "
        "and lines of a dispute. Hospitals sign with their own API key."
    ),
)
def runs_signoff(run_id: RunId) -> None:
    try:
        with database() as engine, engine.connect() as connection:
            states = signoff.pair_states(connection, OPERATOR, run_id)
    except (SettlementError, NotFound) as exc:
        raise fail(exc) from None
    for state in states:
        sides = []
        for agb, decision in (
            (state.debtor_agb, state.debtor),
            (state.creditor_agb, state.creditor),
        ):
            if decision is None:
                sides.append(f"{agb}: -")
            elif decision.decision == "accept":
                sides.append(f"{agb}: accept ({decision.actor}, {decision.at})")
            else:
                lines = f" [{', '.join(decision.lines)}]" if decision.lines else ""
                sides.append(
                    f"{agb}: dispute ({decision.actor}, {decision.at}): {decision.reason}{lines}"
                )
        typer.echo(f"{state.debtor_agb}→{state.creditor_agb} {state.status}; " + "; ".join(sides))


@runs_app.command("show", help=N_("A stored run: its id, status, fingerprint and settlement."))
def runs_show(run_id: RunId, format_: FormatOption = None) -> None:
    """A stored run as JSON (its id, status, fingerprint and settlement) or as a table."""
    try:
        with database() as engine, engine.connect() as connection:
            view = settlement.get_run(connection, OPERATOR, run_id)
            names = reference.hospital_names(connection)
    except (SettlementError, NotFound) as exc:
        raise fail(exc) from None
    if chosen_format(format_, Format.table, Format.json) is Format.json:
        typer.echo(run_to_json(view.run, view.result), nl=False)
    else:
        typer.echo(run_summary(view.run))
        typer.echo(settlement_table(view.result, names), nl=False)


@runs_app.command(
    "statements", help=N_("Write the PDF statement of every pair of hospitals in a run.")
)
def runs_statements(
    run_id: RunId,
    out_dir: Annotated[Path, typer.Option("--out", help=N_("Where the PDFs go."))] = Path("out"),
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            min=1,
            help=N_("How many statements to render at once (default: one per core)."),
        ),
    ] = None,
) -> None:
    """Render the PDF statement of every pair of hospitals in a run, with a progress bar."""
    try:
        with database() as engine, engine.connect() as connection:
            every = statements.run_statements(connection, OPERATOR, run_id)
            paths = write_statements(every, out_dir, progress=True, jobs=jobs)
    except (SettlementError, NotFound) as exc:
        raise fail(exc) from None
    message = _("{count} statements written to {folder}")
    out.print(message.format(count=len(paths), folder=out_dir), markup=False)


@runs_app.command(
    "finalise",
    help=N_(
        "Make a draft run final: from then on it cannot change. Asks first, showing the run; "
        "without a terminal only with --yes."
    ),
)
def runs_finalise(
    run_id: RunId,
    yes: Annotated[
        bool, typer.Option("--yes", help=N_("Finalise without asking (for scripts)."))
    ] = False,
    override: Annotated[
        str | None,
        typer.Option(
            "--override",
            help=N_(
                "Finalise although not every pair is accepted by both hospitals; the written "
                "reason is stored in the log (run.override)."
            ),
        ),
    ] = None,
) -> None:
    """Make a draft run final: from then on neither it nor its lines can change. Asks first,
    showing the run; without a terminal to ask at, only with --yes."""
    try:
        with database() as engine:
            if not yes:
                _confirm_finalise(engine, run_id)
            with engine.begin() as connection:
                run = settlement.finalise_run(connection, OPERATOR, run_id, override=override)
    except (SettlementError, FinalRunConflict, NotFound) as exc:
        raise fail(exc) from None
    out.print(_("finalised {run}").format(run=run_summary(run)), markup=False)


def _confirm_finalise(engine: Engine, run_id: int) -> None:
    """Show the run and ask; a final run cannot be undone, so only "y" finalises. The
    question waits outside any transaction."""
    with engine.connect() as connection:
        shown = settlement.visible_run(connection, OPERATOR, run_id)
    if not common.at_terminal():
        message = _(
            "run {run_id} was not finalised: there is no terminal to ask at; "
            "`spreiding runs finalise {run_id} --yes` finalises without asking"
        )
        err.print(message.format(run_id=run_id), markup=False)
        raise typer.Exit(INVALID)
    out.print(run_summary(shown), markup=False)
    if not typer.confirm(_("Finalise?"), default=False):
        err.print(_("run {run_id} was not finalised").format(run_id=run_id), markup=False)
        raise typer.Exit(1)


def write_statements(
    every: RunStatements, folder: Path, *, progress: bool = False, jobs: int | None = None
) -> list[Path]:
    """Write the PDF of every statement to ``folder``, rendered on ``jobs`` cores (all by
    default); with ``progress``, a bar on stderr and the pages per second at the end."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    pages = 0
    started = time.perf_counter()
    bar = progress_bar()
    bar.disable = bar.disable or not progress
    with render_statements(every.statement, len(every), jobs=jobs) as rendered, bar:
        task = bar.add_task(_("statements"), total=len(every))
        for name, pdf in rendered:
            pages += page_count(pdf)
            path = folder / name
            path.write_bytes(pdf)
            paths.append(path)
            bar.advance(task)
    if progress:
        seconds = time.perf_counter() - started
        message = _(
            "{count} statements, {pages} pages in {seconds:.1f} s: {rate:.1f} pages per second"
        )
        rate = pages / seconds if seconds else 0
        err.print(
            message.format(count=len(paths), pages=pages, seconds=seconds, rate=rate),
            markup=False,
        )
    return paths
