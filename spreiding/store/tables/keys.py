"""API keys, the agreements of a bureau key, failed authentications (for the rate limit) and
idempotency records."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel


class ApiKey(SQLModel, table=True):
    """An API key: only a SHA-256 of its secret is stored. ``agb`` for a hospital key,
    ``uzovi`` for an insurer key; a bureau key's agreements are in ``api_key_agreement``."""

    __tablename__ = "api_key"
    key_id: str = Field(primary_key=True, max_length=16)
    secret_sha256: str = Field(max_length=64)
    role: str = Field(max_length=16)  # hospital | bureau | insurer | admin
    agb: str | None = Field(default=None, foreign_key="hospital.agb", max_length=8)
    uzovi: str | None = Field(default=None, foreign_key="insurer.uzovi", max_length=4)
    label: str = ""
    # Aware datetimes in UTC (migration 0008). NULL created_at: issued before 0008; NULL
    # expires_at: holds until revoked.
    created_at: datetime | None = None
    expires_at: datetime | None = None
    revoked_at: datetime | None = None


class AuthFailure(SQLModel, table=True):
    """A failed authentication, kept for the rate limit's window (``services.access``).
    ``scope``: ``address:<client address>`` or ``key:<key id>``."""

    __tablename__ = "auth_failure"
    __table_args__ = (
        Index("ix_auth_failure_scope_failed_at", "scope", "failed_at"),
        Index("ix_auth_failure_failed_at", "failed_at"),
    )
    failure_id: int | None = Field(default=None, primary_key=True)
    scope: str = Field(max_length=64)
    failed_at: datetime


class ApiKeyAgreement(SQLModel, table=True):
    __tablename__ = "api_key_agreement"
    key_id: str = Field(primary_key=True, foreign_key="api_key.key_id", max_length=16)
    agreement_id: str = Field(primary_key=True, foreign_key="agreement.agreement_id")


class IdempotencyRecord(SQLModel, table=True):
    """The first response to a creating request with an ``Idempotency-Key``, per API key."""

    __tablename__ = "idempotency_record"
    key_id: str = Field(primary_key=True, max_length=16)
    idempotency_key: str = Field(primary_key=True, max_length=200)
    request_sha256: str = Field(max_length=64)
    status_code: int
    body: str
