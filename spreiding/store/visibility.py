"""What a principal may see, written once as SQL conditions, and the reads narrowed by them.

A hospital (AGB 06010101) sees the runs with a line or an exclusion that concerns it, and of such
a run only those lines, exclusions, pairs, payments and its own position, and as the run's total
the total of those lines; an admin sees all.
Services call these reads; no other module filters by tenant (``spreiding.store.keys`` says who
the principal is).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import (
    Connection,
    Row,
    Select,
    Table,
    and_,
    exists,
    false,
    func,
    or_,
    select,
    true,
    union,
)
from sqlalchemy.sql.elements import ColumnElement

from spreiding.domain.access import Principal
from spreiding.domain.runs import StoredAudit, StoredRun
from spreiding.store import tables

T: dict[str, Table] = {
    name: tables.table_of(model)
    for name, model in {
        "hospital": tables.Hospital,
        "insurer": tables.Insurer,
        "agreement": tables.Agreement,
        "party": tables.AgreementParty,
        "care_type": tables.CareType,
        "consent": tables.ParallelConsent,
        "price": tables.Price,
        "dbc": tables.Dbc,
        "declaration": tables.Declaration,
        "transfer": tables.Transfer,
        "hours": tables.Hours,
        "run": tables.SettlementRun,
        "line": tables.SettlementLine,
        "exclusion": tables.SettlementExclusion,
        "pair": tables.SettlementPair,
        "position": tables.SettlementPosition,
        "payment": tables.SettlementPayment,
        "hours_line": tables.SettlementHoursLine,
        "cost_line": tables.SettlementCostLine,
        "hours_exclusion": tables.SettlementHoursExclusion,
        "audit_run": tables.AuditRun,
        "finding": tables.AuditFinding,
    }.items()
}


def _rows(connection: Connection, statement: Any) -> list[dict[str, Any]]:
    return [dict(row._mapping) for row in connection.execute(statement)]


def hospitals(connection: Connection) -> list[dict[str, Any]]:
    h = T["hospital"]
    return _rows(connection, select(h).order_by(h.c.agb))


def known_hospitals(connection: Connection, agbs: Collection[str]) -> set[str]:
    """Which of ``agbs`` are stored hospitals (reads those rows only)."""
    h = T["hospital"]
    statement = select(h.c.agb).where(h.c.agb.in_(sorted(set(agbs))))
    return set(connection.execute(statement).scalars())


def insurers(connection: Connection) -> list[dict[str, Any]]:
    i = T["insurer"]
    return _rows(connection, select(i).order_by(i.c.uzovi))


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
    return _rows(connection, select(a.c.agreement_id, a.c.name))


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
    return _rows(connection, statement)


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
    return _rows(connection, statement)


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
    return _rows(connection, statement)


def transfer(
    connection: Connection, principal: Principal, transfer_id: str
) -> dict[str, Any] | None:
    t = T["transfer"]
    rows = _rows(
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
    return _rows(connection, statement)


def hours_row(connection: Connection, principal: Principal, hours_id: str) -> dict[str, Any] | None:
    h = T["hours"]
    rows = _rows(connection, select(h).where(h.c.hours_id == hours_id, hours_condition(principal)))
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
    return _rows(connection, statement)


def prices(connection: Connection, price_list: str) -> list[dict[str, Any]]:
    p = T["price"]
    return _rows(
        connection,
        select(p).where(p.c.price_list == price_list).order_by(p.c.year, p.c.zorgproduct_code),
    )


def run_condition(principal: Principal) -> ColumnElement[bool]:
    """A hospital sees the runs that concern it: a line or an exclusion with it (v2: also an
    hours or cost line, through the run's pairs, or an hours row it worked or hosted)."""
    r, line, exclusion, pair = T["run"], T["line"], T["exclusion"], T["pair"]
    hours_exclusion = T["hours_exclusion"]
    if principal.is_admin:
        return true()
    if principal.role == "hospital":
        agb = principal.agb
        return or_(
            exists().where(
                line.c.run_id == r.c.run_id,
                or_(line.c.creditor_agb == agb, line.c.debtor_agb == agb),
            ),
            exists().where(
                exclusion.c.run_id == r.c.run_id,
                or_(exclusion.c.agb == agb, exclusion.c.requesting_agb == agb),
            ),
            exists().where(
                pair.c.run_id == r.c.run_id,
                or_(pair.c.creditor_agb == agb, pair.c.debtor_agb == agb),
            ),
            exists().where(
                hours_exclusion.c.run_id == r.c.run_id,
                or_(hours_exclusion.c.employer_agb == agb, hours_exclusion.c.host_agb == agb),
            ),
        )
    return false()


def _run_headers(principal: Principal) -> Select[Any]:
    """Run headers as ``principal`` sees them: its ``total_cents`` is the total of the pairs
    it may see, DBC lines, hours, costs and VAT (an admin: the run's total), so no hospital
    learns what others settled."""
    r, pair = T["run"], T["pair"]
    if principal.is_admin:
        return select(r)
    owed = pair.c.amount_cents + pair.c.hours_cents + pair.c.costs_cents + pair.c.vat_cents
    total = (
        select(func.coalesce(func.sum(owed), 0))
        .where(pair.c.run_id == r.c.run_id, run_part(principal)["pairs"])
        .scalar_subquery()
    )
    return select(*(total.label(c.name) if c.name == "total_cents" else c for c in r.columns))


def _stored_run(row: Row[Any]) -> StoredRun:
    # PostgreSQL sums BIGINT as NUMERIC: back to integer cents.
    return StoredRun(**(dict(row._mapping) | {"total_cents": int(row.total_cents)}))


def visible_runs(connection: Connection, principal: Principal) -> list[StoredRun]:
    """The headers of the runs ``principal`` may see, oldest first, in one query."""
    r = T["run"]
    statement = _run_headers(principal).where(run_condition(principal)).order_by(r.c.run_id)
    return [_stored_run(row) for row in connection.execute(statement)]


def visible_run(connection: Connection, principal: Principal, run_id: int) -> StoredRun | None:
    """The header of run ``run_id`` if ``principal`` may see it; None when it may not or the
    run does not exist (the two read the same)."""
    r = T["run"]
    statement = _run_headers(principal).where(r.c.run_id == run_id, run_condition(principal))
    row = connection.execute(statement).first()
    return None if row is None else _stored_run(row)


def run_header(connection: Connection, principal: Principal, run_id: int) -> StoredRun:
    """The header of run ``run_id`` as ``principal`` sees it, for the one who has just
    settled it (a hospital may settle a year in which it has no line: its total is 0)."""
    r = T["run"]
    return _stored_run(
        connection.execute(_run_headers(principal).where(r.c.run_id == run_id)).one()
    )


def run_part(principal: Principal) -> dict[str, ColumnElement[bool]]:
    """Per child table of a run (``lines``, ``excluded``, ``pairs``, ``positions``,
    ``payments``, and v2 ``hours``, ``costs``, ``excluded_hours``): the rows ``principal`` may
    see. A hospital sees what it is a party to and only its own position; an admin sees every
    row."""
    line, exclusion, pair = T["line"], T["exclusion"], T["pair"]
    position, payment = T["position"], T["payment"]
    hours, costs, hours_exclusion = T["hours_line"], T["cost_line"], T["hours_exclusion"]
    if principal.is_admin:
        return {name: true() for name in RUN_PARTS}
    if principal.role != "hospital":
        return {name: false() for name in RUN_PARTS}
    agb = principal.agb
    return {
        "lines": or_(line.c.creditor_agb == agb, line.c.debtor_agb == agb),
        "excluded": or_(exclusion.c.agb == agb, exclusion.c.requesting_agb == agb),
        "pairs": or_(pair.c.debtor_agb == agb, pair.c.creditor_agb == agb),
        "positions": position.c.agb == agb,
        "payments": or_(payment.c.from_agb == agb, payment.c.to_agb == agb),
        "hours": or_(hours.c.creditor_agb == agb, hours.c.debtor_agb == agb),
        "costs": or_(costs.c.creditor_agb == agb, costs.c.debtor_agb == agb),
        "excluded_hours": or_(
            hours_exclusion.c.employer_agb == agb, hours_exclusion.c.host_agb == agb
        ),
    }


RUN_PARTS = (
    "lines", "excluded", "pairs", "positions", "payments", "hours", "costs", "excluded_hours",
)  # fmt: skip


# An exclusion of a DBC without a requesting hospital: the engine's text column holds "nan" or
# "None" for it, and a row may hold NULL or "": none of these names a second hospital.
NO_HOSPITAL = ("", "nan", "None")


def statement_pairs(
    connection: Connection, principal: Principal, run_id: int
) -> list[tuple[str, str]]:
    """Every two hospitals (lower AGB first) with a line (DBC, hours or cost line) or an
    exclusion between them in run ``run_id``, of those ``principal`` may see."""
    line, exclusion = T["line"], T["exclusion"]
    part = run_part(principal)
    lines = [
        select(line.c.creditor_agb, line.c.debtor_agb)
        .where(line.c.run_id == run_id, part["lines"])
        .distinct()
    ] + [
        select(table.c.creditor_agb, table.c.debtor_agb)
        .where(table.c.run_id == run_id, table.c.creditor_agb != table.c.debtor_agb, part[name])
        .distinct()
        for name, table in (("hours", T["hours_line"]), ("costs", T["cost_line"]))
    ]
    excluded = (
        select(exclusion.c.agb, exclusion.c.requesting_agb)
        .where(
            exclusion.c.run_id == run_id,
            exclusion.c.requesting_agb.is_not(None),
            exclusion.c.requesting_agb.not_in(NO_HOSPITAL),
            part["excluded"],
        )
        .distinct()
    )
    found = {tuple(sorted(row)) for row in connection.execute(union(*lines, excluded))}
    return sorted((a, b) for a, b in found)


def finding_condition(principal: Principal) -> ColumnElement[bool]:
    f = T["finding"]
    if principal.is_admin:
        return true()
    if principal.role == "insurer":
        return f.c.uzovi == principal.uzovi
    if principal.role == "hospital":
        return f.c.agb == principal.agb
    return false()


def _audit_headers(principal: Principal) -> Select[Any]:
    """Audit run headers as ``principal`` sees them: ``findings`` counts the findings it may
    read (an admin: all of them)."""
    a, f = T["audit_run"], T["finding"]
    if principal.is_admin:
        return select(a)
    count = (
        select(func.count())
        .select_from(f)
        .where(f.c.run_id == a.c.run_id, finding_condition(principal))
        .scalar_subquery()
    )
    return select(*(count.label(c.name) if c.name == "findings" else c for c in a.columns))


def audit_runs(connection: Connection, principal: Principal) -> list[StoredAudit]:
    a = T["audit_run"]
    if principal.role not in ("admin", "insurer", "hospital"):
        return []
    rows = connection.execute(_audit_headers(principal).order_by(a.c.run_id))
    return [StoredAudit(**row._mapping) for row in rows]


def audit_run(connection: Connection, principal: Principal, run_id: int) -> StoredAudit | None:
    a = T["audit_run"]
    if principal.role not in ("admin", "insurer", "hospital"):
        return None
    row = connection.execute(_audit_headers(principal).where(a.c.run_id == run_id)).first()
    return None if row is None else StoredAudit(**row._mapping)


def findings(connection: Connection, principal: Principal, run_id: int) -> list[dict[str, Any]]:
    f = T["finding"]
    columns = [c for c in f.columns if c.name not in ("run_id", "seq")]
    statement = (
        select(*columns)
        .where(and_(f.c.run_id == run_id, finding_condition(principal)))
        .order_by(f.c.seq)
    )
    return _rows(connection, statement)
