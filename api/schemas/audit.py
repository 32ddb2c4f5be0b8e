"""Audit runs and their findings."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from spreiding.domain.years import FIRST_YEAR, LAST_YEAR


class AuditRunCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    year: int = Field(ge=FIRST_YEAR, le=LAST_YEAR)


class AuditRunPublic(BaseModel):
    run_id: int
    year: int
    fingerprint: str
    findings: int = Field(
        description="How many findings; for a hospital or insurer key, those it may read"
    )


class FindingPublic(BaseModel):
    rule: str
    severity: str
    agb: str
    uzovi: str | None
    declaration_id: str | None
    dbc_id: str | None
    transfer_id: str | None
    related: list[str]
    amount_at_stake: str | None
    message: str
