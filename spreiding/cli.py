"""The ``spreiding`` command: the composition root that wires the layers together.

It may import ``spreiding``, ``settlement`` and ``api``; nothing imports it.
"""

from __future__ import annotations

import re
import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import Connection, Engine, make_url
from sqlalchemy.exc import IntegrityError

from settlement.audit.rules import audit
from settlement.engine import NETTINGS, Netting, settle
from settlement.statement import build_statement, pairs_of
from spreiding.config import Settings
from spreiding.contract.reader import read_dataset
from spreiding.domain.access import InvalidKeyRequest
from spreiding.domain.dataset import Dataset
from spreiding.domain.errors import DatasetConflict, DatasetInvalid
from spreiding.domain.run_errors import SettlementError
from spreiding.render.audit import audit_table, audit_to_csv, audit_to_json, audit_to_xlsx
from spreiding.render.settlement import (
    run_summary,
    run_to_json,
    settlement_table,
    settlement_to_json,
)
from spreiding.render.statement_pdf import render_statement, statement_file_name
from spreiding.services.audits import run_audit
from spreiding.services.runs import finalise, load_run, run_year
from spreiding.store import visibility as queries
from spreiding.store.audits import AuditStore
from spreiding.store.database import open_database
from spreiding.store.datasets import import_dataset, load_dataset
from spreiding.store.keys import create_key
from spreiding.store.runs import FinalRunConflict, RunStore

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)
out = Console(highlight=False, soft_wrap=True, emoji=False)
err = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
INVALID = 2
SAMPLE_YEAR = 2024  # the year the samples model
PAGE = re.compile(rb"/Type /Page(?!s)")  # a page object in a PDF (not the /Pages tree)

DataDir = Annotated[Path, typer.Argument(help="A dataset folder (CONTRACT §1).")]


def _refuse(exc: DatasetInvalid | DatasetConflict, what: str) -> typer.Exit:
    for line in str(exc).splitlines():
        err.print(line, markup=False)
    count = len(exc.errors) if isinstance(exc, DatasetInvalid) else len(exc.conflicts)
    err.print(f"{what}: {count} {'error' if isinstance(exc, DatasetInvalid) else 'conflict'}(s)")
    return typer.Exit(INVALID)


@app.command()
def validate(folder: DataDir) -> None:
    """Check a dataset folder against the contract; exit 2 with every error on stderr."""
    try:
        dataset = read_dataset(folder)
    except DatasetInvalid as exc:
        raise _refuse(exc, f"{folder}: invalid") from None
    out.print(f"{folder}: valid — {dataset.summary()}", markup=False)


@app.command("init-db")
def init_db() -> None:
    """Create or upgrade the database schema (alembic upgrade head)."""
    settings = Settings()
    with open_database(settings.database_url):
        pass
    out.print(f"database at {_display(settings.database_url)} is at the latest schema")


@app.command("import")
def import_(folder: DataDir) -> None:
    """Validate a dataset and store it whole in one transaction, or store nothing."""
    settings = Settings()
    try:
        dataset = read_dataset(folder)
    except DatasetInvalid as exc:
        raise _refuse(exc, f"{folder}: invalid, nothing stored") from None
    try:
        with open_database(settings.database_url) as engine, engine.begin() as connection:
            report = import_dataset(connection, dataset)
    except DatasetConflict as exc:
        raise _refuse(exc, f"{folder}: conflicts with stored data, nothing stored") from None
    out.print(f"{folder}: imported — {report.summary()}", markup=False)


@app.command()
def demo(
    samples: Annotated[Path, typer.Option(help="The folder of sample datasets.")] = SAMPLES,
    out_dir: Annotated[Path, typer.Option("--out", help="Where the demo writes.")] = Path("out"),
) -> None:
    """Validate and import every sample into a fresh local SQLite database and show it."""
    out_dir.mkdir(parents=True, exist_ok=True)
    database = out_dir / "demo.db"
    database.unlink(missing_ok=True)
    with open_database(f"sqlite:///{database}") as engine:
        _demo(engine, samples)
        with engine.begin() as connection:
            paths = write_statements(connection, year=SAMPLE_YEAR, folder=out_dir / "statements")
    out.rule("statements")
    for path in paths:
        out.print(str(path), markup=False)
    out.print(f"{len(paths)} statements (PDF) written; demo database: {database}", markup=False)


def write_statements(connection: Connection, *, year: int, folder: Path) -> list[Path]:
    """Settle ``year`` on the database (a draft run, or the existing one) and write the PDF
    statement of every pair of hospitals in it."""
    dataset = load_dataset(connection)
    run, _ = run_year(
        RunStore(connection),
        dbcs=dataset.dbcs,
        prices=dataset.prices,
        agreements=dataset.agreements,
        year=year,
    )
    return render_run_statements(connection, run.run_id, folder)


