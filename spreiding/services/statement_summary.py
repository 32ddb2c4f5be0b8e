"""The summary of a statement: every total and count of the full statement
(``statements.pair_statement``) without its lines, summed in the database.

A pair of a large run has thousands of DBC lines; their subtotals per care type are a GROUP BY
over the pair's index, so a summary costs a few small queries, not the reading of every line.
The hours and cost lines (few) are read as the full statement reads them, and their VAT and
amounts summed by the same functions, so the summary agrees with the full statement to the
cent (``tests/api/test_statement_pages.py`` compares them).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from settlement.statement import (
    CostLine,
    HoursLine,
    Party,
    Payment,
    Subtotal,
    VatSubtotal,
    cost_line,
    hours_line,
    vat_subtotals,
)
from spreiding.domain.runs import StoredRun
from spreiding.services.errors import NotFound
from spreiding.services.reference import hospital_names
from spreiding.services.statements import StatementRef
from spreiding.store import visibility
from spreiding.store.runs import RunStore


@dataclass(frozen=True)
class DirectionSummary:
    """What ``debtor`` owes ``creditor``: as ``settlement.statement.Direction`` without lines."""

    creditor: Party
    debtor: Party
    lines: int
    lines_cents: int
    subtotals: tuple[Subtotal, ...]
    hours: tuple[HoursLine, ...]
    costs: tuple[CostLine, ...]
    vat: tuple[VatSubtotal, ...]

    @property
    def hours_cents(self) -> int:
        return sum(line.amount_cents for line in self.hours)

    @property
    def vat_cents(self) -> int:
        return sum(line.vat_cents for line in self.hours)

    @property
    def costs_cents(self) -> int:
        return sum(line.amount_cents for line in self.costs)

    @property
    def total_cents(self) -> int:
        return self.lines_cents + self.hours_cents + self.vat_cents + self.costs_cents


@dataclass(frozen=True)
class StatementSummary:
    run: StoredRun
    first: Party
    second: Party
    agreements: tuple[tuple[str, str], ...]
    directions: tuple[DirectionSummary, DirectionSummary]
    net_cents: int
    payer: Party | None
    payee: Party | None
    excluded: int
    payments: tuple[Payment, ...]


def _direction(store: RunStore, run_id: int, creditor: Party, debtor: Party) -> DirectionSummary:
    totals = sorted(store.care_type_totals(run_id, creditor.agb, debtor.agb))
    hours = tuple(
        hours_line(row)
        for row in store.direction_page(
            "hours", run_id, creditor.agb, debtor.agb, after=-1, limit=None
        )
    )
    costs = tuple(
        cost_line(row)
        for row in store.direction_page(
            "costs", run_id, creditor.agb, debtor.agb, after=-1, limit=None
        )
    )
    return DirectionSummary(
        creditor,
        debtor,
        lines=sum(count for _, count, _ in totals),
        lines_cents=sum(cents for _, _, cents in totals),
        subtotals=tuple(Subtotal(care, count, cents) for care, count, cents in totals),
        hours=hours,
        costs=costs,
        vat=vat_subtotals(hours),
    )


def summary(connection: Connection, ref: StatementRef) -> StatementSummary:
    """The summary of a located pair's statement; not found when it has no statement."""
    store = RunStore(connection)
    run_id = ref.run.run_id
    hospitals = hospital_names(connection)

    def party(agb: str) -> Party:
        return Party(agb, hospitals.get(agb, agb))

    a, b = party(ref.first), party(ref.second)
    a_for_b = _direction(store, run_id, a, b)
    b_for_a = _direction(store, run_id, b, a)
    excluded = store.pair_exclusions(run_id, ref.first, ref.second)
    both = (a_for_b, b_for_a)
    if ref.first == ref.second or (
        not excluded and not any(d.lines or d.hours or d.costs for d in both)
    ):
        raise NotFound(f"there is no statement {ref.first}-{ref.second} in run {run_id}")
    net = a_for_b.total_cents - b_for_a.total_cents
    payer, payee = (b, a) if net > 0 else (a, b) if net < 0 else (None, None)
    names = {row["agreement_id"]: row["name"] for row in visibility.agreement_names(connection)}
    concerned = sorted(
        store.pair_agreements(run_id, ref.first, ref.second)
        | {line.agreement_id for d in both for line in d.hours}
        | {line.agreement_id for d in both for line in d.costs}
    )
    return StatementSummary(
        run=ref.run,
        first=a,
        second=b,
        agreements=tuple((i, names.get(i, i)) for i in concerned),
        directions=both,
        net_cents=abs(net),
        payer=payer,
        payee=payee,
        excluded=excluded,
        payments=tuple(
            Payment(party(str(p["from_agb"])), party(str(p["to_agb"])), int(p["amount_cents"]))
            for p in store.pair_payments(run_id, ref.first, ref.second)
            if ref.viewer is None or ref.viewer in (str(p["from_agb"]), str(p["to_agb"]))
        ),
    )
