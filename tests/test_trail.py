"""The event log (issue 14 item 5): every state change appends one event in its own
transaction, with who did it; the chain of hashes finds a changed row and names it; the
database refuses UPDATE and DELETE on the log, also to the application's role; parallel
appends keep one chain."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from spreiding.cli import app as cli
from spreiding.contract.reader import read_dataset
from spreiding.domain.access import Principal
from spreiding.domain.events import GENESIS, ChainBreak, Event, chain_hash, verify
from spreiding.services import (
    access,
    agreements,
    audit,
    datasets,
    payments,
    settlement,
    trail,
    transfers,
)
from spreiding.services.access import OPERATOR
from spreiding.services.errors import Forbidden
from spreiding.store import events as store
from spreiding.store.database import downgrade, migrate
from tests import files as f
from tests.conftest import rolled_back
from tests.test_trust_db import app_role, unmigrated  # noqa: F401 - fixtures

ADMIN = Principal(key_id="adminkey0001", role="admin")
HOSPITAL_A = Principal(key_id="alrijnekey01", role="hospital", agb=f.HOSPITAL_A)
HOSPITAL_B = Principal(key_id="groenekey001", role="hospital", agb=f.HOSPITAL_B)
INSURER = Principal(key_id="insurerkey01", role="insurer", uzovi=f.INSURER)
APPEND_ONLY = "append-only"


@pytest.fixture(autouse=True)
def os_user(monkeypatch: pytest.MonkeyPatch) -> None:
    """The command line is recorded as ``cli:<os user>``; getpass reads $LOGNAME first."""
    monkeypatch.setenv("LOGNAME", "tester")


def store_base(connection: Connection, folder: Path) -> None:
    datasets.import_dataset(connection, read_dataset(f.write(folder, f.base_files())))


def every(connection: Connection) -> list[Event]:
    return list(store.every_event(connection))


def update_refused(connection: Connection) -> None:
    with pytest.raises(DBAPIError, match=APPEND_ONLY), connection.begin_nested():
        connection.execute(text("UPDATE event_log SET actor = 'someone else' WHERE seq = 1"))


def delete_refused(connection: Connection) -> None:
    with pytest.raises(DBAPIError, match=APPEND_ONLY), connection.begin_nested():
        connection.execute(text("DELETE FROM event_log WHERE seq = 1"))


# --- the chain, without a database -------------------------------------------------------------


def event(seq: int, previous: str, **changes: object) -> Event:
    plain = Event(
        seq=seq, at=f"2026-12-06T18:00:0{seq}.000000Z", actor="cli:anna", role="admin",
        tenant=None, kind="run.settle", subject=f"run:{seq}", hospitals=("06010001",),
        payload={"year": 2024},
    )  # fmt: skip
    chained = Event(**{**plain.__dict__, "hash": chain_hash(previous, plain)})
    return Event(**{**chained.__dict__, **changes})


def chain(n: int) -> list[Event]:
    events, previous = [], GENESIS
    for seq in range(1, n + 1):
        events.append(event(seq, previous))
        previous = events[-1].hash
    return events


def test_the_first_hash_is_over_64_zeros_and_the_canonical_event() -> None:
    first = chain(1)[0]
    # Computed by hand: sha256 of "0"*64, a newline and the event's sorted compact JSON.
    import hashlib

    text_ = (
        "0" * 64 + "\n" + '{"actor":"cli:anna","at":"2026-12-06T18:00:01.000000Z",'
        '"hospitals":["06010001"],"kind":"run.settle","payload":{"year":2024},"role":"admin",'
        '"seq":1,"subject":"run:1","tenant":null}'
    )
    assert first.hash == hashlib.sha256(text_.encode()).hexdigest()


def test_an_intact_chain_verifies_and_each_kind_of_change_is_named() -> None:
    events = chain(4)
    assert verify(events) == (4, None)
    changed = [*events[:2], Event(**{**events[2].__dict__, "actor": "cli:mallory"}), events[3]]
    count, broken = verify(changed)
    assert (count, broken is not None and broken.seq) == (3, 3)
    # The changed event's hash recomputed as well: the next one no longer chains onto it.
    rehashed = Event(**{**changed[2].__dict__, "hash": chain_hash(events[1].hash, changed[2])})
    assert verify([*events[:2], rehashed, events[3]])[1] == ChainBreak(
        4,
        verify([*events[:2], rehashed, events[3]])[1].reason,  # type: ignore[union-attr]
    )
    # A deleted event: the number is missing.
    assert verify([events[0], events[2], events[3]])[1].seq == 2  # type: ignore[union-attr]
    assert verify([])[0] == 0


# --- each state change, its event and its actor ----------------------------------------------


def test_each_state_change_appends_its_event_with_its_actor(
    connection: Connection, tmp_path: Path
) -> None:
    store_base(connection, tmp_path)  # the command line: OPERATOR
    settled = settlement.settle_year(connection, HOSPITAL_A, year=2024)
    run_id = settled.run.run_id
    settlement.settle_year(connection, ADMIN, year=2024)  # same inputs: no change, no event
    settlement.finalise_run(connection, ADMIN, run_id, override="no sign-off in this test")
    audit.audit_year(connection, INSURER, year=2024)
    key = access.create_api_key(connection, role="hospital", agb=f.HOSPITAL_B)
    payments.register_payment(
        connection, HOSPITAL_B, run_id=run_id, from_agb=f.HOSPITAL_A, to_agb=f.HOSPITAL_B,
        paid_on=date(2025, 1, 10), amount="100.00", reference="BANK-1",
    )  # fmt: skip
    logged = every(connection)
    key_id = key.split("_")[1]
    assert [(e.seq, e.kind, e.actor, e.role, e.tenant, e.subject) for e in logged] == [
        (1, "dataset.import", "cli:tester", "admin", None, "dataset"),
        (2, "run.settle", "key:alrijnekey01", "hospital", f.HOSPITAL_A, f"run:{run_id}"),
        (3, "run.override", "key:adminkey0001", "admin", None, f"run:{run_id}"),
        (4, "run.finalise", "key:adminkey0001", "admin", None, f"run:{run_id}"),
        (5, "invoice.issue", "key:adminkey0001", "admin", None, "invoice:06010002-2024-0001"),
        (6, "audit.run", "key:insurerkey01", "insurer", f.INSURER, logged[5].subject),
        (7, "key.create", "cli:tester", "admin", None, f"key:{key_id}"),
        # (a PostgreSQL sequence is not rolled back: the id depends on the tests before)
        (8, "payment.register", "key:groenekey001", "hospital", f.HOSPITAL_B, logged[7].subject),
    ]
    assert logged[1].hospitals == (f.HOSPITAL_A, f.HOSPITAL_B)
    assert logged[0].payload == {
        "added": {
            "agreements": 1, "dbcs": 2, "declarations": 1, "hospitals": 2, "insurers": 1,
            "prices": 1, "transfers": 1,
        }
    }  # fmt: skip
    assert logged[2].payload == {
        "reason": "no sign-off in this test",
        "pairs": [{"debtor_agb": f.HOSPITAL_A, "creditor_agb": f.HOSPITAL_B, "status": "open"}],
    }
    assert logged[4].payload == {
        "number": "06010002-2024-0001", "kind": "invoice", "run_id": run_id,
        "debtor_agb": f.HOSPITAL_A, "creditor_agb": f.HOSPITAL_B,
        "invoice_date": logged[3].at[:10], "due_date": (
            date.fromisoformat(logged[3].at[:10]) + timedelta(days=30)).isoformat(),
        "total": "1799.10",
    }  # fmt: skip
    assert logged[4].hospitals == (f.HOSPITAL_A, f.HOSPITAL_B)
    assert logged[7].payload == {
        "run_id": run_id, "from_agb": f.HOSPITAL_A, "to_agb": f.HOSPITAL_B,
        "paid_on": "2025-01-10", "amount": "100.00", "reference": "BANK-1",
    }  # fmt: skip
    assert "total" not in logged[1].payload  # a run's events carry no money
    assert trail.verify_log(connection, OPERATOR) == (8, None)
    # Each event is stamped now, in UTC.
    assert logged[-1].at[:10] == datetime.now(UTC).date().isoformat()


def test_a_correction_an_agreement_and_transfers_record_their_events(
    connection: Connection, tmp_path: Path
) -> None:
    store_base(connection, tmp_path)
    run = settlement.settle_year(connection, ADMIN, year=2024).run
    settlement.finalise_run(connection, ADMIN, run.run_id, override="no sign-off in this test")
    later = f.base_files()
    later["dbcs.csv"].append(f.dbc(dbc_id="D2", patient="P-0002", end="2024-06-01"))
    datasets.import_dataset(connection, read_dataset(f.write(tmp_path / "later", later)))
    correction = settlement.settle_year(connection, HOSPITAL_B, year=2024).run
    bureau = Principal(key_id="bureaukey001", role="bureau", agreements=frozenset({"samen-2024"}))
    agreements.create_agreement(
        connection, ADMIN, f.agreement(agreement_id="samen-2025", valid_from="2025-01-01",
                                       valid_to=None)
    )  # fmt: skip
    row = f.transfer(transfer_id="T2", status="planned")
    transfers.register_transfer(connection, bureau, row)
    transfers.register_transfer(connection, bureau, row)  # the same again: no change
    transfers.update_transfer(connection, bureau, "T2", "performed")
    transfers.update_transfer(connection, bureau, "T2", "performed")  # no change
    logged = every(connection)[5:]  # import, settle, override, finalise, its invoice
    assert [(e.kind, e.actor, e.subject, e.hospitals) for e in logged] == [
        ("dataset.import", "cli:tester", "dataset", ()),
        ("run.correct", "key:groenekey001", f"run:{correction.run_id}",
         (f.HOSPITAL_A, f.HOSPITAL_B)),
        ("agreement.create", "key:adminkey0001", "agreement:samen-2025",
         (f.HOSPITAL_A, f.HOSPITAL_B)),
        ("transfer.register", "key:bureaukey001", "transfer:T2", (f.HOSPITAL_A, f.HOSPITAL_B)),
        ("transfer.update", "key:bureaukey001", "transfer:T2", (f.HOSPITAL_A, f.HOSPITAL_B)),
    ]  # fmt: skip
    assert logged[1].payload == {
        "kind": "correction", "year": 2024, "netting": "bilateral",
        "fingerprint": correction.fingerprint, "corrects_run_id": run.run_id,
    }  # fmt: skip
    assert logged[4].payload == {"transfer_id": "T2", "from": "planned", "to": "performed"}
    assert trail.verify_log(connection, OPERATOR) == (10, None)


def test_an_import_that_adds_nothing_and_a_refused_change_leave_no_event(
    connection: Connection, tmp_path: Path
) -> None:
    store_base(connection, tmp_path)
    store_base(connection, tmp_path)  # nothing new
    with pytest.raises(Forbidden):
        settlement.finalise_run(connection, HOSPITAL_A, 1)
    assert [e.kind for e in every(connection)] == ["dataset.import"]


def test_an_event_is_taken_back_with_its_change(connection: Connection, tmp_path: Path) -> None:
    """Written in the change's transaction: a rollback takes both."""
    store_base(connection, tmp_path)
    with rolled_back(connection):
        run = settlement.settle_year(connection, ADMIN, year=2024).run
        assert [e.kind for e in every(connection)] == ["dataset.import", "run.settle"]
    assert [e.kind for e in every(connection)] == ["dataset.import"]
    assert settlement.list_runs(connection, ADMIN) == []
    assert run.run_id >= 1


