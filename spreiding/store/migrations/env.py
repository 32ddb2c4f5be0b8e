"""Alembic environment: runs on the connection the caller passes in ``config.attributes``,
inside the caller's transaction (``spreiding.store.database.migrate``)."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import spreiding.store.tables  # noqa: F401  (registers the tables on SQLModel.metadata)

config = context.config
connection = config.attributes["connection"]

context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
context.run_migrations()
