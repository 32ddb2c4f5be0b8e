"""The PDF of a statement, in Dutch, for a controller to check and sign.

Only layout: every figure comes from the ``settlement.statement.Statement`` view model. Tables
of lines repeat their header on every page; a draft carries a CONCEPT mark on every page; the
same statement always gives the same bytes (reportlab's invariant mode: no clock, no random id).
"""

from __future__ import annotations

import io
from functools import lru_cache

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from settlement.statement import Direction, Statement
from spreiding.render.statement_grid import Grid
from spreiding.render.web import CHANGE_NL, REASONS_NL, datum, decimal_nl, euro, vat_nl

STYLES = getSampleStyleSheet()
BODY = ParagraphStyle("body", parent=STYLES["BodyText"], fontSize=9, leading=12)
SMALL = ParagraphStyle("small", parent=BODY, fontSize=7.5, leading=9)
H1 = ParagraphStyle("h1", parent=STYLES["Heading1"], fontSize=15, spaceAfter=4)
H2 = ParagraphStyle("h2", parent=STYLES["Heading2"], fontSize=11, spaceBefore=8, spaceAfter=4)
GRID = TableStyle(
    [
        ("FONT", (0, 0), (-1, -1), "Helvetica", 8),
        ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6eef5")),
        ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.HexColor("#4a6a8a")),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f6f8fa")]),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
    ]
)

# A statement repeats its few hundred end dates over thousands of lines: each formatted once.
_datum = lru_cache(maxsize=4_096)(datum)


def _lines_table(direction: Direction, *, correction: bool) -> Grid:
    header = [
        "DBC",
        "Patiënt (pseudoniem)",
        "Zorgproduct",
        "Einddatum",
        "Eenheidsprijs",
        "Aandeel",
        "Bedrag",
    ]
    if correction:
        header.append("Mutatie")
    rows: list[tuple[str, ...]] = []
    for line in direction.lines:
        row: tuple[str, ...] = (
            line.dbc_id, line.patient_ref, line.zorgproduct_code, _datum(line.end_date),
            euro(line.unit_price_cents), decimal_nl(line.share), euro(line.amount_cents),
        )  # fmt: skip
        if correction:
            row += (CHANGE_NL.get(line.change or "", line.change or ""),)
        rows.append(row)
    widths = [26 * mm, 34 * mm, 22 * mm, 20 * mm, 26 * mm, 15 * mm, 26 * mm]
    if correction:
        widths = [w * 0.9 for w in widths] + [16 * mm]
    # One text line per row: drawn straight onto the page, a page's rows found by arithmetic.
    return Grid(header, rows, widths, right={4, 5, 6})


def _money_table(rows: list[list[str]], widths: list[float], right_from: int) -> Table:
    """A grid whose last row is a bold total, amounts right-aligned from column ``right_from``."""
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(GRID)
    table.setStyle(
        TableStyle(
            [
                ("ALIGN", (right_from, 0), (-1, -1), "RIGHT"),
                ("FONT", (0, -1), (-1, -1), "Helvetica-Bold", 8),
                ("LINEABOVE", (0, -1), (-1, -1), 0.6, colors.black),
            ]
        )
    )
    return table


def _hours_table(direction: Direction, *, correction: bool) -> Table:
    header = ["Uren-id", "Functie", "Datum", "Uren", "Tarief", "Bedrag", "Btw", "Btw-bedrag"]
    if correction:
        header.append("Mutatie")
    rows: list[list[str]] = [header]
    for line in direction.hours:
        row = [
            line.hours_id, line.role, datum(line.work_date), decimal_nl(line.hours),
            euro(line.rate_cents), euro(line.amount_cents), vat_nl(line.vat_rate),
            euro(line.vat_cents),
        ]  # fmt: skip
        if correction:
            row.append(CHANGE_NL.get(line.change or "", line.change or ""))
        rows.append(row)
    total = ["Totaal", "", "", "", "", euro(direction.hours_cents), "", euro(direction.vat_cents)]
    rows.append(total + ([""] if correction else []))
    widths = [22 * mm, 34 * mm, 20 * mm, 14 * mm, 22 * mm, 24 * mm, 14 * mm, 22 * mm]
    if correction:
        widths = [w * 0.9 for w in widths] + [16 * mm]
    return _money_table(rows, widths, 3)


def _vat_table(direction: Direction) -> Table:
    rows = [["Btw-tarief", "Regels", "Bedrag excl. btw", "Btw", "Bedrag incl. btw"]]
    rows += [
        [
            vat_nl(v.vat_rate),
            str(v.lines),
            euro(v.base_cents),
            euro(v.vat_cents),
            euro(v.base_cents + v.vat_cents),
        ]
        for v in direction.vat
    ]
    hours, vat = direction.hours_cents, direction.vat_cents
    rows.append(["Totaal", str(len(direction.hours)), euro(hours), euro(vat), euro(hours + vat)])
    return _money_table(rows, [30 * mm, 18 * mm, 35 * mm, 30 * mm, 35 * mm], 1)


