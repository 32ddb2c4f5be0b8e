"""``spreiding hours add`` and ``spreiding hours list`` (issue 15): hours registered from the
command line through the service the API uses (tests/test_hours.py), on SQLite and PostgreSQL.
The dataset is ``tests.files_v2``; its hours U1-U3 are under ``samen-2024``, U4 under
``oncomid-2024``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from spreiding.cli import app as cli_app
from tests import files as f
from tests.files_v2 import v2_files

A, B = f.HOSPITAL_A, f.HOSPITAL_B
SAMEN = "samen-2024"

ADD = [
    "hours", "add", "--hours-id", "CLI-U1", "--agreement", SAMEN, "--employer", A,
    "--host", B, "--role", "medisch-specialist", "--date", "2024-03-05", "--hours", "7.25",
]  # fmt: skip


def test_the_command_line_adds_and_lists_hours(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SPREIDING_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    runner = CliRunner()
    assert runner.invoke(cli_app, ["import", str(f.write(tmp_path, v2_files()))]).exit_code == 0
    added = runner.invoke(cli_app, [*ADD, "--format", "json"])
    assert added.exit_code == 0, added.output
    row = {
        "hours_id": "CLI-U1", "agreement_id": SAMEN, "employer_agb": A, "host_agb": B,
        "role": "medisch-specialist", "work_date": "2024-03-05", "hours": "7.25",
        "person_ref": None, "care_type": None, "specialism": None,
    }  # fmt: skip
    assert json.loads(added.stdout) == row
    listed = runner.invoke(cli_app, ["hours", "list", "--agreement", SAMEN, "--format", "json"])
    # U1-U3 of the dataset are under samen-2024 too; U4 is oncomid-2024's.
    assert [r["hours_id"] for r in json.loads(listed.stdout)] == ["CLI-U1", "U1", "U2", "U3"]
    assert json.loads(listed.stdout)[0] == row
    table = runner.invoke(
        cli_app, ["hours", "list", "--agreement", "oncomid-2024", "--format", "table"]
    )
    assert table.stdout.splitlines()[1].split() == [
        "U4", "oncomid-2024", B, A, "medisch-specialist", "2024-03-04", "7.50"
    ]  # fmt: skip
    bad = runner.invoke(cli_app, [*ADD[:-1], "24.01"])
    assert bad.exit_code == 2
    assert bad.stderr.splitlines() == [
        "request:1: hours: hours 24.01 must be more than 0 and at most 24",
        "hours CLI-U1: not stored: 1 error(s)",
    ]
    dutch = runner.invoke(cli_app, ["--lang", "nl", "hours", "list", "--agreement", "nope"])
    assert (dutch.stdout, dutch.stderr) == ("[]\n", "geen uren\n")  # piped: JSON
    events = runner.invoke(cli_app, ["log", "list", "--format", "json"])
    assert events.exit_code == 0
    assert '"hours.register"' in events.stdout
