"""What a principal may see of the dataset: hospitals, insurers, agreements, DBCs,
declarations, transfers, hours and prices, as SQL conditions and the reads narrowed by them."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import Connection, exists, false, func, or_, select, true
from sqlalchemy.sql.elements import ColumnElement

from spreiding.domain.access import Principal
from spreiding.store.visibility.common import T, read_rows


def hospitals(connection: Connection) -> list[dict[str, Any]]:
    h = T["hospital"]
    return read_rows(connection, select(h).order_by(h.c.agb))


def known_hospitals(connection: Connection, agbs: Collection[str]) -> set[str]:
    """Which of ``agbs`` are stored hospitals (reads those rows only)."""
    h = T["hospital"]
    statement = select(h.c.agb).where(h.c.agb.in_(sorted(set(agbs))))
    return set(connection.execute(statement).scalars())


def insurers(connection: Connection) -> list[dict[str, Any]]:
    i = T["insurer"]
    return read_rows(connection, select(i).order_by(i.c.uzovi))


def agreement_condition(principal: Principal) -> ColumnElement[bool]:
    a, party, consent = T["agreement"], T["party"], T["consent"]
    if principal.is_admin:
        return true()
    if principal.role == "hospital":
        return exists().where(
            party.c.agreement_id == a.c.agreement_id, party.c.agb == principal.agb
        )
    if principal.role == "bureau":
        return a.c.agreement_id.in_(sorted(principal.agreements))
    return exists().where(
        consent.c.agreement_id == a.c.agreement_id, consent.c.uzovi == principal.uzovi
    )


def agreement_names(connection: Connection) -> list[dict[str, Any]]:
    a = T["agreement"]
    return read_rows(connection, select(a.c.agreement_id, a.c.name))


def agreement_ids(connection: Connection) -> set[str]:
    a = T["agreement"]
    return set(connection.execute(select(a.c.agreement_id)).scalars())


def visible_agreement_ids(connection: Connection, principal: Principal) -> list[str]:
    a = T["agreement"]
    statement = (
        select(a.c.agreement_id).where(agreement_condition(principal)).order_by(a.c.agreement_id)
    )
    return list(connection.execute(statement).scalars())


def dbc_condition(principal: Principal) -> ColumnElement[bool]:
    d = T["dbc"]
    if principal.is_admin:
        return true()
    if principal.role == "hospital":
        return or_(d.c.agb == principal.agb, d.c.requesting_agb == principal.agb)
    return false()


def dbcs(
    connection: Connection, principal: Principal, *, limit: int, offset: int
) -> list[dict[str, Any]]:
    d = T["dbc"]
    statement = (
        select(d)
        .where(dbc_condition(principal))
        .order_by(d.c.agb, d.c.dbc_id)
        .limit(limit)
        .offset(offset)
    )
    return read_rows(connection, statement)


def declaration_condition(principal: Principal) -> ColumnElement[bool]:
    v = T["declaration"]
    if principal.is_admin:
        return true()
    if principal.role == "hospital":
        return v.c.agb == principal.agb
    if principal.role == "insurer":
        return v.c.uzovi == principal.uzovi
    return false()


def declarations(
    connection: Connection, principal: Principal, *, limit: int, offset: int
) -> list[dict[str, Any]]:
    v = T["declaration"]
    statement = (
        select(v)
        .where(declaration_condition(principal))
        .order_by(v.c.declaration_id)
        .limit(limit)
        .offset(offset)
    )
    return read_rows(connection, statement)


def transfer_condition(principal: Principal) -> ColumnElement[bool]:
    t = T["transfer"]
    if principal.is_admin:
        return true()
    if principal.role == "bureau":
        return t.c.agreement_id.in_(sorted(principal.agreements))
    if principal.role == "hospital":
        return or_(t.c.from_agb == principal.agb, t.c.to_agb == principal.agb)
    return false()


def hours_condition(principal: Principal) -> ColumnElement[bool]:
    """Hours worked at another hospital: the employer's and the host's to see, and the
    bureau's of the agreement, as transfers."""
    h = T["hours"]
    if principal.is_admin:
        return true()
    if principal.role == "bureau":
        return h.c.agreement_id.in_(sorted(principal.agreements))
    if principal.role == "hospital":
        return or_(h.c.employer_agb == principal.agb, h.c.host_agb == principal.agb)
    return false()


def transfers(
    connection: Connection, principal: Principal, *, limit: int, offset: int
) -> list[dict[str, Any]]:
    t = T["transfer"]
    statement = (
        select(t)
        .where(transfer_condition(principal))
        .order_by(t.c.transfer_id)
        .limit(limit)
        .offset(offset)
    )
    return read_rows(connection, statement)


def transfer(
    connection: Connection, principal: Principal, transfer_id: str
) -> dict[str, Any] | None:
    t = T["transfer"]
    rows = read_rows(
        connection, select(t).where(t.c.transfer_id == transfer_id, transfer_condition(principal))
    )
    return rows[0] if rows else None


def hours(
    connection: Connection,
    principal: Principal,
    *,
    limit: int,
    offset: int,
    agreement_id: str | None = None,
) -> list[dict[str, Any]]:
    h = T["hours"]
    statement = select(h).where(hours_condition(principal))
    if agreement_id is not None:
        statement = statement.where(h.c.agreement_id == agreement_id)
    statement = statement.order_by(h.c.hours_id).limit(limit).offset(offset)
    return read_rows(connection, statement)


def hours_row(connection: Connection, principal: Principal, hours_id: str) -> dict[str, Any] | None:
    h = T["hours"]
    rows = read_rows(
        connection, select(h).where(h.c.hours_id == hours_id, hours_condition(principal))
    )
    return rows[0] if rows else None


def row_condition(principal: Principal, name: str) -> ColumnElement[bool]:
    """The stored rows of dataset table ``name`` that ``principal`` may see; hospitals,
    insurers and prices are every key's to see."""
    conditions = {
        "dbcs": dbc_condition,
        "declarations": declaration_condition,
        "transfers": transfer_condition,
        "hours": hours_condition,
    }
    return conditions[name](principal) if name in conditions else true()


def alliance(connection: Connection, principal: Principal) -> set[str]:
    """The hospitals that are parties of the agreements a bureau key holds."""
    party = T["party"]
    statement = select(party.c.agb).where(party.c.agreement_id.in_(sorted(principal.agreements)))
    return set(connection.execute(statement).scalars())


def price_lists(connection: Connection) -> list[dict[str, Any]]:
    p = T["price"]
    statement = (
        select(p.c.price_list, p.c.year, func.count().label("prices"))
        .group_by(p.c.price_list, p.c.year)
        .order_by(p.c.price_list, p.c.year)
    )
    return read_rows(connection, statement)


def prices(connection: Connection, price_list: str) -> list[dict[str, Any]]:
    p = T["price"]
    return read_rows(
        connection,
        select(p).where(p.c.price_list == price_list).order_by(p.c.year, p.c.zorgproduct_code),
    )
