"""The sessions of the web pages (migration 0014, ``spreiding.store.sessions``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKeyConstraint, Index
from sqlmodel import Field, SQLModel


class PageSession(SQLModel, table=True):
    """A signed-in browser: a SHA-256 of its session token (the cookie holds the token), the
    API key it signed in with, the CSRF token of its forms, and when it started and ends
    (aware datetimes in UTC). Deleted at sign-out and once ended; a key's deletion deletes its
    sessions (``spreiding.store.sessions``)."""

    __tablename__ = "page_session"
    __table_args__ = (
        ForeignKeyConstraint(["key_id"], ["api_key.key_id"], ondelete="CASCADE"),
        Index("ix_page_session_expires_at", "expires_at"),
        Index("ix_page_session_key_id", "key_id"),
    )
    token_sha256: str = Field(primary_key=True, max_length=64)
    key_id: str = Field(max_length=16)
    csrf: str = Field(max_length=64)
    created_at: datetime
    expires_at: datetime