def test_verify_needs_an_admin(connection: Connection) -> None:
    with pytest.raises(Forbidden):
        trail.verify_log(connection, HOSPITAL_A)


# --- what each key reads ---------------------------------------------------------------------


def test_a_hospital_reads_the_events_about_it_and_its_own_and_never_others(
    connection: Connection, tmp_path: Path
) -> None:
    store_base(connection, tmp_path)
    run = settlement.settle_year(connection, ADMIN, year=2024).run
    access.create_api_key(connection, role="hospital", agb=f.HOSPITAL_A)
    audit.audit_year(connection, INSURER, year=2024)
    other = Principal(key_id="otherkey0001", role="hospital", agb="06099999")
    assert [e.kind for e in trail.list_events(connection, ADMIN)] == [
        "dataset.import", "run.settle", "key.create", "audit.run",
    ]  # fmt: skip
    seen = trail.list_events(connection, HOSPITAL_A)
    assert [(e.kind, e.subject, e.hospitals) for e in seen] == [
        ("run.settle", f"run:{run.run_id}", (f.HOSPITAL_A,)),  # B's AGB not shown to A
        ("key.create", seen[1].subject, (f.HOSPITAL_A,)),
    ]
    assert trail.list_events(connection, other) == []
    # The insurer reads what it did itself.
    assert [e.kind for e in trail.list_events(connection, INSURER)] == ["audit.run"]


