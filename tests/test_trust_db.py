"""What the database itself guarantees, whoever writes the SQL (issue 8, items 4, 5, 6, 8, 10):
money in a final run cannot be moved in or out of it, not even by SQLite's REPLACE; the
application's PostgreSQL role cannot switch that protection off; the same inputs give one run
however many callers ask at once; parallel imports of the same data converge."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from spreiding.contract.reader import read_dataset
from spreiding.services.runs import finalise, load_run, run_year
from spreiding.store.datasets import import_dataset, load_dataset
from spreiding.store.runs import RunStore
from tests import files as f

CHILDREN = (
    "settlement_line",
    "settlement_exclusion",
    "settlement_pair",
    "settlement_position",
    "settlement_payment",
)
# What each run of ``final_and_draft`` holds: one line, exclusion, pair and payment between the
# two hospitals, and a position for each.
ROWS = dict.fromkeys(CHILDREN, 1) | {"settlement_position": 2}
# What the triggers say (migrations 0002 and 0007).
REFUSED = r"final|cannot change"


def load(engine: Engine, folder: Path, files: dict[str, Any]) -> None:
    with engine.begin() as connection:
        import_dataset(connection, read_dataset(f.write(folder, files)))


def settle_db(engine: Engine, *, netting: str = "bilateral") -> int:
    with engine.begin() as connection:
        dataset = load_dataset(connection)
        run, _ = run_year(
            RunStore(connection), dbcs=dataset.dbcs, prices=dataset.prices,
            agreements=dataset.agreements, year=2024, netting=netting,  # type: ignore[arg-type]
        )  # fmt: skip
        return run.run_id


def counts(engine: Engine, run_id: int) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            table: connection.execute(
                text(f"SELECT count(*) FROM {table} WHERE run_id = :run"), {"run": run_id}
            ).scalar_one()
            for table in CHILDREN
        }


@pytest.fixture
def final_and_draft(engine: Engine, tmp_path: Path) -> tuple[int, int]:
    """A final run and a draft of the same year, each with a row in every child table
    (D2 is still open on 31 December: an exclusion)."""
    files = f.base_files()
    files["dbcs.csv"].append(f.dbc(dbc_id="D2", start="2024-12-31", end=""))
    load(engine, tmp_path, files)
    final = settle_db(engine)
    draft = settle_db(engine, netting="multilateral")
    with engine.begin() as connection:
        finalise(RunStore(connection), final)
    assert counts(engine, final) == counts(engine, draft) == ROWS
    return final, draft


def assert_final_run_intact(engine: Engine, final: int) -> None:
    with engine.connect() as connection:
        stored, result = load_run(RunStore(connection), final)
    assert (stored.status, stored.total_cents, result.total_cents) == ("final", 179910, 179910)
    assert counts(engine, final) == ROWS


# --- item 4: a draft's row cannot be moved into a final run ----------------------------------


@pytest.mark.parametrize("table", CHILDREN)
def test_a_draft_row_cannot_be_moved_into_a_final_run(
    engine: Engine, final_and_draft: tuple[int, int], table: str
) -> None:
    final, draft = final_and_draft
    with pytest.raises(DBAPIError, match="final"), engine.begin() as connection:
        connection.execute(
            text(f"UPDATE {table} SET run_id = :final, seq = seq + 1000 WHERE run_id = :draft"),
            {"final": final, "draft": draft},
        )
    assert_final_run_intact(engine, final)
    assert counts(engine, draft) == ROWS


def test_a_run_cannot_take_a_final_run_id_nor_be_inserted_final(
    engine: Engine, final_and_draft: tuple[int, int]
) -> None:
    final, draft = final_and_draft
    statements = [
        "UPDATE settlement_run SET run_id = :free WHERE run_id = :draft",
        "INSERT INTO settlement_run (run_id, kind, status, year, netting, fingerprint, "
        "total_cents) VALUES (:free, 'settlement', 'final', 2025, 'bilateral', 'x', 0)",
    ]
    for statement in statements:
        with pytest.raises(DBAPIError, match=REFUSED), engine.begin() as connection:
            for table in CHILDREN:  # a run without rows, so that only the triggers refuse
                connection.execute(
                    text(f"DELETE FROM {table} WHERE run_id = :draft"), {"draft": draft}
                )
            connection.execute(text(statement), {"free": final + draft + 100, "draft": draft})
    assert_final_run_intact(engine, final)


# --- item 5: SQLite's REPLACE cannot overwrite a final row ------------------------------------


def sqlite_only(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("INSERT/UPDATE OR REPLACE is SQLite's syntax")


REPLACE_STATEMENTS = [
    # The final run itself, replaced by a draft under its own id.
    "INSERT OR REPLACE INTO settlement_run (run_id, kind, status, year, netting, fingerprint, "
    "total_cents) VALUES (:final, 'settlement', 'draft', 2024, 'bilateral', 'x', 0)",
    "REPLACE INTO settlement_run (run_id, kind, status, year, netting, fingerprint, "
    "total_cents) VALUES (:final, 'settlement', 'draft', 2024, 'bilateral', 'x', 0)",
    # A second final settlement of the year: its unique index would make REPLACE delete the first.
    "INSERT OR REPLACE INTO settlement_run (kind, status, year, netting, fingerprint, "
    "total_cents) VALUES ('settlement', 'final', 2024, 'bilateral', 'x', 0)",
    "UPDATE OR REPLACE settlement_run SET status = 'final' WHERE run_id = :draft",
    "UPDATE OR REPLACE settlement_run SET run_id = :final WHERE run_id = :draft",
    *(f"UPDATE OR REPLACE {table} SET run_id = :final WHERE run_id = :draft" for table in CHILDREN),
    *(
        f"INSERT OR REPLACE INTO {table} SELECT * FROM {table} WHERE run_id = :final"
        for table in CHILDREN
    ),
]


@pytest.mark.parametrize("statement", REPLACE_STATEMENTS)
def test_replace_cannot_overwrite_a_final_row(
    engine: Engine, final_and_draft: tuple[int, int], statement: str
) -> None:
    sqlite_only(engine)
    final, draft = final_and_draft
    with pytest.raises(DBAPIError, match=REFUSED), engine.begin() as connection:
        assert connection.exec_driver_sql("PRAGMA recursive_triggers").scalar_one() == 1
        connection.execute(text(statement), {"final": final, "draft": draft})
    assert_final_run_intact(engine, final)


def test_replace_is_refused_to_a_client_without_the_applications_pragmas(
    engine: Engine, final_and_draft: tuple[int, int]
) -> None:
    """The sqlite3 shell, say: no foreign keys, no recursive triggers. The triggers alone hold."""
    sqlite_only(engine)
    final, draft = final_and_draft
    assert engine.url.database is not None
    plain = sqlite3.connect(engine.url.database)
    try:
        assert plain.execute("PRAGMA recursive_triggers").fetchone() == (0,)
        for statement in REPLACE_STATEMENTS:
            with pytest.raises(sqlite3.IntegrityError, match=REFUSED):
                plain.execute(statement, {"final": final, "draft": draft})
            plain.rollback()
    finally:
        plain.close()
    assert_final_run_intact(engine, final)
