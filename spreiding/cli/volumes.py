"""``volumes`` of a year: of a dataset folder, or of the database (computed, not stored)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from spreiding.cli.common import Format, FormatOption, chosen_format, database, refuse
from spreiding.domain.errors import DatasetInvalid
from spreiding.domain.years import FIRST_YEAR, LAST_YEAR
from spreiding.render.i18n import N_, _
from spreiding.render.volumes import volumes_table, volumes_to_json
from spreiding.services import datasets, volumes
from spreiding.services.access import OPERATOR


def volumes_(
    year: Annotated[
        int,
        typer.Option("--year", min=FIRST_YEAR, max=LAST_YEAR, help=N_("The year (four digits).")),
    ],
    data: Annotated[
        Path | None,
        typer.Option("--data", help=N_("A dataset folder; without it, the configured database.")),
    ] = None,
    format_: FormatOption = None,
) -> None:
    """Planned volumes, patients per week and ceilings against the DBCs settled and the
    transfers performed in a year, per care type (docs/data-format.md §7)."""
    if data is None:
        # Read only: the settlement lines are computed, no run is stored.
        with database() as engine, engine.begin() as connection:
            result = volumes.stored_volumes(connection, OPERATOR, year=year)
    else:
        try:
            dataset = datasets.read_folder(data)
        except DatasetInvalid as exc:
            raise refuse(exc, _("{folder}: invalid").format(folder=data)) from None
        result = volumes.dataset_volumes(dataset, year=year)
    shown = chosen_format(format_, Format.table, Format.json)
    text = volumes_to_json(result) if shown is Format.json else volumes_table(result)
    typer.echo(text, nl=False)
