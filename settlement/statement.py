"""The statement between two hospitals for one run: a view model, laid out by a renderer.

Example: run 7 (final, 2024) between Alrijne (A) and Groene Hart (B). Lines where B performed
for A: 13 lines, 27,671.72; where A performed for B: 10 lines, 77,907.00. On balance B owes
A 50,235.28, and with bilateral netting that is the run's payment: B pays A 50,235.28. With
multilateral netting the run's payments follow each hospital's net over all hospitals, so the
statement states the run's own payments between the two, never the balance as a payment.
Every amount here is a sum of the run's own lines, so the statement always agrees
with the run's JSON to the cent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

import pandas as pd

from settlement import statement_columns as columns
from settlement.engine import Settlement
from spreiding.domain.runs import StoredRun


@dataclass(frozen=True)
class Party:
    agb: str
    name: str


@dataclass(frozen=True)
class StatementLine:
    dbc_id: str
    patient_ref: str
    zorgproduct_code: str
    end_date: str
    care_type: str
    agreement_id: str
    unit_price_cents: int
    share: str
    amount_cents: int
    change: str | None


@dataclass(frozen=True)
class Subtotal:
    care_type: str
    lines: int
    amount_cents: int


@dataclass(frozen=True)
class HoursLine:
    """Hours worked by ``creditor``'s staff at ``debtor`` (contract §5), VAT on its own."""

    hours_id: str
    agreement_id: str
    role: str
    work_date: str
    hours: str
    rate_cents: int
    amount_cents: int
    vat_rate: str
    vat_cents: int
    change: str | None


@dataclass(frozen=True)
class CostLine:
    """``debtor``'s part of a shared cost paid by ``creditor`` (contract §6)."""

    agreement_id: str
    cost_id: str
    weight: int
    amount_cents: int
    change: str | None


@dataclass(frozen=True)
class VatSubtotal:
    """The hours lines of one VAT rate: their amount without VAT (the base) and the VAT."""

    vat_rate: str
    lines: int
    base_cents: int
    vat_cents: int


@dataclass(frozen=True)
class Direction:
    """Care performed by ``creditor`` at the request of ``debtor``: what the debtor owes.
    ``total_cents`` is every amount of the direction: DBC lines, hours lines with their VAT and
    cost lines, the run's pair total (``pairs[].total``)."""

    creditor: Party
    debtor: Party
    lines: tuple[StatementLine, ...]
    subtotals: tuple[Subtotal, ...]
    total_cents: int
    hours: tuple[HoursLine, ...] = ()
    costs: tuple[CostLine, ...] = ()
    vat: tuple[VatSubtotal, ...] = ()  # per VAT rate of the hours lines, by rate

    @property
    def lines_cents(self) -> int:
        return sum(line.amount_cents for line in self.lines)

    @property
    def hours_cents(self) -> int:
        """The hours lines without VAT."""
        return sum(line.amount_cents for line in self.hours)

    @property
    def vat_cents(self) -> int:
        return sum(line.vat_cents for line in self.hours)

    @property
    def costs_cents(self) -> int:
        return sum(line.amount_cents for line in self.costs)


@dataclass(frozen=True)
class Payment:
    """A payment of the run made or received by one of the two hospitals of the statement."""

    payer: Party
    payee: Party
    amount_cents: int


@dataclass(frozen=True)
class Exclusion:
    agb: str
    dbc_id: str
    reason: str


@dataclass(frozen=True)
class Statement:
    run_id: int
    kind: str
    status: str
    year: int
    netting: str
    fingerprint: str
    corrects_run_id: int | None
    first: Party
    second: Party
    agreements: tuple[tuple[str, str], ...]  # (agreement_id, name)
    directions: tuple[Direction, Direction]  # first performed for second; then the reverse
    # The balance of the lines both ways: what ``payer`` owes ``payee`` on balance (0: even).
    net_cents: int
    payer: Party | None
    payee: Party | None
    excluded: tuple[Exclusion, ...]
    # The run's payments made or received by either hospital. Bilateral netting pays the
    # balance; multilateral netting pays each hospital's net over all hospitals, so two
    # hospitals may settle their balance through a third and pay each other another amount,
    # or nothing.
    payments: tuple[Payment, ...] = ()

    @property
    def is_draft(self) -> bool:
        return self.status != "final"


