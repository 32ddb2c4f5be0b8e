"""Configuration from the environment, read at the edge (the CLI, the API's dependency)."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///spreiding.db"


class Settings(BaseSettings):
    """``SPREIDING_DATABASE_URL``: an SQLAlchemy URL; by default an embedded SQLite file
    ``spreiding.db`` in the working folder. PostgreSQL: ``postgresql+psycopg://user@host/db``."""

    model_config = SettingsConfigDict(env_prefix="SPREIDING_")

    database_url: str = DEFAULT_DATABASE_URL
