"""``serve`` the HTTP API."""

from __future__ import annotations

from typing import Annotated

import typer

from spreiding.cli.common import database, out
from spreiding.render.i18n import N_, _


def serve(
    host: Annotated[str, typer.Option(help=N_("Address to listen on."))] = "127.0.0.1",
    port: Annotated[int, typer.Option(help=N_("Port to listen on."))] = 8000,
    workers: Annotated[int, typer.Option(help=N_("Worker processes."))] = 1,
) -> None:
    """Serve the HTTP API (uvicorn) on the configured database."""
    import uvicorn

    with database():
        pass  # the schema is brought up to date once, before the workers start
    shown = f"[{host}]" if ":" in host else host  # an IPv6 address in a URL has brackets
    message = _(
        "serving the API at http://{host}:{port} (OpenAPI: http://{host}:{port}/docs); Ctrl+C stops"
    )
    out.print(message.format(host=shown, port=port), markup=False)
    uvicorn.run(
        "api.main:app_from_settings",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
    )
