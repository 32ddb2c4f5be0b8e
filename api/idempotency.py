"""``Idempotency-Key`` on creating requests: the same key and body give the first response
again; the same key with another body is refused (409)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from sqlalchemy import Connection, insert, select

from api.errors import IdempotencyConflict
from spreiding.domain.access import Principal
from spreiding.store import tables

RECORD = tables.table_of(tables.IdempotencyRecord)


def respond(
    connection: Connection,
    principal: Principal,
    key: str | None,
    request: bytes,
    produce: Callable[[], tuple[int, Any]],
) -> JSONResponse:
    """Run ``produce`` once per (API key, Idempotency-Key) and replay its response after."""
    if not key:
        status, body = produce()
        return JSONResponse(status_code=status, content=jsonable_encoder(body))
    digest = hashlib.sha256(request).hexdigest()
    found = connection.execute(
        select(RECORD).where(RECORD.c.key_id == principal.key_id, RECORD.c.idempotency_key == key)
    ).first()
    if found is not None:
        if found.request_sha256 != digest:
            raise IdempotencyConflict(
                f"Idempotency-Key {key!r} was used before with another request body"
            )
        return JSONResponse(status_code=found.status_code, content=json.loads(found.body))
    status, body = produce()
    content = jsonable_encoder(body)
    connection.execute(
        insert(RECORD).values(
            key_id=principal.key_id,
            idempotency_key=key,
            request_sha256=digest,
            status_code=status,
            body=json.dumps(content, sort_keys=True),
        )
    )
    return JSONResponse(status_code=status, content=content)
