"""``keys``: issue, list and revoke API keys. Times are UTC."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Annotated

import typer
from sqlalchemy.exc import IntegrityError

from spreiding.cli import common
from spreiding.cli.common import INVALID, Format, FormatOption, database, err, fail, out
from spreiding.domain.access import ApiKeyInfo, ApiKeyNotFound, InvalidKeyRequest
from spreiding.services.access import create_api_key, list_api_keys, revoke_api_key

keys_app = typer.Typer(no_args_is_help=True, help="API keys.")
COLUMNS = ("key_id", "role", "tenant", "label", "created", "expires", "revoked")


@keys_app.command("create")
def keys_create(
    role: Annotated[str, typer.Option(help="hospital, bureau, insurer or admin.")],
    agb: Annotated[str | None, typer.Option(help="The hospital of a hospital key.")] = None,
    uzovi: Annotated[str | None, typer.Option(help="The insurer of an insurer key.")] = None,
    agreement: Annotated[
        list[str] | None, typer.Option(help="An agreement of a bureau key (repeatable).")
    ] = None,
    label: Annotated[str, typer.Option(help="A note on whose key this is.")] = "",
    expires: Annotated[
        datetime | None,
        typer.Option(
            formats=["%Y-%m-%d"], help="The day (UTC) from which the key is refused: 2027-01-01."
        ),
    ] = None,
    days: Annotated[
        int | None, typer.Option(min=1, help="The key is refused this many days from now.")
    ] = None,
) -> None:
    """Issue an API key; it is printed once and stored only as a hash. Without --expires or
    --days it holds until revoked."""
    now = common.now()
    if expires is not None and days is not None:
        err.print("cannot create the key: give --expires or --days, not both", markup=False)
        raise typer.Exit(INVALID)
    expires_at = (
        expires.replace(tzinfo=UTC)
        if expires is not None
        else now + timedelta(days=days)
        if days is not None
        else None
    )
    try:
        with database() as engine, engine.begin() as connection:
            key = create_api_key(
                connection,
                role=role,
                agb=agb,
                uzovi=uzovi,
                agreements=tuple(agreement or ()),
                label=label,
                expires_at=expires_at,
                now=now,
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
    if expires_at is not None:
        err.print(f"it is refused from {_time(expires_at)} UTC on", markup=False)


@keys_app.command("list")
def keys_list(format_: FormatOption = Format.table) -> None:
    """Every key, oldest first: its id, role, tenant, label and when it was created, expires
    and was revoked (UTC). Never a secret or its hash."""
    with database() as engine, engine.connect() as connection:
        every = list_api_keys(connection)
    if format_ is Format.json:
        typer.echo(json.dumps([_as_json(key) for key in every], ensure_ascii=False))
        return
    rows = [COLUMNS, *(_as_row(key) for key in every)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    for row in rows:
        out.print(
            "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip(),
            markup=False,
        )


@keys_app.command("revoke")
def keys_revoke(
    key_id: Annotated[str, typer.Argument(help="The key's id (see `spreiding keys list`).")],
) -> None:
    """Revoke a key: from now on it is answered like an unknown key. It cannot be undone."""
    try:
        with database() as engine, engine.begin() as connection:
            key, now_revoked = revoke_api_key(connection, key_id, now=common.now())
    except ApiKeyNotFound as exc:
        raise fail(exc) from None
    whose = f"{key.role} {key.tenant}"
    if now_revoked:
        out.print(f"revoked key {key.key_id} ({whose})", markup=False)
    else:
        assert key.revoked_at is not None
        out.print(
            f"key {key.key_id} ({whose}) was revoked already, at {_time(key.revoked_at)} UTC",
            markup=False,
        )


def _time(moment: datetime | None) -> str:
    return "-" if moment is None else f"{moment.astimezone(UTC):%Y-%m-%d %H:%M:%S}"


def _as_row(key: ApiKeyInfo) -> tuple[str, ...]:
    return (
        key.key_id,
        key.role,
        key.tenant,
        key.label or "-",
        _time(key.created_at),
        _time(key.expires_at),
        _time(key.revoked_at),
    )


def _as_json(key: ApiKeyInfo) -> dict[str, object]:
    def iso(moment: datetime | None) -> str | None:
        return None if moment is None else moment.astimezone(UTC).isoformat()

    return {
        "key_id": key.key_id,
        "role": key.role,
        "agb": key.agb,
        "uzovi": key.uzovi,
        "agreements": list(key.agreements),
        "label": key.label,
        "created_at": iso(key.created_at),
        "expires_at": iso(key.expires_at),
        "revoked_at": iso(key.revoked_at),
    }
