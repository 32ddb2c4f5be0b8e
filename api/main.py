"""The application factory uvicorn imports (``spreiding serve``), configured from the
environment (``SPREIDING_DATABASE_URL``) at start-up, once per worker."""

from __future__ import annotations

from fastapi import FastAPI

from api.app import create_app
from api.deps import THREADS
from spreiding.config import Settings
from spreiding.store.database import make_engine

# One connection for each request that may hold one at a time (api.deps.THREADS).


def app_from_settings() -> FastAPI:
    return create_app(make_engine(Settings().database_url, connections=THREADS))
