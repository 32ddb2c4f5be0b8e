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
from dataclasses import dataclass

import pandas as pd

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
class Direction:
    """Care performed by ``creditor`` at the request of ``debtor``: what the debtor owes."""

    creditor: Party
    debtor: Party
    lines: tuple[StatementLine, ...]
    subtotals: tuple[Subtotal, ...]
    total_cents: int


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
    """Every two hospitals (lower AGB first) with a line or an exclusion between them."""
    found = {
        tuple(sorted(p))
        for p in zip(result.lines["creditor_agb"], result.lines["debtor_agb"], strict=True)
    }
    excluded = result.excluded
    if "requesting_agb" in excluded:
        found |= {
            tuple(sorted(p))
            for p in zip(excluded["agb"], excluded["requesting_agb"], strict=True)
            if p[1] not in ("", "nan", "None")
        }
    return sorted((a, b) for a, b in found)


def _direction(lines: pd.DataFrame, creditor: Party, debtor: Party) -> Direction:
    mine = lines.loc[
        (lines["creditor_agb"] == creditor.agb).to_numpy()
        & (lines["debtor_agb"] == debtor.agb).to_numpy()
    ]
    rows = tuple(
        StatementLine(
            dbc_id=str(r["dbc_id"]),
            patient_ref=str(r["patient_ref"]),
            zorgproduct_code=str(r["zorgproduct_code"]),
            end_date=pd.Timestamp(r["end_date"]).strftime("%Y-%m-%d"),
            care_type=str(r["care_type"]),
            agreement_id=str(r["agreement_id"]),
            unit_price_cents=int(r["unit_price_cents"]),
            share=str(r["share"]),
            amount_cents=int(r["amount_cents"]),
            change=str(r["change"]) if "change" in r else None,
        )
        for r in mine.to_dict("records")
    )
    totals: dict[str, list[int]] = {}
    for line in rows:
        entry = totals.setdefault(line.care_type, [0, 0])
        entry[0] += 1
        entry[1] += line.amount_cents
    subtotals = tuple(Subtotal(care, n, cents) for care, (n, cents) in sorted(totals.items()))
    return Direction(creditor, debtor, rows, subtotals, sum(line.amount_cents for line in rows))


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
) -> Statement:
    """The statement from only the pair's lines, exclusions and payments (as stored, or as
    computed)."""
    empty = pd.DataFrame()
    partial = Settlement(run.year, "bilateral", lines, excluded, empty, empty, payments)
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
    a_for_b = _direction(result.lines, a, b)
    b_for_a = _direction(result.lines, b, a)
    # What b owes a minus what a owes b: positive means b pays a.
    net = a_for_b.total_cents - b_for_a.total_cents
    payer, payee = (b, a) if net > 0 else (a, b) if net < 0 else (None, None)
    concerned = sorted({line.agreement_id for d in (a_for_b, b_for_a) for line in d.lines})
    excluded = result.excluded
    pair = {first, second}
    if "requesting_agb" in excluded:
        mask = (
            excluded["agb"].isin(pair).to_numpy() & excluded["requesting_agb"].isin(pair).to_numpy()
        )
    else:
        mask = excluded["agb"].isin(pair).to_numpy()
    exclusions = tuple(
        Exclusion(str(r["agb"]), str(r["dbc_id"]), str(r["reason"]))
        for r in excluded.loc[mask].to_dict("records")
    )
    payments = result.payments
    either = payments["from_agb"].isin(pair).to_numpy() | payments["to_agb"].isin(pair).to_numpy()
    paid = tuple(
        Payment(
            Party(str(r["from_agb"]), hospitals.get(str(r["from_agb"]), str(r["from_agb"]))),
            Party(str(r["to_agb"]), hospitals.get(str(r["to_agb"]), str(r["to_agb"]))),
            int(r["amount_cents"]),
        )
        for r in payments.loc[either].to_dict("records")
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
