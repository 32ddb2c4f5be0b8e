"""``settle`` and ``audit`` a year: of a dataset folder (computed, not stored) or of the
database (a stored run)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from settlement.engine import NETTINGS, Netting, Settlement
from spreiding.cli.common import (
    INVALID,
    Format,
    FormatOption,
    database,
    err,
    fail,
    names,
    refuse,
)
from spreiding.domain.dataset import Dataset
from spreiding.domain.errors import DatasetInvalid
from spreiding.domain.run_errors import NothingToSettle
from spreiding.domain.years import FIRST_YEAR, LAST_YEAR
from spreiding.render.audit import audit_table, audit_to_csv, audit_to_json, audit_to_xlsx
from spreiding.render.settlement import run_summary, settlement_table, settlement_to_json
from spreiding.services import audit, datasets, reference, settlement
from spreiding.services.access import OPERATOR


class NettingOption(StrEnum):
    bilateral = "bilateral"
    multilateral = "multilateral"


class ExportFormat(StrEnum):
    json = "json"
    table = "table"
    csv = "csv"
    xlsx = "xlsx"


DataOption = Annotated[
    Path | None,
    typer.Option("--data", help="A dataset folder; without it, the configured database."),
]
YearOption = Annotated[
    int,
    typer.Option(
        "--year", min=FIRST_YEAR, max=LAST_YEAR, help="The year to settle or audit (four digits)."
    ),
]


def _read(folder: Path) -> Dataset:
    try:
        return datasets.read_folder(folder)
    except DatasetInvalid as exc:
        raise refuse(exc, f"{folder}: invalid") from None


def settle_(
    year: YearOption,
    data: DataOption = None,
    netting: Annotated[
        NettingOption, typer.Option("--netting", help="bilateral or multilateral.")
    ] = NettingOption.bilateral,
    format_: FormatOption = Format.json,
) -> None:
    """Settle the ODV DBCs of a year at benchmark prices (CONTRACT §3)."""
    chosen: Netting = NETTINGS[NETTINGS.index(netting.value)]
    hospitals: dict[str, str] = {}
    result: Settlement
    if data is None:
        # On the database a settlement is a run: stored, and reused for the same inputs.
        try:
            with database() as engine, engine.begin() as connection:
                settled = settlement.settle_year(connection, OPERATOR, year=year, netting=chosen)
                if settled.result is not None:
                    result = settled.result
                else:  # reused: nothing was computed, the stored run is the answer
                    result = settlement.get_run(connection, OPERATOR, settled.run.run_id).result
                if format_ is Format.table:
                    hospitals = reference.hospital_names(connection)
        except NothingToSettle as exc:
            raise fail(exc) from None
        state = "created " if settled.created else "unchanged inputs, existing "
        err.print(state + run_summary(settled.run))
    else:
        dataset = _read(data)
        result = settlement.settle_dataset(dataset, year=year, netting=chosen)
        hospitals = names(dataset)
    if format_ is Format.json:
        typer.echo(settlement_to_json(result), nl=False)
    else:
        typer.echo(settlement_table(result, hospitals), nl=False)


def audit_(
    year: YearOption,
    data: DataOption = None,
    format_: Annotated[
        ExportFormat, typer.Option("--format", help="json, table, csv or xlsx (needs --output).")
    ] = ExportFormat.json,
    output: Annotated[
        Path | None, typer.Option("--output", help="Write to this file instead of stdout.")
    ] = None,
) -> None:
    """Audit the declarations of a year against the agreements and consents (CONTRACT §4)."""
    if data is None:
        # On the database an audit is a run, stored with its input fingerprint.
        with database() as engine, engine.begin() as connection:
            audited = audit.audit_year(connection, OPERATOR, year=year)
        findings = audited.findings
        state = "created" if audited.created else "unchanged inputs, existing"
        err.print(
            f"{state} audit run {audited.run.run_id}: {year}, {audited.run.findings} findings",
            markup=False,
        )
    else:
        findings = audit.audit_dataset(_read(data), year=year)
    if format_ is ExportFormat.xlsx:
        if output is None:
            err.print("--format xlsx writes a workbook: give --output FILE.xlsx")
            raise typer.Exit(INVALID)
        output.write_bytes(audit_to_xlsx(findings))
        err.print(f"wrote {len(findings)} findings to {output}", markup=False)
        return
    text = {
        ExportFormat.json: audit_to_json,
        ExportFormat.table: audit_table,
        ExportFormat.csv: lambda _year, found: audit_to_csv(found),
    }[format_](year, findings)
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        err.print(f"wrote {len(findings)} findings to {output}", markup=False)
