"""statement indexes

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


# Plain CREATE INDEX (no batch copy, which on SQLite would drop the triggers of migration 0002).


def upgrade() -> None:
    op.create_index(
        "ix_settlement_exclusion_pair",
        "settlement_exclusion",
        ["run_id", "agb", "requesting_agb"],
    )
    op.create_index(
        "ix_settlement_line_pair", "settlement_line", ["run_id", "debtor_agb", "creditor_agb"]
    )


def downgrade() -> None:
    op.drop_index("ix_settlement_line_pair", table_name="settlement_line")
    op.drop_index("ix_settlement_exclusion_pair", table_name="settlement_exclusion")
