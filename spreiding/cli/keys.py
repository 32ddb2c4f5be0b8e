"""``keys``: issue, list and revoke API keys. Times are UTC."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated

import typer
from sqlalchemy.exc import IntegrityError

from spreiding.cli import common
from spreiding.cli.common import INVALID, Format, FormatOption, database, err, fail, out
from spreiding.domain.access import ApiKeyInfo, ApiKeyNotFound, InvalidKeyRequest
from spreiding.render.i18n import N_, _
from spreiding.services.access import create_api_key, list_api_keys, revoke_api_key

keys_app = typer.Typer(no_args_is_help=True, help=N_("API keys."))
COLUMNS = ("key_id", "role", "tenant", "label", "created", "expires", "revoked")


class Role(StrEnum):
    hospital = "hospital"
    bureau = "bureau"
    insurer = "insurer"
    admin = "admin"


@keys_app.command(
    "create",
    help=N_(
        "Issue an API key; it is printed once and stored only as a hash. Without --expires "
        "or --days it holds until revoked."
    ),
)
def keys_create(
    role: Annotated[
        Role, typer.Option(help=N_("Whose key: a hospital, bureau, insurer or admin."))
    ],
    agb: Annotated[str | None, typer.Option(help=N_("The hospital of a hospital key."))] = None,
    uzovi: Annotated[str | None, typer.Option(help=N_("The insurer of an insurer key."))] = None,
    agreement: Annotated[
        list[str] | None, typer.Option(help=N_("An agreement of a bureau key (repeatable)."))
    ] = None,
    label: Annotated[str, typer.Option(help=N_("A note on whose key this is."))] = "",
    expires: Annotated[
        datetime | None,
        typer.Option(
            formats=["%Y-%m-%d"],
            help=N_("The day (UTC) from which the key is refused: 2027-01-01."),
        ),
    ] = None,
    days: Annotated[
        int | None, typer.Option(min=1, help=N_("The key is refused this many days from now."))
    ] = None,
) -> None:
    """Issue an API key; it is printed once and stored only as a hash. Without --expires or
    --days it holds until revoked."""
    now = common.now()
    if expires is not None and days is not None:
        message = _("cannot create the key: give --expires or --days, not both")
        err.print(message, markup=False)
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
                role=role.value,
                agb=agb,
                uzovi=uzovi,
                agreements=tuple(agreement or ()),
                label=label,
                expires_at=expires_at,
                now=now,
            )
    except InvalidKeyRequest as exc:
        err.print(_("cannot create the key: {reason}").format(reason=exc), markup=False)
        raise typer.Exit(INVALID) from None
    except IntegrityError:
        # The statement and its parameters hold the new key's hash: never shown.
        message = _(
            "cannot create the key: a hospital, insurer or agreement it names is not stored"
        )
        err.print(message, markup=False)
        raise typer.Exit(INVALID) from None
    typer.echo(key)
    if expires_at is not None:
        message = _("it is refused from {moment} UTC on").format(moment=_time(expires_at))
        err.print(message, markup=False)


@keys_app.command(
    "list",
    help=N_(
        "Every key, oldest first: its id, role, tenant, label and when it was created, "
        "expires and was revoked (UTC). Never a secret or its hash."
    ),
)
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


@keys_app.command(
    "revoke",
    help=N_("Revoke a key: from now on it is answered like an unknown key. It cannot be undone."),
)
def keys_revoke(
    key_id: Annotated[str, typer.Argument(help=N_("The key's id (see `spreiding keys list`)."))],
) -> None:
    """Revoke a key: from now on it is answered like an unknown key. It cannot be undone."""
    try:
        with database() as engine, engine.begin() as connection:
            key, now_revoked = revoke_api_key(connection, key_id, now=common.now())
    except ApiKeyNotFound as exc:
        raise fail(exc) from None
    whose = f"{key.role} {key.tenant}"
    if now_revoked:
        message = _("revoked key {key_id} ({whose})").format(key_id=key.key_id, whose=whose)
        out.print(message, markup=False)
    else:
        assert key.revoked_at is not None
        message = _("key {key_id} ({whose}) was revoked already, at {moment} UTC")
        out.print(
            message.format(key_id=key.key_id, whose=whose, moment=_time(key.revoked_at)),
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
