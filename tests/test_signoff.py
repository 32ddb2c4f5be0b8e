"""Sign-off of a draft run (issue 14 item 2) on SQLite and PostgreSQL.

The base dataset (tests/files.py) settles one pair: Groene Hart (B) operated for Alrijne (A),
D1, 1999.00 × 0.90 = 1799.10, so the run has the pair A→B (debtor→creditor), and finalising
needs A's and B's acceptance of it, or an admin's written override reason.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from spreiding.contract.reader import read_dataset
from spreiding.domain.access import Principal
from spreiding.domain.run_errors import RunAlreadyFinal, RunNotSignedOff, SignoffInvalid
from spreiding.services import datasets, invoices, settlement, signoff, trail
from spreiding.services.errors import Forbidden, NotFound
from tests import files as f

ADMIN = Principal(key_id="adminkey0001", role="admin")
A_KEY = Principal(key_id="alrijnekey01", role="hospital", agb=f.HOSPITAL_A)
B_KEY = Principal(key_id="groenekey001", role="hospital", agb=f.HOSPITAL_B)
C_KEY = Principal(key_id="rijnstkey001", role="hospital", agb=f.HOSPITAL_C)
A, B = f.HOSPITAL_A, f.HOSPITAL_B


def draft(connection: Connection, folder: Path) -> int:
    datasets.import_dataset(connection, read_dataset(f.write(folder, f.base_files())))
    return settlement.settle_year(connection, ADMIN, year=2024).run.run_id


def states(connection: Connection, run_id: int, who: Principal = ADMIN) -> list[tuple[object, ...]]:
    return [
        (
            s.debtor_agb, s.creditor_agb, s.status,
            s.debtor and (s.debtor.decision, s.debtor.reason, s.debtor.lines),
            s.creditor and (s.creditor.decision, s.creditor.reason, s.creditor.lines),
        )
        for s in signoff.pair_states(connection, who, run_id)
    ]  # fmt: skip


def test_both_accept_then_the_run_is_final(connection: Connection, tmp_path: Path) -> None:
    run = draft(connection, tmp_path)
    assert states(connection, run) == [(A, B, "open", None, None)]
    signoff.sign(connection, A_KEY, run, A, B, decision="accept")
    with pytest.raises(RunNotSignedOff, match=f"{A}→{B}"):
        settlement.finalise_run(connection, ADMIN, run)
    signoff.sign(connection, B_KEY, run, A, B, decision="accept")
    assert states(connection, run) == [
        (A, B, "accepted", ("accept", None, ()), ("accept", None, ()))
    ]
    assert settlement.finalise_run(connection, ADMIN, run).status == "final"
    kinds = [e.kind for e in trail.list_events(connection, ADMIN, subject=f"run:{run}")]
    assert kinds == ["run.settle", "run.accept", "run.accept", "run.finalise"]  # no override
    assert [i.number for i in invoices.list_invoices(connection, ADMIN)] == [f"{B}-2024-0001"]
    # A final run takes no more decisions, not through the service, not in SQL.
    with pytest.raises(RunAlreadyFinal):
        signoff.sign(connection, A_KEY, run, A, B, decision="accept")
    with pytest.raises(DBAPIError, match="no more sign-off"), connection.begin_nested():
        connection.execute(
            text(
                "INSERT INTO pair_signoff (run_id, debtor_agb, creditor_agb, agb, decision, "
                "lines, at, actor) VALUES (:run, :a, :b, :a, 'dispute', '[]', 'x', 'x')"
            ),
            {"run": run, "a": A, "b": B},
        )


def test_a_dispute_blocks_finalising_and_shows_what_and_by_whom(
    connection: Connection, tmp_path: Path
) -> None:
    run = draft(connection, tmp_path)
    signoff.sign(connection, A_KEY, run, A, B, decision="accept")
    signoff.sign(
        connection, B_KEY, run, A, B, decision="dispute", reason="  D1 was ours  ", lines=["D1"]
    )
    assert states(connection, run) == [
        (A, B, "disputed", ("accept", None, ()), ("dispute", "D1 was ours", ("D1",)))
    ]
    assert states(connection, run, A_KEY) == states(connection, run)  # A sees B's dispute
    with pytest.raises(NotFound):  # C is in no pair of the run: not even the run is seen
        states(connection, run, C_KEY)
    with pytest.raises(RunNotSignedOff) as refused:
        settlement.finalise_run(connection, ADMIN, run)
    assert refused.value.pairs == [(A, B)]
    disputed = trail.list_events(connection, A_KEY, kind="run.dispute")
    assert [(e.actor, e.payload) for e in disputed] == [
        ("key:groenekey001",
         {"debtor_agb": A, "creditor_agb": B, "reason": "D1 was ours", "lines": ["D1"]}),
    ]  # fmt: skip
    # B changes its mind: its latest decision counts, the dispute stays in the history.
    signoff.sign(connection, B_KEY, run, A, B, decision="accept")
    (state,) = signoff.pair_states(connection, ADMIN, run)
    assert state.status == "accepted" and [d.decision for d in state.history] == [
        "accept", "dispute", "accept",
    ]  # fmt: skip
    assert settlement.finalise_run(connection, ADMIN, run).status == "final"


def test_an_override_is_written_and_stored(connection: Connection, tmp_path: Path) -> None:
    run = draft(connection, tmp_path)
    signoff.sign(connection, B_KEY, run, A, B, decision="dispute", reason="price list 2023")
    with pytest.raises(RunNotSignedOff):
        settlement.finalise_run(connection, ADMIN, run, override="   ")
    final = settlement.finalise_run(connection, ADMIN, run, override="agreed by phone 5 Jan")
    assert final.status == "final"
    (override,) = trail.list_events(connection, ADMIN, kind="run.override")
    assert (override.subject, override.actor, override.payload) == (
        f"run:{run}",
        "key:adminkey0001",
        {
            "reason": "agreed by phone 5 Jan",
            "pairs": [{"debtor_agb": A, "creditor_agb": B, "status": "disputed"}],
        },
    )


@pytest.mark.parametrize(
    ("who", "pair", "decision", "reason", "lines", "error"),
    [
        (ADMIN, (A, B), "accept", None, (), Forbidden),  # an admin does not sign for a hospital
        (C_KEY, (A, B), "accept", None, (), NotFound),  # not C's pair
        (A_KEY, (B, A), "accept", None, (), NotFound),  # no such pair in the run
        (A_KEY, (A, B), "dispute", "  ", (), SignoffInvalid),  # a dispute needs a reason
        (A_KEY, (A, B), "dispute", "wrong", ("D9",), SignoffInvalid),  # not a line of the pair
        (A_KEY, (A, B), "accept", "fine", (), SignoffInvalid),  # an acceptance has no reason
        (A_KEY, (A, B), "maybe", None, (), SignoffInvalid),
    ],
)
def test_refused_decisions_store_nothing(
    connection: Connection,
    tmp_path: Path,
    who: Principal,
    pair: tuple[str, str],
    decision: str,
    reason: str | None,
    lines: tuple[str, ...],
    error: type[Exception],
) -> None:
    run = draft(connection, tmp_path)
    with pytest.raises(error):
        signoff.sign(connection, who, run, *pair, decision=decision, reason=reason, lines=lines)
    assert states(connection, run) == [(A, B, "open", None, None)]
    assert trail.list_events(connection, ADMIN, kind="run.accept") == []


@pytest.mark.parametrize("change", ["UPDATE pair_signoff SET decision = 'accept'",
                                    "DELETE FROM pair_signoff"])  # fmt: skip
def test_a_decision_cannot_be_changed_in_sql(
    connection: Connection, tmp_path: Path, change: str
) -> None:
    run = draft(connection, tmp_path)
    signoff.sign(connection, B_KEY, run, A, B, decision="dispute", reason="no")
    with pytest.raises(DBAPIError, match="cannot be changed"), connection.begin_nested():
        connection.execute(text(change))
    assert states(connection, run)[0][2] == "disputed"


def test_the_signoff_on_the_command_line(
    engine: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import Engine
    from typer.testing import CliRunner

    from spreiding.cli import app as cli

    assert isinstance(engine, Engine)
    monkeypatch.setenv("SPREIDING_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        run = draft(connection, tmp_path)
        signoff.sign(connection, A_KEY, run, A, B, decision="accept")
        signoff.sign(connection, B_KEY, run, A, B, decision="dispute", reason="ours", lines=["D1"])
    shown = CliRunner().invoke(cli, ["--lang", "en", "runs", "signoff", str(run)])
    assert shown.exit_code == 0, shown.stderr
    (line,) = shown.stdout.splitlines()
    assert line.startswith(f"{A}→{B} disputed; {A}: accept (key:alrijnekey01, ")
    assert line.endswith(": ours [D1]") and f"; {B}: dispute (key:groenekey001, " in line
