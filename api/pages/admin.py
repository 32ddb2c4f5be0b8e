"""The administrator's API keys: the list, issuing one (shown once) and revoking one."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import Connection

from api.deps import Db, get_now
from api.pages.common import PREFIX, PageRoute, page
from api.pages.session import PageViewer, Viewer, check_csrf
from api.paths import TextId
from spreiding.domain.access import ROLES, InvalidKeyRequest
from spreiding.services import access

router = APIRouter(prefix=PREFIX, route_class=PageRoute, include_in_schema=False)
FormText = Annotated[str, Form(max_length=1000)]


def _keys_page(
    request: Request,
    db: Connection,
    viewer: Viewer,
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    new_key: str = "",
    status: int = 200,
) -> HTMLResponse:
    access.require(viewer.principal, "admin")
    return page(
        request,
        "sleutels.html",
        viewer,
        status=status,
        keys=access.list_api_keys(db),
        roles=ROLES,
        form=form or {"role": "hospital"},
        errors=errors or {},
        new_key=new_key,
    )


@router.get("/sleutels")
def keys_page(request: Request, db: Db, viewer: PageViewer) -> HTMLResponse:
    return _keys_page(request, db, viewer)


@router.post("/sleutels")
def create_key(
    request: Request,
    db: Db,
    viewer: PageViewer,
    now: Annotated[datetime, Depends(get_now)],
    csrf: FormText = "",
    role: FormText = "",
    agb: FormText = "",
    uzovi: FormText = "",
    agreements: FormText = "",
    label: FormText = "",
    expires: FormText = "",
) -> Response:
    check_csrf(csrf, viewer.csrf)
    access.require(viewer.principal, "admin")
    form = {"role": role, "agb": agb, "uzovi": uzovi, "agreements": agreements, "label": label}
    form["expires"] = expires
    errors: dict[str, str] = {}
    if role not in ROLES:
        errors["role"] = "Kies een rol."
    expires_at = None
    if expires.strip():
        try:
            expires_at = datetime.combine(date.fromisoformat(expires.strip()), time(), UTC)
        except ValueError:
            errors["expires"] = "Vul een geldige datum in."
    if not errors:
        try:
            with db.begin_nested():
                key = access.create_api_key(
                    db,
                    role=role,
                    agb=agb.strip() or None,
                    uzovi=uzovi.strip() or None,
                    agreements=tuple(agreements.replace(",", " ").split()),
                    label=label.strip(),
                    expires_at=expires_at,
                    now=now,
                    principal=viewer.principal,
                )
        except InvalidKeyRequest as exc:
            errors["_"] = str(exc)
        else:
            return _keys_page(request, db, viewer, new_key=key, status=201)
    return _keys_page(request, db, viewer, form=form, errors=errors, status=422)


@router.post("/sleutels/{key_id}/intrekken")
def revoke_key(
    request: Request,
    key_id: TextId,
    db: Db,
    viewer: PageViewer,
    now: Annotated[datetime, Depends(get_now)],
    csrf: FormText = "",
) -> Response:
    check_csrf(csrf, viewer.csrf)
    access.require(viewer.principal, "admin")
    access.revoke_api_key(db, key_id, now=now, principal=viewer.principal)
    return RedirectResponse(f"{PREFIX}/sleutels", status_code=303)
