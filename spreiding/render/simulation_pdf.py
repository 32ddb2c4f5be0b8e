"""The board's summary of a simulation (issue 12) as a PDF, in Dutch: what the agreement would
move per hospital from its plan and, when asked, on last year's care, and how the nets change
with the share and the volume (a table and a chart of the same figures as the SVG).

Only layout: every figure comes from ``services.simulation.SimulationReport``; amounts via
Babel (``€ 1.234,56``); the same report gives the same bytes (reportlab's invariant mode).
"""

from __future__ import annotations

import io

from reportlab.graphics.shapes import Drawing, Line, PolyLine, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from settlement.simulation import Simulation, SimulationReport
from spreiding.domain.money import format_share
from spreiding.render.numbers import euros
from spreiding.render.simulation import COLOURS, chart_points
from spreiding.render.web import decimal_nl

REASONS_NL = {
    "OPEN": "DBC nog open",
    "NO_AGREEMENT": "geen geldende overeenkomst",
    "AMBIGUOUS_AGREEMENT": "meer dan één overeenkomst van toepassing",
    "PRIMARY_MISMATCH": "eigen DBC van de aanvrager niet gevonden",
    "PARALLEL_CARE_TYPE": "parallel gedeclareerd, niet verrekend",
    "NO_CONSENT": "geen toestemming verzekeraar",
    "NO_PRICE": "geen benchmarkprijs",
    "NOT_ODV": "zelf gedeclareerd (geen ODV)",
}
STAGES_NL = {
    "verkennen": "verkennen",
    "formaliseren": "formaliseren",
    "implementeren": "implementeren",
    "optimaliseren": "optimaliseren",
}

STYLES = getSampleStyleSheet()
BODY = ParagraphStyle("body", parent=STYLES["BodyText"], fontSize=9, leading=12)
H1 = ParagraphStyle("h1", parent=STYLES["Heading1"], fontSize=15, spaceAfter=4)
H2 = ParagraphStyle("h2", parent=STYLES["Heading2"], fontSize=11, spaceBefore=8, spaceAfter=4)
GRID = TableStyle(
    [
        ("FONT", (0, 0), (-1, -1), "Helvetica", 8),
        ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6eef5")),
        ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.HexColor("#4a6a8a")),
        ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
    ]
)
MAX_DBCS = 40  # DBCs listed in the PDF; the JSON lists them all


def _name(report: SimulationReport, agb: str) -> str:
    return f"{report.names.get(agb, agb)} ({agb})"


def _figures(report: SimulationReport, s: Simulation) -> Table:
    base = "zonder overeenkomst" if s.mode == "plan" else "werkelijk verrekend"
    rows = [["ziekenhuis", "te ontvangen", "te betalen", "saldo", f"saldo {base}", "verschil"]]
    for p in s.parties:
        rows.append(
            [
                _name(report, p.agb),
                euros(p.receivable_cents),
                euros(p.payable_cents),
                euros(p.net_cents),
                euros(p.base_net_cents),
                euros(p.change_cents),
            ]
        )
    return Table(rows, style=GRID, repeatRows=1)


def _chart(report: SimulationReport) -> Drawing:
    axis, labels, series = chart_points(report.sensitivity)
    width, height, left, right, top, bottom = 480, 200, 70, 120, 10, 30
    drawing = Drawing(width, height)
    values = [v for _, vs in series for v in vs] + [0]
    low, high = min(values), max(values)
    span = max(high - low, 1)
    plot_w, plot_h = width - left - right, height - top - bottom

    def x(i: int) -> float:
        return left + plot_w * i / max(len(labels) - 1, 1)

    def y(v: int) -> float:
        return bottom + plot_h * (v - low) / span

    drawing.add(Line(left, y(0), left + plot_w, y(0), strokeDashArray=[3, 2]))
    drawing.add(String(left - 4, y(0) - 3, "€ 0,00", fontSize=7, textAnchor="end"))
    drawing.add(String(left - 4, y(high) - 3, euros(high), fontSize=7, textAnchor="end"))
    drawing.add(String(left - 4, y(low) - 3, euros(low), fontSize=7, textAnchor="end"))
    for i, label in enumerate(labels):
        drawing.add(String(x(i), bottom - 12, label, fontSize=7, textAnchor="middle"))
    word = "aandeel" if axis == "share" else "volume t.o.v. plan"
    drawing.add(String(left + plot_w / 2, 2, word, fontSize=8, textAnchor="middle"))
    for n, (agb, nets) in enumerate(series):
        colour = colors.HexColor(COLOURS[n % len(COLOURS)])
        points = [c for i, v in enumerate(nets) for c in (x(i), y(v))]
        drawing.add(PolyLine(points, strokeColor=colour, strokeWidth=1.8))
        ly = height - top - 12 * n
        drawing.add(Line(width - right + 8, ly, width - right + 22, ly, strokeColor=colour,
                         strokeWidth=2))  # fmt: skip
        drawing.add(String(width - right + 26, ly - 3, report.names.get(agb, agb)[:22],
                           fontSize=7))  # fmt: skip
    return drawing


