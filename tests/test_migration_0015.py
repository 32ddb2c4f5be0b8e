"""Migration 0015: a pair's rows in the run's order straight from the pair index.

A page of a statement (``RunStore.direction_page``) is read in order from
``(run_id, debtor_agb, creditor_agb, seq)`` and stops after its rows: no sort of the pair's
every row per page. The plans are checked on SQLite and PostgreSQL, and the table definitions
against what the migration made."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Connection, Engine, inspect, text

from spreiding.store import tables
from spreiding.store.database import downgrade, migrate
from spreiding.store.runs import RunStore, _direction_query
from tests.test_trust_db import unmigrated

__all__ = ["unmigrated"]
TABLES = ("settlement_line", "settlement_hours_line", "settlement_cost_line")
SECTIONS = {
    "settlement_line": "lines",
    "settlement_hours_line": "hours",
    "settlement_cost_line": "costs",
}
DEFINED = {
    "settlement_line": tables.SettlementLine,
    "settlement_hours_line": tables.SettlementHoursLine,
    "settlement_cost_line": tables.SettlementCostLine,
}


def _pair_index(engine: Engine, table: str) -> list[str | None]:
    (index,) = [i for i in inspect(engine).get_indexes(table) if i["name"] == f"ix_{table}_pair"]
    return list(index["column_names"])


def test_migration_0015_puts_seq_in_the_pair_indexes_and_goes_back(unmigrated: Engine) -> None:
    migrate(unmigrated, "0015")
    for table in TABLES:
        assert _pair_index(unmigrated, table) == ["run_id", "debtor_agb", "creditor_agb", "seq"]
        # The table definitions say the same (the schema made without migrations).
        indexes = tables.table_of(DEFINED[table]).indexes
        (defined,) = [i for i in indexes if i.name == f"ix_{table}_pair"]
        assert [c.name for c in defined.columns] == _pair_index(unmigrated, table)
    downgrade(unmigrated, "0014")
    for table in TABLES:
        assert _pair_index(unmigrated, table) == ["run_id", "debtor_agb", "creditor_agb"]
    migrate(unmigrated, "0015")
    assert _pair_index(unmigrated, "settlement_line")[-1] == "seq"


@pytest.fixture
def planned(unmigrated: Engine) -> Iterator[Connection]:
    migrate(unmigrated)
    with unmigrated.connect() as connection:
        yield connection


def _plan(connection: Connection, table: str) -> str:
    values = {"run_id": 1, "debtor": "A", "creditor": "B", "after": 5, "limit": 101}
    query = _direction_query(SECTIONS[table], limited=True).params(values)
    sql = str(query.compile(connection.engine, compile_kwargs={"literal_binds": True}))
    if connection.dialect.name == "sqlite":
        rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}").all()
        return "\n".join(str(row[-1]) for row in rows)
    # An empty table is read whole: make PostgreSQL show the plan it takes on a large one.
    connection.execute(text("SET enable_seqscan = off"))
    rows = connection.exec_driver_sql(f"EXPLAIN {sql}").all()
    return "\n".join(str(row[0]) for row in rows)


@pytest.mark.parametrize("table", TABLES)
def test_a_page_is_read_from_the_pair_index_in_order_without_a_sort(
    planned: Connection, table: str
) -> None:
    plan = _plan(planned, table)
    assert f"ix_{table}_pair" in plan, plan
    assert "TEMP B-TREE" not in plan and "Sort" not in plan, plan
    assert RunStore(planned).direction_page(SECTIONS[table], 1, "B", "A", after=-1, limit=10) == []
