"""The web pages: server-rendered Dutch pages for hospital finance, insurers, alliance
bureaus and administrators, on the same services and tenant rules as the JSON API; and
``/docs``, Swagger UI 5 served from the ``swagger-ui-bundle-v2`` package, so it works without
internet.

Each page is a route in a module here (``auth``, ``finance``, ``audits``, ``bureau``,
``hours``, ``volumes``, ``simulation``, ``events``, ``datasets``, ``admin``) with a template in
``api/templates``; a page calls the service of its use case with the principal of the
session's key, exactly as the JSON route does.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import swagger_ui_bundle
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from api.pages import (
    admin,
    audits,
    auth,
    bureau,
    datasets,
    events,
    finance,
    hours,
    simulation,
    volumes,
)
from api.pages.common import PREFIX

STATIC = Path(__file__).resolve().parent.parent / "static"
SECURITY_SCHEME = "ApiKey"


def install(app: FastAPI) -> None:
    """Mount the pages, their assets and the offline ``/docs`` on ``app`` (created with
    ``docs_url=None``)."""
    app.mount("/static/swagger", StaticFiles(directory=swagger_ui_bundle.swagger_ui_path))
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for module in (
        auth,
        finance,
        audits,
        bureau,
        hours,
        volumes,
        simulation,
        events,
        datasets,
        admin,
    ):
        app.include_router(module.router)

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="spreiding — API",
            swagger_js_url="/static/swagger/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger/swagger-ui.css",
            swagger_favicon_url="/static/swagger/favicon-32x32.png",
            swagger_ui_parameters={"persistAuthorization": False},
        )

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse(PREFIX, status_code=307)

    plain = app.openapi

    def openapi() -> dict[str, Any]:
        """The API's document with its API-key scheme declared, so /docs has an Authorize
        button; every operation that reads the X-API-Key header requires it."""
        if app.openapi_schema is not None:
            return app.openapi_schema
        document = plain()
        components = document.setdefault("components", {})
        components.setdefault("securitySchemes", {})[SECURITY_SCHEME] = {
            "type": "apiKey",
            "in": "header",
            "name": "X-API-Key",
            "description": "An API key: spr_<id>_<secret> (`spreiding keys create`)",
        }
        for operations in document.get("paths", {}).values():
            for operation in operations.values():
                parameters = operation.get("parameters", [])
                if any(
                    p.get("in") == "header" and p.get("name", "").lower() == "x-api-key"
                    for p in parameters
                ):
                    operation["security"] = [{SECURITY_SCHEME: []}]
        app.openapi_schema = document
        return document

    app.openapi = openapi  # type: ignore[method-assign]