# --- the database refuses changes ------------------------------------------------------------


def test_update_delete_and_replace_on_the_log_are_refused(
    connection: Connection, tmp_path: Path
) -> None:
    store_base(connection, tmp_path)
    update_refused(connection)
    delete_refused(connection)
    if connection.dialect.name == "sqlite":
        with pytest.raises(DBAPIError, match=APPEND_ONLY), connection.begin_nested():
            connection.execute(
                text("INSERT OR REPLACE INTO event_log SELECT * FROM event_log WHERE seq = 1")
            )
    else:
        with pytest.raises(DBAPIError, match=APPEND_ONLY), connection.begin_nested():
            connection.execute(text("TRUNCATE event_log"))
    assert trail.verify_log(connection, OPERATOR) == (1, None)


def drop_protection(connection: Connection) -> None:
    """What only the owner can do: take the triggers away (rolled back with the test)."""
    if connection.dialect.name == "sqlite":
        for name in ("event_log_no_update", "event_log_no_delete", "event_log_no_replace"):
            connection.execute(text(f"DROP TRIGGER {name}"))
    else:
        connection.execute(text("ALTER TABLE event_log DISABLE TRIGGER event_log_append_only"))


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ("UPDATE event_log SET payload = '{\"year\": 2023}' WHERE seq = 2", 2),
        ("UPDATE event_log SET actor = 'key:someone' WHERE seq = 3", 3),
        ("UPDATE event_log SET at = '2020-01-01T00:00:00.000000Z' WHERE seq = 1", 1),
        ("DELETE FROM event_log WHERE seq = 2", 2),
        ("UPDATE event_log SET hospitals = '' WHERE seq = 3", 3),
    ],
)
def test_a_changed_row_is_found_and_named(
    connection: Connection, tmp_path: Path, change: str, named: int
) -> None:
    store_base(connection, tmp_path)
    run = settlement.settle_year(connection, ADMIN, year=2024).run
    settlement.finalise_run(connection, ADMIN, run.run_id, override="no sign-off in this test")
    assert trail.verify_log(connection, OPERATOR) == (5, None)  # override, invoice
    drop_protection(connection)
    connection.execute(text(change))
    _count, broken = trail.verify_log(connection, OPERATOR)
    assert broken is not None and broken.seq == named