def _costs_table(direction: Direction, *, correction: bool) -> Table:
    header = ["Overeenkomst", "Kostenpost", "Gewicht", "Bedrag"]
    if correction:
        header.append("Mutatie")
    rows: list[list[str]] = [header]
    for line in direction.costs:
        row = [line.agreement_id, line.cost_id, str(line.weight), euro(line.amount_cents)]
        if correction:
            row.append(CHANGE_NL.get(line.change or "", line.change or ""))
        rows.append(row)
    rows.append(["Totaal", "", "", euro(direction.costs_cents)] + ([""] if correction else []))
    widths = [50 * mm, 50 * mm, 20 * mm, 30 * mm] + ([16 * mm] if correction else [])
    return _money_table(rows, widths, 2)


def _direction_summary(direction: Direction) -> Table:
    """What the debtor owes in this direction, per kind of line (only when there are hours or
    cost lines: a direction of DBC lines only has its total in the subtotals)."""
    rows = [["Soort", "Regels", "Bedrag"]]
    rows.append(["DBC's", str(len(direction.lines)), euro(direction.lines_cents)])
    rows.append(["Uren (excl. btw)", str(len(direction.hours)), euro(direction.hours_cents)])
    rows.append(["Btw over uren", "", euro(direction.vat_cents)])
    rows.append(["Gedeelde kosten", str(len(direction.costs)), euro(direction.costs_cents)])
    count = len(direction.lines) + len(direction.hours) + len(direction.costs)
    rows.append(["Totaal", str(count), euro(direction.total_cents)])
    return _money_table(rows, [60 * mm, 20 * mm, 35 * mm], 1)


def _subtotals(direction: Direction) -> Table:
    rows = [["Zorgsoort", "Regels", "Subtotaal"]]
    rows += [[s.care_type, str(s.lines), euro(s.amount_cents)] for s in direction.subtotals]
    rows.append(["Totaal", str(len(direction.lines)), euro(direction.total_cents)])
    table = Table(rows, colWidths=[60 * mm, 20 * mm, 35 * mm])
    table.setStyle(GRID)
    table.setStyle(
        TableStyle(
            [
                ("ALIGN", (1, 0), (2, -1), "RIGHT"),
                ("FONT", (0, -1), (-1, -1), "Helvetica-Bold", 8),
                ("LINEABOVE", (0, -1), (-1, -1), 0.6, colors.black),
            ]
        )
    )
    return table


def _signatures(statement: Statement) -> Table:
    block = []
    for party in (statement.first, statement.second):
        block.append(
            [
                Paragraph(f"<b>Voor akkoord, controller {party.name}</b> ({party.agb})", BODY),
                Paragraph("Naam: ______________________________", BODY),
                Paragraph("Datum: _____________________________", BODY),
                Paragraph("Handtekening:", BODY),
                Spacer(1, 14 * mm),
                Paragraph("____________________________________", BODY),
            ]
        )
    table = Table([block], colWidths=[85 * mm, 85 * mm])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def _multilateral_payments(s: Statement) -> list[list[str]]:
    """The balance of the two is no payment under multilateral netting: each hospital pays or
    receives its net over all hospitals, so the statement states the run's own payments of
    both hospitals, to whomever they go."""
    if s.payer is not None and s.payee is not None:
        balance = f"{s.payer.name} is per saldo verschuldigd aan {s.payee.name} (geen betaling)"
        rows = [[f"Saldo: {balance}", euro(s.net_cents)]]
    else:
        rows = [["Saldo: gelijk", euro(0)]]
    for paid in s.payments:
        who = f"{paid.payer.name} ({paid.payer.agb}) betaalt {paid.payee.name} ({paid.payee.agb})"
        rows.append([f"Betaling volgens run {s.run_id}: {who}", euro(paid.amount_cents)])
    if not s.payments:
        rows.append(
            [f"Betaling volgens run {s.run_id}: geen van beide betaalt of ontvangt", euro(0)]
        )
    return rows


