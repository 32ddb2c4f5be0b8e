"""Settlement runs in the database (SQLite and PostgreSQL): reuse, finalise, correct, and the
database's own refusal to change a final run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from settlement.engine import settle
from settlement.fingerprint import fingerprint
from spreiding.contract.reader import read_dataset
from spreiding.domain.run_errors import (
    CorrectionOutdated,
    NothingToSettle,
    RunAlreadyFinal,
    RunNotFound,
    SettlementAlreadyFinal,
)
from spreiding.domain.runs import StoredRun
from spreiding.render.settlement import settlement_to_json
from spreiding.services.runs import finalise, load_run, run_year
from spreiding.store.datasets import import_dataset, load_dataset
from spreiding.store.runs import RunStore
from tests import files as f
from tests.conftest import rolled_back
from tests.strategies import datasets


# Each step in a savepoint, where the CLI and the API give it a transaction of its own.
def load(connection: Connection, tmp_path: Path, files: dict[str, Any]) -> None:
    with connection.begin_nested():
        import_dataset(connection, read_dataset(f.write(tmp_path, files)))


def settle_db(connection: Connection, *, netting: str = "bilateral") -> tuple[StoredRun, bool]:
    with connection.begin_nested():
        dataset = load_dataset(connection)
        return run_year(
            RunStore(connection), dbcs=dataset.dbcs, prices=dataset.prices,
            agreements=dataset.agreements, year=2024, netting=netting,  # type: ignore[arg-type]
        )  # fmt: skip


def finalise_db(connection: Connection, run_id: int) -> StoredRun:
    with connection.begin_nested():
        return finalise(RunStore(connection), run_id)


def test_same_inputs_give_the_same_run(connection: Connection, tmp_path: Path) -> None:
    load(connection, tmp_path, f.base_files())
    first, created = settle_db(connection)
    again, created_again = settle_db(connection)
    assert (created, created_again) == (True, False)
    assert again == first
    assert (first.kind, first.status, first.total_cents) == ("settlement", "draft", 179910)
    other_netting, created = settle_db(connection, netting="multilateral")
    assert created and other_netting.run_id != first.run_id


def test_a_run_reads_back_as_computed(connection: Connection, tmp_path: Path) -> None:
    from settlement.engine import settle

    dataset = read_dataset(f.write(tmp_path, f.base_files()))
    load(connection, tmp_path, f.base_files())
    run, _ = settle_db(connection)
    _, stored = load_run(RunStore(connection), run.run_id)
    computed = settle(dataset.dbcs, dataset.prices, dataset.agreements, year=2024)
    assert settlement_to_json(stored) == settlement_to_json(computed)


def test_finalise_once(connection: Connection, tmp_path: Path) -> None:
    load(connection, tmp_path, f.base_files())
    run, _ = settle_db(connection)
    assert finalise_db(connection, run.run_id).status == "final"
    with pytest.raises(RunAlreadyFinal):
        finalise_db(connection, run.run_id)
    with pytest.raises(RunNotFound):
        finalise_db(connection, 999)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE settlement_run SET total_cents = 0 WHERE run_id = :run",
        "UPDATE settlement_run SET status = 'draft' WHERE run_id = :run",
        "DELETE FROM settlement_run WHERE run_id = :run",
        "UPDATE settlement_line SET amount_cents = 1 WHERE run_id = :run",
        "DELETE FROM settlement_line WHERE run_id = :run",
        "DELETE FROM settlement_payment WHERE run_id = :run",
        "UPDATE settlement_pair SET amount_cents = 1 WHERE run_id = :run",
        "UPDATE settlement_position SET net_cents = 1 WHERE run_id = :run",
        "DELETE FROM settlement_exclusion WHERE run_id = :run",
        "INSERT INTO settlement_payment (run_id, seq, from_agb, to_agb, amount_cents) "
        "VALUES (:run, 99, '06010001', '06010002', 100)",
    ],
)
def test_the_database_refuses_to_change_a_final_run(
    connection: Connection, tmp_path: Path, statement: str
) -> None:
    files = f.base_files()
    files["dbcs.csv"].append(f.dbc(dbc_id="D2", start="2024-12-31", end=""))  # an exclusion row
    load(connection, tmp_path, files)
    run, _ = settle_db(connection)
    finalise_db(connection, run.run_id)
    with pytest.raises(DBAPIError, match="final"), connection.begin_nested():
        connection.execute(text(statement), {"run": run.run_id})
    stored, result = load_run(RunStore(connection), run.run_id)
    assert (stored.status, stored.total_cents, result.total_cents) == ("final", 179910, 179910)
    assert len(result.excluded) == 1 and len(result.payments) == 1


def test_a_draft_can_still_change(connection: Connection, tmp_path: Path) -> None:
    load(connection, tmp_path, f.base_files())
    run, _ = settle_db(connection)
    with connection.begin_nested():
        deleted = connection.execute(
            text("DELETE FROM settlement_payment WHERE run_id = :run"), {"run": run.run_id}
        )
        updated = connection.execute(
            text("UPDATE settlement_run SET total_cents = 0 WHERE run_id = :run"),
            {"run": run.run_id},
        )
    # The triggers guard final runs only: the draft's one payment (A pays B 1799.10) is gone.
    assert (deleted.rowcount, updated.rowcount) == (1, 1)
    stored, result = load_run(RunStore(connection), run.run_id)
    assert (stored.status, stored.total_cents) == ("draft", 0)
    assert result.payments.to_dict("records") == []
    assert result.lines["amount_cents"].tolist() == [179910]


def test_a_year_has_one_final_settlement(connection: Connection, tmp_path: Path) -> None:
    load(connection, tmp_path / "a", f.base_files())
    first, _ = settle_db(connection)
    more = f.base_files()
    more["dbcs.csv"].append(f.dbc(dbc_id="D2", end="2024-06-01"))
    load(connection, tmp_path / "b", more)
    second, created = settle_db(connection)
    assert created and second.kind == "settlement"
    finalise_db(connection, second.run_id)
    with pytest.raises(SettlementAlreadyFinal):
        finalise_db(connection, first.run_id)
    # The database refuses it too, whoever writes the SQL.
    with pytest.raises(DBAPIError), connection.begin_nested():
        connection.execute(
            text("UPDATE settlement_run SET status = 'final' WHERE run_id = :run"),
            {"run": first.run_id},
        )


def test_recomputing_after_the_final_run_gives_a_correction(
    connection: Connection, tmp_path: Path
) -> None:
    load(connection, tmp_path / "a", f.base_files())
    draft, _ = settle_db(connection)
    final = finalise_db(connection, draft.run_id)
    assert settle_db(connection) == (final, False)
    more = f.base_files()
    more["dbcs.csv"].append(f.dbc(dbc_id="D2", end="2024-06-01"))
    load(connection, tmp_path / "b", more)
    correction, created = settle_db(connection)
    assert created
    assert (correction.kind, correction.status, correction.corrects_run_id) == (
        "correction",
        "draft",
        final.run_id,
    )
    assert settle_db(connection) == (correction, False)
    _, result = load_run(RunStore(connection), correction.run_id)
    assert result.lines[["dbc_id", "change", "amount_cents"]].to_dict("records") == [
        {"dbc_id": "D2", "change": "new", "amount_cents": 179910}
    ]
    assert result.payments.to_dict("records") == [
        {"from_agb": f.HOSPITAL_A, "to_agb": f.HOSPITAL_B, "amount_cents": 179910}
    ]
    final_correction = finalise_db(connection, correction.run_id)
    # Everything is settled now: the same inputs give the final correction back.
    assert settle_db(connection) == (final_correction, False)


def test_a_correction_of_an_outdated_chain_cannot_be_finalised(
    connection: Connection, tmp_path: Path
) -> None:
    load(connection, tmp_path / "a", f.base_files())
    final, _ = settle_db(connection)
    finalise_db(connection, final.run_id)
    one = f.base_files()
    one["dbcs.csv"].append(f.dbc(dbc_id="D2", end="2024-06-01"))
    load(connection, tmp_path / "b", one)
    first, _ = settle_db(connection)
    two = f.base_files()
    two["dbcs.csv"].append(f.dbc(dbc_id="D3", end="2024-07-01"))
    load(connection, tmp_path / "c", two)
    second, _ = settle_db(connection)
    assert second.corrects_run_id == final.run_id
    finalise_db(connection, second.run_id)
    with pytest.raises(CorrectionOutdated):
        finalise_db(connection, first.run_id)


@given(files=datasets(), netting=st.sampled_from(["bilateral", "multilateral"]))
@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_settling_twice_gives_the_same_run(
    connection: Connection,
    tmp_path_factory: pytest.TempPathFactory,
    files: dict[str, Any],
    netting: str,
) -> None:
    folder = f.write(tmp_path_factory.mktemp("ds"), files)
    with rolled_back(connection):
        load(connection, folder, files)
        try:
            first, created = settle_db(connection, netting=netting)
        except NothingToSettle:  # no line: no run is stored (spreiding.services.runs, rule 4)
            event("nothing to settle")
            dataset = read_dataset(folder)
            computed = settle(dataset.dbcs, dataset.prices, dataset.agreements, year=2024)
            assert (len(computed.lines), RunStore(connection).all()) == (0, [])
            return
        again, created_again = settle_db(connection, netting=netting)
    assert (again, created, created_again) == (first, True, False)
    dataset = read_dataset(folder)
    # The fingerprint of the files is the fingerprint of what the database holds.
    assert first.fingerprint == fingerprint(
        dataset.dbcs, dataset.prices, dataset.agreements, year=2024, netting=netting
    )