def pairs_of(result: Settlement) -> list[tuple[str, str]]:
    """Every two hospitals (lower AGB first) with a line (DBC, hours or cost line) or an
    exclusion between them."""
    found = {
        tuple(sorted(p))
        for frame in (result.lines, result.hours, result.costs)
        for p in zip(frame["creditor_agb"], frame["debtor_agb"], strict=True)
        if p[0] != p[1]
    }
    excluded = result.excluded
    if "requesting_agb" in excluded:
        found |= {
            tuple(sorted(p))
            for p in zip(excluded["agb"], excluded["requesting_agb"], strict=True)
            if p[1] not in ("", "nan", "None")
        }
    return sorted((a, b) for a, b in found)


def _between(frame: pd.DataFrame, creditor: Party, debtor: Party) -> pd.DataFrame:
    return frame.loc[
        (frame["creditor_agb"] == creditor.agb).to_numpy()
        & (frame["debtor_agb"] == debtor.agb).to_numpy()
    ]


def _change(row: Mapping[Any, Any]) -> str | None:
    """A correction's change of a line; None for a line of a settlement (or no change)."""
    value = row.get("change")
    return None if value is None or str(value) in ("", "nan", "None") else str(value)


def statement_line(r: Mapping[Any, Any]) -> StatementLine:
    """A DBC line of the statement from a row of the run's lines (as stored or computed)."""
    return StatementLine(
        dbc_id=str(r["dbc_id"]),
        patient_ref=str(r["patient_ref"]),
        zorgproduct_code=str(r["zorgproduct_code"]),
        end_date=pd.Timestamp(r["end_date"]).strftime("%Y-%m-%d"),
        care_type=str(r["care_type"]),
        agreement_id=str(r["agreement_id"]),
        unit_price_cents=int(r["unit_price_cents"]),
        share=str(r["share"]),
        amount_cents=int(r["amount_cents"]),
        change=_change(r),  # None for a settlement's line, stored or computed
    )


def hours_line(r: Mapping[Any, Any]) -> HoursLine:
    """An hours line of the statement from a row of the run's hours lines."""
    return HoursLine(
        hours_id=str(r["hours_id"]),
        agreement_id=str(r["agreement_id"]),
        role=str(r["role"]),
        work_date=pd.Timestamp(r["work_date"]).strftime("%Y-%m-%d"),
        hours=str(r["hours"]),
        rate_cents=int(r["rate_cents"]),
        amount_cents=int(r["amount_cents"]),
        vat_rate=str(r["vat_rate"]),
        vat_cents=int(r["vat_cents"]),
        change=_change(r),
    )


def cost_line(r: Mapping[Any, Any]) -> CostLine:
    """A cost line of the statement from a row of the run's cost lines."""
    return CostLine(
        agreement_id=str(r["agreement_id"]),
        cost_id=str(r["cost_id"]),
        weight=int(r["weight"]),
        amount_cents=int(r["amount_cents"]),
        change=_change(r),
    )


def vat_subtotals(hours: tuple[HoursLine, ...]) -> tuple[VatSubtotal, ...]:
    """Per VAT rate, by its value (``0.21`` and ``0.210`` are one rate, written as first seen)."""
    rates: dict[Decimal, VatSubtotal] = {}
    for line in hours:
        key = Decimal(line.vat_rate)
        seen = rates.get(key, VatSubtotal(line.vat_rate, 0, 0, 0))
        rates[key] = VatSubtotal(
            seen.vat_rate,
            seen.lines + 1,
            seen.base_cents + line.amount_cents,
            seen.vat_cents + line.vat_cents,
        )
    return tuple(subtotal for _, subtotal in sorted(rates.items()))


def _statement_lines(rows: pd.DataFrame) -> tuple[StatementLine, ...]:
    """``statement_line`` of every row, read a column at a time (``statement_columns``)."""
    return tuple(map(StatementLine, *columns.read(rows, columns.LINES))) if len(rows) else ()


def _hours_lines(rows: pd.DataFrame) -> tuple[HoursLine, ...]:
    """``hours_line`` of every row, read a column at a time."""
    return tuple(map(HoursLine, *columns.read(rows, columns.HOURS))) if len(rows) else ()


def _cost_lines(rows: pd.DataFrame) -> tuple[CostLine, ...]:
    """``cost_line`` of every row, read a column at a time."""
    return tuple(map(CostLine, *columns.read(rows, columns.COSTS))) if len(rows) else ()


