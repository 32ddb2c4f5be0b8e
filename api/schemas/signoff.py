"""Sign-off of a run's pairs: accept or dispute, the decisions, and an admin's override to
finalise without them."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field


class FinaliseRequest(BaseModel):
    """An admin's written reason to finalise a run that is not accepted by both hospitals of
    every pair (stored in the ``run.override`` event)."""

    model_config = ConfigDict(extra="forbid")
    override: str = Field(min_length=1, max_length=2000, pattern=r"\S")


class DisputeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=2000, pattern=r"\S")
    lines: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(
        default_factory=list, max_length=1000, description="DBC, hours or cost line ids"
    )


class SignoffDecisionPublic(BaseModel):
    agb: str
    decision: Literal["accept", "dispute"]
    reason: str | None
    lines: list[str]
    at: str
    actor: str


class PairSignoffPublic(BaseModel):
    """A pair of a run and the latest decision of each of its two hospitals."""

    debtor_agb: str
    creditor_agb: str
    status: Literal["accepted", "disputed", "open"]
    debtor: SignoffDecisionPublic | None
    creditor: SignoffDecisionPublic | None
