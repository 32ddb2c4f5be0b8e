"""Engines and schema migrations, the same code on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Column, Connection, Engine, Table, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite

MIGRATIONS = Path(__file__).parent / "migrations"


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


@contextmanager
def open_database(url: str, *, upgrade: bool = True) -> Iterator[Engine]:
    """An engine at the latest schema, disposed of (its connections closed) on leaving."""
    engine = make_engine(url)
    try:
        if upgrade:
            migrate(engine)
        yield engine
    finally:
        engine.dispose()


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


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # SQLite checks foreign keys only when asked, per connection.
    cursor.execute("PRAGMA foreign_keys=ON")
    # REPLACE deletes the row it replaces; only with recursive triggers does that delete fire
    # the DELETE triggers that protect a final run (migration 0002; 0007 refuses it as well).
    cursor.execute("PRAGMA recursive_triggers=ON")
    cursor.close()


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (``alembic upgrade``)."""
    command.upgrade(alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    command.downgrade(alembic_config(engine), revision)
