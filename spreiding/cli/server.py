"""``serve`` the HTTP API."""

from __future__ import annotations

from typing import Annotated

import typer

from spreiding.cli.common import database


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
) -> None:
    """Serve the HTTP API (uvicorn) on the configured database."""
    import uvicorn

    with database():
        pass  # the schema is brought up to date once, before the workers start
    uvicorn.run(
        "api.main:app_from_settings",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
    )
