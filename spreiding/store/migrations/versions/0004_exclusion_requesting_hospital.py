"""the requesting hospital of an excluded DBC, for statements between two hospitals

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


# Plain ALTER TABLE, not a batch copy: recreating the table on SQLite would drop the triggers
# that protect final runs (migration 0002).


def upgrade() -> None:
    op.add_column("settlement_exclusion", sa.Column("requesting_agb", sa.String(length=8)))


def downgrade() -> None:
    op.drop_column("settlement_exclusion", "requesting_agb")
