"""a pair's rows in the run's order straight from its index

The pair indexes of the run's DBC, hours and cost lines (migrations 0006 and 0011) end with
``seq``: ``(run_id, debtor_agb, creditor_agb, seq)``. A page of a statement (``WHERE run_id,
debtor, creditor AND seq > cursor ORDER BY seq LIMIT n``) is then read from the index in order
and stops after ``n`` rows, instead of reading and sorting the pair's every row (1,900 DBC
lines a pair in the 1,000,000-DBC year) for each page. The new index serves every query the old
one did (its columns are a prefix), so the old one is dropped. Plain DROP and CREATE INDEX (no
batch copy, which on SQLite would drop the triggers of migration 0002); no row is rewritten.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

TABLES = ("settlement_line", "settlement_hours_line", "settlement_cost_line")
PAIR = ["run_id", "debtor_agb", "creditor_agb"]


def upgrade() -> None:
    for table in TABLES:
        op.drop_index(f"ix_{table}_pair", table_name=table)
        op.create_index(f"ix_{table}_pair", table, [*PAIR, "seq"])


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_index(f"ix_{table}_pair", table_name=table)
        op.create_index(f"ix_{table}_pair", table, PAIR)
