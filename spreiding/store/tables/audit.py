"""Audit runs and their findings."""

from __future__ import annotations

from sqlalchemy import BigInteger
from sqlmodel import Field, SQLModel


class AuditRun(SQLModel, table=True):
    __tablename__ = "audit_run"
    run_id: int | None = Field(default=None, primary_key=True)
    year: int
    fingerprint: str = Field(max_length=64, index=True)
    findings: int


class AuditFinding(SQLModel, table=True):
    __tablename__ = "audit_finding"
    run_id: int = Field(primary_key=True, foreign_key="audit_run.run_id")
    seq: int = Field(primary_key=True)
    rule: str = Field(max_length=16)
    severity: str = Field(max_length=8)
    agb: str = Field(max_length=8)
    uzovi: str | None = Field(default=None, max_length=4)
    declaration_id: str | None = None
    dbc_id: str | None = None
    transfer_id: str | None = None
    related: str  # the related ids, space-separated, sorted
    amount_at_stake_cents: int | None = Field(default=None, sa_type=BigInteger)
    message: str
