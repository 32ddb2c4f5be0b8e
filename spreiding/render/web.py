"""What the web pages show, in Dutch: amounts, dates, exclusion reasons, and the chart of who
pays whom in a run as a server-made SVG.

Example: ``euro(123456)`` is ``'€ 1.234,56'``, ``datum(date(2024, 3, 23))`` is
``'23-03-2024'``, ``share(Decimal("0.875"))`` is ``'87,5%'``, ``reason_nl("NO_PRICE")`` is
``'geen benchmarkprijs'``, and ``flows_svg([Flow("Groene Hart", "Alrijne", 5023528)])``
draws one arrow from Groene Hart to Alrijne labelled € 50.235,28. Money comes in as integer
cents and is formatted through ``Decimal``, never a float.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from html import escape

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, format_percent

from spreiding.domain.invoices import EXEMPT

# Parsed once: Babel parses a locale given by name on every call, a third of the time it takes
# to format an amount (a statement PDF formats thousands).
LOCALE = Locale.parse("nl_NL")

REASONS_NL = {
    "OPEN": "DBC nog open",
    "NO_AGREEMENT": "geen geldende overeenkomst",
    "AMBIGUOUS_AGREEMENT": "meer dan één overeenkomst van toepassing",
    "PRIMARY_MISMATCH": "eigen DBC van de aanvrager niet gevonden",
    "PARALLEL_CARE_TYPE": "parallel gedeclareerd, niet verrekend",
    "NO_CONSENT": "geen toestemming van de verzekeraar voor parallelle declaratie",
    "NO_PRICE": "geen benchmarkprijs",
}
STATUS_NL = {"draft": "concept", "final": "definitief"}
KIND_NL = {"settlement": "verrekening", "correction": "correctie"}
NETTING_NL = {"bilateral": "bilateraal", "multilateral": "multilateraal"}
TRANSFER_STATUS_NL = {"planned": "gepland", "performed": "uitgevoerd", "cancelled": "geannuleerd"}
ROLE_NL = {
    "admin": "beheerder",
    "hospital": "ziekenhuis",
    "insurer": "zorgverzekeraar",
    "bureau": "alliantiebureau",
}
PAYMENT_STATUS_NL = {
    "open": "open",
    "partly paid": "deels betaald",
    "paid": "betaald",
    "overdue": "te laat",
}
CHANGE_NL = {"new": "nieuw", "withdrawn": "vervallen", "changed": "gewijzigd"}


def euro(cents: int | Decimal) -> str:
    """``123456`` → ``'€ 1.234,56'``; a ``Decimal`` is taken as euros."""
    if isinstance(cents, Decimal):
        return _euro(cents)
    return _euro_cents(int(cents))


@lru_cache(maxsize=65_536)
def _euro_cents(cents: int) -> str:
    # A statement repeats its prices and amounts thousands of times: each is formatted once.
    return _euro(Decimal(cents).scaleb(-2))


def _euro(amount: Decimal) -> str:
    # Babel puts a no-break space between sign and amount; a plain one reads the same.
    return format_currency(amount, "EUR", locale=LOCALE).replace("\xa0", " ")


def datum(value: date | datetime | str | None) -> str:
    """A date as ``dd-MM-yyyy``; an ISO text is read first; nothing gives an empty text."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        value = value.date()
    return format_date(value, "dd-MM-yyyy", locale=LOCALE)


