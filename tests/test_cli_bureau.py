"""``spreiding agreements`` and ``spreiding transfers``: the bureau's work from the command
line, through the services the API uses. Expected values from samples/samen-plus by hand."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from spreiding.cli import app, common
from tests.conftest import V1

runner = CliRunner()
AGREEMENT = "samen-plus-liesbreuk-2024"
NEW = [
    "transfers", "add", "--transfer-id", "CLI-T1", "--agreement", AGREEMENT,
    "--care-type", "liesbreuk", "--patient", "PS-NEW", "--from", "06010101",
    "--to", "06010102", "--date", "2024-11-05",
]  # fmt: skip


@pytest.fixture
def database(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    monkeypatch.setenv("SPREIDING_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    return engine


@pytest.fixture
def samen_plus(database: Engine) -> Engine:
    assert runner.invoke(app, ["import", str(V1 / "samen-plus")]).exit_code == 0
    return database


def test_empty_lists_say_so(database: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    piped = runner.invoke(app, ["agreements", "list"])
    assert (piped.stdout, piped.stderr) == ("[]\n", "no agreements\n")
    piped = runner.invoke(app, ["transfers", "list"])
    assert (piped.stdout, piped.stderr) == ("[]\n", "no transfers\n")
    monkeypatch.setattr(common, "stdout_is_terminal", lambda: True)
    assert runner.invoke(app, ["--lang", "nl", "agreements", "list"]).stdout == "geen afspraken\n"
    assert runner.invoke(app, ["--lang", "nl", "transfers", "list"]).stdout == (
        "geen overdrachten\n"
    )


def test_agreements_list_and_show(samen_plus: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    listed = json.loads(runner.invoke(app, ["agreements", "list"]).stdout)
    assert [a["agreement_id"] for a in listed] == [AGREEMENT, "samen-plus-raam"]
    shown = runner.invoke(app, ["agreements", "show", AGREEMENT])
    agreement = json.loads(shown.stdout)
    assert [c["care_type"] for c in agreement["care_types"]] == [
        "rectumcarcinoom", "liesbreuk", "schildklier", "middenrifbreuk",
    ]  # fmt: skip
    monkeypatch.setattr(common, "stdout_is_terminal", lambda: True)
    table = runner.invoke(app, ["--lang", "en", "agreements", "list"]).stdout.splitlines()
    assert table[1].split() == [AGREEMENT, "implementeren", "2024-01-01", "2025-12-31", "4",
                                "06010101", "06010102"]  # fmt: skip
    assert table[2].split() == ["samen-plus-raam", "implementeren", "2022-01-01", "-", "0",
                                "06010101", "06010102"]  # fmt: skip
    text = runner.invoke(app, ["--lang", "nl", "agreements", "show", AGREEMENT]).stdout
    assert text.splitlines()[:4] == [
        f"{AGREEMENT}: Samen+ uitwerkingsovereenkomst 2024-2025",
        "categorie uitwisseling, fase implementeren",
        "partijen: 06010101, 06010102",
        "geldig van 2024-01-01 tot 2025-12-31",
    ]
    assert "    verrekend als odv_benchmark: prijslijst samen-plus-benchmark, aandeel 0.875" in text
    assert "    uitgevoerd door: 06010102" in text


def test_an_unknown_agreement_is_exit_2(samen_plus: Engine) -> None:
    result = runner.invoke(app, ["agreements", "show", "nope"])
    assert (result.exit_code, result.stdout, result.stderr) == (
        2,
        "",
        "there is no agreement 'nope'\n",
    )


def test_transfers_add_list_and_set_status(samen_plus: Engine) -> None:
    before = json.loads(runner.invoke(app, ["transfers", "list"]).stdout)
    assert len(before) == 27  # transfers.csv: 27 rows under its header
    added = runner.invoke(app, NEW)
    assert added.exit_code == 0, added.stderr
    assert json.loads(added.stdout) == {
        "transfer_id": "CLI-T1", "agreement_id": AGREEMENT, "care_type": "liesbreuk",
        "patient_ref": "PS-NEW", "from_agb": "06010101", "to_agb": "06010102",
        "transfer_date": "2024-11-05", "status": "planned", "phase": None,
    }  # fmt: skip
    again = runner.invoke(app, NEW)  # the same transfer again changes nothing
    assert again.exit_code == 0 and again.stdout == added.stdout
    after = json.loads(runner.invoke(app, ["transfers", "list", "--limit", "1000"]).stdout)
    assert len(after) == 28 and "CLI-T1" in [t["transfer_id"] for t in after]
    done = runner.invoke(app, ["transfers", "set-status", "CLI-T1", "performed"])
    assert json.loads(done.stdout)["status"] == "performed"
    page = json.loads(runner.invoke(app, ["transfers", "list", "--limit", "2"]).stdout)
    assert [t["transfer_id"] for t in page] == ["CLI-T1", "SAME-T00004"]


def test_a_transfer_against_the_rules_is_refused_by_line(samen_plus: Engine) -> None:
    bad = [*NEW[:-2], "--date", "2024-13-05"]
    result = runner.invoke(app, bad)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "request:1: transfer_date: '2024-13-05' is not a date YYYY-MM-DD",
        "transfer CLI-T1: not stored: 1 error(s)",
    ]
    other = runner.invoke(app, [*NEW, "--status", "performed"])
    assert other.exit_code == 0
    clash = runner.invoke(app, [*NEW, "--status", "cancelled"])
    assert clash.exit_code == 2
    assert clash.stderr.splitlines()[-1] == "transfer CLI-T1: not stored: 1 conflict(s)"


def test_set_status_of_an_unknown_transfer(samen_plus: Engine) -> None:
    result = runner.invoke(app, ["transfers", "set-status", "NOPE", "performed"])
    assert (result.exit_code, result.stderr) == (2, "there is no transfer 'NOPE'\n")
    wrong = runner.invoke(app, ["transfers", "set-status", "CLI-T1", "done"])
    assert wrong.exit_code == 2 and "planned" in wrong.output
