"""Agreements: list, read, create and version (validated as in the contract)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header
from fastapi.responses import JSONResponse

from api import convert, schemas
from api.deps import Caller, Db
from api.errors import RESPONSES
from api.idempotency import respond
from api.paths import TextId
from spreiding.services import agreements

router = APIRouter(responses=RESPONSES, tags=["agreements"])
IdempotencyKey = Annotated[str | None, Header(description="Repeat-safe creation", max_length=200)]


@router.get("/agreements", response_model=list[schemas.AgreementPublic])
def list_agreements(db: Db, caller: Caller) -> list[schemas.AgreementPublic]:
    return [convert.agreement(a) for a in agreements.list_agreements(db, caller)]


@router.get("/agreements/{agreement_id}", response_model=schemas.AgreementPublic)
def get_agreement(agreement_id: TextId, db: Db, caller: Caller) -> schemas.AgreementPublic:
    return convert.agreement(agreements.get_agreement(db, caller, agreement_id))


def contract_json(body: schemas.AgreementCreate) -> dict[str, object]:
    """The body as the contract's JSON: settlement terms (an ``otherwise`` object included)
    carry only the fields they have, a care type its ``planned_weekly`` only when given."""

    def terms(values: dict[str, Any]) -> dict[str, Any]:
        out = {k: v for k, v in values.items() if v is not None}
        if "otherwise" in out:
            out["otherwise"] = terms(out["otherwise"])
        return out

    raw = body.model_dump()
    for care in raw["care_types"]:
        care["settlement"] = terms(care["settlement"])
        if care["planned_weekly"] is None:
            del care["planned_weekly"]
    return raw


@router.post("/agreements", response_model=schemas.AgreementPublic, status_code=201)
def create_agreement(
    body: schemas.AgreementCreate, db: Db, caller: Caller, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    agreements.check_create(caller)  # before a kept response is replayed
    return respond(
        db,
        caller,
        idempotency_key,
        body.model_dump_json().encode(),
        lambda: (
            201,
            convert.agreement(agreements.create_agreement(db, caller, contract_json(body))),
        ),
    )


@router.post(
    "/agreements/{agreement_id}/versions", response_model=schemas.AgreementPublic, status_code=201
)
def version_agreement(
    agreement_id: TextId,
    body: schemas.AgreementCreate,
    db: Db,
    caller: Caller,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """A new version of an agreement: a new agreement (its own id) with the same parties,
    valid from where the old one should stop. The old one is left as it was signed."""
    agreements.check_version(db, caller, agreement_id, body.agreement_id)  # before a replay
    return respond(
        db,
        caller,
        idempotency_key,
        body.model_dump_json().encode(),
        lambda: (
            201,
            convert.agreement(
                agreements.version_agreement(db, caller, agreement_id, contract_json(body))
            ),
        ),
    )
