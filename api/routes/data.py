"""Datasets, DBCs, declarations and transfers."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Header, Query, UploadFile
from fastapi.responses import JSONResponse

from api import convert, schemas
from api.deps import Caller, Db, require
from api.errors import RESPONSES, NotFound
from api.idempotency import respond
from spreiding.contract.reader import SPECS, read_dataset, validate_transfers
from spreiding.domain.errors import DatasetError, DatasetInvalid
from spreiding.store import visibility as queries
from spreiding.store.datasets import (
    import_dataset,
    set_transfer_status,
    store_transfers,
    stored_agreements,
)

router = APIRouter(responses=RESPONSES)
IdempotencyKey = Annotated[str | None, Header(description="Repeat-safe creation", max_length=200)]
Limit = Annotated[int, Query(ge=1, le=10_000)]
Offset = Annotated[int, Query(ge=0, le=2_147_483_647)]
FILES = {spec.name for spec in SPECS.values()} | {"agreements.json"}


@router.post(
    "/datasets", response_model=schemas.ImportReportPublic, status_code=201, tags=["datasets"]
)
def import_files(
    files: list[UploadFile], db: Db, caller: Caller, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    """Upload the files of one dataset (CONTRACT §1); stored whole, or refused whole with the
    contract's error list."""
    require(caller, "admin", "bureau")
    contents = {}
    for upload in files:
        name = Path(upload.filename or "").name
        if name not in FILES:
            raise DatasetInvalid(
                [DatasetError(name or "(unnamed)", 0, "(file)", "not a file of the contract")]
            )
        contents[name] = upload.file.read()
    digest = hashlib.sha256()
    for name in sorted(contents):
        digest.update(name.encode() + b"\0" + hashlib.sha256(contents[name]).digest())

    def produce() -> tuple[int, schemas.ImportReportPublic]:
        with tempfile.TemporaryDirectory() as folder:
            for name, content in contents.items():
                (Path(folder) / name).write_bytes(content)
            dataset = read_dataset(folder)
        report = import_dataset(db, dataset)
        return 201, schemas.ImportReportPublic(added=report.added, unchanged=report.unchanged)

    return respond(db, caller, idempotency_key, digest.hexdigest().encode(), produce)


@router.get("/dbcs", response_model=list[schemas.DbcPublic], tags=["data"])
def list_dbcs(
    db: Db, caller: Caller, limit: Limit = 1000, offset: Offset = 0
) -> list[schemas.DbcPublic]:
    return [convert.dbc(row) for row in queries.dbcs(db, caller, limit=limit, offset=offset)]


@router.get("/declarations", response_model=list[schemas.DeclarationPublic], tags=["data"])
def list_declarations(
    db: Db, caller: Caller, limit: Limit = 1000, offset: Offset = 0
) -> list[schemas.DeclarationPublic]:
    return [
        convert.declaration(row)
        for row in queries.declarations(db, caller, limit=limit, offset=offset)
    ]


@router.get("/transfers", response_model=list[schemas.TransferPublic], tags=["transfers"])
def list_transfers(
    db: Db, caller: Caller, limit: Limit = 1000, offset: Offset = 0
) -> list[schemas.TransferPublic]:
    return [
        convert.transfer(row) for row in queries.transfers(db, caller, limit=limit, offset=offset)
    ]


@router.post(
    "/transfers", response_model=schemas.TransferPublic, status_code=201, tags=["transfers"]
)
def register_transfer(
    body: schemas.TransferCreate, db: Db, caller: Caller, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    """The alliance bureau registers a patient transfer under one of its agreements."""
    require(caller, "admin", "bureau")
    if not caller.is_admin and body.agreement_id not in caller.agreements:
        raise NotFound(f"there is no agreement {body.agreement_id!r}")

    def produce() -> tuple[int, schemas.TransferPublic]:
        frame = validate_transfers(
            [body.model_dump()],
            hospitals={h["agb"] for h in queries.hospitals(db)},
            agreements=stored_agreements(db),
        )
        store_transfers(db, frame)
        stored = queries.transfer(db, caller, body.transfer_id)
        assert stored is not None
        return 201, convert.transfer(stored)

    return respond(db, caller, idempotency_key, body.model_dump_json().encode(), produce)


@router.get("/transfers/{transfer_id}", response_model=schemas.TransferPublic, tags=["transfers"])
def get_transfer(transfer_id: str, db: Db, caller: Caller) -> schemas.TransferPublic:
    row = queries.transfer(db, caller, transfer_id)
    if row is None:
        raise NotFound(f"there is no transfer {transfer_id!r}")
    return convert.transfer(row)


@router.patch("/transfers/{transfer_id}", response_model=schemas.TransferPublic, tags=["transfers"])
def update_transfer(
    transfer_id: str, body: schemas.TransferUpdate, db: Db, caller: Caller
) -> schemas.TransferPublic:
    """The bureau records that a planned transfer was performed or cancelled."""
    require(caller, "admin", "bureau")
    if queries.transfer(db, caller, transfer_id) is None:
        raise NotFound(f"there is no transfer {transfer_id!r}")
    set_transfer_status(db, transfer_id, body.status)
    row = queries.transfer(db, caller, transfer_id)
    assert row is not None
    return convert.transfer(row)
