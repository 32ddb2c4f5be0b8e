"""Configuration from the environment, read at the edge (the CLI, the API's dependency)."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///spreiding.db"


class Settings(BaseSettings):
    """``SPREIDING_DATABASE_URL``: an SQLAlchemy URL; by default an embedded SQLite file
    ``spreiding.db`` in the working folder. PostgreSQL: ``postgresql+psycopg://user@host/db``,
    as the application's least-privilege role (docs/operations.md).

    ``SPREIDING_MIGRATION_DATABASE_URL``: the URL of the schema's owner, used only by
    ``spreiding init-db`` to migrate (and to make the application's user a member of
    ``spreiding_app``). Unset, the application's URL migrates itself, as for SQLite."""

    model_config = SettingsConfigDict(env_prefix="SPREIDING_")

    database_url: str = DEFAULT_DATABASE_URL
    migration_database_url: str | None = None