def test_a_changed_row_with_its_hash_recomputed_breaks_the_next(
    connection: Connection, tmp_path: Path
) -> None:
    store_base(connection, tmp_path)
    run = settlement.settle_year(connection, ADMIN, year=2024).run
    settlement.finalise_run(connection, ADMIN, run.run_id, override="no sign-off in this test")
    logged = every(connection)
    forged = Event(**{**logged[1].__dict__, "actor": "key:someone"})
    drop_protection(connection)
    connection.execute(
        text("UPDATE event_log SET actor = 'key:someone', hash = :hash WHERE seq = 2"),
        {"hash": chain_hash(logged[0].hash, forged)},
    )
    assert trail.verify_log(connection, OPERATOR)[1].seq == 3  # type: ignore[union-attr]


# --- the command line ------------------------------------------------------------------------


@pytest.fixture
def cli_db(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    monkeypatch.setenv("SPREIDING_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    yield engine


def test_log_verify_and_list_on_the_command_line(cli_db: Engine, tmp_path: Path) -> None:
    runner = CliRunner()
    folder = f.write(tmp_path / "data", f.base_files())
    assert runner.invoke(cli, ["import", str(folder)]).exit_code == 0
    assert runner.invoke(cli, ["settle", "--year", "2024", "--format", "json"]).exit_code == 0
    with cli_db.connect() as connection:
        run = connection.execute(text("SELECT max(run_id) FROM settlement_run")).scalar_one()
    assert (
        runner.invoke(cli, ["runs", "finalise", str(run), "--yes", "--override", "test"]).exit_code
        == 0
    )
    result = runner.invoke(cli, ["log", "verify"])
    assert (result.exit_code, result.stdout) == (0, "5 events, chain intact\n")
    listed = runner.invoke(cli, ["log", "list", "--format", "json"])
    import json

    rows = json.loads(listed.stdout)
    assert [(r["seq"], r["kind"], r["actor"], r["subject"]) for r in rows] == [
        (1, "dataset.import", "cli:tester", "dataset"),
        (2, "run.settle", "cli:tester", f"run:{run}"),
        (3, "run.override", "cli:tester", f"run:{run}"),
        (4, "run.finalise", "cli:tester", f"run:{run}"),
        (5, "invoice.issue", "cli:tester", "invoice:06010002-2024-0001"),
    ]
    with cli_db.begin() as connection:
        drop_protection(connection)
        connection.execute(text("UPDATE event_log SET payload = '{}' WHERE seq = 2"))
        if connection.dialect.name == "postgresql":
            connection.execute(text("ALTER TABLE event_log ENABLE TRIGGER event_log_append_only"))
    broken = runner.invoke(cli, ["log", "verify"])
    assert broken.exit_code == 1
    assert broken.stderr.startswith("chain broken at event 2: run.settle of ")


# --- parallel writers ------------------------------------------------------------------------


def test_parallel_appends_keep_one_chain(engine: Engine) -> None:
    """Twelve transactions append at once (each holding its transaction open a moment after
    reading the last event, were it not for the lock): twelve events, numbered 1-12, one
    chain."""
    writers = 12
    start = threading.Barrier(writers)
    failures: list[BaseException] = []

    def append(n: int) -> None:
        try:
            start.wait()
            with engine.begin() as connection:
                trail.record(
                    connection, ADMIN, kind="run.settle", subject=f"run:{n}", payload={"n": n}
                )
        except BaseException as exc:  # reported below
            failures.append(exc)

    threads = [threading.Thread(target=append, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    with engine.connect() as connection:
        logged = every(connection)
        assert [e.seq for e in logged] == list(range(1, writers + 1))
        assert sorted(e.payload["n"] for e in logged) == list(range(writers))
        assert trail.verify_log(connection, OPERATOR) == (writers, None)


# --- the application's PostgreSQL role -------------------------------------------------------


def test_the_app_role_may_append_and_read_the_log_but_not_change_it(
    app_role: Engine,  # noqa: F811 - the fixture imported above
    engine: Engine,
) -> None:
    with app_role.begin() as connection:
        trail.record(connection, ADMIN, kind="run.settle", subject="run:1", payload={})
        trail.record(connection, ADMIN, kind="run.finalise", subject="run:1", payload={})
    refused = r"permission denied|must be owner|append-only"
    for statement in (
        "UPDATE event_log SET actor = 'someone else' WHERE seq = 1",
        "DELETE FROM event_log WHERE seq = 1",
        "TRUNCATE event_log",
        "ALTER TABLE event_log DISABLE TRIGGER event_log_append_only",
        "DROP TRIGGER event_log_append_only ON event_log",
        "SET session_replication_role = replica",
    ):
        with pytest.raises(DBAPIError, match=refused), app_role.begin() as connection:
            connection.execute(text(statement))
    with app_role.connect() as connection:
        assert trail.verify_log(connection, OPERATOR) == (2, None)
        rights = connection.execute(
            text(
                "SELECT privilege_type FROM information_schema.role_table_grants "
                "WHERE table_name = 'event_log' AND grantee = 'spreiding_app' "
                "ORDER BY privilege_type"
            )
        ).scalars()
        assert list(rights) == ["INSERT", "SELECT"]


def test_migration_0010_creates_the_log_and_payments_and_goes_back(
    unmigrated: Engine,  # noqa: F811 - the fixture imported above
) -> None:
    migrate(unmigrated, "0010")
    names = set(inspect(unmigrated).get_table_names())
    assert {"event_log", "registered_payment"} <= names
    with unmigrated.begin() as connection:
        trail.record(connection, ADMIN, kind="run.settle", subject="run:1")
    with unmigrated.connect() as connection:
        update_refused(connection)
        delete_refused(connection)
    downgrade(unmigrated, "0009")
    assert {"event_log", "registered_payment"} & set(inspect(unmigrated).get_table_names()) == set()
    migrate(unmigrated, "0010")
    with unmigrated.connect() as connection:
        assert trail.verify_log(connection, OPERATOR) == (0, None)
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == (
            "0010"
        )
