"""``invoices``: the invoices of final runs (numbered when a run is made final), as a list, one
invoice's JSON, and PDFs written to a folder."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from spreiding.cli.common import CsvDialectOption, chosen_dialect, database, fail, out
from spreiding.domain.payments import PaymentInvalid
from spreiding.render.exports import run_to_xlsx, table_to_csv
from spreiding.render.invoice import (
    document_to_dict,
    invoice_file_name,
    invoices_to_json,
    journal_to_csv,
    render_invoice,
)
from spreiding.render.numbers import plain
from spreiding.services import invoices
from spreiding.services.access import OPERATOR
from spreiding.services.errors import NotFound

invoices_app = typer.Typer(no_args_is_help=True, help="Invoices of final runs.")


class Shown(StrEnum):
    table = "table"
    json = "json"


@invoices_app.command("list")
def invoices_list(
    run: Annotated[int | None, typer.Option("--run", min=1, help="Only this run.")] = None,
    hospital: Annotated[
        str | None, typer.Option("--hospital", help="Only those this AGB issued or received.")
    ] = None,
    format_: Annotated[Shown, typer.Option("--format", help="table or json.")] = Shown.table,
) -> None:
    """Every invoice and credit note, by creditor, year and number."""
    with database() as engine, engine.connect() as connection:
        found = invoices.list_invoices(connection, OPERATOR, run_id=run, agb=hospital)
    if format_ is Shown.json:
        typer.echo(invoices_to_json(found), nl=False)
        return
    for i in found:
        typer.echo(
            f"{i.number}  {i.kind:<11}  run {i.run_id}  {i.debtor_agb} → {i.creditor_agb}  "
            f"{i.invoice_date.isoformat()}  due {i.due_date.isoformat()}  "
            f"{plain(i.total_cents):>14}"
        )


@invoices_app.command("show")
def invoices_show(number: Annotated[str, typer.Argument(help="The invoice number.")]) -> None:
    """One invoice with its lines, VAT summary and netting payment, as JSON."""
    try:
        with database() as engine, engine.connect() as connection:
            doc = invoices.invoice_document(connection, OPERATOR, number)
    except NotFound as exc:
        raise fail(exc) from None
    typer.echo(json.dumps(document_to_dict(doc), indent=2, ensure_ascii=False))


@invoices_app.command("pdf")
def invoices_pdf(
    out_dir: Annotated[Path, typer.Option("--out", help="The folder to write the PDFs to.")],
    numbers: Annotated[list[str] | None, typer.Argument(help="Invoice numbers.")] = None,
    run: Annotated[int | None, typer.Option("--run", min=1, help="Every invoice of a run.")] = None,
) -> None:
    """Write invoices as Dutch PDFs (factuur-<number>.pdf)."""
    try:
        with database() as engine, engine.connect() as connection:
            wanted = list(numbers or [])
            if run is not None:
                wanted += [
                    i.number for i in invoices.list_invoices(connection, OPERATOR, run_id=run)
                ]
            docs = [invoices.invoice_document(connection, OPERATOR, n) for n in wanted]
    except NotFound as exc:
        raise fail(exc) from None
    out_dir.mkdir(parents=True, exist_ok=True)
    for doc in docs:
        path = out_dir / invoice_file_name(doc)
        path.write_bytes(render_invoice(doc))
        out.print(f"wrote {path}", markup=False)


@invoices_app.command("journal")
def invoices_journal(
    hospital: Annotated[str, typer.Option("--hospital", help="The hospital's AGB.")],
    accounts: Annotated[
        Path | None,
        typer.Option(
            "--accounts",
            help="A JSON object of ledger account codes replacing the defaults, e.g. "
            '{"receivable": "1310", "bank": "1120"}.',
        ),
    ] = None,
    csv_dialect: CsvDialectOption = None,
) -> None:
    """journal.csv of one hospital: its invoices and payments, debit and credit."""
    try:
        codes = json.loads(accounts.read_text(encoding="utf-8")) if accounts else {}
        if not isinstance(codes, dict):
            raise PaymentInvalid(f"{accounts}: a JSON object of account codes is expected")
        with database() as engine, engine.connect() as connection:
            lines = invoices.hospital_journal(connection, OPERATOR, hospital, codes)
    except (OSError, ValueError, PaymentInvalid, NotFound) as exc:
        raise fail(exc) from None
    typer.echo(journal_to_csv(lines, chosen_dialect(csv_dialect)), nl=False)


class Table(StrEnum):
    lines = "lines"
    pairs = "pairs"
    positions = "positions"
    payments = "payments"
    invoices = "invoices"


@invoices_app.command("export")
def invoices_export(
    run: Annotated[int, typer.Option("--run", min=1, help="The run.")],
    out_file: Annotated[Path, typer.Option("--out", help="The file to write (.xlsx or .csv).")],
    table: Annotated[
        Table | None, typer.Option("--table", help="For a CSV: which table (one per file).")
    ] = None,
    csv_dialect: CsvDialectOption = None,
) -> None:
    """A run's lines, pairs, positions, payments and invoices: an XLSX workbook (one sheet
    each) or one of them as CSV, with a totals row."""
    try:
        with database() as engine, engine.connect() as connection:
            result, issued = invoices.run_export(connection, OPERATOR, run)
    except NotFound as exc:
        raise fail(exc) from None
    if out_file.suffix.lower() == ".xlsx":
        out_file.write_bytes(run_to_xlsx(result, issued))
    elif table is None:
        raise fail(ValueError("--table: a CSV holds one table; name it (or write .xlsx)"))
    else:
        text = table_to_csv(result, issued, table.value, chosen_dialect(csv_dialect))
        out_file.write_bytes(text.encode("utf-8"))
    out.print(f"wrote {out_file}", markup=False)