def render_run_statements(
    connection: Connection, run_id: int, folder: Path, *, progress: bool = False
) -> list[Path]:
    """Write the PDF statement of every pair of hospitals in run ``run_id`` to ``folder``."""
    run, result = load_run(RunStore(connection), run_id)
    names = {h["agb"]: h["name"] for h in queries.hospitals(connection)}
    agreement_names = {r["agreement_id"]: r["name"] for r in queries.agreement_names(connection)}
    folder.mkdir(parents=True, exist_ok=True)
    pairs = pairs_of(result)
    paths = []
    pages = 0
    started = time.perf_counter()
    with Progress(
        TextColumn("statements"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        disable=not progress,
    ) as bar:
        task = bar.add_task("render", total=len(pairs))
        for first, second in pairs:
            statement = build_statement(
                run, result, first=first, second=second, hospitals=names, agreements=agreement_names
            )
            pdf = render_statement(statement)
            pages += len(PAGE.findall(pdf))
            path = folder / statement_file_name(statement)
            path.write_bytes(pdf)
            paths.append(path)
            bar.advance(task)
    if progress:
        seconds = time.perf_counter() - started
        err.print(
            f"{len(paths)} statements, {pages} pages in {seconds:.1f} s: "
            f"{pages / seconds if seconds else 0:.1f} pages per second",
            markup=False,
        )
    return paths


def _demo(engine: Engine, samples: Path) -> None:
    folders = sorted(p for p in samples.iterdir() if (p / "hospitals.csv").is_file())
    for folder in folders:
        try:
            dataset = read_dataset(folder)
            with engine.begin() as connection:
                report = import_dataset(connection, dataset)
        except (DatasetInvalid, DatasetConflict) as exc:
            raise _refuse(exc, f"sample {folder.name}") from None
        out.rule(folder.name)
        out.print(f"loaded: {dataset.summary()}", markup=False)
        out.print(f"stored: {report.summary()}", markup=False)
        result = settle(dataset.dbcs, dataset.prices, dataset.agreements, year=SAMPLE_YEAR)
        out.print(settlement_table(result, _names(dataset)), markup=False)
        findings = audit(
            dataset.dbcs,
            dataset.agreements,
            dataset.declarations,
            dataset.transfers,
            year=SAMPLE_YEAR,
        )
        out.print(audit_table(SAMPLE_YEAR, findings), markup=False)
    out.print(f"{len(folders)} samples loaded, settled and audited for {SAMPLE_YEAR}")


def _names(dataset: Dataset) -> dict[str, str]:
    return dict(zip(dataset.hospitals["agb"], dataset.hospitals["name"], strict=True))


class Format(StrEnum):
    json = "json"
    table = "table"


class NettingOption(StrEnum):
    bilateral = "bilateral"
    multilateral = "multilateral"


DataOption = Annotated[
    Path | None,
    typer.Option("--data", help="A dataset folder; without it, the configured database."),
]
YearOption = Annotated[int, typer.Option("--year", help="The year to settle or audit.")]
FormatOption = Annotated[Format, typer.Option("--format", help="json or table.")]


def _dataset(data: Path | None) -> Dataset:
    """The dataset of ``--data``, or everything stored in the configured database."""
    if data is not None:
        try:
            return read_dataset(data)
        except DatasetInvalid as exc:
            raise _refuse(exc, f"{data}: invalid") from None
    with open_database(Settings().database_url) as engine, engine.connect() as connection:
        return load_dataset(connection)


@app.command("settle")
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
    if data is None:
        # On the database a settlement is a run: stored, and reused for the same inputs.
        with open_database(Settings().database_url) as engine, engine.begin() as connection:
            dataset = load_dataset(connection)
            store = RunStore(connection)
            run, created = run_year(
                store,
                dbcs=dataset.dbcs,
                prices=dataset.prices,
                agreements=dataset.agreements,
                year=year,
                netting=chosen,
            )
            _, result = load_run(store, run.run_id)
        err.print(("created " if created else "unchanged inputs, existing ") + run_summary(run))
    else:
        dataset = _dataset(data)
        result = settle(dataset.dbcs, dataset.prices, dataset.agreements, year=year, netting=chosen)
    if format_ is Format.json:
        typer.echo(settlement_to_json(result), nl=False)
    else:
        typer.echo(settlement_table(result, _names(dataset)), nl=False)


class ExportFormat(StrEnum):
    json = "json"
    table = "table"
    csv = "csv"
    xlsx = "xlsx"


@app.command("audit")
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
        with open_database(Settings().database_url) as engine, engine.begin() as connection:
            dataset = load_dataset(connection)
            run, findings, created = run_audit(
                AuditStore(connection),
                dbcs=dataset.dbcs,
                agreements=dataset.agreements,
                declarations=dataset.declarations,
                transfers=dataset.transfers,
                year=year,
            )
        state = "created" if created else "unchanged inputs, existing"
        err.print(f"{state} audit run {run.run_id}: {year}, {run.findings} findings", markup=False)
    else:
        dataset = _dataset(data)
        findings = audit(
            dataset.dbcs, dataset.agreements, dataset.declarations, dataset.transfers, year=year
        )
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


runs_app = typer.Typer(no_args_is_help=True, help="Settlement runs stored in the database.")
app.add_typer(runs_app, name="runs")
RunId = Annotated[int, typer.Argument(help="The run's id (see `spreiding runs list`).")]


@runs_app.command("list")
def runs_list() -> None:
    """Every stored run, oldest first."""
    with open_database(Settings().database_url) as engine, engine.connect() as connection:
        for run in RunStore(connection).all():
            out.print(run_summary(run), markup=False)


@runs_app.command("show")
def runs_show(run_id: RunId, format_: FormatOption = Format.json) -> None:
    """A stored run as JSON (its id, status, fingerprint and settlement) or as a table."""
    try:
        with open_database(Settings().database_url) as engine, engine.connect() as connection:
            run, result = load_run(RunStore(connection), run_id)
            names = _names(load_dataset(connection))
    except SettlementError as exc:
        err.print(str(exc), markup=False)
        raise typer.Exit(INVALID) from None
    if format_ is Format.json:
        typer.echo(run_to_json(run, result), nl=False)
    else:
        typer.echo(run_summary(run))
        typer.echo(settlement_table(result, names), nl=False)


@runs_app.command("statements")
def runs_statements(
    run_id: RunId,
    out_dir: Annotated[Path, typer.Option("--out", help="Where the PDFs go.")] = Path("out"),
) -> None:
    """Render the PDF statement of every pair of hospitals in a run, with a progress bar."""
    try:
        with open_database(Settings().database_url) as engine, engine.connect() as connection:
            paths = render_run_statements(connection, run_id, out_dir, progress=True)
    except SettlementError as exc:
        err.print(str(exc), markup=False)
        raise typer.Exit(INVALID) from None
    out.print(f"{len(paths)} statements written to {out_dir}", markup=False)


@runs_app.command("finalise")
def runs_finalise(run_id: RunId) -> None:
    """Make a draft run final: from then on neither it nor its lines can change."""
    try:
        with open_database(Settings().database_url) as engine, engine.begin() as connection:
            run = finalise(RunStore(connection), run_id)
    except (SettlementError, FinalRunConflict) as exc:
        err.print(str(exc), markup=False)
        raise typer.Exit(INVALID) from None
    out.print(f"finalised {run_summary(run)}", markup=False)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
) -> None:
    """Serve the HTTP API (uvicorn) on the configured database."""
    import uvicorn

    with open_database(Settings().database_url):
        pass  # the schema is brought up to date once, before the workers start
    uvicorn.run(
        "api.main:app_from_settings",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
    )


keys_app = typer.Typer(no_args_is_help=True, help="API keys.")
app.add_typer(keys_app, name="keys")


@keys_app.command("create")
def keys_create(
    role: Annotated[str, typer.Option(help="hospital, bureau, insurer or admin.")],
    agb: Annotated[str | None, typer.Option(help="The hospital of a hospital key.")] = None,
    uzovi: Annotated[str | None, typer.Option(help="The insurer of an insurer key.")] = None,
    agreement: Annotated[
        list[str] | None, typer.Option(help="An agreement of a bureau key (repeatable).")
    ] = None,
    label: Annotated[str, typer.Option(help="A note on whose key this is.")] = "",
) -> None:
    """Issue an API key; it is printed once and stored only as a hash."""
    try:
        with open_database(Settings().database_url) as engine, engine.begin() as connection:
            key = create_key(
                connection,
                role=role,
                agb=agb,
                uzovi=uzovi,
                agreements=tuple(agreement or ()),
                label=label,
            )
    except (InvalidKeyRequest, IntegrityError) as exc:
        err.print(f"cannot create the key: {exc}", markup=False)
        raise typer.Exit(INVALID) from None
    typer.echo(key)


def _display(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


if __name__ == "__main__":
    app()
