"""Hours a hospital's staff worked at another hospital (contract §5), for the alliance bureau
and the host hospitals: the list of the hours the key may see and a form registering one row.
The form is checked by the API's own request schema (``HoursCreate``) and then by the same
service as ``POST /hours``; each error is shown next to the field it is about. An insurer has
no hours: the page refuses it, as the volumes page does."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import Connection

from api import convert
from api.deps import Db
from api.pages.common import PREFIX, PageRoute, page
from api.pages.session import PageViewer, Viewer, check_csrf
from api.schemas import HoursCreate
from spreiding.domain.errors import DatasetConflict, DatasetInvalid
from spreiding.services import agreements, reference
from spreiding.services import hours as registered
from spreiding.services.access import require
from spreiding.services.errors import WriteNotPermitted

router = APIRouter(prefix=PREFIX, route_class=PageRoute, include_in_schema=False)
FormText = Annotated[str, Form(max_length=1000)]
PER_PAGE = 100
ROLES = ("admin", "bureau", "hospital")
FIELDS = (
    "hours_id",
    "agreement_id",
    "employer_agb",
    "host_agb",
    "role",
    "work_date",
    "hours",
    "person_ref",
    "care_type",
    "specialism",
)
OPTIONAL = ("person_ref", "care_type", "specialism")
GENERAL = "_"  # an error about the whole form
SCHEMA_NL = {
    "string_too_short": "Vul dit veld in.",
    "string_too_long": "Dit is te lang.",
}
# Who may register is checked before the row (as the API does); said in Dutch next to the
# field the rule is about.
NOT_HOST = "Een ziekenhuis registreert alleen uren die het zelf ontvangt (en betaalt)."
NOT_OWN = "Een bureau registreert alleen uren onder zijn eigen overeenkomsten."


def _hours_page(
    request: Request,
    db: Connection,
    viewer: Viewer,
    *,
    pagina: int = 1,
    form: dict[str, str] | None = None,
    errors: dict[str, list[str]] | None = None,
    registered_id: str = "",
    status: int = 200,
) -> HTMLResponse:
    offset = (pagina - 1) * PER_PAGE
    rows = registered.list_hours(db, viewer.principal, limit=PER_PAGE + 1, offset=offset)
    return page(
        request,
        "uren.html",
        viewer,
        status=status,
        hours=[convert.hours(row) for row in rows[:PER_PAGE]],
        page_number=pagina,
        has_next=len(rows) > PER_PAGE,
        agreements=agreements.list_agreements(db, viewer.principal),
        names=reference.hospital_names(db),
        form=form or {"host_agb": viewer.principal.agb or ""},
        errors=errors or {},
        registered=registered_id,
    )


@router.get("/uren")
def hours_page(
    request: Request,
    db: Db,
    viewer: PageViewer,
    pagina: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    geregistreerd: Annotated[str, Query(max_length=100)] = "",
) -> HTMLResponse:
    require(viewer.principal, *ROLES)
    return _hours_page(request, db, viewer, pagina=pagina, registered_id=geregistreerd)


def _errors_of_schema(exc: ValidationError) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else GENERAL
        message = SCHEMA_NL.get(error["type"], error["msg"].removeprefix("Value error, "))
        errors.setdefault(field if field in FIELDS else GENERAL, []).append(message)
    return errors


def _errors_of_service(exc: Exception) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if isinstance(exc, DatasetInvalid | WriteNotPermitted):
        for error in exc.errors:
            field = error.column if error.column in FIELDS else GENERAL
            errors.setdefault(field, []).append(error.message)
    elif isinstance(exc, DatasetConflict):
        errors["hours_id"] = list(exc.conflicts)
    return errors


def _errors_of_rights(viewer: Viewer) -> dict[str, list[str]]:
    if viewer.principal.role == "hospital":
        return {"host_agb": [NOT_HOST]}
    return {"agreement_id": [NOT_OWN]}


@router.post("/uren")
def register_hours(
    request: Request,
    db: Db,
    viewer: PageViewer,
    csrf: FormText = "",
    hours_id: FormText = "",
    agreement_id: FormText = "",
    employer_agb: FormText = "",
    host_agb: FormText = "",
    role: FormText = "",
    work_date: FormText = "",
    hours: FormText = "",
    person_ref: FormText = "",
    care_type: FormText = "",
    specialism: FormText = "",
) -> Response:
    check_csrf(csrf, viewer.csrf)
    require(viewer.principal, *ROLES)
    form = {
        "hours_id": hours_id,
        "agreement_id": agreement_id,
        "employer_agb": employer_agb,
        "host_agb": host_agb,
        "role": role,
        "work_date": work_date,
        "hours": hours,
        "person_ref": person_ref,
        "care_type": care_type,
        "specialism": specialism,
    }
    try:  # as the API, before all else: whether this key may register such hours at all
        registered.check_registration(viewer.principal, agreement_id, host_agb)
    except WriteNotPermitted:
        return _hours_page(
            request, db, viewer, form=form, errors=_errors_of_rights(viewer), status=403
        )
    body: dict[str, Any] = {**form, **{name: form[name].strip() or None for name in OPTIONAL}}
    try:
        checked = HoursCreate.model_validate(body)
    except ValidationError as exc:
        return _hours_page(
            request, db, viewer, form=form, errors=_errors_of_schema(exc), status=422
        )
    try:
        with db.begin_nested():  # nothing of refused hours is kept
            stored = registered.register_hours(db, viewer.principal, checked.model_dump())
    except (DatasetInvalid, WriteNotPermitted, DatasetConflict) as exc:
        code = 409 if isinstance(exc, DatasetConflict) else 422
        return _hours_page(
            request, db, viewer, form=form, errors=_errors_of_service(exc), status=code
        )
    return RedirectResponse(f"{PREFIX}/uren?geregistreerd={stored['hours_id']}", status_code=303)
