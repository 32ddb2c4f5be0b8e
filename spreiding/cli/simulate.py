"""``simulate``: what an agreement would move in a year, from its plan, replayed on the year's
real DBCs, and over a range of shares and volumes (issue 12). Nothing is stored."""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated

import typer

from settlement.simulation import PlannedHours, steps
from spreiding.cli.common import Format, FormatOption, chosen_format, database, fail, refuse
from spreiding.domain.errors import DatasetError, DatasetInvalid
from spreiding.domain.years import FIRST_YEAR, LAST_YEAR
from spreiding.render.i18n import N_, _
from spreiding.render.simulation import report_table, report_to_json, sensitivity_svg
from spreiding.render.simulation_pdf import render_simulation
from spreiding.services import datasets, simulation
from spreiding.services.access import OPERATOR
from spreiding.services.errors import NotFound


def parse_shares(text: str) -> tuple[Decimal, ...]:
    """``0.80:1.00:0.05`` (first:last:step) or one share ``0.90``."""
    try:
        parts = [Decimal(p) for p in text.split(":")]
        if len(parts) == 1:
            return (parts[0],)
        if len(parts) == 3:
            return steps(parts[0], parts[1], parts[2])
    except (InvalidOperation, ValueError):
        pass
    raise typer.BadParameter(_("expected FIRST:LAST:STEP, e.g. 0.80:1.00:0.05"))


def parse_volumes(text: str) -> tuple[int, ...]:
    """``-20:20:10`` (percent first:last:step) or one change ``10``."""
    try:
        parts = [int(p) for p in text.split(":")]
        if len(parts) == 1:
            return (parts[0],)
        if len(parts) == 3 and parts[2] > 0 and parts[0] <= parts[1]:
            return tuple(range(parts[0], parts[1] + 1, parts[2]))
    except ValueError:
        pass
    raise typer.BadParameter(_("expected FIRST:LAST:STEP in percent, e.g. -20:20:10"))


def parse_hours(entries: list[str]) -> tuple[PlannedHours, ...]:
    """``EMPLOYER,HOST,ROLE,HOURS`` each, e.g. ``06010101,06010102,medisch-specialist,120.5``."""
    out = []
    for entry in entries:
        parts = entry.split(",")
        try:
            hours = Decimal(parts[3]) if len(parts) == 4 else None
        except InvalidOperation:
            hours = None
        if hours is None or hours != hours.quantize(Decimal("0.01")) or hours <= 0:
            raise typer.BadParameter(
                _("expected EMPLOYER,HOST,ROLE,HOURS (hours > 0, two decimals at most)")
            )
        out.append(PlannedHours(parts[0], parts[1], parts[2], int(hours * 100)))
    return tuple(out)


def simulate(
    year: Annotated[
        int,
        typer.Option("--year", min=FIRST_YEAR, max=LAST_YEAR, help=N_("The year (four digits).")),
    ],
    data: Annotated[
        Path | None,
        typer.Option("--data", help=N_("A dataset folder; without it, the configured database.")),
    ] = None,
    agreement_file: Annotated[
        Path | None,
        typer.Option(
            "--agreement-file",
            help=N_("A draft: one agreement as a JSON object in the contract's shape."),
        ),
    ] = None,
    agreement_id: Annotated[
        str | None,
        typer.Option("--agreement-id", help=N_("A stored agreement, at any stage.")),
    ] = None,
    replay: Annotated[
        bool,
        typer.Option("--replay", help=N_("Also settle the year's real DBCs with it in force.")),
    ] = False,
    shares: Annotated[
        str | None,
        typer.Option("--shares", help=N_("Shares to try, FIRST:LAST:STEP (0.80:1.00:0.05).")),
    ] = None,
    volumes: Annotated[
        str | None,
        typer.Option("--volumes", help=N_("Volume changes in percent, FIRST:LAST:STEP.")),
    ] = None,
    home: Annotated[
        str | None,
        typer.Option("--home", help=N_("The requesting hospital of the planned care (AGB).")),
    ] = None,
    hours: Annotated[
        list[str] | None,
        typer.Option("--hours", help=N_("Planned hours EMPLOYER,HOST,ROLE,HOURS (repeatable).")),
    ] = None,
    format_: FormatOption = None,
    pdf: Annotated[
        Path | None, typer.Option("--pdf", help=N_("Write the board's summary (PDF) here."))
    ] = None,
    svg: Annotated[
        Path | None, typer.Option("--svg", help=N_("Write the sensitivity chart (SVG) here."))
    ] = None,
) -> None:
    """What an agreement would move in a year: per hospital receivable, payable, net and the
    change, from its planned volumes, on the year's real DBCs (--replay), and over shares and
    volumes. Nothing is stored."""
    if (agreement_file is None) == (agreement_id is None):
        raise typer.BadParameter(_("give exactly one of --agreement-file and --agreement-id"))
    draft = None
    source = "request"
    if agreement_file is not None:
        source = str(agreement_file)
        try:
            loaded = json.loads(agreement_file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            error = DatasetError(source, 0, "(json)", f"cannot be read: {exc}")
            raise refuse(DatasetInvalid([error]), source) from None
        draft = loaded[0] if isinstance(loaded, list) and len(loaded) == 1 else loaded
    request = simulation.SimulationRequest(
        year=year,
        draft=draft,
        agreement_id=agreement_id,
        replay=replay,
        shares=parse_shares(shares) if shares else (),
        volumes=parse_volumes(volumes) if volumes else (),
        home_agb=home,
        hours=parse_hours(hours or []),
        source=source,
    )
    try:
        if data is None:
            # Read only: nothing is stored, no event is recorded.
            with database() as engine, engine.connect() as connection:
                report = simulation.simulate_stored(connection, OPERATOR, request)
        else:
            report = simulation.simulate_dataset(datasets.read_folder(data), request)
    except DatasetInvalid as exc:
        raise refuse(exc, _("{what}: invalid").format(what=data or source)) from None
    except NotFound as exc:
        raise fail(exc) from None
    shown = chosen_format(format_, Format.table, Format.json)
    if shown is Format.json:
        typer.echo(report_to_json(report), nl=False)
    else:
        typer.echo(report_table(report), nl=False)
    if pdf is not None:
        pdf.write_bytes(render_simulation(report))
    if svg is not None:
        title = f"Saldo per ziekenhuis, {report.agreement.name} {year}"
        svg.write_text(
            sensitivity_svg(report.sensitivity, names=report.names, title=title), encoding="utf-8"
        )
