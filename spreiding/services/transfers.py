"""Patient transfers the alliance bureau registers under its agreements.

Example: the bureau of ``samen-plus-liesbreuk-2024`` registers transfer T1 (Alrijne to Groene
Hart, planned) and later marks it performed; a hospital sees the transfers from or to it.
A transfer under another bureau's agreement, or under another bureau's transfer id, is refused
as a write past the bureau's rights (``spreiding.services.writes``), showing nothing stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection

from spreiding.contract.reader import validate_transfers
from spreiding.domain.access import Principal
from spreiding.domain.errors import DatasetConflict
from spreiding.services import trail, writes
from spreiding.services.access import require
from spreiding.services.errors import NotFound
from spreiding.store import visibility
from spreiding.store.agreements import stored_agreements
from spreiding.store.datasets import (
    compare_transfers,
    insert_transfers,
    lock_for_import,
    set_transfer_status,
)

REQUEST = ("request", 1)  # where a refused row is: the request body, as its one row


def list_transfers(
    connection: Connection, principal: Principal, *, limit: int, offset: int
) -> list[dict[str, Any]]:
    return visibility.transfers(connection, principal, limit=limit, offset=offset)


def get_transfer(connection: Connection, principal: Principal, transfer_id: str) -> dict[str, Any]:
    row = visibility.transfer(connection, principal, transfer_id)
    if row is None:
        raise NotFound(f"there is no transfer {transfer_id!r}")
    return row


def check_registration(principal: Principal, agreement_id: str) -> None:
    """Whether ``principal`` may register a transfer under ``agreement_id``."""
    require(principal, "admin", "bureau")
    if not principal.is_admin and agreement_id not in principal.agreements:
        writes.refuse([writes.RefusedRow("transfers", (agreement_id,))], lambda _row: REQUEST)


def register_transfer(
    connection: Connection, principal: Principal, row: Mapping[str, str | None]
) -> dict[str, Any]:
    """Check one transfer by the rules of ``transfers.csv`` and store it. Only what the row
    names is read: its two hospitals, its agreement and a stored transfer with its id."""
    check_registration(principal, str(row["agreement_id"]))
    lock_for_import(connection)  # one writer at a time, as imports (store.datasets)
    # The reader reads an absent value as empty and strips blanks; so does this lookup.
    named = {column: str(value or "").strip() for column, value in row.items()}
    frame = validate_transfers(
        [named],
        hospitals=visibility.known_hospitals(
            connection, {named.get("from_agb", ""), named.get("to_agb", "")}
        ),
        agreements=stored_agreements(connection, {named.get("agreement_id", "")}),
    )
    compared = compare_transfers(connection, frame, principal)
    own = set(principal.agreements)
    writes.refuse(writes.refused_in_table(principal, "transfers", compared, own), lambda _: REQUEST)
    if compared.clashes:
        raise DatasetConflict(compared.clashes)
    insert_transfers(connection, compared.fresh)
    stored = get_transfer(connection, principal, str(row["transfer_id"]))
    if not compared.fresh.empty:
        trail.record(
            connection,
            principal,
            kind="transfer.register",
            subject=f"transfer:{stored['transfer_id']}",
            hospitals=(stored["from_agb"], stored["to_agb"]),
            payload={
                "transfer_id": stored["transfer_id"],
                "agreement_id": stored["agreement_id"],
                "status": stored["status"],
            },
        )
    return stored


def update_transfer(
    connection: Connection, principal: Principal, transfer_id: str, status: str
) -> dict[str, Any]:
    """Record that a planned transfer was performed or cancelled."""
    require(principal, "admin", "bureau")
    before = get_transfer(connection, principal, transfer_id)
    set_transfer_status(connection, transfer_id, status)
    after = get_transfer(connection, principal, transfer_id)
    if after["status"] != before["status"]:
        trail.record(
            connection,
            principal,
            kind="transfer.update",
            subject=f"transfer:{transfer_id}",
            hospitals=(after["from_agb"], after["to_agb"]),
            payload={"transfer_id": transfer_id, "from": before["status"], "to": after["status"]},
        )
    return after
