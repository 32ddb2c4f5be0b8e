"""Datasets, DBCs, declarations and transfers."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Header, Query, UploadFile
from fastapi.responses import JSONResponse

from api import convert, schemas
from api.deps import Caller, Db
from api.errors import RESPONSES
from api.idempotency import respond
from spreiding.services import datasets, reference, transfers

router = APIRouter(responses=RESPONSES)
IdempotencyKey = Annotated[str | None, Header(description="Repeat-safe creation", max_length=200)]
Limit = Annotated[int, Query(ge=1, le=10_000)]
Offset = Annotated[int, Query(ge=0, le=2_147_483_647)]


@router.post(
    "/datasets", response_model=schemas.ImportReportPublic, status_code=201, tags=["datasets"]
)
def import_files(
    files: list[UploadFile], db: Db, caller: Caller, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    """Upload the files of one dataset (docs/data-format.md §1); stored whole, or refused
    whole with the contract's error list."""
    names = [Path(upload.filename or "").name for upload in files]
    datasets.check_upload(caller, names)  # before a kept response is replayed
    contents = {name: upload.file.read() for name, upload in zip(names, files, strict=True)}
    digest = hashlib.sha256()
    for name in sorted(contents):
        digest.update(name.encode() + b"\0" + hashlib.sha256(contents[name]).digest())

    def produce() -> tuple[int, schemas.ImportReportPublic]:
        report = datasets.import_files(db, caller, contents)
        return 201, schemas.ImportReportPublic(added=report.added, unchanged=report.unchanged)

    return respond(db, caller, idempotency_key, digest.hexdigest().encode(), produce)


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
def get_transfer(transfer_id: str, db: Db, caller: Caller) -> schemas.TransferPublic:
    return convert.transfer(transfers.get_transfer(db, caller, transfer_id))


@router.patch("/transfers/{transfer_id}", response_model=schemas.TransferPublic, tags=["transfers"])
def update_transfer(
    transfer_id: str, body: schemas.TransferUpdate, db: Db, caller: Caller
) -> schemas.TransferPublic:
    """The bureau records that a planned transfer was performed or cancelled."""
    return convert.transfer(transfers.update_transfer(db, caller, transfer_id, body.status))
