"""What the database itself guarantees, whoever writes the SQL (issue 8, items 4, 5, 6, 8, 10):
money in a final run cannot be moved in or out of it, not even by SQLite's REPLACE; the
application's PostgreSQL role cannot switch that protection off; the same inputs give one run
however many callers ask at once; parallel imports of the same data converge."""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, make_url, text
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from spreiding.cli import app as cli
from spreiding.contract.reader import read_dataset
from spreiding.domain.dataset import Dataset
from spreiding.services.audit import run_audit
from spreiding.services.runs import finalise, load_run, run_year
from spreiding.store.audits import AuditStore
from spreiding.store.database import (
    MigrationNotPermitted,
    grant_application_role,
    make_engine,
    migrate,
    open_database,
)
from spreiding.store.datasets import import_dataset, load_dataset
from spreiding.store.runs import RunStore
from tests import files as f
from tests.conftest import POSTGRES_URL, SAMPLES

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


def test_a_run_keeps_its_id_and_is_inserted_as_a_draft(
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


# --- item 8: the same inputs give one run, however many callers ask at once ------------------

CALLERS = 10


def in_parallel(engine: Engine, work: Callable[[Connection, threading.Barrier], int]) -> list[int]:
    """``work`` in CALLERS threads at once, each in its own transaction; their answers.
    ``work`` reads what it needs, then waits at the barrier for the others, so that every
    caller asks before any has stored its run: ten clicks on "settle" at once."""
    barrier = threading.Barrier(CALLERS, timeout=60)

    def call(_: int) -> int:
        with engine.begin() as connection:
            return work(connection, barrier)

    with ThreadPoolExecutor(CALLERS) as pool:
        return list(pool.map(call, range(CALLERS)))


def settle_together(connection: Connection, barrier: threading.Barrier) -> int:
    dataset = load_dataset(connection)
    barrier.wait()
    run, _ = run_year(
        RunStore(connection), dbcs=dataset.dbcs, prices=dataset.prices,
        agreements=dataset.agreements, year=2024,
    )  # fmt: skip
    return run.run_id


def audit_together(connection: Connection, barrier: threading.Barrier) -> int:
    dataset = load_dataset(connection)
    barrier.wait()
    run, _, _ = run_audit(
        AuditStore(connection), dbcs=dataset.dbcs, agreements=dataset.agreements,
        declarations=dataset.declarations, transfers=dataset.transfers, year=2024,
    )  # fmt: skip
    return run.run_id


def run_ids(engine: Engine, table: str) -> list[int]:
    with engine.connect() as connection:
        return list(
            connection.execute(text(f"SELECT run_id FROM {table} ORDER BY run_id")).scalars()
        )


def test_parallel_settles_give_one_draft_run(engine: Engine, tmp_path: Path) -> None:
    load(engine, tmp_path, f.base_files())
    answers = in_parallel(engine, settle_together)
    assert run_ids(engine, "settlement_run") == [answers[0]]
    assert answers == [answers[0]] * CALLERS
    assert counts(engine, answers[0]) == {**ROWS, "settlement_exclusion": 0}


def test_parallel_settles_after_the_final_run_give_one_draft_correction(
    engine: Engine, tmp_path: Path
) -> None:
    load(engine, tmp_path / "a", f.base_files())
    final = settle_db(engine)
    with engine.begin() as connection:
        finalise(RunStore(connection), final)
    more = f.base_files()
    more["dbcs.csv"].append(f.dbc(dbc_id="D2", end="2024-06-01"))
    load(engine, tmp_path / "b", more)
    answers = in_parallel(engine, settle_together)
    assert run_ids(engine, "settlement_run") == [final, answers[0]]
    assert answers == [answers[0]] * CALLERS
    with engine.connect() as connection:
        correction = RunStore(connection).get(answers[0])
    assert correction is not None
    assert (correction.kind, correction.status, correction.corrects_run_id) == (
        "correction", "draft", final,
    )  # fmt: skip


def test_parallel_audits_give_one_audit_run(engine: Engine, tmp_path: Path) -> None:
    load(engine, tmp_path, f.base_files())
    answers = in_parallel(engine, audit_together)
    assert run_ids(engine, "audit_run") == [answers[0]]
    assert answers == [answers[0]] * CALLERS


@pytest.fixture(params=["sqlite", "postgresql"])
def unmigrated(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty database of its own (PostgreSQL: a schema of its own in the test database)."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'migrate.db'}")
        yield engine
        engine.dispose()
        return
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL: SPREIDING_TEST_DATABASE_URL is not set")
    owner = make_engine(POSTGRES_URL)
    with owner.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS trust_migration CASCADE"))
        connection.execute(text("CREATE SCHEMA trust_migration"))
    url = make_url(POSTGRES_URL).update_query_dict({"options": "-csearch_path=trust_migration"})
    engine = make_engine(url.render_as_string(hide_password=False))
    yield engine
    engine.dispose()
    with owner.begin() as connection:
        connection.execute(text("DROP SCHEMA trust_migration CASCADE"))
    owner.dispose()


def test_the_migration_keeps_the_oldest_of_identical_runs(unmigrated: Engine) -> None:
    migrate(unmigrated, "0006")
    run = (
        "INSERT INTO settlement_run (run_id, kind, status, year, netting, fingerprint, "
        "corrects_run_id, total_cents) VALUES (:id, :kind, 'draft', 2024, 'bilateral', :fp, "
        ":corrects, 0)"
    )
    line = (
        "INSERT INTO settlement_payment (run_id, seq, from_agb, to_agb, amount_cents) "
        "VALUES (:id, 0, '06010001', '06010002', 100)"
    )
    runs = [
        (1, "settlement", "F", None), (2, "settlement", "F", None), (3, "settlement", "G", None),
        (4, "settlement", "F", None), (5, "settlement", "X", None),
        (6, "correction", "F", 5), (7, "correction", "F", 5), (8, "correction", "H", 5),
    ]  # fmt: skip
    with unmigrated.begin() as connection:
        for run_id, kind, fp, corrects in runs:
            connection.execute(
                text(run), {"id": run_id, "kind": kind, "fp": fp, "corrects": corrects}
            )
            connection.execute(text(line), {"id": run_id})
            if run_id == 5:
                connection.execute(
                    text("UPDATE settlement_run SET status = 'final' WHERE run_id = 5")
                )
        for run_id, fp in ((1, "A"), (2, "A"), (3, "B")):
            connection.execute(
                text(
                    "INSERT INTO audit_run (run_id, year, fingerprint, findings) VALUES (:id, 2024, :fp, 0)"
                ),
                {"id": run_id, "fp": fp},
            )
    migrate(unmigrated)
    assert run_ids(unmigrated, "settlement_run") == [1, 3, 5, 6, 8]
    assert run_ids(unmigrated, "settlement_payment") == [1, 3, 5, 6, 8]
    assert run_ids(unmigrated, "audit_run") == [1, 3]


# --- item 10: parallel imports of the same data converge --------------------------------------

IMPORTERS = 20


def _import_in_child(url: str, dataset: Dataset, barrier: Any, answers: Any) -> None:
    """One importer process, doing what ``spreiding import`` does: open the database (which
    migrates it) and store the dataset in one transaction."""
    try:
        barrier.wait()
        with open_database(url) as engine, engine.begin() as connection:
            report = import_dataset(connection, dataset)
        answers.put(("ok", sum(report.added.values())))
    except Exception as exc:  # the answer the test reports, whatever went wrong
        answers.put(("error", f"{type(exc).__name__}: {str(exc).splitlines()[0]}"))


def test_parallel_imports_of_the_same_data_converge(unmigrated: Engine) -> None:
    """Twenty imports at once into a new database: the tables are created once, the data is
    stored once, and every importer succeeds."""
    dataset = read_dataset(SAMPLES / "hartnet")
    url = unmigrated.url.render_as_string(hide_password=False)
    # Forked, so that the children need not import pandas again; they open their own engines.
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(IMPORTERS, timeout=120)
    answers = context.Queue()
    children = [
        context.Process(target=_import_in_child, args=(url, dataset, barrier, answers))
        for _ in range(IMPORTERS)
    ]
    for child in children:
        child.start()
    outcomes = sorted(answers.get(timeout=300) for _ in children)
    for child in children:
        child.join(timeout=60)
    rows = sum(len(frame) for frame in dataset.frames().values() if frame is not None)
    assert outcomes == [("ok", 0)] * (IMPORTERS - 1) + [("ok", rows + len(dataset.agreements))]
    with unmigrated.connect() as connection:
        assert load_dataset(connection).same_content(dataset)


# --- item 6: the application's PostgreSQL role cannot switch the protection off --------------

APP_LOGIN = "spreiding_app_test"


def postgres_only(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("roles and privileges are PostgreSQL's")


def as_login(engine: Engine, user: str) -> str:
    return engine.url.set(username=user).render_as_string(hide_password=False)


@pytest.fixture
def app_role(engine: Engine) -> Iterator[Engine]:
    """The application connected as docs/operations.md sets it up: a login role the DBA
    creates, made a member of ``spreiding_app`` by ``init-db``, owning nothing."""
    postgres_only(engine)
    with engine.begin() as connection:
        connection.execute(
            text(
                f"DO $$ BEGIN CREATE ROLE {APP_LOGIN} LOGIN; "
                "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
            )
        )
    grant_application_role(engine, APP_LOGIN)
    app = make_engine(as_login(engine, APP_LOGIN))
    yield app
    app.dispose()


def test_app_role_owns_nothing_and_may_only_read_and_write_rows(app_role: Engine) -> None:
    with app_role.connect() as connection:
        attributes = connection.execute(
            text(
                "SELECT rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls "
                "FROM pg_roles WHERE rolname = current_user"
            )
        ).one()
        owned = connection.execute(
            text(
                "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = current_schema() AND pg_has_role(c.relowner, 'USAGE')"
            )
        ).scalar_one()
        rights = connection.execute(
            text(
                "SELECT privilege, array_agg(tablename::text ORDER BY tablename) "
                "FROM pg_tables, unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', "
                "'TRUNCATE', 'REFERENCES', 'TRIGGER']) AS privilege "
                "WHERE schemaname = current_schema() "
                "AND has_table_privilege(tablename, privilege) GROUP BY privilege"
            )
        ).all()
    assert tuple(attributes) == (False, False, False, False, False)
    assert owned == 0
    with app_role.connect() as connection:
        everything = connection.execute(
            text("SELECT array_agg(tablename::text ORDER BY tablename) FROM pg_tables "
                 "WHERE schemaname = current_schema()")
        ).scalar_one()  # fmt: skip
    rows = [t for t in everything if t != "alembic_version"]
    # The event log (migration 0010), the invoices (0012) and the sign-off decisions (0013)
    # only grow: read and appended, never changed.
    changeable = [t for t in rows if t not in ("event_log", "invoice", "pair_signoff")]
    assert dict(rights) == {
        "SELECT": everything, "INSERT": rows, "UPDATE": changeable, "DELETE": changeable,
    }  # fmt: skip


APP_ROLE_REFUSED = [
    "ALTER TABLE settlement_line DISABLE TRIGGER ALL",
    "ALTER TABLE settlement_run DISABLE TRIGGER settlement_run_final",
    "SET session_replication_role = replica",
    "TRUNCATE settlement_line",
    "TRUNCATE settlement_run CASCADE",
    "DROP TABLE settlement_line",
    "DROP TRIGGER settlement_line_final ON settlement_line",
    "CREATE OR REPLACE FUNCTION spreiding_refuse_final_child() RETURNS trigger "
    "LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$",
    "CREATE TABLE shadow (run_id integer)",
    "ALTER TABLE settlement_run OWNER TO CURRENT_USER",
    "UPDATE alembic_version SET version_num = '0001'",
    "UPDATE event_log SET actor = 'someone else'",
    "DELETE FROM event_log",
    "TRUNCATE event_log",
    "ALTER TABLE event_log DISABLE TRIGGER ALL",
    "UPDATE invoice SET total_cents = 1",
    "DELETE FROM invoice",
    "TRUNCATE invoice",
    "ALTER TABLE invoice DISABLE TRIGGER ALL",
    "DELETE FROM pair_signoff",
    "SET ROLE postgres",
]


@pytest.mark.parametrize("statement", APP_ROLE_REFUSED)
def test_app_role_cannot_switch_the_protection_off(
    app_role: Engine, final_and_draft: tuple[int, int], statement: str
) -> None:
    final, _draft = final_and_draft
    with (
        pytest.raises(DBAPIError, match=r"permission denied|must be owner"),
        app_role.begin() as connection,
    ):
        connection.execute(text(statement))
    with pytest.raises(DBAPIError, match="final"), app_role.begin() as connection:
        connection.execute(text("DELETE FROM settlement_line WHERE run_id = :run"), {"run": final})
    assert_final_run_intact(app_role, final)


def test_app_role_cannot_hide_the_final_run_behind_a_temporary_table(
    app_role: Engine, final_and_draft: tuple[int, int]
) -> None:
    """Temporary tables come first in a session's search path; the trigger functions look
    only in their own schema."""
    final, _draft = final_and_draft
    with pytest.raises(DBAPIError, match="final"), app_role.begin() as connection:
        connection.execute(text("CREATE TEMPORARY TABLE settlement_run (run_id int, status text)"))
        connection.execute(
            text("UPDATE settlement_line SET amount_cents = 1 WHERE run_id = :run"), {"run": final}
        )
    assert_final_run_intact(app_role, final)


def test_app_role_imports_settles_finalises_and_audits(
    engine: Engine, app_role: Engine, tmp_path: Path
) -> None:
    load(app_role, tmp_path, f.base_files())
    run_id = settle_db(app_role)
    with app_role.begin() as connection:
        final = finalise(RunStore(connection), run_id)
    assert (final.status, final.total_cents) == ("final", 179910)
    answers = in_parallel(app_role, audit_together)
    assert answers == [answers[0]] * CALLERS
    with pytest.raises(DBAPIError, match="final"), app_role.begin() as connection:
        connection.execute(text("UPDATE settlement_run SET status = 'draft'"))
    # What the application's role stored, the owner reads alike.
    with engine.connect() as owner, app_role.connect() as app:
        assert load_dataset(owner).same_content(load_dataset(app))


def test_app_role_signs_off_finalises_and_issues_the_invoice(
    engine: Engine, app_role: Engine, tmp_path: Path
) -> None:
    from spreiding.domain.access import Principal
    from spreiding.services import invoices, settlement, signoff

    load(app_role, tmp_path, f.base_files())
    run_id = settle_db(app_role)
    with app_role.begin() as connection:
        for agb in (f.HOSPITAL_A, f.HOSPITAL_B):
            key = Principal(key_id=f"key{agb}", role="hospital", agb=agb)
            signoff.sign(connection, key, run_id, f.HOSPITAL_A, f.HOSPITAL_B, decision="accept")
        admin = Principal(key_id="adminkey0001", role="admin")
        settlement.finalise_run(connection, admin, run_id)
    with app_role.connect() as connection:
        (issued,) = invoices.list_invoices(connection, admin)
    assert (issued.number, issued.total_cents) == (f"{f.HOSPITAL_B}-2024-0001", 179910)
    for statement in ("UPDATE invoice SET total_cents = 1", "DELETE FROM pair_signoff"):
        with pytest.raises(DBAPIError), app_role.begin() as connection:
            connection.execute(text(statement))


def test_app_role_starts_resumes_and_ends_page_sessions(app_role: Engine, tmp_path: Path) -> None:
    """The sessions of the pages (migration 0014) are the application's to write: a session
    started in one transaction is read in the next (another worker) and deleted at sign-out."""
    from datetime import UTC, datetime

    from spreiding.services import sessions
    from spreiding.store.keys import authenticate, create_key

    load(app_role, tmp_path, f.base_files())
    now = datetime.now(UTC)
    with app_role.begin() as connection:
        key = create_key(connection, role="hospital", agb=f.HOSPITAL_A)
        principal = authenticate(connection, key, now=now)
        assert principal is not None
        token, started = sessions.start(connection, principal, now=now)
    with app_role.begin() as connection:
        assert sessions.resume(connection, token, now=now) == started
        sessions.end(connection, token)
    with app_role.connect() as connection:
        assert sessions.resume(connection, token, now=now) is None


def test_init_db_migrates_as_the_owner_and_the_cli_runs_as_the_app_role(
    engine: Engine, app_role: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SPREIDING_DATABASE_URL", app_role.url.render_as_string(hide_password=False))
    monkeypatch.setenv(
        "SPREIDING_MIGRATION_DATABASE_URL", engine.url.render_as_string(hide_password=False)
    )
    runner = CliRunner()
    init = runner.invoke(cli, ["init-db"])
    assert (init.exit_code, init.output) == (
        0,
        f"database at {app_role.url} is at the latest schema\n",
    )
    monkeypatch.delenv("SPREIDING_MIGRATION_DATABASE_URL")
    folder = f.write(tmp_path, f.base_files())
    imported = runner.invoke(cli, ["import", str(folder)])
    assert imported.exit_code == 0, imported.output
    with engine.connect() as connection:
        assert load_dataset(connection).same_content(read_dataset(folder))


def test_app_role_may_not_migrate_and_says_so(app_role: Engine, unmigrated: Engine) -> None:
    """A schema left behind by an older version, which the application's role may read."""
    postgres_only(unmigrated)
    migrate(unmigrated, "0006")
    with unmigrated.begin() as connection:
        connection.execute(text("GRANT USAGE ON SCHEMA trust_migration TO spreiding_app"))
        connection.execute(
            text("GRANT SELECT ON ALL TABLES IN SCHEMA trust_migration TO spreiding_app")
        )
    with (
        pytest.raises(MigrationNotPermitted, match=f"{APP_LOGIN} may not change it"),
        open_database(as_login(unmigrated, APP_LOGIN)),
    ):
        pass
    with unmigrated.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).all() == [
            ("0006",)
        ]
