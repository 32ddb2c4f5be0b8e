"""The application factory uvicorn imports (``spreiding serve``), configured from the
environment (``SPREIDING_DATABASE_URL``) at start-up, once per worker."""

from __future__ import annotations

from fastapi import FastAPI

from api.app import create_app
from spreiding.config import Settings
from spreiding.database import make_engine


def app_from_settings() -> FastAPI:
    return create_app(make_engine(Settings().database_url))
