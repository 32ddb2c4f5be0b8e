"""api keys and idempotency

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "idempotency_record",
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=False),
        sa.Column("request_sha256", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("body", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("key_id", "idempotency_key"),
    )
    op.create_table(
        "api_key",
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("secret_sha256", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("agb", sa.String(length=8), nullable=True),
        sa.Column("uzovi", sa.String(length=4), nullable=True),
        sa.Column("label", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agb"],
            ["hospital.agb"],
        ),
        sa.ForeignKeyConstraint(
            ["uzovi"],
            ["insurer.uzovi"],
        ),
        sa.PrimaryKeyConstraint("key_id"),
    )
    op.create_table(
        "api_key_agreement",
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("agreement_id", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreement.agreement_id"],
        ),
        sa.ForeignKeyConstraint(
            ["key_id"],
            ["api_key.key_id"],
        ),
        sa.PrimaryKeyConstraint("key_id", "agreement_id"),
    )


def downgrade() -> None:
    op.drop_table("api_key_agreement")
    op.drop_table("api_key")
    op.drop_table("idempotency_record")
