"""The HTTP API. Handlers translate a request into a call of one service
(``spreiding.services``) and its result into a response schema (``api.convert``); domain errors
become statuses in ``api.errors``; who sees what is decided in ``spreiding.store.visibility``."""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy import Engine

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
    for module in (reference, agreements, data, runs, audit, signoff, ledger, invoices, volumes):
        app.include_router(module.router)
    zh308_routes.install(app)
    app.include_router(simulation_routes.router)
    pages.install(app)
    return app
