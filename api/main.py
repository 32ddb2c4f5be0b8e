"""The application factory uvicorn imports (``spreiding serve``), configured from the
environment (``SPREIDING_DATABASE_URL``) at start-up, once per worker."""

from __future__ import annotations

from fastapi import FastAPI

from api.app import create_app
from spreiding.config import Settings
from spreiding.store.database import make_engine

# Synchronous handlers run on AnyIO's thread pool (40 threads by default); each holds one
# connection for its request, so the pool has one per thread and no request waits for one.
THREADS = 40


def app_from_settings() -> FastAPI:
    return create_app(make_engine(Settings().database_url, connections=THREADS))
