"""Configuration from the environment, read at the edge (the CLI, the API's dependency)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///spreiding.db"
MIB = 1024 * 1024


class Settings(BaseSettings):
    """``SPREIDING_DATABASE_URL``: an SQLAlchemy URL; by default an embedded SQLite file
    ``spreiding.db`` in the working folder. PostgreSQL: ``postgresql+psycopg://user@host/db``,
    as the application's least-privilege role (docs/operations.md).

    ``SPREIDING_MIGRATION_DATABASE_URL``: the URL of the schema's owner, used only by
    ``spreiding init-db`` to migrate (and to make the application's user a member of
    ``spreiding_app``). Unset, the application's URL migrates itself, as for SQLite.

    ``SPREIDING_MAX_UPLOAD_BYTES``: the largest dataset upload (``POST /datasets``, all files
    together) the API accepts, in bytes; ``SPREIDING_MAX_UPLOAD_FILE_BYTES``: the largest
    single file in it. A larger upload is answered 413 (docs/data-format.md §1, "Limits").

    ``SPREIDING_AUTH_FAILURES`` failed authentications per client address and per key id
    within ``SPREIDING_AUTH_FAILURE_WINDOW_SECONDS``: the next request from that address or
    for that key id is answered 429 until the oldest of them has left the window
    (``spreiding.services.access``; docs/operations.md, "API keys").

    ``SPREIDING_ALLIANCE_KEY_FILE``: the alliance key file (``spreiding keyfile create``) with
    which ``POST /declarations/zh308`` pseudonymises the BSNs of uploaded ZH308 files; unset,
    the server does not offer that upload (404)."""

    model_config = SettingsConfigDict(env_prefix="SPREIDING_")

    database_url: str = DEFAULT_DATABASE_URL
    migration_database_url: str | None = None
    max_upload_bytes: int = Field(default=512 * MIB, ge=0)
    max_upload_file_bytes: int = Field(default=256 * MIB, ge=0)
    auth_failures: int = Field(default=10, ge=1)
    auth_failure_window_seconds: int = Field(default=300, ge=1)
    alliance_key_file: Path | None = None
