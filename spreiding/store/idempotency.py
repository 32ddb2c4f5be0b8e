"""Responses kept per (API key, ``Idempotency-Key``): the request's digest and the response
that was given, so a repeated request gets the same response (``api.idempotency``)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, insert, select

from spreiding.store import tables

RECORD = tables.table_of(tables.IdempotencyRecord)


@dataclass(frozen=True)
class KeptResponse:
    request_sha256: str
    status_code: int
    body: str  # JSON text


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
