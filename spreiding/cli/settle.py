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
    CsvDialectOption,
    Format,
    FormatOption,
    chosen_dialect,
    chosen_format,
    database,
    err,
    fail,
    names,
    refuse,
    steps,
)
from spreiding.domain.dataset import Dataset
from spreiding.domain.errors import DatasetInvalid
from spreiding.domain.run_errors import NothingToSettle
from spreiding.domain.years import FIRST_YEAR, LAST_YEAR
from spreiding.render.audit import audit_table, audit_to_csv, audit_to_json, audit_to_xlsx
from spreiding.render.i18n import N_, _
from spreiding.render.settlement import run_summary, settlement_table, settlement_to_json
from spreiding.services import audit, audit_partitions, datasets, reference, settlement
from spreiding.services.access import OPERATOR


class NettingOption(StrEnum):
    bilateral = "bilateral"
    multilateral = "multilateral"


class ExportFormat(StrEnum):
    json = "json"
    table = "table"
    csv = "csv"
    xlsx = "xlsx"


BY_SUFFIX = {
    ".json": ExportFormat.json,
    ".csv": ExportFormat.csv,
    ".xlsx": ExportFormat.xlsx,
    ".txt": ExportFormat.table,
}
DataOption = Annotated[
    Path | None,
    typer.Option("--data", help=N_("A dataset folder; without it, the configured database.")),
]
YearOption = Annotated[
    int,
    typer.Option(
        "--year",
        min=FIRST_YEAR,
        max=LAST_YEAR,
        help=N_("The year to settle or audit (four digits)."),
    ),
]


def _read(folder: Path) -> Dataset:
    try:
        return datasets.read_folder(folder)
    except DatasetInvalid as exc:
        raise refuse(exc, _("{folder}: invalid").format(folder=folder)) from None


def settle_(
    year: YearOption,
    data: DataOption = None,
    netting: Annotated[
        NettingOption,
        typer.Option(
            "--netting",
            help=N_("bilateral: per two hospitals; multilateral: the fewest payments."),
        ),
    ] = NettingOption.bilateral,
    format_: FormatOption = None,
) -> None:
    """Settle the ODV DBCs of a year at benchmark prices (docs/data-format.md §3)."""
    shown = chosen_format(format_, Format.table, Format.json)
    chosen: Netting = NETTINGS[NETTINGS.index(netting.value)]
    hospitals: dict[str, str] = {}
    result: Settlement
    if data is None:
        # On the database a settlement is a run: stored, and reused for the same inputs.
        try:
            with (
                steps(_("settling"), 1) as step,
                database() as engine,
                engine.begin() as connection,
            ):
                settled = settlement.settle_year(connection, OPERATOR, year=year, netting=chosen)
                if settled.result is not None:
                    result = settled.result
                else:  # reused: nothing was computed, the stored run is the answer
                    result = settlement.get_run(connection, OPERATOR, settled.run.run_id).result
                if shown is Format.table:
                    hospitals = reference.hospital_names(connection)
                step()
        except NothingToSettle as exc:
            raise fail(exc) from None
        state = _("created {run}") if settled.created else _("unchanged inputs, existing {run}")
        err.print(state.format(run=run_summary(settled.run)), markup=False)
    else:
        with steps(_("settling"), 2) as step:
            dataset = _read(data)
            step()
            result = settlement.settle_dataset(dataset, year=year, netting=chosen)
            step()
        hospitals = names(dataset)
    if shown is Format.json:
        typer.echo(settlement_to_json(result), nl=False)
    else:
        typer.echo(settlement_table(result, hospitals), nl=False)


def audit_(
    year: YearOption,
    data: DataOption = None,
    format_: Annotated[
        ExportFormat | None,
        typer.Option(
            "--format",
            help=N_(
                "json, table, csv or xlsx (xlsx needs --output); without it a table at a "
                "terminal, JSON in a pipe, and with --output the format its name ends in."
            ),
        ),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", help=N_("Write to this file instead of stdout."))
    ] = None,
    csv_dialect: CsvDialectOption = None,
    part_lines: Annotated[
        int,
        typer.Option(
            "--part-lines",
            min=1,
            help=N_(
                "With --data: audit the declarations in parts of at most this many lines, "
                "checked and audited as they are read, so memory does not grow with the file. "
                "Only a UTF-8 declarations.csv with commas is read in parts; any other (';' "
                "with decimal commas, Windows-1252, a workbook) is read whole. Same findings "
                "either way."
            ),
        ),
    ] = audit_partitions.PART_LINES,
) -> None:
    """Audit the declarations of a year against the agreements and consents
    (docs/data-format.md §4). With ``--data`` a UTF-8 ``declarations.csv`` separated by commas
    is checked and audited in parts of at most ``--part-lines`` lines
    (``audit_partitions.audit_folder``); any other declarations file is read whole by the
    reader: the same errors and the same findings either way."""
    if format_ is None and output is not None:
        # Written to a file: the format its name says (audit.xlsx, audit.csv), else JSON.
        format_ = BY_SUFFIX.get(output.suffix.lower(), ExportFormat.json)
    shown = chosen_format(format_, ExportFormat.table, ExportFormat.json)
    if shown is ExportFormat.xlsx and output is None:
        err.print(_("--format xlsx writes a workbook: give --output FILE.xlsx"), markup=False)
        raise typer.Exit(INVALID)
    if data is None:
        # On the database an audit is a run, stored with its input fingerprint.
        with steps(_("auditing"), 1) as step, database() as engine:
            with engine.begin() as connection:
                audited = audit.audit_year(connection, OPERATOR, year=year)
            findings = audited.findings
            if shown is ExportFormat.xlsx:
                with engine.connect() as connection:
                    details = audit.stored_details(connection, OPERATOR, findings)
            step()
        state = (
            _("created audit run {run_id}: {year}, {count} findings")
            if audited.created
            else _("unchanged inputs, existing audit run {run_id}: {year}, {count} findings")
        )
        message = state.format(run_id=audited.run.run_id, year=year, count=audited.run.findings)
        err.print(message, markup=False)
    else:
        with steps(_("auditing"), 1) as step:
            try:
                audited_folder = audit_partitions.audit_folder(
                    data, year=year, part_lines=part_lines, details=shown is ExportFormat.xlsx
                )
            except DatasetInvalid as exc:
                raise refuse(exc, _("{folder}: invalid").format(folder=data)) from None
            step()
        findings = audited_folder.findings
        if audited_folder.details is not None:
            details = audited_folder.details
    wrote = _("wrote {count} findings to {path}")
    if shown is ExportFormat.xlsx:
        assert output is not None
        output.write_bytes(audit_to_xlsx(findings, year=year, details=details))
        err.print(wrote.format(count=len(findings), path=output), markup=False)
        return
    if shown is ExportFormat.csv:
        text = audit_to_csv(findings, chosen_dialect(csv_dialect))
    elif shown is ExportFormat.table:
        text = audit_table(year, findings)
    else:
        text = audit_to_json(year, findings)
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_bytes(text.encode("utf-8"))
        err.print(wrote.format(count=len(findings), path=output), markup=False)
