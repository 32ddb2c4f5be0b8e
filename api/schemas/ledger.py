"""The trail (events) and payments: registered payments, the netting payments of final runs
and each hospital's balance (issue 14 items 3 and 5)."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.fields import Storable


class EventPublic(BaseModel):
    seq: int
    at: str = Field(description="UTC, ISO 8601")
    actor: str = Field(description="key:<key id> for an API key, cli:<os user> for the CLI")
    role: str
    tenant: str | None
    kind: str
    subject: str
    hospitals: list[str] = Field(
        description="The hospitals the event is about; for a hospital key, only its own"
    )
    payload: dict[str, Any]
    hash: str = Field(description="SHA-256 of the previous event's hash and this event")


class RegisteredPaymentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    run_id: int = Field(ge=1, le=2_147_483_647)
    from_agb: Storable = Field(max_length=8)
    to_agb: Storable = Field(max_length=8)
    paid_on: date
    amount: str = Field(description="Euros with '.' and at most two decimals", max_length=20)
    reference: Storable = Field(min_length=1, max_length=200)


class RegisteredPaymentPublic(BaseModel):
    payment_id: int
    run_id: int
    from_agb: str
    to_agb: str
    paid_on: str
    amount: str
    reference: str
    registered_at: str
    registered_by: str


class NettingPaymentPublic(BaseModel):
    run_id: int
    year: int
    from_agb: str
    to_agb: str
    amount: str
    paid: str
    open: str
    finalised_on: str | None
    payment_term_days: int
    due_on: str | None = Field(description="None when the run's finalisation day is not known")
    status: Literal["open", "partly paid", "paid", "overdue"]


class BalancePublic(BaseModel):
    agb: str
    to_pay: str
    to_receive: str
    overdue_to_pay: str
    overdue_to_receive: str
