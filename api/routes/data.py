"""Datasets, DBCs, declarations, transfers and hours."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, Response, UploadFile
from fastapi.exceptions import HTTPException
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.types import Message

from api import convert, schemas
from api.deps import Caller, Db
from api.errors import RESPONSES, ErrorBody
from api.idempotency import respond
from api.paths import TextId
from spreiding.config import Settings
from spreiding.domain.errors import DatasetError, DatasetInvalid
from spreiding.services import datasets, hours, reference, transfers

router = APIRouter(responses=RESPONSES)
IdempotencyKey = Annotated[str | None, Header(description="Repeat-safe creation", max_length=200)]
Limit = Annotated[int, Query(ge=1, le=10_000)]
Offset = Annotated[int, Query(ge=0, le=2_147_483_647)]


class _UploadTooLarge(HTTPException):
    """Raised while the body is received; an HTTPException, so that FastAPI's form parsing
    lets it through instead of answering 400."""

    def __init__(self, detail: str):
        super().__init__(status_code=413, detail=detail)


def _too_large(detail: str) -> JSONResponse:
    return JSONResponse(
        status_code=413, content=ErrorBody(error="UploadTooLarge", detail=detail).model_dump()
    )


def _over_total(size: str, limit: int) -> str:
    return (
        f"the upload is {size} bytes; at most {limit:,} bytes are accepted "
        "(SPREIDING_MAX_UPLOAD_BYTES)"
    )


class _LimitedUpload(APIRoute):
    """Refuses an upload larger than ``Settings.max_upload_bytes`` before its body is read:
    at once when its Content-Length says so, else as soon as the bytes received pass it."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def limited(request: Request) -> Response:
            limit = Settings().max_upload_bytes
            declared = request.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                return _too_large(_over_total(f"{int(declared):,}", limit))
            received = 0
            receive = request.receive

            async def counted() -> Message:
                nonlocal received
                message = await receive()
                received += len(message.get("body", b""))
                if received > limit:
                    raise _UploadTooLarge(_over_total(f"more than {limit:,}", limit))
                return message

            try:
                return await handler(Request(request.scope, counted))
            except _UploadTooLarge as exc:
                return _too_large(str(exc.detail))

        return limited


def import_files(
    files: list[UploadFile], db: Db, caller: Caller, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    """Upload the files of one dataset (docs/data-format.md §1); stored whole, or refused
    whole with the contract's error list."""
    names = [Path(upload.filename or "").name for upload in files]
    datasets.check_upload(caller, names)  # before a kept response is replayed
    twice = sorted(name for name, count in Counter(names).items() if count > 1)
    if twice:
        message = "sent more than once in one upload; send each file once"
        raise DatasetInvalid([DatasetError(name, 0, "(file)", message) for name in twice])
    # Form parsing spooled each file to disk; it is read into memory only within the limits.
    per_file = Settings().max_upload_file_bytes
    for name, upload in zip(names, files, strict=True):
        if upload.size is not None and upload.size > per_file:
            return _too_large(
                f"{name} is {upload.size:,} bytes; at most {per_file:,} bytes are accepted "
                "per file (SPREIDING_MAX_UPLOAD_FILE_BYTES)"
            )
    contents = {name: upload.file.read() for name, upload in zip(names, files, strict=True)}
    digest = hashlib.sha256()
    for name in sorted(contents):
        digest.update(name.encode() + b"\0" + hashlib.sha256(contents[name]).digest())

    def produce() -> tuple[int, schemas.ImportReportPublic]:
        report = datasets.import_files(db, caller, contents)
        return 201, schemas.ImportReportPublic(added=report.added, unchanged=report.unchanged)

    return respond(db, caller, idempotency_key, digest.hexdigest().encode(), produce)


router.add_api_route(
    "/datasets",
    import_files,
    methods=["POST"],
    response_model=schemas.ImportReportPublic,
    status_code=201,
    tags=["datasets"],
    responses={
        413: {"model": ErrorBody, "description": "The upload or one of its files is too large"}
    },
    route_class_override=_LimitedUpload,
)


@router.get("/dbcs", response_model=list[schemas.DbcPublic], tags=["data"])
def list_dbcs(
    db: Db, caller: Caller, limit: Limit = 1000, offset: Offset = 0
) -> list[schemas.DbcPublic]:
    return [convert.dbc(row) for row in reference.dbcs(db, caller, limit=limit, offset=offset)]


@router.get("/declarations", response_model=list[schemas.DeclarationPublic], tags=["data"])
def list_declarations(
    db: Db, caller: Caller, limit: Limit = 1000, offset: Offset = 0
) -> list[schemas.DeclarationPublic]:
    return [
        convert.declaration(row)
        for row in reference.declarations(db, caller, limit=limit, offset=offset)
    ]


@router.get("/transfers", response_model=list[schemas.TransferPublic], tags=["transfers"])
def list_transfers(
    db: Db, caller: Caller, limit: Limit = 1000, offset: Offset = 0
) -> list[schemas.TransferPublic]:
    return [
        convert.transfer(row)
        for row in transfers.list_transfers(db, caller, limit=limit, offset=offset)
    ]


@router.post(
    "/transfers", response_model=schemas.TransferPublic, status_code=201, tags=["transfers"]
)
def register_transfer(
    body: schemas.TransferCreate, db: Db, caller: Caller, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    """The alliance bureau registers a patient transfer under one of its agreements."""
    transfers.check_registration(caller, body.agreement_id)  # before a kept response is replayed
    return respond(
        db,
        caller,
        idempotency_key,
        body.model_dump_json().encode(),
        lambda: (201, convert.transfer(transfers.register_transfer(db, caller, body.model_dump()))),
    )


@router.get("/transfers/{transfer_id}", response_model=schemas.TransferPublic, tags=["transfers"])
def get_transfer(transfer_id: TextId, db: Db, caller: Caller) -> schemas.TransferPublic:
    return convert.transfer(transfers.get_transfer(db, caller, transfer_id))


@router.patch("/transfers/{transfer_id}", response_model=schemas.TransferPublic, tags=["transfers"])
def update_transfer(
    transfer_id: TextId, body: schemas.TransferUpdate, db: Db, caller: Caller
) -> schemas.TransferPublic:
    """The bureau records that a planned transfer was performed or cancelled."""
    return convert.transfer(transfers.update_transfer(db, caller, transfer_id, body.status))


@router.get("/hours", response_model=list[schemas.HoursPublic], tags=["hours"])
def list_hours(
    db: Db,
    caller: Caller,
    limit: Limit = 1000,
    offset: Offset = 0,
    agreement_id: Annotated[str | None, Query(max_length=100)] = None,
) -> list[schemas.HoursPublic]:
    """Hours worked at another hospital: the employer's, the host's and the agreement's
    bureau's to see."""
    return [
        convert.hours(row)
        for row in hours.list_hours(
            db, caller, limit=limit, offset=offset, agreement_id=agreement_id
        )
    ]


@router.post("/hours", response_model=schemas.HoursPublic, status_code=201, tags=["hours"])
def register_hours(
    body: schemas.HoursCreate, db: Db, caller: Caller, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    """The host hospital (which pays) or the agreement's bureau registers hours a hospital's
    staff worked at another hospital, checked by the rules of hours.csv."""
    # Before a kept response is replayed.
    hours.check_registration(caller, body.agreement_id, body.host_agb)
    return respond(
        db,
        caller,
        idempotency_key,
        body.model_dump_json().encode(),
        lambda: (201, convert.hours(hours.register_hours(db, caller, body.model_dump()))),
    )
