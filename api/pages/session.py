"""Signing in to the pages: an API key becomes a session cookie, and every form carries the
session's CSRF token.

The key is checked at sign-in by ``spreiding.services.access.authenticate``, exactly as
``api.deps.get_principal`` checks an ``X-API-Key`` header (failures counted and limited
alike). The cookie then holds only a random session token; the session is stored in the
database by ``spreiding.services.sessions`` (a hash of the token, the key id, the CSRF token,
when it started and ends), so it holds across a restart of the server and is known to every
worker. On every request the session's key is checked again: a revoked or expired key ends
the session at its next request. A session ends 8 hours after sign-in, or at sign-out.

A form before sign-in (the sign-in form itself) has no session: its token is a double-submit
token, the same random value in a SameSite=Strict cookie and in the form.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Connection
from starlette.responses import Response

from api.deps import Db, get_now
from spreiding.domain.access import FailureLimit, Principal
from spreiding.services import access, sessions

COOKIE = "spreiding_sessie"
PRE_COOKIE = "spreiding_csrf"


class SignInRequired(Exception):
    """No session, or the key behind it is no longer accepted: the page sends to sign-in."""


class CsrfRefused(Exception):
    """A form sent without the token of its session."""


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
    request: Request, connection: Db, now: Annotated[datetime, Depends(get_now)]
) -> Viewer:
    session = sessions.resume(connection, request.cookies.get(COOKIE), now=now)
    if session is None:
        raise SignInRequired
    return Viewer(session.principal, session.csrf)


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
