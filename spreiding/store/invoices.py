"""Invoices in SQL: the next number of a creditor's year under a lock, adding them, and
reading them narrowed to what a principal may see (an admin every invoice; a hospital those
it issued or received; any other key none: ``invoice_condition``).

``tables.Invoice`` (migration 0012) is append-only: the database refuses UPDATE and DELETE.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, false, func, or_, select, true
from sqlalchemy.sql.elements import ColumnElement

from spreiding.domain.access import Principal
from spreiding.domain.invoices import Invoice
from spreiding.store import tables
from spreiding.store.database import lock_for_writing

INVOICE = tables.table_of(tables.Invoice)
PAIR = tables.table_of(tables.SettlementPair)
PAYMENT = tables.table_of(tables.SettlementPayment)


def invoice_condition(principal: Principal) -> ColumnElement[bool]:
    if principal.is_admin:
        return true()
    if principal.role == "hospital" and principal.agb:
        return or_(INVOICE.c.debtor_agb == principal.agb, INVOICE.c.creditor_agb == principal.agb)
    return false()


def lock_numbering(connection: Connection, year: int) -> None:
    """One numbering of ``year``'s invoices at a time, until the transaction ends: the last
    number read and the numbers inserted after it see every invoice committed before."""
    lock_for_writing(connection, f"spreiding.invoices.{year}")


def last_numbers(connection: Connection, year: int, creditors: Sequence[str]) -> dict[str, int]:
    """Per creditor, the highest sequence of ``year`` taken so far (0 when none)."""
    statement = (
        select(INVOICE.c.creditor_agb, func.max(INVOICE.c.seq))
        .where(INVOICE.c.year == year, INVOICE.c.creditor_agb.in_(list(creditors)))
        .group_by(INVOICE.c.creditor_agb)
    )
    found = {str(agb): int(seq) for agb, seq in connection.execute(statement)}
    return {agb: found.get(agb, 0) for agb in creditors}


def run_pairs(connection: Connection, run_id: int) -> list[dict[str, Any]]:
    """A run's pairs with their total, by (debtor, creditor)."""
    p = PAIR
    statement = (
        select(
            p.c.debtor_agb,
            p.c.creditor_agb,
            p.c.amount_cents,
            p.c.hours_cents,
            p.c.costs_cents,
            p.c.vat_cents,
        )
        .where(p.c.run_id == run_id)
        .order_by(p.c.debtor_agb, p.c.creditor_agb)
    )
    rows = []
    for row in connection.execute(statement):
        values = {k: int(v) for k, v in row._mapping.items() if k.endswith("_cents")}
        values["total_cents"] = sum(values.values())
        rows.append({"debtor_agb": row.debtor_agb, "creditor_agb": row.creditor_agb} | values)
    return rows


def netting_seq(connection: Connection, run_id: int, first: str, second: str) -> int | None:
    """The place in run ``run_id`` of the netting payment between two hospitals (either way)."""
    pair = (first, second)
    statement = (
        select(PAYMENT.c.seq)
        .where(
            PAYMENT.c.run_id == run_id,
            PAYMENT.c.from_agb.in_(pair),
            PAYMENT.c.to_agb.in_(pair),
            PAYMENT.c.from_agb != PAYMENT.c.to_agb,
        )
        .order_by(PAYMENT.c.seq)
    )
    seq = connection.execute(statement).scalars().first()
    return None if seq is None else int(seq)


def add(connection: Connection, invoices: Sequence[Invoice]) -> None:
    if invoices:
        connection.execute(INVOICE.insert(), [dict(invoice.__dict__) for invoice in invoices])


def _invoice(row: Any) -> Invoice:
    values = dict(row._mapping)
    for key in ("year", "seq", "run_id", "term_days"):
        values[key] = int(values[key])
    for key in ("amount_cents", "hours_cents", "costs_cents", "vat_cents", "total_cents"):
        values[key] = int(values[key])
    if values["payment_seq"] is not None:
        values["payment_seq"] = int(values["payment_seq"])
    return Invoice(**values)


def visible(
    connection: Connection,
    principal: Principal,
    *,
    run_id: int | None = None,
    number: str | None = None,
    agb: str | None = None,
) -> list[Invoice]:
    """The invoices ``principal`` may see, by creditor, year and number; ``agb``: only those
    that hospital issued or received."""
    where = [invoice_condition(principal)]
    if run_id is not None:
        where.append(INVOICE.c.run_id == run_id)
    if number is not None:
        where.append(INVOICE.c.number == number)
    if agb is not None:
        where.append(or_(INVOICE.c.debtor_agb == agb, INVOICE.c.creditor_agb == agb))
    statement = (
        select(*[INVOICE.c[name] for name in Invoice.__dataclass_fields__])
        .where(*where)
        .order_by(INVOICE.c.creditor_agb, INVOICE.c.year, INVOICE.c.seq)
    )
    return [_invoice(row) for row in connection.execute(statement)]
