"""``serve`` the HTTP API, and issue API ``keys``."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy.exc import IntegrityError

from spreiding.cli.common import INVALID, err
from spreiding.config import Settings
from spreiding.domain.access import InvalidKeyRequest
from spreiding.services.access import create_api_key
from spreiding.store.database import open_database

keys_app = typer.Typer(no_args_is_help=True, help="API keys.")


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
) -> None:
    """Serve the HTTP API (uvicorn) on the configured database."""
    import uvicorn

    with open_database(Settings().database_url):
        pass  # the schema is brought up to date once, before the workers start
    uvicorn.run(
        "api.main:app_from_settings",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
    )


@keys_app.command("create")
def keys_create(
    role: Annotated[str, typer.Option(help="hospital, bureau, insurer or admin.")],
    agb: Annotated[str | None, typer.Option(help="The hospital of a hospital key.")] = None,
    uzovi: Annotated[str | None, typer.Option(help="The insurer of an insurer key.")] = None,
    agreement: Annotated[
        list[str] | None, typer.Option(help="An agreement of a bureau key (repeatable).")
    ] = None,
    label: Annotated[str, typer.Option(help="A note on whose key this is.")] = "",
) -> None:
    """Issue an API key; it is printed once and stored only as a hash."""
    try:
        with open_database(Settings().database_url) as engine, engine.begin() as connection:
            key = create_api_key(
                connection,
                role=role,
                agb=agb,
                uzovi=uzovi,
                agreements=tuple(agreement or ()),
                label=label,
            )
    except (InvalidKeyRequest, IntegrityError) as exc:
        err.print(f"cannot create the key: {exc}", markup=False)
        raise typer.Exit(INVALID) from None
    typer.echo(key)
