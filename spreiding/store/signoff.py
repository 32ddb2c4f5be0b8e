"""Sign-off decisions in SQL (``tables.PairSignoff``, migration 0013): adding one, reading a
run's, and the run's pairs with the ids of their lines (what a dispute may name)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, select

from spreiding.store import tables
from spreiding.store.database import lock_for_writing

SIGNOFF = tables.table_of(tables.PairSignoff)
PAIR = tables.table_of(tables.SettlementPair)
LINE_IDS = (
    (tables.table_of(tables.SettlementLine), "dbc_id"),
    (tables.table_of(tables.SettlementHoursLine), "hours_id"),
    (tables.table_of(tables.SettlementCostLine), "cost_id"),
)


def lock_run(connection: Connection, run_id: int) -> None:
    """Sign-off and finalising of one run one at a time: a finalisation sees every decision
    committed before it, and a decision after it finds the run final."""
    lock_for_writing(connection, f"spreiding.signoff.{run_id}")


def run_pairs(connection: Connection, run_id: int) -> list[tuple[str, str]]:
    statement = (
        select(PAIR.c.debtor_agb, PAIR.c.creditor_agb)
        .where(PAIR.c.run_id == run_id)
        .order_by(PAIR.c.debtor_agb, PAIR.c.creditor_agb)
    )
    return [(str(d), str(c)) for d, c in connection.execute(statement)]


def line_ids(connection: Connection, run_id: int, debtor: str, creditor: str) -> set[str]:
    """The ids of the pair's DBC, hours and cost lines."""
    found: set[str] = set()
    for table, column in LINE_IDS:
        statement = select(table.c[column]).where(
            table.c.run_id == run_id, table.c.debtor_agb == debtor, table.c.creditor_agb == creditor
        )
        found |= {str(value) for value in connection.execute(statement).scalars()}
    return found


def add(connection: Connection, **values: Any) -> None:
    connection.execute(SIGNOFF.insert().values(values | {"lines": json.dumps(values["lines"])}))


def decisions(connection: Connection, run_id: int) -> list[dict[str, Any]]:
    """Every decision about run ``run_id``, oldest first."""
    statement = select(SIGNOFF).where(SIGNOFF.c.run_id == run_id).order_by(SIGNOFF.c.signoff_id)
    return [
        dict(row._mapping) | {"lines": json.loads(row.lines)}
        for row in connection.execute(statement)
    ]


def as_lines(values: Sequence[str]) -> list[str]:
    return sorted({v.strip() for v in values if v.strip()})
