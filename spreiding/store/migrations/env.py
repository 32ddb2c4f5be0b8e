"""Alembic environment: runs against the engine the caller passes in ``config.attributes``."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import spreiding.store.tables  # noqa: F401  (registers the tables on SQLModel.metadata)

config = context.config
engine = config.attributes["engine"]

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    context.run_migrations()
