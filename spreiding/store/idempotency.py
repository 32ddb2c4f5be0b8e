"""Responses kept per (API key, ``Idempotency-Key``): the request's digest and the response
that was given, so a repeated request gets the same response (``api.idempotency``).

Requests with the same key at the same time run one after the other: ``claim`` holds the key
until the caller's transaction ends, so the second finds the response the first kept (once it
has committed) instead of doing the work again and failing to keep a second response.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, insert, select

from spreiding.store import tables
from spreiding.store.database import lock_for_writing

RECORD = tables.table_of(tables.IdempotencyRecord)


@dataclass(frozen=True)
class KeptResponse:
    request_sha256: str
    status_code: int
    body: str  # JSON text


def claim(connection: Connection, key_id: str, idempotency_key: str) -> KeptResponse | None:
    """Hold (``key_id``, ``idempotency_key``) until the caller's transaction ends and return the
    response kept for it, if any. Another transaction claiming the same key waits until this
    one has ended: then it finds the response this one kept (or none, if it rolled back).
    PostgreSQL: an advisory lock of this key only; SQLite: the database's write lock."""
    lock_for_writing(connection, f"spreiding.idempotency\0{key_id}\0{idempotency_key}")
    return kept_response(connection, key_id, idempotency_key)


def kept_response(connection: Connection, key_id: str, idempotency_key: str) -> KeptResponse | None:
    row = connection.execute(
        select(RECORD.c.request_sha256, RECORD.c.status_code, RECORD.c.body).where(
            RECORD.c.key_id == key_id, RECORD.c.idempotency_key == idempotency_key
        )
    ).first()
    return None if row is None else KeptResponse(row.request_sha256, row.status_code, row.body)


def keep_response(
    connection: Connection, key_id: str, idempotency_key: str, response: KeptResponse
) -> None:
    connection.execute(
        insert(RECORD).values(
            key_id=key_id,
            idempotency_key=idempotency_key,
            request_sha256=response.request_sha256,
            status_code=response.status_code,
            body=response.body,
        )
    )
