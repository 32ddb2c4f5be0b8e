"""The sessions of the web pages: every statement on ``page_session`` (migration 0014).

A session is a random token in the browser's cookie; only a SHA-256 of it is stored, with the
id of the API key it was started with, the CSRF token of its forms, and when it started and
when it ends. Being in the database, a session holds across a restart of the server and is
known to every worker. Times are aware datetimes in UTC, as for ``spreiding.store.keys``. Who
may start one, and the check of its key on every request, is ``spreiding.services.sessions``.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, insert, or_, select

from spreiding.store import tables

SESSION = tables.table_of(tables.PageSession)
KEY = tables.table_of(tables.ApiKey)


@dataclass(frozen=True)
class StoredSession:
    key_id: str
    csrf: str
    created_at: datetime
    expires_at: datetime


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(
    connection: Connection, key_id: str, *, now: datetime, expires_at: datetime
) -> tuple[str, str]:
    """Store a new session of ``key_id`` and return its token (for the cookie; it cannot be
    recovered from the database) and its CSRF token. Sessions that have ended, by their own
    time or their key's, are forgotten first."""
    forget_ended(connection, now=now)
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    connection.execute(
        insert(SESSION).values(
            token_sha256=_digest(token),
            key_id=key_id,
            csrf=csrf,
            created_at=now,
            expires_at=expires_at,
        )
    )
    return token, csrf


def find_session(connection: Connection, token: str, *, now: datetime) -> StoredSession | None:
    """The session of ``token``, or None for an unknown token or a session ended at ``now``."""
    row = connection.execute(
        select(SESSION.c.key_id, SESSION.c.csrf, SESSION.c.created_at, SESSION.c.expires_at).where(
            SESSION.c.token_sha256 == _digest(token), SESSION.c.expires_at > now
        )
    ).first()
    if row is None:
        return None
    return StoredSession(row.key_id, row.csrf, row.created_at, row.expires_at)


def end_session(connection: Connection, token: str) -> None:
    connection.execute(delete(SESSION).where(SESSION.c.token_sha256 == _digest(token)))


def forget_ended(connection: Connection, *, now: datetime) -> None:
    """Delete the sessions that have ended at ``now``, and those of revoked or expired keys."""
    unusable = select(KEY.c.key_id).where(
        or_(KEY.c.revoked_at.is_not(None), KEY.c.expires_at <= now)
    )
    connection.execute(
        delete(SESSION).where(or_(SESSION.c.expires_at <= now, SESSION.c.key_id.in_(unusable)))
    )
