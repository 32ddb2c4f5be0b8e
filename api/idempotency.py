"""``Idempotency-Key`` on creating requests: the same key and body give the first response
again; the same key with another body is refused (409). The responses are kept by
``spreiding.store.idempotency``; this module is the HTTP side only.

Ten requests with one key at the same time: the first to claim the key does the work, the
others wait for it and answer with its response (same status, same body)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from sqlalchemy import Connection

from api.errors import IdempotencyConflict
from spreiding.domain.access import Principal
from spreiding.store.idempotency import KeptResponse, claim, keep_response


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
    found = claim(connection, principal.key_id, key)
    if found is not None:
        if found.request_sha256 != digest:
            raise IdempotencyConflict(
                f"Idempotency-Key {key!r} was used before with another request body"
            )
        return JSONResponse(status_code=found.status_code, content=json.loads(found.body))
    status, body = produce()
    content = jsonable_encoder(body)
    # Kept in the order it was sent, so that a replay is the same text, not only the same JSON.
    kept = KeptResponse(digest, status, json.dumps(content))
    keep_response(connection, principal.key_id, key, kept)
    return JSONResponse(status_code=status, content=content)
