"""Signing in and out, and the start page of each role."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import Db, get_failure_limit, get_now
from api.pages.common import PREFIX, SIGN_IN, PageRoute, page
from api.pages.session import (
    COOKIE,
    PRE_COOKIE,
    PageViewer,
    check_csrf,
    principal_of,
    set_cookie,
)
from spreiding.domain.access import FailureLimit
from spreiding.services import sessions

router = APIRouter(prefix=PREFIX, route_class=PageRoute, include_in_schema=False)
FormText = Annotated[str, Form()]


@router.get("/inloggen")
def sign_in_form(request: Request) -> HTMLResponse:
    token = request.cookies.get(PRE_COOKIE) or secrets.token_urlsafe(32)
    response = page(request, "inloggen.html", None, csrf=token, error=None)
    set_cookie(request, response, PRE_COOKIE, token)
    return response


@router.post("/inloggen")
def sign_in(
    request: Request,
    db: Db,
    limit: Annotated[FailureLimit, Depends(get_failure_limit)],
    now: Annotated[datetime, Depends(get_now)],
    sleutel: FormText = "",
    csrf: FormText = "",
) -> Response:
    check_csrf(csrf, request.cookies.get(PRE_COOKIE))
    principal = principal_of(db, request, sleutel.strip(), limit=limit, now=now)
    if principal is None:
        # The same words for every refusal: unknown, wrong, revoked and expired keys.
        return page(
            request,
            "inloggen.html",
            None,
            status=401,
            csrf=csrf,
            error="Deze sleutel wordt niet geaccepteerd.",
        )
    token, _ = sessions.start(db, principal, now=now)
    response = RedirectResponse(PREFIX, status_code=303)
    set_cookie(request, response, COOKIE, token)
    response.delete_cookie(PRE_COOKIE, path="/")
    return response


@router.post("/uitloggen")
def sign_out(request: Request, db: Db, viewer: PageViewer, csrf: FormText = "") -> Response:
    check_csrf(csrf, viewer.csrf)
    sessions.end(db, request.cookies.get(COOKIE))
    response = RedirectResponse(SIGN_IN, status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


@router.get("")
def home(request: Request, viewer: PageViewer) -> HTMLResponse:
    return page(request, "start.html", viewer)
