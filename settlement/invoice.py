"""The invoice of one (debtor, creditor) pair of a run: a view model, laid out by a renderer.

Example: run 1 (final, 2024): Groene Hart (B) performed one DBC for Alrijne (A), benchmark
1999.00 × 0.90 = 1799.10. A's invoice from B carries that line, a VAT summary of one exempt
row (base 1799.10, VAT 0.00), the total 1799.10 and the run's netting payment between the two
(A pays B 1799.10). Hours lines add a VAT row per rate (base the hours' amounts, VAT their
VAT); DBC and cost lines are exempt. A draft run's invoice has no number (``invoice`` None) and
is a CONCEPT. Every figure is a sum of the run's own lines, so the invoice agrees with the
run's JSON to the cent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd

from spreiding.domain.invoices import CREDIT_NOTE, EXEMPT, INVOICE, Invoice, VatRow
from spreiding.domain.runs import StoredRun


@dataclass(frozen=True)
class InvoiceParty:
    agb: str
    name: str
    iban: str | None
    address: str | None


@dataclass(frozen=True)
class DbcLine:
    dbc_id: str
    zorgproduct_code: str
    end_date: str
    care_type: str
    agreement_id: str
    unit_price_cents: int
    share: str
    amount_cents: int


@dataclass(frozen=True)
class HoursLine:
    hours_id: str
    role: str
    work_date: str
    hours: str
    rate_cents: int
    amount_cents: int
    vat_rate: str
    vat_cents: int


@dataclass(frozen=True)
class CostLine:
    agreement_id: str
    cost_id: str
    weight: int
    amount_cents: int


@dataclass(frozen=True)
class NettingRef:
    """The run's netting payment between the two hospitals the invoice belongs to."""

    seq: int | None  # its place among the run's payments (None in a draft's invoice)
    from_agb: str
    to_agb: str
    amount_cents: int


@dataclass(frozen=True)
class InvoiceDocument:
    run_id: int
    run_kind: str
    year: int
    status: str
    invoice: Invoice | None  # None: a draft run, no number (CONCEPT)
    creditor: InvoiceParty
    debtor: InvoiceParty
    dbc_lines: tuple[DbcLine, ...]
    hours_lines: tuple[HoursLine, ...]
    cost_lines: tuple[CostLine, ...]
    vat: tuple[VatRow, ...]
    amount_cents: int
    hours_cents: int
    costs_cents: int
    vat_cents: int
    payment: NettingRef | None

    @property
    def total_cents(self) -> int:
        return self.amount_cents + self.hours_cents + self.costs_cents + self.vat_cents

    @property
    def kind(self) -> str:
        return CREDIT_NOTE if self.total_cents < 0 else INVOICE

    @property
    def is_draft(self) -> bool:
        return self.invoice is None


def _direction(frame: pd.DataFrame, debtor: str, creditor: str) -> pd.DataFrame:
    if frame.empty:
        return frame
    mask = (frame["debtor_agb"] == debtor).to_numpy() & (
        frame["creditor_agb"] == creditor
    ).to_numpy()
    return frame.loc[mask]


def _day(value: object) -> str:
    return pd.Timestamp(value).strftime("%Y-%m-%d")  # type: ignore[arg-type]


def vat_summary(
    amount_cents: int, costs_cents: int, hours: tuple[HoursLine, ...]
) -> tuple[VatRow, ...]:
    """Exempt first (DBC and cost lines, when there are any), then each hours rate, lowest
    first; the bases and VAT add up to the invoice's total."""
    rows: list[VatRow] = []
    if amount_cents or costs_cents:
        rows.append(VatRow(EXEMPT, amount_cents + costs_cents, 0))
    labels: dict[Decimal, str] = {}
    bases: dict[Decimal, int] = {}
    vats: dict[Decimal, int] = {}
    for line in hours:
        rate = Decimal(line.vat_rate)
        labels.setdefault(rate, line.vat_rate)
        bases[rate] = bases.get(rate, 0) + line.amount_cents
        vats[rate] = vats.get(rate, 0) + line.vat_cents
    for rate in sorted(labels):
        rows.append(VatRow(labels[rate], bases[rate], vats[rate]))
    return tuple(rows)


def build_invoice(
    run: StoredRun,
    frames: Mapping[str, pd.DataFrame],
    *,
    debtor: str,
    creditor: str,
    parties: Mapping[str, InvoiceParty],
    invoice: Invoice | None,
) -> InvoiceDocument:
    """The invoice of ``creditor`` to ``debtor`` from the pair's frames of ``run`` (as
    ``RunStore.pair_frames`` reads them)."""
    lines = _direction(frames["lines"], debtor, creditor)
    dbc = tuple(
        DbcLine(
            dbc_id=str(r["dbc_id"]),
            zorgproduct_code=str(r["zorgproduct_code"]),
            end_date=_day(r["end_date"]),
            care_type=str(r["care_type"]),
            agreement_id=str(r["agreement_id"]),
            unit_price_cents=int(r["unit_price_cents"]),
            share=str(r["share"]),
            amount_cents=int(r["amount_cents"]),
        )
        for r in lines.to_dict("records")
    )
    hours = tuple(
        HoursLine(
            hours_id=str(r["hours_id"]),
            role=str(r["role"]),
            work_date=_day(r["work_date"]),
            hours=str(r["hours"]),
            rate_cents=int(r["rate_cents"]),
            amount_cents=int(r["amount_cents"]),
            vat_rate=str(r["vat_rate"]),
            vat_cents=int(r["vat_cents"]),
        )
        for r in _direction(frames.get("hours", pd.DataFrame()), debtor, creditor).to_dict(
            "records"
        )
    )
    costs = tuple(
        CostLine(
            agreement_id=str(r["agreement_id"]),
            cost_id=str(r["cost_id"]),
            weight=int(r["weight"]),
            amount_cents=int(r["amount_cents"]),
        )
        for r in _direction(frames.get("costs", pd.DataFrame()), debtor, creditor).to_dict(
            "records"
        )
    )
    amount = sum(line.amount_cents for line in dbc)
    hours_cents = sum(line.amount_cents for line in hours)
    vat = sum(line.vat_cents for line in hours)
    costs_cents = sum(line.amount_cents for line in costs)
    payments = frames["payments"]
    payment = None
    if not payments.empty:
        pair = {debtor, creditor}
        for r in payments.to_dict("records"):
            if {str(r["from_agb"]), str(r["to_agb"])} == pair:
                payment = NettingRef(
                    invoice.payment_seq if invoice is not None else None,
                    str(r["from_agb"]),
                    str(r["to_agb"]),
                    int(r["amount_cents"]),
                )
                break
    return InvoiceDocument(
        run_id=run.run_id,
        run_kind=run.kind,
        year=run.year,
        status=run.status,
        invoice=invoice,
        creditor=parties.get(creditor, InvoiceParty(creditor, creditor, None, None)),
        debtor=parties.get(debtor, InvoiceParty(debtor, debtor, None, None)),
        dbc_lines=dbc,
        hours_lines=hours,
        cost_lines=costs,
        vat=vat_summary(amount, costs_cents, hours),
        amount_cents=amount,
        hours_cents=hours_cents,
        costs_cents=costs_cents,
        vat_cents=vat,
        payment=payment,
    )
