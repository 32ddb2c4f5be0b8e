"""API keys expire and can be revoked; failed authentications are counted

``api_key`` gains ``created_at``, ``expires_at`` and ``revoked_at`` (``timestamptz`` on
PostgreSQL; SQLite stores UTC without an offset); a key with a ``revoked_at`` or a past
``expires_at`` is answered like an unknown key. ``auth_failure`` holds each failed
authentication per client address and per key id for the rate limit's window, in the database
so that every worker of the server counts the same failures.

PostgreSQL: the application's role ``spreiding_app`` (migration 0007) gets its rights on the
new table and its sequence here as well. The default privileges of 0007 cover tables created
by the role that ran 0007 only; a database migrated by another role since would leave the
application unable to count a failure, and every wrong key would be a 500.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

KEY_TIMES = ("created_at", "expires_at", "revoked_at")
APP_ROLE = "spreiding_app"


def upgrade() -> None:
    for column in KEY_TIMES:
        op.add_column("api_key", sa.Column(column, sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "auth_failure",
        sa.Column("failure_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=64), nullable=False),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("failure_id"),
    )
    op.create_index("ix_auth_failure_scope_failed_at", "auth_failure", ["scope", "failed_at"])
    op.create_index("ix_auth_failure_failed_at", "auth_failure", ["failed_at"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON auth_failure TO {APP_ROLE}")
        op.execute(f"GRANT USAGE ON SEQUENCE auth_failure_failure_id_seq TO {APP_ROLE}")


def downgrade() -> None:
    op.drop_index("ix_auth_failure_failed_at", table_name="auth_failure")
    op.drop_index("ix_auth_failure_scope_failed_at", table_name="auth_failure")
    op.drop_table("auth_failure")
    for column in reversed(KEY_TIMES):
        op.drop_column("api_key", column)
