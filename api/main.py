"""The application factory uvicorn imports (``spreiding serve``), configured from the
environment (``SPREIDING_DATABASE_URL``) at start-up, once per worker."""

from __future__ import annotations

from fastapi import FastAPI

from api.app import create_app
from spreiding.config import Settings
from spreiding.store.database import make_engine

# Synchronous handlers run on AnyIO's thread pool (40 threads by default); each request holds
# one connection, so the pool has one per thread, and no more requests than that are admitted
# at once (api.concurrency: beyond it, threads and connections could wait for each other).
THREADS = 40


def app_from_settings() -> FastAPI:
    engine = make_engine(Settings().database_url, connections=THREADS)
    return create_app(engine, requests_at_once=THREADS)
