"""Invoices of final runs (numbered when the run became final) and the CONCEPT of a draft's."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api import schemas
from api.deps import Caller, Db, RunId
from api.errors import RESPONSES
from api.paths import TextId
from settlement.invoice import InvoiceDocument
from spreiding.domain.invoices import Invoice
from spreiding.render.csvout import CsvDialect
from spreiding.render.exports import run_to_xlsx, table_to_csv
from spreiding.render.invoice import (
    document_to_dict,
    invoice_file_name,
    invoice_to_dict,
    journal_to_csv,
    render_invoice,
)
from spreiding.services import invoices

router = APIRouter(responses=RESPONSES, tags=["invoices"])
PDF: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {}}, "description": "The invoice as PDF"}
}
AgbFilter = Annotated[
    str | None, Query(pattern=r"^[0-9]{8}$", description="Only those it issued or received")
]


def _public(invoice: Invoice) -> schemas.InvoicePublic:
    return schemas.InvoicePublic(
        **invoice_to_dict(invoice), pdf_url=f"/invoices/{invoice.number}/pdf"
    )


@router.get("/invoices", response_model=list[schemas.InvoicePublic])
def list_invoices(
    db: Db,
    caller: Caller,
    run_id: Annotated[
        int | None, Query(ge=1, le=2_147_483_647, description="Only this run")
    ] = None,
    agb: AgbFilter = None,
) -> list[schemas.InvoicePublic]:
    """The invoices and credit notes the key issued or received (an admin: all), by creditor,
    year and number."""
    return [_public(i) for i in invoices.list_invoices(db, caller, run_id=run_id, agb=agb)]


@router.get("/invoices/{number}", response_model=schemas.InvoiceDocumentPublic)
def get_invoice(number: TextId, db: Db, caller: Caller) -> schemas.InvoiceDocumentPublic:
    """One invoice with its lines, VAT summary, total and netting payment."""
    doc = invoices.invoice_document(db, caller, number)
    return schemas.InvoiceDocumentPublic.model_validate(document_to_dict(doc))


@router.get("/invoices/{number}/pdf", response_class=Response, responses=PDF)
def get_invoice_pdf(number: TextId, db: Db, caller: Caller) -> Response:
    """The invoice as a Dutch PDF."""
    doc = invoices.invoice_document(db, caller, number)
    return _pdf(doc)


@router.get(
    "/settlement-runs/{run_id}/invoices/{debtor}/{creditor}",
    response_model=schemas.InvoiceDocumentPublic,
)
def get_pair_invoice(
    run_id: RunId, debtor: TextId, creditor: TextId, db: Db, caller: Caller
) -> schemas.InvoiceDocumentPublic:
    """The invoice of ``creditor`` to ``debtor`` in a run: the issued one of a final run, the
    CONCEPT (no number, no dates) of a draft."""
    doc = invoices.pair_invoice(db, caller, run_id, debtor, creditor)
    return schemas.InvoiceDocumentPublic.model_validate(document_to_dict(doc))


@router.get(
    "/settlement-runs/{run_id}/invoices/{debtor}/{creditor}/pdf",
    response_class=Response,
    responses=PDF,
)
def get_pair_invoice_pdf(
    run_id: RunId, debtor: TextId, creditor: TextId, db: Db, caller: Caller
) -> Response:
    return _pdf(invoices.pair_invoice(db, caller, run_id, debtor, creditor))


def _pdf(doc: InvoiceDocument) -> Response:
    return Response(
        render_invoice(doc),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{invoice_file_name(doc)}"'},
    )


@router.get(
    "/journal",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "journal.csv"}},
)
def get_journal(
    db: Db,
    caller: Caller,
    agb: Annotated[str, Query(pattern=r"^[0-9]{8}$", description="The hospital")],
    csv_dialect: Annotated[
        CsvDialect,
        Query(description="standard: `,` and a decimal point; excel-nl: `;`, a decimal comma"),
    ] = CsvDialect.standard,
) -> Response:
    """journal.csv of one hospital (a hospital key: its own): per invoice and registered
    payment its bookings, debit and credit, on the default ledger accounts."""
    lines = invoices.hospital_journal(db, caller, agb)
    return Response(
        journal_to_csv(lines, csv_dialect),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="journal-{agb}.csv"'},
    )


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get(
    "/settlement-runs/{run_id}/export",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}, XLSX: {}}, "description": "The export"}},
)
def export_run(
    run_id: RunId,
    db: Db,
    caller: Caller,
    format: Annotated[Literal["xlsx", "csv"], Query()] = "xlsx",
    table: Annotated[
        Literal["lines", "pairs", "positions", "payments", "invoices"],
        Query(description="For a CSV: the table"),
    ] = "pairs",
    csv_dialect: Annotated[CsvDialect, Query()] = CsvDialect.standard,
) -> Response:
    """The part of the run the key may see: an XLSX workbook with a sheet per table, or one
    table as CSV; typed cells and a totals row."""
    result, issued = invoices.run_export(db, caller, run_id)
    if format == "csv":
        return Response(
            table_to_csv(result, issued, table, csv_dialect), media_type="text/csv; charset=utf-8"
        )
    return Response(
        run_to_xlsx(result, issued),
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="run-{run_id}.xlsx"'},
    )