def share(value: Decimal | str | None) -> str:
    """A share as a Dutch percentage: ``Decimal("0.875")`` → ``'87,5%'``."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return format_percent(amount, "#,##0.####%", locale=LOCALE)


@lru_cache(maxsize=4_096)
def decimal_nl(text: str) -> str:
    """A decimal written in the contract's notation, the Dutch way and with the decimals it
    was written with: ``'0.90'`` → ``'0,90'``, ``'1480.25'`` → ``'1.480,25'``, ``'1'`` → ``'1'``."""
    value = Decimal(text)
    exponent = value.as_tuple().exponent
    decimals = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    pattern = "#,##0." + "0" * decimals if decimals else "#,##0"
    return format_decimal(value, pattern, locale=LOCALE, decimal_quantization=False)


def vat_nl(rate: str) -> str:
    """A VAT rate of the contract: ``'exempt'`` → ``'vrijgesteld'``, ``'0.21'`` → ``'21%'``,
    ``'0.055'`` → ``'5,5%'``."""
    if rate == EXEMPT:
        return "vrijgesteld"
    return format_percent(Decimal(rate), "#,##0.####%", locale=LOCALE)


def reason_nl(reason: str) -> str:
    return REASONS_NL.get(reason, reason)


def parse_euro(text: str) -> int | None:
    """An amount typed in a form (``1.234,56``, ``1234,56``, ``1234.56`` or ``€ 12``) in
    cents; None for an empty or unreadable text. Rounded half up to the cent."""
    cleaned = text.replace("€", "").replace(" ", "").strip()
    if not cleaned:
        return None
    if "," in cleaned:  # Dutch: dots group thousands, the comma is the decimal sign
        cleaned = cleaned.replace(".", "").replace(",", ".")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        return None
    if not amount.is_finite():
        return None
    return int((amount * 100).quantize(Decimal(1), rounding="ROUND_HALF_UP"))


@dataclass(frozen=True)
class Flow:
    """One payment of a run: ``payer`` pays ``payee`` ``amount_cents``."""

    payer: str
    payee: str
    amount_cents: int


ROW = 56  # height of one flow in the chart
WIDTH = 720


def flows_svg(flows: Sequence[Flow], *, title: str = "Betalingen tussen ziekenhuizen") -> str:
    """A chart of the payments: one row per payment, payer on the left, payee on the right,
    an arrow between them as thick as its share of the largest payment. The same flows give
    the same text."""
    height = max(1, len(flows)) * ROW + 20
    largest = max((f.amount_cents for f in flows), default=0)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="flows-title" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" class="flows">',
        f'<title id="flows-title">{escape(title)}</title>',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="1" refY="5" markerWidth="18" '
        'markerHeight="18" markerUnits="userSpaceOnUse" orient="auto">'
        '<path d="M0,0 L10,5 L0,10 z" fill="#1f4e79"/></marker></defs>',
    ]
    if not flows:
        parts.append('<text x="10" y="30" font-size="16">Geen betalingen in deze run.</text>')
    for index, flow in enumerate(flows):
        y = 20 + index * ROW + ROW // 2
        # Integer arithmetic: 2 to 14 pixels, by the payment's share of the largest.
        thickness = 2 + (12 * flow.amount_cents) // largest if largest else 2
        parts.append(
            f'<text x="10" y="{y + 5}" font-size="15" fill="#111">{escape(flow.payer)}</text>'
            f'<line x1="220" y1="{y}" x2="490" y2="{y}" stroke="#1f4e79" '
            f'stroke-width="{thickness}" marker-end="url(#arrow)"/>'
            f'<text x="355" y="{y - thickness // 2 - 6}" font-size="14" text-anchor="middle" '
            f'fill="#111">{escape(euro(flow.amount_cents))}</text>'
            f'<text x="510" y="{y + 5}" font-size="15" fill="#111">{escape(flow.payee)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


@dataclass(frozen=True)
class Week:
    """One week of a care type: its label (``2024-W05``), performed transfers, and plan."""

    label: str
    transfers: int
    planned: int | None


BAR = 12  # pixels per week in the weekly chart


def plan_mark(actual: int, planned: int | None) -> str:
    """``boven plan``, ``onder plan``, ``volgens plan``, or nothing without a plan."""
    if planned is None:
        return ""
    if actual > planned:
        return "boven plan"
    return "onder plan" if actual < planned else "volgens plan"


def weeks_svg(weeks: Sequence[Week], *, title: str) -> str:
    """Transfers per week as bars beside the weekly plan (a dashed line); a week above its plan
    is drawn dark red with a ``+`` over it, so the mark does not rest on colour alone."""
    top = max([w.transfers for w in weeks] + [w.planned or 0 for w in weeks] + [1])
    height, base, left = 160, 140, 30
    width = left + len(weeks) * BAR + 10
    scale = 110  # pixels for the highest count

    def y(count: int) -> int:
        return base - (scale * count) // top

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(title)}" '
        f'viewBox="0 0 {width} {height}" width="100%" class="weeks">',
        f'<text x="2" y="{y(top) + 4}" font-size="11" fill="#111">{top}</text>',
        f'<text x="2" y="{base + 4}" font-size="11" fill="#111">0</text>',
        f'<line x1="{left}" y1="{base}" x2="{width - 5}" y2="{base}" stroke="#444"/>',
    ]
    for index, week in enumerate(weeks):
        x = left + index * BAR
        over = week.planned is not None and week.transfers > week.planned
        colour = "#a4000f" if over else "#1f4e79"
        parts.append(
            f'<rect x="{x + 1}" y="{y(week.transfers)}" width="{BAR - 2}" '
            f'height="{base - y(week.transfers)}" fill="{colour}">'
            f"<title>{escape(week.label)}: {week.transfers} overdrachten"
            f"{'' if week.planned is None else f', plan {week.planned}'}</title></rect>"
        )
        if over:
            parts.append(
                f'<text x="{x + BAR // 2}" y="{y(week.transfers) - 2}" font-size="11" '
                f'text-anchor="middle" fill="#a4000f">+</text>'
            )
        if week.planned is not None:
            parts.append(
                f'<line x1="{x}" y1="{y(week.planned)}" x2="{x + BAR}" y2="{y(week.planned)}" '
                'stroke="#111" stroke-width="2" stroke-dasharray="3 2"/>'
            )
        if index % 4 == 0:
            parts.append(
                f'<text x="{x}" y="{base + 14}" font-size="9" fill="#111">'
                f"{escape(week.label[-3:])}</text>"
            )
    parts.append("</svg>")
    return "".join(parts)
