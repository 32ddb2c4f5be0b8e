"""What the command line answers when there is nothing to do, a question to ask, or a database
it cannot open: one line that names the problem and exit 2, never a traceback (issue 8, items
12 and 13)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, make_url, text
from typer.testing import CliRunner

from api import schemas
from api.app import create_app
from spreiding.cli import app, common
from spreiding.domain.run_errors import NothingToSettle
from spreiding.domain.years import FIRST_YEAR, LAST_YEAR
from spreiding.services import datasets, settlement
from spreiding.services.access import OPERATOR
from spreiding.store import database as database_module
from spreiding.store.database import MigrationNotPermitted, migrate
from spreiding.store.keys import create_key
from tests import files as f
from tests.conftest import POSTGRES_URL, V1
from tests.test_trust_db import APP_LOGIN, app_role, as_login, postgres_only, unmigrated

__all__ = ["app_role", "unmigrated"]  # fixtures, used by name

runner = CliRunner()
SAMEN_PLUS = V1 / "samen-plus"


@pytest.fixture
def database(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    """The CLI opens its own engine from the URL and commits (``engine`` empties the tables)."""
    monkeypatch.setenv("SPREIDING_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.delenv("SPREIDING_MIGRATION_DATABASE_URL", raising=False)
    return engine


def runs_in(engine: Engine) -> list[tuple[int, str, int]]:
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT run_id, status, year FROM settlement_run ORDER BY run_id")
        )
        return [(run_id, status, year) for run_id, status, year in rows]


def stored_run(database: Engine) -> int:
    """Import samen-plus and settle 2024: the id of the draft run."""
    assert runner.invoke(app, ["import", str(SAMEN_PLUS)]).exit_code == 0
    settled = runner.invoke(app, ["settle", "--year", "2024"])
    assert settled.exit_code == 0, settled.stderr
    ((run_id, status, _year),) = runs_in(database)
    assert status == "draft"
    return run_id


# Item 12: a run with nothing in it, finalising without a question, any year at all.


def test_settling_an_empty_database_stores_no_run(database: Engine) -> None:
    result = runner.invoke(app, ["settle", "--year", "2024"])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "nothing to settle in 2024: no stored ODV DBC of 2024 settles (0 excluded); "
        "no run was stored\n"
    )
    assert runs_in(database) == []


def test_settling_a_year_the_data_does_not_reach_stores_no_run(database: Engine) -> None:
    run_id = stored_run(database)
    result = runner.invoke(app, ["settle", "--year", "2031"])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        # SAME-D00093 is open: excluded in every year from 2024 on, settled in none.
        "nothing to settle in 2031: no stored ODV DBC of 2031 settles (1 excluded); "
        "no run was stored\n"
    )
    assert runs_in(database) == [(run_id, "draft", 2024)]


def test_the_api_refuses_a_run_with_nothing_in_it(database: Engine) -> None:
    with database.begin() as connection:
        key = create_key(connection, role="admin")
    with TestClient(create_app(database)) as client:
        response = client.post("/settlement-runs", json={"year": 2024}, headers={"X-API-Key": key})
    assert response.status_code == 422
    assert response.json() == {
        "error": "NothingToSettle",
        "detail": "nothing to settle in 2024: no stored ODV DBC of 2024 settles (0 excluded); "
        "no run was stored",
    }
    assert runs_in(database) == []


def test_the_service_refuses_a_run_with_nothing_in_it(connection: Connection) -> None:
    with pytest.raises(NothingToSettle) as refused:
        settlement.settle_year(connection, OPERATOR, year=2024)
    assert (refused.value.year, refused.value.corrects_run_id, refused.value.excluded) == (
        2024,
        None,
        0,
    )


def test_a_correction_that_changes_no_amount_is_refused(
    connection: Connection, tmp_path: Path
) -> None:
    files = f.base_files()
    datasets.import_dataset(connection, datasets.read_folder(f.write(tmp_path / "a", files)))
    draft = settlement.settle_year(connection, OPERATOR, year=2024).run
    settlement.finalise_run(connection, OPERATOR, draft.run_id, override="test: no sign-off")
    # A DBC of 2023: new inputs (another fingerprint), the same 2024.
    files["dbcs.csv"].append(
        f.dbc(dbc_id="H0", agb=f.HOSPITAL_A, odv=False, start="2023-05-01", end="2023-05-02")
    )
    datasets.import_dataset(connection, datasets.read_folder(f.write(tmp_path / "b", files)))
    with pytest.raises(NothingToSettle) as refused:
        settlement.settle_year(connection, OPERATOR, year=2024)
    assert str(refused.value) == (
        f"nothing to settle in 2024: every DBC of 2024 settles as settled up to run "
        f"{draft.run_id}; no run was stored"
    )
    assert [run.run_id for run in settlement.list_runs(connection, OPERATOR)] == [draft.run_id]


def test_finalise_asks_at_a_terminal_and_no_keeps_the_draft(
    database: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_id = stored_run(database)
    monkeypatch.setattr(common, "at_terminal", lambda: True)
    declined = runner.invoke(app, ["runs", "finalise", str(run_id)], input="n\n")
    assert declined.exit_code == 1
    summary = f"run {run_id}: settlement 2024 (bilateral), draft, total € 116.373,32, fingerprint "
    assert declined.stdout.startswith(summary)
    assert declined.stdout.endswith("\nFinalise? [y/N]: n\n")
    assert declined.stderr == f"run {run_id} was not finalised\n"
    assert runs_in(database) == [(run_id, "draft", 2024)]
    empty = runner.invoke(app, ["runs", "finalise", str(run_id)], input="\n")
    assert (empty.exit_code, runs_in(database)) == (1, [(run_id, "draft", 2024)])

    override = ["--override", "signed on paper"]
    accepted = runner.invoke(app, ["runs", "finalise", str(run_id), *override], input="y\n")
    assert accepted.exit_code == 0, accepted.stderr
    assert accepted.stdout.splitlines()[-2:] == [
        "Finalise? [y/N]: y",
        f"finalised run {run_id}: settlement 2024 (bilateral), final, total € 116.373,32, "
        + accepted.stdout.splitlines()[-1].split(", total € 116.373,32, ")[1],
    ]
    assert runs_in(database) == [(run_id, "final", 2024)]


def test_finalise_without_a_terminal_needs_yes(database: Engine) -> None:
    run_id = stored_run(database)
    refused = runner.invoke(app, ["runs", "finalise", str(run_id)])
    assert (refused.exit_code, refused.stdout) == (2, "")
    assert refused.stderr == (
        f"run {run_id} was not finalised: there is no terminal to ask at; "
        f"`spreiding runs finalise {run_id} --yes` finalises without asking\n"
    )
    assert runs_in(database) == [(run_id, "draft", 2024)]
    # Neither hospital accepted its pairs: refused, naming them, until an override reason.
    unsigned = runner.invoke(app, ["runs", "finalise", str(run_id), "--yes"])
    assert (unsigned.exit_code, unsigned.stdout) == (2, "")
    assert unsigned.stderr.startswith(
        f"settlement run {run_id} is not accepted by both hospitals of every pair; not yet "
        "accepted (debtor→creditor): "
    )
    assert runs_in(database) == [(run_id, "draft", 2024)]
    done = runner.invoke(
        app, ["runs", "finalise", str(run_id), "--yes", "--override", "signed on paper"]
    )
    assert done.exit_code == 0, done.stderr
    assert done.stdout.startswith(f"finalised run {run_id}: settlement 2024 (bilateral), final")
    assert runs_in(database) == [(run_id, "final", 2024)]


def test_finalise_asks_nothing_about_a_run_that_is_not_there(
    database: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(common, "at_terminal", lambda: True)
    result = runner.invoke(app, ["runs", "finalise", "7"], input="y\n")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == "there is no settlement run 7\n"


@pytest.mark.parametrize("command", ["settle", "audit"])
@pytest.mark.parametrize("year", ["24", str(FIRST_YEAR - 1), str(LAST_YEAR + 1), "2031x"])
def test_a_year_out_of_bounds_is_refused(command: str, year: str, tmp_path: Path) -> None:
    folder = str(f.write(tmp_path, f.base_files()))
    result = runner.invoke(app, [command, "--data", folder, "--year", year])
    assert (result.exit_code, result.stdout) == (2, "")
    assert "Invalid value for '--year'" in result.stderr


@pytest.mark.parametrize("command", ["settle", "audit"])
@pytest.mark.parametrize("year", [FIRST_YEAR, LAST_YEAR])
def test_the_first_and_last_year_are_accepted(command: str, year: int, tmp_path: Path) -> None:
    folder = str(f.write(tmp_path, f.base_files()))
    result = runner.invoke(app, [command, "--data", folder, "--year", str(year)])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(f'{{"year": {year}, ')


def test_the_api_bounds_the_year_with_the_same_constants() -> None:
    for model in (schemas.RunCreate, schemas.AuditRunCreate):
        year = model.model_json_schema()["properties"]["year"]
        assert (year["minimum"], year["maximum"]) == (FIRST_YEAR, LAST_YEAR) == (1900, 2999)


# Item 13: a key for a tenant that is not stored, a database that cannot be opened.


@pytest.mark.parametrize(
    ("tenant", "message"),
    [
        (["--role", "hospital", "--agb", "06019999"], "there is no hospital with AGB '06019999'"),
        (["--role", "insurer", "--uzovi", "9999"], "there is no insurer with UZOVI '9999'"),
        (
            ["--role", "bureau", "--agreement", "samen-plus-raam", "--agreement", "x"],
            "there is no agreement 'x'",
        ),
        (
            ["--role", "bureau", "--agreement", "x", "--agreement", "y"],
            "there are no agreements 'x', 'y'",
        ),
    ],
)
def test_a_key_for_a_tenant_that_is_not_stored_is_refused_in_one_line(
    database: Engine, tenant: list[str], message: str
) -> None:
    assert runner.invoke(app, ["import", str(SAMEN_PLUS)]).exit_code == 0
    result = runner.invoke(app, ["keys", "create", *tenant])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"cannot create the key: {message}; import it first\n"
    with database.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM api_key")).scalar_one() == 0


def test_a_key_for_a_stored_tenant_is_printed_once(database: Engine) -> None:
    assert runner.invoke(app, ["import", str(SAMEN_PLUS)]).exit_code == 0
    result = runner.invoke(app, ["keys", "create", "--role", "hospital", "--agb", "06010101"])
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout.startswith("spr_") and result.stdout.count("\n") == 1


# Every command that opens the database, with arguments that would otherwise succeed.
COMMANDS = [
    ["init-db"],
    ["import", str(SAMEN_PLUS)],
    ["settle", "--year", "2024"],
    ["audit", "--year", "2024"],
    ["runs", "list"],
    ["runs", "show", "1"],
    ["runs", "statements", "1"],
    ["runs", "finalise", "1", "--yes"],
    ["keys", "create", "--role", "admin"],
    ["serve"],
]
URLS = [
    (
        "not a url",
        "SPREIDING_DATABASE_URL is not a database URL: 'not a url' "
        "(e.g. sqlite:///spreiding.db or postgresql+psycopg://user@host/database)",
    ),
    (
        "postgresql://me:secret@db:port/spreiding",
        "SPREIDING_DATABASE_URL is not a database URL: 'postgresql://me:***@db:port/spreiding' "
        "(e.g. sqlite:///spreiding.db or postgresql+psycopg://user@host/database)",
    ),
    (
        "mysqlx://me:secret@db/spreiding",
        "SPREIDING_DATABASE_URL names a database driver spreiding does not know: mysqlx in "
        "mysqlx://me:***@db/spreiding (sqlite or postgresql+psycopg)",
    ),
    (
        "postgresql+psycopg2://me:secret@db/spreiding",
        "SPREIDING_DATABASE_URL needs the Python module psycopg2, which is not installed: "
        "postgresql+psycopg2://me:***@db/spreiding (use postgresql+psycopg)",
    ),
    (
        "postgresql+psycopg://me:secret@127.0.0.1:1/spreiding",
        "cannot open the database at postgresql+psycopg://me:***@127.0.0.1:1/spreiding: "
        'connection failed: connection to server at "127.0.0.1", port 1 failed: '
        "Connection refused",
    ),
    (
        "sqlite:////no/such/folder/spreiding.db",
        "cannot open the database at sqlite:////no/such/folder/spreiding.db: "
        "unable to open database file",
    ),
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:2]))
@pytest.mark.parametrize(("url", "message"), URLS, ids=[u for u, _ in URLS])
def test_a_database_that_cannot_be_opened_is_one_line_and_exit_2(
    command: list[str], url: str, message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SPREIDING_DATABASE_URL", url)
    monkeypatch.delenv("SPREIDING_MIGRATION_DATABASE_URL", raising=False)
    result = runner.invoke(app, command)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", message + "\n")
    assert "secret" not in result.output


def test_a_migration_url_that_cannot_be_opened_is_named(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SPREIDING_DATABASE_URL", f"sqlite:///{tmp_path / 'app.db'}")
    monkeypatch.setenv("SPREIDING_MIGRATION_DATABASE_URL", "postgres:/owner:secret@db")
    result = runner.invoke(app, ["init-db"])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "SPREIDING_MIGRATION_DATABASE_URL is not a database URL: 'postgres:/owner:***@db' "
        "(e.g. sqlite:///spreiding.db or postgresql+psycopg://user@host/database)\n"
    )


@pytest.mark.skipif(not POSTGRES_URL, reason="PostgreSQL: SPREIDING_TEST_DATABASE_URL is not set")
def test_a_database_that_does_not_exist_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    assert POSTGRES_URL is not None
    missing = make_url(POSTGRES_URL).set(password="secret", database="spreiding_h7_missing")
    monkeypatch.setenv("SPREIDING_DATABASE_URL", missing.render_as_string(hide_password=False))
    result = runner.invoke(app, ["runs", "list"])
    assert (result.exit_code, result.stdout) == (2, "")
    port = missing.port or 5432
    assert result.stderr == (
        f"cannot open the database at {missing.render_as_string(hide_password=True)}: "
        f'connection failed: connection to server at "{missing.host}", port {port} failed: '
        'FATAL: database "spreiding_h7_missing" does not exist\n'
    )


def test_a_schema_this_role_may_not_migrate_is_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    said = (
        "the database schema is behind this version of spreiding and spreiding_web may not "
        "change it: migrate as the owner (spreiding init-db with "
        "SPREIDING_MIGRATION_DATABASE_URL, docs/operations.md)"
    )

    def refused(_engine: Engine, revision: str = "head") -> None:
        raise MigrationNotPermitted(said)

    monkeypatch.setattr(database_module, "migrate", refused)
    monkeypatch.setenv("SPREIDING_DATABASE_URL", f"sqlite:///{tmp_path / 'behind.db'}")
    result = runner.invoke(app, ["runs", "list"])
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", said + "\n")


def test_the_app_role_on_a_schema_behind_is_told_in_one_line(
    app_role: Engine, unmigrated: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL: the application's role on a schema an older version left behind."""
    postgres_only(unmigrated)
    migrate(unmigrated, "0006")
    with unmigrated.begin() as connection:
        connection.execute(text("GRANT USAGE ON SCHEMA trust_migration TO spreiding_app"))
        connection.execute(
            text("GRANT SELECT ON ALL TABLES IN SCHEMA trust_migration TO spreiding_app")
        )
    monkeypatch.setenv("SPREIDING_DATABASE_URL", as_login(unmigrated, APP_LOGIN))
    result = runner.invoke(app, ["settle", "--year", "2024"])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        f"the database schema is behind this version of spreiding and {APP_LOGIN} may not "
        "change it: migrate as the owner (spreiding init-db with "
        "SPREIDING_MIGRATION_DATABASE_URL, docs/operations.md)\n"
    )
