"""``log``: the event log: check its chain, list its events."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from spreiding.cli.common import database, err, out
from spreiding.render.ledger import event_to_dict, events_table, to_json
from spreiding.services import trail
from spreiding.services.access import OPERATOR

log_app = typer.Typer(no_args_is_help=True, help="The event log: every state change, chained.")


class Shown(StrEnum):
    table = "table"
    json = "json"


BROKEN = 1  # the chain does not hold: not a refused request (2) but a finding


@log_app.command("verify")
def log_verify() -> None:
    """Recompute the hash chain over every event; exit 1 naming the first event that breaks
    it."""
    with database() as engine, engine.connect() as connection:
        count, broken = trail.verify_log(connection, OPERATOR)
    if broken is not None:
        err.print(f"chain broken at {broken}", markup=False)
        raise typer.Exit(BROKEN)
    out.print(f"{count} events, chain intact", markup=False)


@log_app.command("list")
def log_list(
    kind: Annotated[str | None, typer.Option(help="Only events of this kind.")] = None,
    subject: Annotated[str | None, typer.Option(help="Only events about this (run:3).")] = None,
    after: Annotated[int, typer.Option(min=0, help="Only events after this number.")] = 0,
    limit: Annotated[int, typer.Option(min=1, help="At most this many.")] = 1000,
    format_: Annotated[Shown, typer.Option("--format", help="table or json.")] = Shown.table,
) -> None:
    """The events, oldest first."""
    with database() as engine, engine.connect() as connection:
        found = trail.list_events(
            connection, OPERATOR, kind=kind, subject=subject, after=after, limit=limit
        )
    if format_ is Shown.json:
        typer.echo(to_json([event_to_dict(e) for e in found]), nl=False)
    else:
        typer.echo(events_table(found), nl=False)
