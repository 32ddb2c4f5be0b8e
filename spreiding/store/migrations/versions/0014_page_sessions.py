"""sessions of the web pages in the database

``page_session``: one row per signed-in browser: a SHA-256 of the session's token (the cookie
holds the token; the database never does), the id of the API key it was started with, the
CSRF token of its forms, and when it started and ends (``timestamptz`` on PostgreSQL; SQLite
stores UTC without an offset). Sessions were kept in the server's memory before: they now hold
across a restart and are shared by every worker. Deleting a key deletes its sessions.

PostgreSQL: the application's role ``spreiding_app`` (migration 0007) may read, start and end
sessions (SELECT, INSERT, UPDATE, DELETE), granted here as 0008 does for ``auth_failure``.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

APP_ROLE = "spreiding_app"


def upgrade() -> None:
    op.create_table(
        "page_session",
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("csrf", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["key_id"], ["api_key.key_id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("token_sha256"),
    )
    op.create_index("ix_page_session_expires_at", "page_session", ["expires_at"])
    op.create_index("ix_page_session_key_id", "page_session", ["key_id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON page_session TO {APP_ROLE}")


def downgrade() -> None:
    op.drop_index("ix_page_session_key_id", table_name="page_session")
    op.drop_index("ix_page_session_expires_at", table_name="page_session")
    op.drop_table("page_session")