def _story(report: SimulationReport) -> list[object]:
    a, plan = report.agreement, report.plan
    story: list[object] = [
        Paragraph(f"Simulatie samenwerkingsovereenkomst {plan.year}", H1),
        Paragraph(
            f"<b>{a.name}</b> ({a.agreement_id}), fase {STAGES_NL.get(a.stage, a.stage)}. "
            f"Partijen: {', '.join(_name(report, p) for p in a.parties)}.",
            BODY,
        ),
        Paragraph(
            "Een wat-als-berekening: de overeenkomst wordt gerekend alsof zij het hele jaar "
            "geldt en wordt uitgevoerd. Er is niets vastgelegd of verrekend.",
            BODY,
        ),
        Paragraph("Op basis van het plan", H2),
    ]
    for p in plan.planned:
        story.append(
            Paragraph(
                f"{p.care_type}: {p.dbcs} patiënten, zorgproduct {p.zorgproduct_code}, "
                f"uitgevoerd door {_name(report, p.performing_agb)} "
                f"voor {_name(report, p.requesting_agb)}.",
                BODY,
            )
        )
    for care in plan.unplanned:
        story.append(Paragraph(f"{care}: gepland, maar geen uitvoerend ziekenhuis.", BODY))
    if not plan.planned:
        story.append(Paragraph("Geen zorgsoort met een gepland volume in dit jaar.", BODY))
    story += [Spacer(1, 4), _figures(report, plan)]
    replay = report.replay
    if replay is not None:
        story += [
            Paragraph(f"Terugrekening op de zorg van {replay.year}", H2),
            _figures(report, replay),
            Spacer(1, 4),
            Paragraph(f"DBC's die van verrekening veranderen: {len(replay.changes)}.", BODY),
        ]
        if replay.changes:
            rows = [["ziekenhuis", "DBC", "aanvrager", "was", "wordt"]]
            for c in replay.changes[:MAX_DBCS]:
                was = REASONS_NL.get(c.before_reason, c.before_reason)
                was = was if c.before_cents is None else euros(c.before_cents)
                wordt = REASONS_NL.get(c.after_reason, c.after_reason)
                wordt = wordt if c.after_cents is None else euros(c.after_cents)
                rows.append([c.agb, c.dbc_id, c.requesting_agb, was, wordt])
            story.append(Table(rows, style=GRID, repeatRows=1))
        story.append(
            Paragraph(f"DBC's die buiten de verrekening blijven: {len(replay.excluded)}.", BODY)
        )
        if replay.excluded:
            rows = [["ziekenhuis", "DBC", "aanvrager", "reden"]]
            for agb, dbc, requesting, reason in replay.excluded[:MAX_DBCS]:
                rows.append([agb, dbc, requesting, REASONS_NL.get(reason, reason)])
            story.append(Table(rows, style=GRID, repeatRows=1))
    if report.sensitivity:
        agbs = [p.agb for p in report.sensitivity[0].parties]
        rows = [["aandeel", "volume", *[report.names.get(a, a)[:18] for a in agbs]]]
        for row in report.sensitivity:
            rows.append(
                [
                    decimal_nl(format_share(row.share)),
                    f"{row.volume_percent:+d}%",
                    *[euros(p.net_cents) for p in row.parties],
                ]
            )
        story += [
            Paragraph("Gevoeligheid: saldo per ziekenhuis", H2),
            Table(rows, style=GRID, repeatRows=1),
            Spacer(1, 6),
            _chart(report),
        ]
    return story


def render_simulation(report: SimulationReport) -> bytes:
    """The report as PDF bytes."""
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=18 * mm,
        title=f"Simulatie {report.agreement.agreement_id} {report.plan.year}",
        author="spreiding",
        invariant=1,
    )
    document.build(_story(report))
    return buffer.getvalue()