def _direction(
    lines: pd.DataFrame,
    creditor: Party,
    debtor: Party,
    hours: pd.DataFrame | None = None,
    costs: pd.DataFrame | None = None,
) -> Direction:
    rows = _statement_lines(_between(lines, creditor, debtor))
    totals: dict[str, list[int]] = {}
    for line in rows:
        entry = totals.setdefault(line.care_type, [0, 0])
        entry[0] += 1
        entry[1] += line.amount_cents
    subtotals = tuple(Subtotal(care, n, cents) for care, (n, cents) in sorted(totals.items()))
    worked: tuple[HoursLine, ...] = ()
    if hours is not None and not hours.empty:
        worked = _hours_lines(_between(hours, creditor, debtor))
    shared: tuple[CostLine, ...] = ()
    if costs is not None and not costs.empty:
        shared = _cost_lines(_between(costs, creditor, debtor))
    total = (
        sum(line.amount_cents for line in rows)
        + sum(line.amount_cents + line.vat_cents for line in worked)
        + sum(line.amount_cents for line in shared)
    )
    vat = vat_subtotals(worked)
    return Direction(creditor, debtor, rows, subtotals, total, hours=worked, costs=shared, vat=vat)


def build_pair_statement(
    run: StoredRun,
    lines: pd.DataFrame,
    excluded: pd.DataFrame,
    *,
    first: str,
    second: str,
    hospitals: Mapping[str, str],
    agreements: Mapping[str, str],
    payments: pd.DataFrame,
    hours: pd.DataFrame | None = None,
    costs: pd.DataFrame | None = None,
) -> Statement:
    """The statement from only the pair's lines (DBC, hours and cost lines), exclusions and
    payments (as stored, or as computed)."""
    empty = pd.DataFrame()
    partial = Settlement(run.year, "bilateral", lines, excluded, empty, empty, payments)
    if hours is not None:
        partial = replace(partial, hours=hours)
    if costs is not None:
        partial = replace(partial, costs=costs)
    return build_statement(
        run, partial, first=first, second=second, hospitals=hospitals, agreements=agreements
    )


def build_statement(
    run: StoredRun,
    result: Settlement,
    *,
    first: str,
    second: str,
    hospitals: Mapping[str, str],
    agreements: Mapping[str, str],
) -> Statement:
    """The statement between hospitals ``first`` and ``second`` for ``run``."""
    a = Party(first, hospitals.get(first, first))
    b = Party(second, hospitals.get(second, second))
    a_for_b = _direction(result.lines, a, b, result.hours, result.costs)
    b_for_a = _direction(result.lines, b, a, result.hours, result.costs)
    # What b owes a minus what a owes b: positive means b pays a.
    net = a_for_b.total_cents - b_for_a.total_cents
    payer, payee = (b, a) if net > 0 else (a, b) if net < 0 else (None, None)
    concerned = sorted(
        {line.agreement_id for d in (a_for_b, b_for_a) for line in d.lines}
        | {line.agreement_id for d in (a_for_b, b_for_a) for line in d.hours}
        | {line.agreement_id for d in (a_for_b, b_for_a) for line in d.costs}
    )
    excluded = result.excluded
    pair = {first, second}
    if "requesting_agb" in excluded:
        mask = (
            excluded["agb"].isin(pair).to_numpy() & excluded["requesting_agb"].isin(pair).to_numpy()
        )
    else:
        mask = excluded["agb"].isin(pair).to_numpy()
    mine = excluded.loc[mask]
    exclusions = tuple(map(Exclusion, *columns.read(mine, columns.EXCLUSIONS, change=False)))
    payments = result.payments
    either = payments["from_agb"].isin(pair).to_numpy() | payments["to_agb"].isin(pair).to_numpy()
    made = columns.read(payments.loc[either], columns.PAYMENTS, change=False)
    paid = tuple(
        Payment(Party(payer, hospitals.get(payer, payer)), Party(to, hospitals.get(to, to)), cents)
        for payer, to, cents in zip(*made, strict=True)
    )
    return Statement(
        run_id=run.run_id,
        kind=run.kind,
        status=run.status,
        year=run.year,
        netting=run.netting,
        fingerprint=run.fingerprint,
        corrects_run_id=run.corrects_run_id,
        first=a,
        second=b,
        agreements=tuple((i, agreements.get(i, i)) for i in concerned),
        directions=(a_for_b, b_for_a),
        net_cents=abs(net),
        payer=payer,
        payee=payee,
        excluded=exclusions,
        payments=paid,
    )
