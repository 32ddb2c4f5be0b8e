"""``keys``: issue API keys."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy.exc import IntegrityError

from spreiding.cli.common import INVALID, database, err
from spreiding.domain.access import InvalidKeyRequest
from spreiding.services.access import create_api_key

keys_app = typer.Typer(no_args_is_help=True, help="API keys.")


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
        with database() as engine, engine.begin() as connection:
            key = create_api_key(
                connection,
                role=role,
                agb=agb,
                uzovi=uzovi,
                agreements=tuple(agreement or ()),
                label=label,
            )
    except InvalidKeyRequest as exc:
        err.print(f"cannot create the key: {exc}", markup=False)
        raise typer.Exit(INVALID) from None
    except IntegrityError:
        # The statement and its parameters hold the new key's hash: never shown.
        err.print(
            "cannot create the key: a hospital, insurer or agreement it names is not stored",
            markup=False,
        )
        raise typer.Exit(INVALID) from None
    typer.echo(key)
