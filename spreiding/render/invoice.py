"""An invoice (``settlement.invoice.InvoiceDocument``) as a dict for JSON and as a Dutch PDF.

The JSON's amounts are the contract's money strings (``1799.10``), its dates ISO; the PDF
writes the same figures the Dutch way (``€ 1.799,10`` through Babel, ``15-01-2025``), so a
PDF read back shows the JSON's number, dates, IBAN, VAT summary and totals. A draft run's
invoice has no number and carries a CONCEPT mark on every page. The same invoice always
gives the same bytes (reportlab's invariant mode).
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from settlement.invoice import InvoiceDocument
from spreiding.domain.invoices import CREDIT_NOTE, Invoice
from spreiding.domain.journal import COLUMNS, JournalLine
from spreiding.domain.money import format_cents
from spreiding.render.csvout import CsvDialect, Money, write_csv
from spreiding.render.statement_pdf import BODY, GRID, H1, H2, SMALL, _Document
from spreiding.render.web import datum, decimal_nl, euro, vat_nl

KIND_NL = {"invoice": "Factuur", "credit_note": "Creditnota"}


def invoice_to_dict(invoice: Invoice) -> dict[str, Any]:
    """The header of an issued invoice (the list's rows)."""
    return {
        "number": invoice.number,
        "kind": invoice.kind,
        "run_id": invoice.run_id,
        "year": invoice.year,
        "debtor_agb": invoice.debtor_agb,
        "creditor_agb": invoice.creditor_agb,
        "invoice_date": invoice.invoice_date.isoformat(),
        "due_date": invoice.due_date.isoformat(),
        "term_days": invoice.term_days,
        "amount": format_cents(invoice.amount_cents),
        "hours": format_cents(invoice.hours_cents),
        "costs": format_cents(invoice.costs_cents),
        "vat": format_cents(invoice.vat_cents),
        "total": format_cents(invoice.total_cents),
        "payment_seq": invoice.payment_seq,
    }


def invoices_to_json(invoices: Sequence[Invoice]) -> str:
    return json.dumps([invoice_to_dict(i) for i in invoices], indent=2, ensure_ascii=False) + "\n"


def document_to_dict(doc: InvoiceDocument) -> dict[str, Any]:
    """The whole invoice: header (number and dates null for a draft), parties, lines, VAT
    summary, totals and the netting payment."""
    invoice = doc.invoice
    return {
        "number": invoice.number if invoice else None,
        "kind": doc.kind,
        "status": doc.status,
        "run_id": doc.run_id,
        "year": doc.year,
        "invoice_date": invoice.invoice_date.isoformat() if invoice else None,
        "due_date": invoice.due_date.isoformat() if invoice else None,
        "term_days": invoice.term_days if invoice else None,
        "creditor": doc.creditor.__dict__,
        "debtor": doc.debtor.__dict__,
        "lines": [
            {"dbc_id": d.dbc_id, "zorgproduct_code": d.zorgproduct_code, "end_date": d.end_date,
             "care_type": d.care_type, "agreement_id": d.agreement_id,
             "unit_price": format_cents(d.unit_price_cents), "share": d.share,
             "amount": format_cents(d.amount_cents)}
            for d in doc.dbc_lines
        ],
        "hours": [
            {"hours_id": h.hours_id, "role": h.role, "work_date": h.work_date, "hours": h.hours,
             "rate": format_cents(h.rate_cents), "amount": format_cents(h.amount_cents),
             "vat_rate": h.vat_rate, "vat": format_cents(h.vat_cents)}
            for h in doc.hours_lines
        ],
        "costs": [
            {"agreement_id": c.agreement_id, "cost_id": c.cost_id, "weight": c.weight,
             "amount": format_cents(c.amount_cents)}
            for c in doc.cost_lines
        ],
        "vat_summary": [
            {"rate": r.rate, "base": format_cents(r.base_cents), "vat": format_cents(r.vat_cents)}
            for r in doc.vat
        ],
        "amount": format_cents(doc.amount_cents),
        "hours_amount": format_cents(doc.hours_cents),
        "costs_amount": format_cents(doc.costs_cents),
        "vat": format_cents(doc.vat_cents),
        "total": format_cents(doc.total_cents),
        "payment": None if doc.payment is None else {
            "seq": doc.payment.seq, "from_agb": doc.payment.from_agb,
            "to_agb": doc.payment.to_agb, "amount": format_cents(doc.payment.amount_cents),
        },
    }  # fmt: skip


def _table(header: list[str], rows: list[list[str]], widths: list[float], right: int) -> Table:
    table = Table([header, *rows], colWidths=[w * mm for w in widths], repeatRows=1)
    table.setStyle(GRID)
    table.setStyle(TableStyle([("ALIGN", (right, 0), (-1, -1), "RIGHT")]))
    return table


def _party(title: str, agb: str, name: str, address: str | None, iban: str | None) -> Paragraph:
    parts = [f"<b>{title}</b>", f"{name} (AGB {agb})"]
    if address:
        parts.append(address)
    if iban:
        parts.append(f"IBAN {iban}")
    return Paragraph("<br/>".join(parts), BODY)


def _story(doc: InvoiceDocument) -> list[object]:
    invoice = doc.invoice
    title = KIND_NL[doc.kind]
    story: list[object] = [
        Paragraph(f"{title} {invoice.number if invoice else '(concept, nog geen nummer)'}", H1),
        Paragraph(
            f"Zorg op verzoek (ODV) {doc.year} · run {doc.run_id} "
            f"({'correctie' if doc.run_kind == 'correction' else 'afrekening'})",
            BODY,
        ),
        Spacer(1, 4 * mm),
    ]
    c, d = doc.creditor, doc.debtor
    parties = Table(
        [[_party("Van (crediteur)", c.agb, c.name, c.address, c.iban),
          _party("Aan (debiteur)", d.agb, d.name, d.address, None)]],
        colWidths=[87 * mm, 87 * mm],
    )  # fmt: skip
    parties.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story += [parties, Spacer(1, 4 * mm)]
    if invoice is not None:
        dates = [
            ["Factuurnummer", invoice.number],
            ["Factuurdatum", datum(invoice.invoice_date)],
            ["Vervaldatum", datum(invoice.due_date)],
            ["Betalingstermijn", f"{invoice.term_days} dagen"],
        ]
    else:
        dates = [["Status", "CONCEPT: nummer en datums volgen bij het definitief maken"]]
    table = Table(dates, colWidths=[40 * mm, 134 * mm])
    table.setStyle(TableStyle([("FONT", (0, 0), (0, -1), "Helvetica-Bold", 9),
                               ("FONT", (1, 0), (1, -1), "Helvetica", 9)]))  # fmt: skip
    story.append(table)
    if doc.dbc_lines:
        story.append(Paragraph("DBC's (vrijgesteld van btw)", H2))
        rows = [
            [x.dbc_id, x.zorgproduct_code, datum(x.end_date), x.care_type,
             euro(x.unit_price_cents), decimal_nl(x.share), euro(x.amount_cents)]
            for x in doc.dbc_lines
        ]  # fmt: skip
        header = ["DBC", "Zorgproduct", "Einddatum", "Zorgsoort", "Prijs", "Aandeel", "Bedrag"]
        story.append(_table(header, rows, [22, 24, 22, 40, 24, 18, 24], 4))
    if doc.hours_lines:
        story.append(Paragraph("Uren (detachering)", H2))
        rows = [
            [x.hours_id, x.role, datum(x.work_date), decimal_nl(x.hours),
             euro(x.rate_cents), euro(x.amount_cents), vat_nl(x.vat_rate), euro(x.vat_cents)]
            for x in doc.hours_lines
        ]  # fmt: skip
        header = ["Regel", "Rol", "Datum", "Uren", "Tarief", "Bedrag", "Btw", "Btw-bedrag"]
        story.append(_table(header, rows, [16, 40, 20, 14, 22, 24, 14, 24], 3))
    if doc.cost_lines:
        story.append(Paragraph("Gedeelde kosten (vrijgesteld van btw)", H2))
        rows = [
            [x.cost_id, x.agreement_id, str(x.weight), euro(x.amount_cents)] for x in doc.cost_lines
        ]
        story.append(_table(["Kosten", "Overeenkomst", "Sleutel", "Bedrag"], rows,
                            [50, 60, 24, 40], 2))  # fmt: skip
    story.append(Paragraph("Btw-overzicht", H2))
    rows = [[vat_nl(r.rate), euro(r.base_cents), euro(r.vat_cents)] for r in doc.vat]
    rows.append(["Totaal", euro(doc.total_cents - doc.vat_cents), euro(doc.vat_cents)])
    vat = _table(["Tarief", "Grondslag", "Btw"], rows, [50, 50, 50], 1)
    vat.setStyle(TableStyle([("FONT", (0, -1), (-1, -1), "Helvetica-Bold", 8)]))
    story.append(vat)
    story.append(Spacer(1, 4 * mm))
    totals = [
        ["Totaal te betalen" if doc.kind != CREDIT_NOTE else "Totaal te crediteren",
         euro(doc.total_cents)],
    ]  # fmt: skip
    table = Table(totals, colWidths=[124 * mm, 50 * mm])
    table.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), "Helvetica-Bold", 10),
                               ("ALIGN", (1, 0), (1, 0), "RIGHT"),
                               ("LINEABOVE", (0, 0), (-1, 0), 0.8, colors.black)]))  # fmt: skip
    story.append(table)
    story.append(Paragraph("Betaling", H2))
    if doc.payment is not None:
        p = doc.payment
        story.append(Paragraph(
            f"Deze {title.lower()} wordt verrekend in de saldering van run {doc.run_id}: "
            f"{p.from_agb} betaalt {p.to_agb} {euro(p.amount_cents)}"
            + (f", uiterlijk {datum(invoice.due_date)}" if invoice is not None else "")
            + (f", op IBAN {c.iban}" if c.iban and p.to_agb == c.agb else "") + ".",
            BODY,
        ))  # fmt: skip
    else:
        story.append(Paragraph(
            f"Deze {title.lower()} wordt verrekend in de multilaterale saldering van run "
            f"{doc.run_id}; er is geen betaling tussen deze twee ziekenhuizen.", BODY,
        ))  # fmt: skip
    story.append(Spacer(1, 3 * mm))
    story.append(Paragraph(
        "Medisch-specialistische zorg en gedeelde kosten zijn vrijgesteld van btw; "
        "op gedetacheerde uren staat het tarief van de overeenkomst.", SMALL,
    ))  # fmt: skip
    return story


