"""The alliance bureau: its agreements (care types, parties, validity, stage, the pathway as
steps) and its transfers: the list, registering one, and recording that one was performed or
cancelled. The forms are checked by the API's own request schemas and then by the same
service as ``POST /transfers`` and ``PATCH /transfers/{id}``; each error is shown next to
the field it is about."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import Connection

from api.deps import Db
from api.pages.common import PREFIX, PageRoute, page
from api.pages.session import PageViewer, Viewer, check_csrf
from api.paths import TextId
from api.schemas import TransferCreate, TransferUpdate
from spreiding.domain.errors import DatasetConflict, DatasetInvalid
from spreiding.services import agreements, reference, transfers
from spreiding.services.errors import WriteNotPermitted

router = APIRouter(prefix=PREFIX, route_class=PageRoute, include_in_schema=False)
FormText = Annotated[str, Form(max_length=1000)]
PER_PAGE = 100
FIELDS = (
    "transfer_id",
    "agreement_id",
    "care_type",
    "patient_ref",
    "from_agb",
    "to_agb",
    "transfer_date",
    "status",
    "phase",
)
GENERAL = "_"  # an error about the whole form
# The request schema's refusals in Dutch; the contract's own messages (the service's) stay as
# the API gives them, as a dataset's errors do.
SCHEMA_NL = {
    "string_too_short": "Vul dit veld in.",
    "string_too_long": "Dit is te lang.",
    "literal_error": "Kies gepland, uitgevoerd of geannuleerd.",
}


@router.get("/overeenkomsten")
def agreements_page(request: Request, db: Db, viewer: PageViewer) -> HTMLResponse:
    return page(
        request,
        "overeenkomsten.html",
        viewer,
        agreements=agreements.list_agreements(db, viewer.principal),
        names=reference.hospital_names(db),
    )


def _transfers_page(
    request: Request,
    db: Connection,
    viewer: Viewer,
    *,
    pagina: int = 1,
    form: dict[str, str] | None = None,
    errors: dict[str, list[str]] | None = None,
    status_errors: dict[str, str] | None = None,
    registered: str = "",
    status: int = 200,
) -> HTMLResponse:
    offset = (pagina - 1) * PER_PAGE
    rows = transfers.list_transfers(db, viewer.principal, limit=PER_PAGE + 1, offset=offset)
    may_write = viewer.principal.role in ("admin", "bureau")
    return page(
        request,
        "overdrachten.html",
        viewer,
        status=status,
        transfers=rows[:PER_PAGE],
        page_number=pagina,
        has_next=len(rows) > PER_PAGE,
        may_write=may_write,
        agreements=agreements.list_agreements(db, viewer.principal) if may_write else [],
        names=reference.hospital_names(db),
        form=form or {"status": "planned"},
        errors=errors or {},
        status_errors=status_errors or {},
        registered=registered,
    )


@router.get("/overdrachten")
def transfers_page(
    request: Request,
    db: Db,
    viewer: PageViewer,
    pagina: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    geregistreerd: Annotated[str, Query(max_length=100)] = "",
) -> HTMLResponse:
    return _transfers_page(request, db, viewer, pagina=pagina, registered=geregistreerd)


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
        errors["transfer_id"] = list(exc.conflicts)
    return errors


@router.post("/overdrachten")
def register_transfer(
    request: Request,
    db: Db,
    viewer: PageViewer,
    csrf: FormText = "",
    transfer_id: FormText = "",
    agreement_id: FormText = "",
    care_type: FormText = "",
    patient_ref: FormText = "",
    from_agb: FormText = "",
    to_agb: FormText = "",
    transfer_date: FormText = "",
    status: FormText = "",
    phase: FormText = "",
) -> Response:
    check_csrf(csrf, viewer.csrf)
    transfers.check_registration(viewer.principal, agreement_id)  # as the API, before all else
    form = {
        "transfer_id": transfer_id,
        "agreement_id": agreement_id,
        "care_type": care_type,
        "patient_ref": patient_ref,
        "from_agb": from_agb,
        "to_agb": to_agb,
        "transfer_date": transfer_date,
        "status": status,
        "phase": phase,
    }
    body: dict[str, Any] = {**form, "phase": phase.strip() or None}
    try:
        checked = TransferCreate.model_validate(body)
    except ValidationError as exc:
        return _transfers_page(
            request, db, viewer, form=form, errors=_errors_of_schema(exc), status=422
        )
    try:
        with db.begin_nested():  # nothing of a refused transfer is kept
            stored = transfers.register_transfer(db, viewer.principal, checked.model_dump())
    except (DatasetInvalid, WriteNotPermitted, DatasetConflict) as exc:
        code = 409 if isinstance(exc, DatasetConflict) else 422
        return _transfers_page(
            request, db, viewer, form=form, errors=_errors_of_service(exc), status=code
        )
    return RedirectResponse(
        f"{PREFIX}/overdrachten?geregistreerd={stored['transfer_id']}", status_code=303
    )


@router.post("/overdrachten/{transfer_id}/status")
def update_transfer(
    request: Request,
    transfer_id: TextId,
    db: Db,
    viewer: PageViewer,
    csrf: FormText = "",
    status: FormText = "",
) -> Response:
    check_csrf(csrf, viewer.csrf)
    try:
        checked = TransferUpdate.model_validate({"status": status})
    except ValidationError:
        return _transfers_page(
            request,
            db,
            viewer,
            status_errors={transfer_id: "Kies gepland, uitgevoerd of geannuleerd."},
            status=422,
        )
    transfers.update_transfer(db, viewer.principal, transfer_id, checked.status)
    return RedirectResponse(f"{PREFIX}/overdrachten", status_code=303)
