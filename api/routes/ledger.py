"""The event log, and payments against the netting payments of final runs."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from api import convert, schemas
from api.deps import Caller, Db
from api.errors import RESPONSES
from spreiding.services import payments, trail

router = APIRouter(responses=RESPONSES, tags=["trail and payments"])
AsOf = Annotated[date | None, Query(description="The day the status is for (default: today, UTC)")]
# PostgreSQL refuses a NUL character in a text outright (a 500): such a filter names nothing.
NO_NUL = r"^[^\x00]*$"
RunFilter = Annotated[int | None, Query(ge=1, le=2_147_483_647, description="Only this run")]


def _today(as_of: date | None) -> date:
    return as_of if as_of is not None else datetime.now(UTC).date()


@router.get("/events", response_model=list[schemas.EventPublic])
def list_events(
    db: Db,
    caller: Caller,
    kind: Annotated[str | None, Query(max_length=32, pattern=NO_NUL)] = None,
    subject: Annotated[str | None, Query(max_length=300, pattern=NO_NUL)] = None,
    after: Annotated[int, Query(ge=0, le=2**62, description="Events past this number")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 1000,
) -> list[schemas.EventPublic]:
    """The event log, oldest first: an admin every event; a hospital the events about it and
    those its keys caused; a bureau or insurer key those it caused."""
    found = trail.list_events(db, caller, kind=kind, subject=subject, after=after, limit=limit)
    return [convert.event(e) for e in found]


@router.get("/netting-payments", response_model=list[schemas.NettingPaymentPublic])
def list_netting_payments(
    db: Db,
    caller: Caller,
    run_id: RunFilter = None,
    status: Annotated[
        Literal["open", "partly paid", "paid", "overdue"] | None, Query(description="Only these")
    ] = None,
    as_of: AsOf = None,
) -> list[schemas.NettingPaymentPublic]:
    """The netting payments of final runs the key pays or receives (an admin: all), with
    what was paid and their status."""
    found = payments.netting_payments(db, caller, today=_today(as_of), run_id=run_id, status=status)
    return [convert.netting_payment(p) for p in found]


@router.post("/payments", response_model=schemas.RegisteredPaymentPublic, status_code=201)
def register_payment(
    body: schemas.RegisteredPaymentCreate, db: Db, caller: Caller
) -> schemas.RegisteredPaymentPublic:
    """Register a payment against a netting payment of a final run: by an admin, or by the
    payer or the payee. More than is open is 422, a reference registered before for the same
    netting payment 409, a draft run 409."""
    payment = payments.register_payment(
        db,
        caller,
        run_id=body.run_id,
        from_agb=body.from_agb,
        to_agb=body.to_agb,
        paid_on=body.paid_on,
        amount=body.amount,
        reference=body.reference,
    )
    return convert.registered_payment(payment)


@router.get("/payments", response_model=list[schemas.RegisteredPaymentPublic])
def list_payments(
    db: Db, caller: Caller, run_id: RunFilter = None
) -> list[schemas.RegisteredPaymentPublic]:
    return [
        convert.registered_payment(p) for p in payments.list_payments(db, caller, run_id=run_id)
    ]


@router.get("/payment-balances", response_model=list[schemas.BalancePublic])
def list_balances(db: Db, caller: Caller, as_of: AsOf = None) -> list[schemas.BalancePublic]:
    """What each hospital still has to pay and to receive (a hospital key: its own line)."""
    found = payments.hospital_balances(db, caller, today=_today(as_of))
    return [convert.balance(b) for b in found]
