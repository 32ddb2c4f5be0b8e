"""Engines and schema migrations, the same code on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, Connection, Engine, Table, create_engine, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError

MIGRATIONS = Path(__file__).parent / "migrations"
SQLITE_BUSY_MS = 120_000
INSUFFICIENT_PRIVILEGE = "42501"  # PostgreSQL's SQLSTATE for "permission denied"


def make_engine(url: str, *, connections: int | None = None) -> Engine:
    """An engine for ``url``. ``connections``: how many may be open at once (a server sizes
    its pool to the threads that serve requests, so none waits for a connection)."""
    if url.startswith("postgresql://"):
        # The driver the project installs; a bare URL would ask for psycopg2.
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    pool: dict[str, int] = {}
    if connections is not None and url != "sqlite://" and ":memory:" not in url:
        pool = {"pool_size": connections, "max_overflow": 0}
    engine = create_engine(url, **pool)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


APP_ROLE = "spreiding_app"  # created by migration 0007; docs/operations.md


class MigrationNotPermitted(Exception):
    """The schema is behind this version and the connecting role may not change it: the
    application's role never migrates; the owner's URL does (``migration_url``)."""


@contextmanager
def open_database(
    url: str, *, upgrade: bool = True, migration_url: str | None = None
) -> Iterator[Engine]:
    """An engine on ``url`` at the latest schema, disposed of (its connections closed) on
    leaving. ``migration_url``: the schema owner's URL, used only to migrate; the user of
    ``url`` is then made a member of the application's role (PostgreSQL). Without it ``url``
    migrates itself, as the SQLite default does."""
    engine = make_engine(url)
    try:
        if upgrade and migration_url is None:
            migrate(engine)
        elif upgrade and migration_url is not None:
            owner = make_engine(migration_url)
            try:
                migrate(owner)
                grant_application_role(owner, engine.url.username)
            finally:
                owner.dispose()
        yield engine
    finally:
        engine.dispose()


def grant_application_role(owner: Engine, user: str | None) -> None:
    """Make ``user`` a member of ``spreiding_app`` (PostgreSQL), unless it is the owner."""
    if owner.dialect.name != "postgresql" or user is None:
        return
    with owner.begin() as connection:
        me = connection.execute(text("SELECT current_user")).scalar_one()
        member = connection.execute(
            text("SELECT pg_has_role(:user, :role, 'MEMBER')"), {"user": user, "role": APP_ROLE}
        ).scalar_one()
        if user != me and not member:
            quoted = connection.dialect.identifier_preparer.quote(user)
            connection.execute(text(f"GRANT {APP_ROLE} TO {quoted}"))


def insert_once(
    connection: Connection, table: Table, values: dict[str, Any], *, returning: Column[Any]
) -> Any | None:
    """``INSERT ... ON CONFLICT DO NOTHING``: the new row's ``returning`` value, or None when a
    unique index already holds a row with the same key. A caller inserting the same key as a
    transaction still in progress waits for it (PostgreSQL: on the index; SQLite: on the write
    lock) and then finds its row, instead of failing or storing a second one."""
    dialect = {"postgresql": postgresql, "sqlite": sqlite}[connection.dialect.name]
    statement = dialect.insert(table).values(values).on_conflict_do_nothing().returning(returning)
    return connection.execute(statement).scalar_one_or_none()


def lock_for_writing(connection: Connection, name: str) -> None:
    """Hold ``name`` until the caller's transaction ends: another transaction asking for it
    waits until this one has committed, and then reads what it committed. Writers that read
    before they write (compare, then insert what is new) take it first, so that two of them
    never both find a row missing and both insert it.

    PostgreSQL: a transaction-level advisory lock (any role may take one). SQLite: the
    database's write lock, taken now instead of at the first write (``BEGIN IMMEDIATE``)."""
    if connection.dialect.name == "postgresql":
        key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
    elif not connection.connection.dbapi_connection.in_transaction:  # type: ignore[union-attr]
        # pysqlite begins a transaction only at the first INSERT/UPDATE/DELETE; after one,
        # the write lock is held already.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # SQLite checks foreign keys only when asked, per connection.
    cursor.execute("PRAGMA foreign_keys=ON")
    # REPLACE deletes the row it replaces; only with recursive triggers does that delete fire
    # the DELETE triggers that protect a final run (migration 0002; 0007 refuses it as well).
    cursor.execute("PRAGMA recursive_triggers=ON")
    # One writer at a time: a writer waits for the one before (an import holds the write lock
    # while it compares) instead of failing with "database is locked" after pysqlite's 5 s.
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
    cursor.close()


def alembic_config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (``alembic upgrade``), in one transaction.

    Migrations run one at a time: twenty ``spreiding import`` started at once on a new
    database would otherwise each create the tables, and all but one fail. A schema already
    at the latest revision is only read, so a role that may not change it can open it."""
    with engine.begin() as connection:
        config = alembic_config(connection)
        if revision == "head" and _at_head(connection, config):
            return
        lock_for_writing(connection, "spreiding.migrate")
        try:
            command.upgrade(config, revision)
        except DBAPIError as exc:
            if getattr(exc.orig, "sqlstate", None) != INSUFFICIENT_PRIVILEGE:
                raise
            user = engine.url.username  # the transaction has failed: no more queries in it
            raise MigrationNotPermitted(
                f"the database schema is behind this version of spreiding and {user} may not "
                "change it: migrate as the owner (spreiding init-db with "
                "SPREIDING_MIGRATION_DATABASE_URL, docs/operations.md)"
            ) from None


def downgrade(engine: Engine, revision: str = "base") -> None:
    with engine.begin() as connection:
        lock_for_writing(connection, "spreiding.migrate")
        command.downgrade(alembic_config(connection), revision)


def _at_head(connection: Connection, config: Config) -> bool:
    current = MigrationContext.configure(connection).get_current_heads()
    return set(current) == set(ScriptDirectory.from_config(config).get_heads())
