"""``spreiding fhir export`` and ``spreiding fhir agreements``: FHIR R4 Bundles
(``spreiding.services.fhir``) written as JSON files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from spreiding.cli.common import database, fail, out
from spreiding.formats.fhir import dumps
from spreiding.render.i18n import N_, _
from spreiding.services import fhir
from spreiding.services.access import OPERATOR
from spreiding.services.errors import NotFound

fhir_app = typer.Typer(
    no_args_is_help=True,
    help=N_("FHIR R4 export: agreements as Contract, settled lines as ChargeItem, invoices."),
)


def _write(path: Path, bundle: dict[str, object]) -> None:
    path.write_text(dumps(bundle), encoding="utf-8")
    out.print(_("wrote {path}").format(path=path), markup=False)


@fhir_app.command(
    "export",
    help=N_(
        "Write a run's settled lines (chargeitems.json) and invoices (invoices.json) as FHIR "
        "R4 Bundles into DIR."
    ),
)
def fhir_export(
    run: Annotated[int, typer.Option("--run", min=1, help=N_("The run."))],
    out_dir: Annotated[Path, typer.Option("--out", help=N_("The folder to write into."))],
) -> None:
    try:
        with database() as engine, engine.connect() as connection:
            bundles = fhir.run_bundles(connection, OPERATOR, run)
    except NotFound as exc:
        raise fail(exc) from None
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, bundle in bundles.items():
        _write(out_dir / f"{name}.json", bundle)


@fhir_app.command(
    "agreements", help=N_("Write the stored agreements as a FHIR R4 Bundle of Contracts to F.")
)
def fhir_agreements(
    out_file: Annotated[Path, typer.Option("--out", help=N_("The file to write."))],
) -> None:
    with database() as engine, engine.connect() as connection:
        bundle = fhir.agreements_bundle(connection, OPERATOR)
    _write(out_file, bundle)
