"""Database fixtures: every database test runs on SQLite and, when
``SPREIDING_TEST_DATABASE_URL`` is set, on PostgreSQL; without it the PostgreSQL variant is
skipped with a visible reason.

A test that is handed a connection (``connection``) runs inside an outer transaction that is
rolled back when it ends (SQLAlchemy's "join into an external transaction"); the code under
test opens savepoints (``begin_nested``) where it would open a transaction. Only a test whose
code opens its own engine from a URL (the CLI) needs ``engine``, which empties every table
before and after."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import Connection, Engine, MetaData, create_engine, make_url, text

from spreiding.store.database import make_engine, migrate

if TYPE_CHECKING:
    from fastapi import FastAPI

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
# The contract-v1 datasets samen-plus and amsterdam-flevo (tests/data/build_v1.py): test
# material whose figures many tests pin, kept as they were before the samples of those two
# alliances were rebuilt to follow the practice guide.
V1 = Path(__file__).resolve().parent / "data" / "v1"


def _worker_database(url: str | None) -> str | None:
    """Under pytest-xdist (``make test`` runs two workers) each worker gets a database of its
    own next to the configured one (``test`` → ``test_gw0``, ``test_gw1``), created when
    missing, so that one worker's reset never meets the other's tables."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return url
    base = make_url(url)
    name = f"{base.database}_{worker}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            exists = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            ).first()
            if not exists:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


POSTGRES_URL = _worker_database(os.environ.get("SPREIDING_TEST_DATABASE_URL"))


_APPS: dict[tuple[Engine, tuple[tuple[str, str], ...]], FastAPI] = {}


def app_for(engine: Engine, overrides: dict[Any, Any] | None = None) -> FastAPI:
    """The API on ``engine``'s database with ``overrides`` as its dependency overrides (the
    last caller's are replaced).

    One app per database and configuration for the whole session: FastAPI prepares an app's
    routes when a request first matches them (a quarter to half a second a new app on this
    machine), which made a new app per test most of an API test's time. The configuration is
    every ``SPREIDING_*`` variable of the environment, as the app reads some of it when it is
    made (the ZH308 upload is served only with an alliance key). What the app keeps between
    requests is kept by the modules, not by the app (``api.bodies``), as it is across the
    workers of a server."""
    from api.app import create_app

    configuration = tuple(
        sorted((name, value) for name, value in os.environ.items() if name.startswith("SPREIDING_"))
    )
    app = _APPS.get((engine, configuration))
    if app is None:
        app = _APPS[engine, configuration] = create_app(engine)
    app.dependency_overrides = dict(overrides or {})
    return app


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    """The command line speaks Dutch unless the locale names another language; the tests read
    its English messages and the standard CSV dialect, as under an English locale
    (tests/test_cli_locale.py runs it in Dutch)."""
    from spreiding.render import i18n

    for name in ("LC_ALL", "LC_MESSAGES", "LC_NUMERIC", "LANGUAGE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    i18n.use("en")


def _reset_postgres(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def migrated_engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}")
    else:
        if not POSTGRES_URL:
            pytest.skip("PostgreSQL: SPREIDING_TEST_DATABASE_URL is not set")
        engine = make_engine(POSTGRES_URL)
        _reset_postgres(engine)
    migrate(engine)
    yield engine
    engine.dispose()


@contextmanager
def outer_transaction(engine: Engine) -> Iterator[Connection]:
    """A connection in a transaction that is always rolled back, never committed."""
    with engine.connect() as connection:
        transaction = connection.begin()
        driver = connection.connection.driver_connection
        sqlite = engine.dialect.name == "sqlite"
        if sqlite:
            # pysqlite opens a transaction itself only before a write, so a SAVEPOINT issued
            # first would start (and its RELEASE commit) the real transaction: begin it
            # explicitly instead, with the driver's own transaction handling switched off.
            legacy = driver.isolation_level  # type: ignore[union-attr]
            driver.isolation_level = None  # type: ignore[union-attr]
            connection.exec_driver_sql("BEGIN")
        try:
            yield connection
        finally:
            transaction.rollback()
            if sqlite:
                driver.isolation_level = legacy  # type: ignore[union-attr]


@contextmanager
def rolled_back(connection: Connection) -> Iterator[Connection]:
    """A savepoint undone on leaving: one hypothesis example, or one test on shared data."""
    savepoint = connection.begin_nested()
    try:
        yield connection
    finally:
        if savepoint.is_active:
            savepoint.rollback()


@pytest.fixture
def connection(migrated_engine: Engine) -> Iterator[Connection]:
    with outer_transaction(migrated_engine) as connection:
        yield connection


def clear(engine: Engine) -> None:
    """Empty every table, children first, so each test starts from an empty database.

    Final settlement runs are protected by triggers; a test database is the one place where
    they are switched off to clean up (PostgreSQL: replica role; SQLite: drop and recreate)."""
    metadata = MetaData()
    metadata.reflect(engine)
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("SET LOCAL session_replication_role = replica"))
        else:
            triggers = connection.execute(
                text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
            ).fetchall()
            for name, _sql in triggers:
                connection.execute(text(f"DROP TRIGGER {name}"))
        for table in reversed(metadata.sorted_tables):
            if table.name != "alembic_version":
                connection.execute(table.delete())
        if engine.dialect.name == "sqlite":
            for _name, sql in triggers:
                connection.execute(text(sql))


@pytest.fixture
def engine(migrated_engine: Engine) -> Iterator[Engine]:
    """For tests whose code under test opens its own engine from a URL (the CLI): nothing to
    roll back into, so every table is emptied before and after instead."""
    clear(migrated_engine)
    yield migrated_engine
    clear(migrated_engine)
