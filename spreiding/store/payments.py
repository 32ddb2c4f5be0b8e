"""Registered payments and the netting payments they pay, in SQL, narrowed to what a
principal may see: an admin every netting payment; a hospital those it pays or receives; any
other key none (``payment_condition``).

A netting payment is a row of ``settlement_payment``; ``registered_payment``
(``tables.RegisteredPayment``, migration 0010) refers to it by ``(run_id, seq)``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, false, func, or_, select, true
from sqlalchemy.sql.elements import ColumnElement

from spreiding.domain.access import Principal
from spreiding.domain.payments import RegisteredPayment
from spreiding.store import tables
from spreiding.store.database import lock_for_writing

REGISTERED = tables.table_of(tables.RegisteredPayment)
NETTING = tables.table_of(tables.SettlementPayment)
RUN = tables.table_of(tables.SettlementRun)
LINE = tables.table_of(tables.SettlementLine)
HOURS = tables.table_of(tables.SettlementHoursLine)
COSTS = tables.table_of(tables.SettlementCostLine)
PARTY = tables.table_of(tables.AgreementParty)


def payment_condition(principal: Principal, *, from_agb: Any, to_agb: Any) -> ColumnElement[bool]:
    if principal.is_admin:
        return true()
    if principal.role == "hospital" and principal.agb:
        return or_(from_agb == principal.agb, to_agb == principal.agb)
    return false()


def lock_netting_payment(connection: Connection, run_id: int, seq: int) -> None:
    """One registration per netting payment at a time: the check against what is open and the
    insert see every payment committed before."""
    lock_for_writing(connection, f"spreiding.payment.{run_id}.{seq}")


def netting_rows(
    connection: Connection,
    principal: Principal,
    *,
    run_id: int | None = None,
    from_agb: str | None = None,
    to_agb: str | None = None,
    final_only: bool = True,
) -> list[dict[str, Any]]:
    """The netting payments ``principal`` may see, with the run's year and status and the sum
    registered against each (``paid_cents``), by run and place in the run."""
    p, r, g = NETTING, RUN, REGISTERED
    paid = (
        select(func.coalesce(func.sum(g.c.amount_cents), 0))
        .where(g.c.run_id == p.c.run_id, g.c.seq == p.c.seq)
        .scalar_subquery()
    )
    where = [payment_condition(principal, from_agb=p.c.from_agb, to_agb=p.c.to_agb)]
    if final_only:
        where.append(r.c.status == "final")
    if run_id is not None:
        where.append(p.c.run_id == run_id)
    if from_agb is not None:
        where.append(p.c.from_agb == from_agb)
    if to_agb is not None:
        where.append(p.c.to_agb == to_agb)
    statement = (
        select(
            p.c.run_id,
            p.c.seq,
            p.c.from_agb,
            p.c.to_agb,
            p.c.amount_cents,
            r.c.year,
            r.c.status,
            paid.label("paid_cents"),
        )
        .join(r, r.c.run_id == p.c.run_id)
        .where(*where)
        .order_by(p.c.run_id, p.c.seq)
    )
    return [
        dict(row._mapping)
        | {"paid_cents": int(row.paid_cents), "amount_cents": int(row.amount_cents)}
        for row in connection.execute(statement)
    ]


def pair_agreement_ids(connection: Connection, run_id: int, first: str, second: str) -> set[str]:
    """The agreements of the run's lines (DBC, hours and cost lines) between two hospitals
    (either way); when there are none (a multilateral netting may pay between hospitals
    without a line), the agreements both are parties to."""
    pair = (first, second)
    found: set[str] = set()
    for table in (LINE, HOURS, COSTS):
        lines = select(table.c.agreement_id).where(
            table.c.run_id == run_id,
            table.c.debtor_agb.in_(pair),
            table.c.creditor_agb.in_(pair),
            table.c.debtor_agb != table.c.creditor_agb,
        )
        found |= set(connection.execute(lines.distinct()).scalars())
    if found:
        return found
    both = (
        select(PARTY.c.agreement_id)
        .where(PARTY.c.agb.in_(pair))
        .group_by(PARTY.c.agreement_id)
        .having(func.count(func.distinct(PARTY.c.agb)) == 2)
    )
    return set(connection.execute(both).scalars())


def reference_taken(connection: Connection, run_id: int, seq: int, reference: str) -> bool:
    g = REGISTERED
    statement = select(g.c.payment_id).where(
        g.c.run_id == run_id, g.c.seq == seq, g.c.reference == reference
    )
    return connection.execute(statement).first() is not None


def add(
    connection: Connection,
    *,
    run_id: int,
    seq: int,
    from_agb: str,
    to_agb: str,
    paid_on: date,
    amount_cents: int,
    reference: str,
    registered_at: str,
    registered_by: str,
) -> RegisteredPayment:
    values = {
        "run_id": run_id,
        "seq": seq,
        "from_agb": from_agb,
        "to_agb": to_agb,
        "paid_on": paid_on,
        "amount_cents": amount_cents,
        "reference": reference,
        "registered_at": registered_at,
        "registered_by": registered_by,
    }
    payment_id = connection.execute(
        REGISTERED.insert().values(values).returning(REGISTERED.c.payment_id)
    ).scalar_one()
    return RegisteredPayment(payment_id=int(payment_id), **_public(values))


def _public(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if k not in ("seq", "payment_id")} | {
        "amount_cents": int(values["amount_cents"])
    }


def registered(
    connection: Connection,
    principal: Principal,
    *,
    run_id: int | None = None,
    from_agb: str | None = None,
    to_agb: str | None = None,
) -> list[RegisteredPayment]:
    """The registered payments ``principal`` may see, in the order registered."""
    g = REGISTERED
    where = [payment_condition(principal, from_agb=g.c.from_agb, to_agb=g.c.to_agb)]
    if run_id is not None:
        where.append(g.c.run_id == run_id)
    if from_agb is not None:
        where.append(g.c.from_agb == from_agb)
    if to_agb is not None:
        where.append(g.c.to_agb == to_agb)
    rows = connection.execute(select(g).where(*where).order_by(g.c.payment_id))
    return [
        RegisteredPayment(payment_id=int(row.payment_id), **_public(dict(row._mapping)))
        for row in rows
    ]
