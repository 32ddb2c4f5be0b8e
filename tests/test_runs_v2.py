"""Runs of contract v2 datasets in the database (SQLite and PostgreSQL): hours and cost lines
are stored and read back as computed, corrections carry new, withdrawn and changed hours and
cost lines, a hospital sees only its own, and a final run's hours and costs cannot change."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.exc import DBAPIError

from settlement.engine import settle
from spreiding.contract.reader import read_dataset
from spreiding.domain.access import Principal
from spreiding.domain.runs import StoredRun
from spreiding.render.settlement import settlement_to_dict, settlement_to_json
from spreiding.services.runs import finalise, load_run, run_year
from spreiding.store.database import downgrade, migrate
from spreiding.store.datasets import import_dataset, load_dataset
from spreiding.store.runs import RunStore
from tests import files as f
from tests.settlement.test_engine_v2 import hours, hours_files
from tests.test_trust_db import unmigrated

__all__ = ["unmigrated"]  # a fixture, used by name

A, B, C = f.HOSPITAL_A, f.HOSPITAL_B, f.HOSPITAL_C


def v2_files() -> dict[str, Any]:
    """Hours of A and B (as in the engine tests) and a cost of 100.00 paid by A, keyed 1:1."""
    files = hours_files()
    files["agreements.json"][0]["costs"] = [
        {"cost_id": "bureau", "description": "Bureau", "year": 2024, "amount_eur": "100.00",
         "paid_by": A, "key": {A: 1, B: 1}},
    ]  # fmt: skip
    return files


def load(connection: Connection, tmp_path: Path, files: dict[str, Any]) -> None:
    with connection.begin_nested():
        import_dataset(connection, read_dataset(f.write(tmp_path, files)))


def settle_db(connection: Connection) -> tuple[StoredRun, bool]:
    with connection.begin_nested():
        dataset = load_dataset(connection)
        return run_year(
            RunStore(connection), dbcs=dataset.dbcs, prices=dataset.prices,
            agreements=dataset.agreements, year=2024, hours=dataset.hours,
        )  # fmt: skip


def test_a_v2_run_reads_back_as_computed(connection: Connection, tmp_path: Path) -> None:
    dataset = read_dataset(f.write(tmp_path / "files", v2_files()))
    load(connection, tmp_path / "db", v2_files())
    run, created = settle_db(connection)
    assert created
    _, stored = load_run(RunStore(connection), run.run_id)
    computed = settle(
        dataset.dbcs, dataset.prices, dataset.agreements, year=2024, hours=dataset.hours
    )
    assert settlement_to_json(stored) == settlement_to_json(computed)
    # 1799.10 + hours 2864.47 + VAT 18.79 + cost 50.00 (B's half) + B's hours 1.50 + VAT 0.32.
    assert run.total_cents == 473418
    assert len(stored.hours) == 4 and len(stored.costs) == 1 and len(stored.excluded_hours) == 4
    # The same inputs again: the same run.
    assert settle_db(connection) == (run, False)


def test_a_run_of_hours_and_costs_only_is_stored(connection: Connection, tmp_path: Path) -> None:
    files = v2_files()
    files["dbcs.csv"] = []
    load(connection, tmp_path, files)
    run, created = settle_db(connection)
    assert created and run.total_cents == 473418 - 179910


def test_a_correction_carries_hours_and_cost_lines(connection: Connection, tmp_path: Path) -> None:
    load(connection, tmp_path / "first", v2_files())
    run, _ = settle_db(connection)
    with connection.begin_nested():
        finalise(RunStore(connection), run.run_id)
    later = v2_files()
    later["hours.csv"] = [h for h in later["hours.csv"] if h["hours_id"] != "H2"]  # withdrawn
    later["hours.csv"][0]["hours"] = "8.00"  # H1: 8.00 x 185.00 = 1480.00, +92.50
    later["hours.csv"].append(hours("H10", day="2024-04-01", worked="0.01"))  # new: 1.85
    later["agreements.json"][0]["costs"][0]["amount_eur"] = "130.00"  # B: 65.00, +15.00
    # What was stored changes (an import adds, it never changes a row): then H10 is added.
    with connection.begin_nested():
        connection.execute(text("DELETE FROM hours WHERE hours_id = 'H2'"))
        connection.execute(text("UPDATE hours SET hours_hundredths = 800 WHERE hours_id = 'H1'"))
        connection.execute(text("UPDATE agreement_cost SET amount_cents = 13000"))
    load(connection, tmp_path / "later", later)
    correction, created = settle_db(connection)
    assert created and correction.kind == "correction"
    _, stored = load_run(RunStore(connection), correction.run_id)
    result = settlement_to_dict(stored)
    assert [(h["hours_id"], h["change"], h["amount"], h["vat"]) for h in result["hours"]] == [
        ("H1", "changed", "92.50", "0.00"),
        ("H2", "withdrawn", "-89.47", "-18.79"),
        ("H10", "new", "1.85", "0.00"),
    ]
    assert [(c["cost_id"], c["change"], c["amount"]) for c in result["costs"]] == [
        ("bureau", "changed", "15.00")
    ]
    assert result["lines"] == []
    assert result["pairs"] == [
        {"debtor_agb": A, "creditor_agb": B, "lines": 0, "amount": "0.00", "hours": "4.88",
         "costs": "0.00", "vat": "-18.79", "total": "-13.91"},
        {"debtor_agb": B, "creditor_agb": A, "lines": 0, "amount": "0.00", "hours": "0.00",
         "costs": "15.00", "vat": "0.00", "total": "15.00"},
    ]  # fmt: skip
    assert result["payments"] == [{"from_agb": B, "to_agb": A, "amount": "28.91"}]


def test_a_hospital_sees_only_its_hours_and_costs(connection: Connection, tmp_path: Path) -> None:
    files = v2_files()
    files["hospitals.csv"].append(f.hospital(agb=C, name="Ziekenhuis C"))
    files["agreements.json"][0]["parties"] = [A, B, C]
    files["agreements.json"][0]["costs"][0]["key"] = {A: 1, B: 1, C: 2}  # B 25.00, C 50.00
    load(connection, tmp_path, files)
    run, _ = settle_db(connection)
    _, seen_by_c = load_run(RunStore(connection), run.run_id, Principal("key-c", "hospital", agb=C))
    assert seen_by_c.lines.empty and seen_by_c.hours.empty and seen_by_c.excluded_hours.empty
    assert seen_by_c.costs[["debtor_agb", "amount_cents"]].values.tolist() == [[C, 5000]]
    _, seen_by_b = load_run(RunStore(connection), run.run_id, Principal("key-b", "hospital", agb=B))
    assert sorted(seen_by_b.hours["hours_id"]) == ["H1", "H2", "H3", "H8"]
    assert seen_by_b.costs["debtor_agb"].tolist() == [B]


def test_a_final_runs_hours_and_costs_cannot_change(connection: Connection, tmp_path: Path) -> None:
    load(connection, tmp_path, v2_files())
    run, _ = settle_db(connection)
    with connection.begin_nested():
        finalise(RunStore(connection), run.run_id)
    for statement in (
        "UPDATE settlement_hours_line SET amount_cents = 1",
        "DELETE FROM settlement_cost_line",
        "UPDATE settlement_hours_exclusion SET reason = 'X'",
        "UPDATE settlement_pair SET hours_cents = 0",
        f"INSERT INTO settlement_cost_line (run_id, seq, creditor_agb, debtor_agb, agreement_id, "
        f"cost_id, weight, amount_cents) VALUES ({run.run_id}, 99, '{A}', '{B}', 'x', 'y', 1, 1)",
    ):
        with pytest.raises(DBAPIError), connection.begin_nested():
            connection.execute(text(statement))


def test_migration_0011_keeps_a_final_run_and_goes_back(unmigrated: Engine) -> None:
    """A final run stored before 0011 reads back after it with hours, costs and VAT of 0;
    downgrading drops the new tables and columns, and upgrading again works."""
    migrate(unmigrated, "0010")
    with unmigrated.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO settlement_run (run_id, kind, status, year, netting, fingerprint, "
                "total_cents) VALUES (1, 'settlement', 'draft', 2024, 'bilateral', 'f', 500)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO settlement_pair (run_id, seq, debtor_agb, creditor_agb, lines, "
                f"amount_cents) VALUES (1, 0, '{A}', '{B}', 1, 500)"
            )
        )
        connection.execute(text("UPDATE settlement_run SET status = 'final' WHERE run_id = 1"))
    migrate(unmigrated, "0011")
    with unmigrated.connect() as connection:
        _, stored = load_run(RunStore(connection), 1)
        assert settlement_to_dict(stored)["pairs"] == [
            {"debtor_agb": A, "creditor_agb": B, "lines": 1, "amount": "5.00", "hours": "0.00",
             "costs": "0.00", "vat": "0.00", "total": "5.00"},
        ]  # fmt: skip
    with pytest.raises(DBAPIError), unmigrated.begin() as connection:
        connection.execute(text("UPDATE settlement_pair SET vat_cents = 1"))
    downgrade(unmigrated, "0010")
    tables = inspect(unmigrated).get_table_names()
    assert "settlement_hours_line" not in tables and "settlement_cost_line" not in tables
    assert "vat_cents" not in [
        c["name"] for c in inspect(unmigrated).get_columns("settlement_pair")
    ]
    migrate(unmigrated, "0011")
