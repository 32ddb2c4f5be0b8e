"""Agreements: list, read, create and version (validated as in the contract)."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Header
from fastapi.responses import JSONResponse
from sqlalchemy import Connection, insert

from api import schemas
from api.deps import Caller, Db, require
from api.errors import RESPONSES, NotFound
from api.idempotency import respond
from spreiding.contract.agreements import parse_agreements
from spreiding.domain.access import Principal
from spreiding.domain.agreements import Agreement, agreement_to_json
from spreiding.domain.errors import DatasetError, DatasetInvalid
from spreiding.store import tables
from spreiding.store import visibility as queries
from spreiding.store.datasets import store_agreements, stored_agreements

router = APIRouter(responses=RESPONSES, tags=["agreements"])
IdempotencyKey = Annotated[str | None, Header(description="Repeat-safe creation", max_length=200)]


def _visible(db: Connection, caller: Principal) -> list[Agreement]:
    ids = set(queries.visible_agreement_ids(db, caller))
    return [a for a in stored_agreements(db) if a.agreement_id in ids]


@router.get("/agreements", response_model=list[schemas.AgreementPublic])
def list_agreements(db: Db, caller: Caller) -> list[schemas.AgreementPublic]:
    return [schemas.AgreementPublic(**agreement_to_json(a)) for a in _visible(db, caller)]


@router.get("/agreements/{agreement_id}", response_model=schemas.AgreementPublic)
def get_agreement(agreement_id: str, db: Db, caller: Caller) -> schemas.AgreementPublic:
    for agreement in _visible(db, caller):
        if agreement.agreement_id == agreement_id:
            return schemas.AgreementPublic(**agreement_to_json(agreement))
    raise NotFound(f"there is no agreement {agreement_id!r}")


def _contract_json(body: schemas.AgreementCreate) -> dict[str, object]:
    """The body as the contract's JSON: settlement terms carry only the fields they have."""
    raw = body.model_dump()
    for care in raw["care_types"]:
        care["settlement"] = {k: v for k, v in care["settlement"].items() if v is not None}
    return raw


def _create(
    db: Connection, caller: Principal, body: schemas.AgreementCreate
) -> tuple[int, schemas.AgreementPublic]:
    stored = stored_agreements(db)
    prices = {row["price_list"] for row in queries.price_lists(db)}
    parsed, errors, _ = parse_agreements(
        json.dumps([_contract_json(body)]),
        hospitals={h["agb"] for h in queries.hospitals(db)},
        insurers={i["uzovi"] for i in queries.insurers(db)},
        price_lists=prices,
        known_ids={a.agreement_id for a in stored},
    )
    if errors:
        raise DatasetInvalid(errors)
    added = store_agreements(db, parsed)
    if caller.role == "bureau" and added:
        # The bureau that registers an agreement is the one that keeps it.
        link = tables.table_of(tables.ApiKeyAgreement)
        db.execute(insert(link).values(key_id=caller.key_id, agreement_id=body.agreement_id))
    return 201, schemas.AgreementPublic(**agreement_to_json(parsed[0]))


@router.post("/agreements", response_model=schemas.AgreementPublic, status_code=201)
def create_agreement(
    body: schemas.AgreementCreate, db: Db, caller: Caller, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    require(caller, "admin", "bureau")
    return respond(
        db,
        caller,
        idempotency_key,
        body.model_dump_json().encode(),
        lambda: _create(db, caller, body),
    )


@router.post(
    "/agreements/{agreement_id}/versions", response_model=schemas.AgreementPublic, status_code=201
)
def version_agreement(
    agreement_id: str,
    body: schemas.AgreementCreate,
    db: Db,
    caller: Caller,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """A new version of an agreement: a new agreement (its own id) with the same parties,
    valid from where the old one should stop. The old one is left as it was signed."""
    require(caller, "admin", "bureau")
    if agreement_id not in set(queries.visible_agreement_ids(db, caller)):
        raise NotFound(f"there is no agreement {agreement_id!r}")
    if body.agreement_id == agreement_id:
        message = f"a new version needs an id of its own, not {agreement_id!r}"
        raise DatasetInvalid([DatasetError("request", 0, "agreement_id", message)])
    return respond(
        db,
        caller,
        idempotency_key,
        body.model_dump_json().encode(),
        lambda: _create(db, caller, body),
    )
