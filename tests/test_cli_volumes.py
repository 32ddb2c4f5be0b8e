"""``spreiding volumes`` as a user runs it (CONTRACT §7): from files and from the database,
JSON and table, the same bytes whatever the row order of the files."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from spreiding.cli import app
from spreiding.store.tables import SettlementRun
from tests import files as f

runner = CliRunner()
A, B = f.HOSPITAL_A, f.HOSPITAL_B


@pytest.fixture
def database(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    monkeypatch.setenv("SPREIDING_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    return engine


def planned_files() -> dict[str, Any]:
    """Samen-2024's liesbreuk plans 3 patients in 2024; B settled two ODV DBCs of two patients
    for A; three transfers were performed in 2024, one of them on 31 December (2025-W01)."""
    files = f.base_files()
    files["agreements.json"] = [
        f.agreement(care_types=[f.care_type() | {"planned_volume": {"2024": 3}}])
    ]
    files["dbcs.csv"] = [
        f.dbc(dbc_id="D1", patient="P-0001", end="2024-03-02"),
        f.dbc(dbc_id="D2", patient="P-0002", start="2024-06-01", end="2024-06-02"),
        f.dbc(dbc_id="D3", patient="P-0003", start="2024-12-01", end=""),  # open: not settled
    ]
    files["declarations.csv"] = []
    files["transfers.csv"] = [
        f.transfer(transfer_id="T1", patient="P-0001", date="2024-03-01"),
        f.transfer(transfer_id="T2", patient="P-0002", date="2024-06-01"),
        f.transfer(transfer_id="T3", patient="P-0003", date="2024-12-31"),
        f.transfer(transfer_id="T4", patient="P-0004", date="2024-12-31", status="planned"),
    ]
    return files


def expected_row() -> dict[str, Any]:
    in_week = {"2024-W09": 1, "2024-W22": 1, "2025-W01": 1}
    weeks = [f"2024-W{n:02d}" for n in range(1, 53)] + ["2025-W01"]
    return {
        "agreement_id": "samen-2024", "care_type": "liesbreuk", "planned": 3, "ceiling": None,
        "settled_dbcs": 2, "patients": 2, "above_ceiling": 0, "transfers": 3,
        "weeks": [{"week": w, "transfers": in_week.get(w, 0), "planned": None} for w in weeks],
    }  # fmt: skip


def test_volumes_from_files(tmp_path: Path) -> None:
    folder = f.write(tmp_path, planned_files())
    result = runner.invoke(app, ["volumes", "--data", str(folder), "--year", "2024"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {"year": 2024, "volumes": [expected_row()]}


def test_volumes_are_the_same_bytes_whatever_the_row_order(tmp_path: Path) -> None:
    files = planned_files()
    first = runner.invoke(
        app, ["volumes", "--data", str(f.write(tmp_path / "a", files)), "--year", "2024"]
    )
    rng = random.Random(11)
    for name, rows in files.items():
        if name.endswith(".csv"):
            rng.shuffle(rows)
    again = runner.invoke(
        app, ["volumes", "--data", str(f.write(tmp_path / "b", files)), "--year", "2024"]
    )
    assert first.exit_code == again.exit_code == 0
    assert again.stdout_bytes == first.stdout_bytes


def test_volumes_table(tmp_path: Path) -> None:
    folder = f.write(tmp_path, planned_files())
    args = ["volumes", "--data", str(folder), "--year", "2024", "--format", "table"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Volumes 2024"
    assert lines[3].split() == ["samen-2024", "liesbreuk", "3", "-", "2", "2", "0", "3"]


def test_volumes_of_an_invalid_dataset_exit_2(tmp_path: Path) -> None:
    files = planned_files()
    files["transfers.csv"][0]["status"] = "done"
    result = runner.invoke(
        app, ["volumes", "--data", str(f.write(tmp_path, files)), "--year", "2024"]
    )
    assert result.exit_code == 2
    assert "transfers.csv:2: status:" in result.stderr
    assert result.stdout == ""


def test_volumes_from_the_database_equal_those_from_files(database: Engine, tmp_path: Path) -> None:
    folder = str(f.write(tmp_path, planned_files()))
    from_files = runner.invoke(app, ["volumes", "--data", folder, "--year", "2024"])
    assert runner.invoke(app, ["import", folder]).exit_code == 0
    from_db = runner.invoke(app, ["volumes", "--year", "2024"])
    assert from_db.exit_code == 0, from_db.stderr
    assert from_db.stdout == from_files.stdout
    # Read only: no settlement run was stored.
    with database.connect() as connection:
        assert connection.execute(select(func.count()).select_from(SettlementRun)).scalar() == 0


def test_volumes_are_json_in_a_pipe_and_a_table_at_a_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from spreiding.cli import common

    args = ["volumes", "--data", str(f.write(tmp_path, planned_files())), "--year", "2024"]
    piped = runner.invoke(app, args)
    assert json.loads(piped.stdout)["volumes"] == [expected_row()]
    monkeypatch.setattr(common, "stdout_is_terminal", lambda: True)
    assert runner.invoke(app, args).stdout.startswith("Volumes 2024\n")
    assert runner.invoke(app, [*args, "--format", "json"]).stdout == piped.stdout