def render_invoice(doc: InvoiceDocument) -> bytes:
    """The invoice as PDF bytes."""
    buffer = io.BytesIO()
    label = doc.invoice.number if doc.invoice else f"concept run {doc.run_id}"

    def footer(canvas: Canvas, document: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 7.5)
        canvas.setFillColor(colors.grey)
        canvas.drawString(18 * mm, 10 * mm, f"{KIND_NL[doc.kind]} {label}")
        canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, f"Pagina {document.page}")
        canvas.restoreState()

    document = _Document(
        buffer,
        concept=doc.is_draft,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=18 * mm,
        title=f"{KIND_NL[doc.kind]} {label}",
        author="spreiding",
        invariant=1,
    )
    document.build(_story(doc), onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def invoice_file_name(doc: InvoiceDocument) -> str:
    if doc.invoice is not None:
        return f"factuur-{doc.invoice.number}.pdf"
    return f"factuur-concept-run{doc.run_id}-{doc.creditor.agb}-{doc.debtor.agb}.pdf"


def journal_to_csv(lines: Sequence[JournalLine], dialect: CsvDialect) -> str:
    """``journal.csv`` (docs/data-format.md §8): ``agb,entry_date,document,account,
    description,debit,credit``, the amounts as numbers of the dialect."""
    rows: list[list[str | Money | None]] = [
        [line.agb, line.entry_date.isoformat(), line.document, line.account, line.description,
         Money(line.debit_cents), Money(line.credit_cents)]
        for line in lines
    ]  # fmt: skip
    return write_csv(COLUMNS, rows, dialect)
