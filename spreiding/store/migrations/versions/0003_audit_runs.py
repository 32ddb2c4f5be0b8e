"""audit runs

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_run",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("findings", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("run_id"),
    )
    with op.batch_alter_table("audit_run", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_run_fingerprint"), ["fingerprint"], unique=False)

    op.create_table(
        "audit_finding",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=16), nullable=False),
        sa.Column("severity", sa.String(length=8), nullable=False),
        sa.Column("agb", sa.String(length=8), nullable=False),
        sa.Column("uzovi", sa.String(length=4), nullable=True),
        sa.Column("declaration_id", sa.String(), nullable=True),
        sa.Column("dbc_id", sa.String(), nullable=True),
        sa.Column("transfer_id", sa.String(), nullable=True),
        sa.Column("related", sa.String(), nullable=False),
        sa.Column("amount_at_stake_cents", sa.BigInteger(), nullable=True),
        sa.Column("message", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["audit_run.run_id"],
        ),
        sa.PrimaryKeyConstraint("run_id", "seq"),
    )


def downgrade() -> None:
    op.drop_table("audit_finding")
    with op.batch_alter_table("audit_run", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_run_fingerprint"))

    op.drop_table("audit_run")
