"""Signing in to the pages: an API key becomes a session cookie, and every form carries the
session's CSRF token.

The cookie holds only a random session id; the key it stands for is kept in this process
(``Sessions``) and checked on every request by ``spreiding.services.access.authenticate``,
exactly as ``api.deps.get_principal`` checks an ``X-API-Key`` header: a revoked or expired key
ends the session at its next request. Sessions live in memory, so they end when the server
restarts (sign in again) and are not shared between worker processes.

A form before sign-in (the sign-in form itself) has no session: its token is a double-submit
token, the same random value in a SameSite=Strict cookie and in the form.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Connection
from starlette.responses import Response

from api.deps import Db, get_failure_limit, get_now
from spreiding.domain.access import FailureLimit, Principal
from spreiding.services import access

COOKIE = "spreiding_sessie"
PRE_COOKIE = "spreiding_csrf"
LIFETIME_SECONDS = 8 * 3600  # a working day
KEPT = 10_000


@dataclass(frozen=True)
class Session:
    key: str
    csrf: str
    started: float


class Sessions:
    """Session id → the key it stands for and its CSRF token; the oldest are dropped first."""

    def __init__(self) -> None:
        self._sessions: OrderedDict[str, Session] = OrderedDict()
        self._lock = threading.Lock()

    def start(self, key: str) -> tuple[str, Session]:
        session_id = secrets.token_urlsafe(32)
        session = Session(key=key, csrf=secrets.token_urlsafe(32), started=time.monotonic())
        with self._lock:
            self._sessions[session_id] = session
            while len(self._sessions) > KEPT:
                self._sessions.popitem(last=False)
        return session_id, session

    def get(self, session_id: str | None) -> Session | None:
        if not session_id:
            return None
        with self._lock:
            session = self._sessions.get(session_id)
            if session is not None and time.monotonic() - session.started > LIFETIME_SECONDS:
                del self._sessions[session_id]
                return None
            return session

    def end(self, session_id: str | None) -> None:
        with self._lock:
            self._sessions.pop(session_id or "", None)


class SignInRequired(Exception):
    """No session, or the key behind it is no longer accepted: the page sends to sign-in."""


class CsrfRefused(Exception):
    """A form sent without the token of its session."""


def sessions_of(request: Request) -> Sessions:
    found = request.app.state.sessions
    assert isinstance(found, Sessions)
    return found


@dataclass(frozen=True)
class Viewer:
    """Who looks at a page: the principal of the session's key, and the session's CSRF token
    for the page's forms."""

    principal: Principal
    csrf: str


def principal_of(
    connection: Connection, request: Request, key: str, *, limit: FailureLimit, now: datetime
) -> Principal | None:
    """The key's principal by the API's own check, failures counted as for the API."""
    client = request.client.host if request.client else None
    return access.authenticate(connection, key, client=client, limit=limit, now=now)


def get_viewer(
    request: Request,
    connection: Db,
    limit: Annotated[FailureLimit, Depends(get_failure_limit)],
    now: Annotated[datetime, Depends(get_now)],
) -> Viewer:
    session = sessions_of(request).get(request.cookies.get(COOKIE))
    if session is None:
        raise SignInRequired
    principal = principal_of(connection, request, session.key, limit=limit, now=now)
    if principal is None:
        sessions_of(request).end(request.cookies.get(COOKIE))
        raise SignInRequired
    return Viewer(principal, session.csrf)


PageViewer = Annotated[Viewer, Depends(get_viewer)]


def check_csrf(sent: str | None, expected: str | None) -> None:
    if not sent or not expected or not secrets.compare_digest(sent, expected):
        raise CsrfRefused


def set_cookie(request: Request, response: Response, name: str, value: str) -> None:
    response.set_cookie(
        name,
        value,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )
