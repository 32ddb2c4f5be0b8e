"""Sessions of the web pages: an API key, once accepted at sign-in
(``spreiding.services.access.authenticate``, failures counted and limited as for the API),
becomes a session whose random token the browser keeps in a cookie.

The session is stored in the database (``spreiding.store.sessions``: only a hash of the
token, the key id, the CSRF token of its forms, when it started and when it ends), so it holds
across a restart and is known to every worker of the server. On every request its key is
checked again by id: a key revoked or expired since sign-in ends the session at its next
request, as an ``X-API-Key`` header would be refused. A session ends ``LIFETIME`` after
sign-in, or at sign-out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection

from spreiding.domain.access import Principal
from spreiding.store import keys
from spreiding.store import sessions as store

LIFETIME = timedelta(hours=8)  # a working day


@dataclass(frozen=True)
class Session:
    """Who a session's pages are for, and the CSRF token of its forms."""

    principal: Principal
    csrf: str


def start(connection: Connection, principal: Principal, *, now: datetime) -> tuple[str, Session]:
    """A new session for an authenticated ``principal``: its token (for the cookie, shown
    only now) and the session. Sessions that have ended, by their time or their key's, are
    deleted first."""
    token, csrf = store.start_session(
        connection, principal.key_id, now=now, expires_at=now + LIFETIME
    )
    return token, Session(principal, csrf)


def resume(connection: Connection, token: str | None, *, now: datetime) -> Session | None:
    """The session of ``token``, or None when there is none: an unknown token, a session that
    has ended, or one whose key is revoked or expired at ``now``. Nothing is written: the
    rows of ended sessions are deleted at the next sign-in (``start``)."""
    if not token:
        return None
    found = store.find_session(connection, token, now=now)
    if found is None:
        return None
    principal = keys.principal_of_key(connection, found.key_id, now=now)
    return None if principal is None else Session(principal, found.csrf)


def end(connection: Connection, token: str | None) -> None:
    """Sign out: the session of ``token`` is deleted."""
    if token:
        store.end_session(connection, token)