def _story(statement: Statement) -> list[object]:
    s = statement
    correction = s.kind == "correction"
    kind = f"correctie op run {s.corrects_run_id}" if correction else "jaarafrekening"
    status = "CONCEPT" if s.is_draft else "definitief"
    netting = "bilateraal" if s.netting == "bilateral" else "multilateraal"
    story: list[object] = [
        Paragraph(f"Afrekening onderlinge dienstverlening {s.year}", H1),
        Paragraph(
            f"<b>{s.first.name}</b> (AGB {s.first.agb}) en "
            f"<b>{s.second.name}</b> (AGB {s.second.agb})",
            BODY,
        ),
        Paragraph(
            f"Run {s.run_id} · {kind} · status: <b>{status}</b> · verrekening: {netting}", BODY
        ),
    ]
    if s.agreements:
        listed = "; ".join(f"{name} ({agreement_id})" for agreement_id, name in s.agreements)
        story.append(Paragraph(f"Overeenkomsten: {listed}", BODY))
    for direction in s.directions:
        story.append(
            Paragraph(
                f"Zorg geleverd door {direction.creditor.name} ({direction.creditor.agb}) "
                f"op verzoek van {direction.debtor.name} ({direction.debtor.agb})",
                H2,
            )
        )
        other = bool(direction.hours or direction.costs)
        if direction.lines:
            story.append(_lines_table(direction, correction=correction))
            story.append(Spacer(1, 3 * mm))
            story.append(KeepTogether([_subtotals(direction)]))
        elif not other:
            story.append(Paragraph("Geen regels.", BODY))
        # Sections of hours and shared costs appear only when there are such lines, so a
        # statement of DBC lines alone reads (and renders) as it always did.
        if direction.hours:
            story.append(Paragraph("<b>Uren gedetacheerd personeel</b>", BODY))
            story.append(_hours_table(direction, correction=correction))
            story.append(Spacer(1, 3 * mm))
            story.append(Paragraph("<b>Btw-overzicht</b>", BODY))
            story.append(KeepTogether([_vat_table(direction)]))
        if direction.costs:
            story.append(Paragraph("<b>Gedeelde kosten</b>", BODY))
            story.append(_costs_table(direction, correction=correction))
        if other:
            story.append(Spacer(1, 3 * mm))
            story.append(KeepTogether([_direction_summary(direction)]))
    story.append(Paragraph("Totalen en betaling", H2))
    totals = [
        [f"{d.debtor.name} is verschuldigd aan {d.creditor.name}", euro(d.total_cents)]
        for d in s.directions
    ]
    if s.netting == "bilateral":
        # Bilateral netting pays the balance of the two: the run's payment is the net.
        if s.payer is not None and s.payee is not None:
            net = f"{s.payer.name} ({s.payer.agb}) betaalt {s.payee.name} ({s.payee.agb})"
            totals.append([f"Netto: {net}", euro(s.net_cents)])
        else:
            totals.append(["Netto: niets te betalen", euro(0)])
    else:
        totals += _multilateral_payments(s)
    table = Table(totals, colWidths=[130 * mm, 40 * mm])
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), "Helvetica", 9),
                ("FONT", (0, -1), (-1, -1), "Helvetica-Bold", 9),
                ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                ("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.black),
            ]
        )
    )
    story.append(table)
    story.append(Paragraph("Uitgesloten DBC's", H2))
    if s.excluded:
        header = ["Ziekenhuis", "DBC", "Reden"]
        rows = [
            [e.agb, e.dbc_id, f"{REASONS_NL.get(e.reason, e.reason)} ({e.reason})"]
            for e in s.excluded
        ]
        story.append(Grid(header, rows, [26 * mm, 34 * mm, 110 * mm]))
    else:
        story.append(Paragraph("Geen.", BODY))
    story.append(Spacer(1, 4 * mm))
    story.append(Paragraph(f"Invoer-vingerafdruk (SHA-256): {s.fingerprint}", SMALL))
    story.append(Spacer(1, 6 * mm))
    story.append(KeepTogether([_signatures(s)]))
    return story


class _Document(SimpleDocTemplate):
    """Draws the CONCEPT mark of a draft over each finished page, so no table hides it."""

    def __init__(self, *args: object, concept: bool, **kwargs: object):
        super().__init__(*args, **kwargs)
        self.concept = concept

    def afterPage(self) -> None:
        if not self.concept:
            return
        canvas = self.canv
        canvas.saveState()
        canvas.setFont("Helvetica-Bold", 90)
        canvas.setFillColor(colors.Color(0.85, 0.2, 0.2, alpha=0.16))
        canvas.translate(A4[0] / 2, A4[1] / 2)
        canvas.rotate(45)
        canvas.drawCentredString(0, 0, "CONCEPT")
        canvas.restoreState()


def render_statement(statement: Statement) -> bytes:
    """The statement as PDF bytes."""
    buffer = io.BytesIO()

    def footer(canvas: Canvas, document: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 7.5)
        canvas.setFillColor(colors.grey)
        pair = f"{statement.first.agb} – {statement.second.agb}"
        canvas.drawString(18 * mm, 10 * mm, f"Run {statement.run_id} · {pair} · {statement.year}")
        canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, f"Pagina {document.page}")
        canvas.restoreState()

    document = _Document(
        buffer,
        concept=statement.is_draft,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=18 * mm,
        title=f"Afrekening ODV {statement.year} {statement.first.agb}-{statement.second.agb}",
        author="spreiding",
        invariant=1,
    )
    document.build(_story(statement), onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def statement_file_name(statement: Statement) -> str:
    pair = f"{statement.first.agb}-{statement.second.agb}"
    return f"afrekening-{statement.year}-run{statement.run_id}-{pair}.pdf"
