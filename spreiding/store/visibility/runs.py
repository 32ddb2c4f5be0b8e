"""What a principal may see of settlement runs: which runs, each run's header (its total the
total of the pairs it may see), the rows of its child tables and the statements' pairs."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row, Select, exists, false, func, or_, select, true, union
from sqlalchemy.sql.elements import ColumnElement

from spreiding.domain.access import Principal
from spreiding.domain.runs import StoredRun
from spreiding.store.visibility.common import T


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
