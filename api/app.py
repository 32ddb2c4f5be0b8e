"""The HTTP API. Handlers translate a request into a call of one service
(``spreiding.services``) and its result into a response schema (``api.convert``); domain errors
become statuses in ``api.errors``; who sees what is decided in ``spreiding.store.visibility``."""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy import Engine
from starlette.middleware.gzip import GZipMiddleware

from api import errors, pages
from api.routes import (
    agreements,
    audit,
    data,
    invoices,
    ledger,
    reference,
    runs,
    signoff,
    statement_pages,
    volumes,
)
from api.routes import simulation as simulation_routes
from api.routes import zh308 as zh308_routes


def create_app(engine: Engine) -> FastAPI:
    app = FastAPI(
        title="spreiding",
        version="1",
        description="Settlement and audit of care spread between Dutch hospitals.",
        docs_url=None,  # served by api.pages from the package's assets, not from a CDN
        redoc_url=None,
    )
    app.state.engine = engine
    errors.install(app)
    # A request is matched against the routes in this order, each router's in turn (twice in
    # the router that holds it): a statement's summary and pages, the reads clients repeat
    # most, come first (issue 10: matching them past 26 routes was a quarter of their CPU on
    # the event loop). No two routes match one path (tests/api/test_routes.py), so the order
    # decides nothing else.
    routers = (statement_pages, reference, agreements, data, runs, audit, signoff, ledger)
    for module in (*routers, invoices, volumes):
        app.include_router(module.router)
    zh308_routes.install(app)
    app.include_router(simulation_routes.router)
    pages.install(app)
    # Bodies from 1 kB on are compressed for a client that accepts gzip (a statement's JSON
    # shrinks about tenfold); level 5: most of the gain for a fraction of level 9's time.
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=5)
    return app
