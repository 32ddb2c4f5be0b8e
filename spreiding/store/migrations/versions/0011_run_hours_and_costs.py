"""settlement runs carry hours lines, cost lines and excluded hours (contract v2 §5, §6)

A run's pairs gain the hours, costs and VAT they owe (0 for the runs stored before: they had
none); three child tables hold a run's hours lines, cost lines and excluded hours rows. The new
tables hold like the others: a final run's rows cannot be inserted, updated, deleted or
truncated (the trigger functions of migrations 0002 and 0007, on PostgreSQL and SQLite alike).
Adding the pair columns is ``ALTER TABLE ... ADD COLUMN`` with a constant default, never a
copy of the table, so no final row is rewritten and the triggers on it stay.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

CHILDREN = ("settlement_hours_line", "settlement_cost_line", "settlement_hours_exclusion")
PAIR_COLUMNS = ("hours_cents", "costs_cents", "vat_cents")
MESSAGE = "settlement run is final and cannot be changed"


def _postgres_triggers(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER {table}_truncate BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION spreiding_refuse_truncate()",
        f"CREATE TRIGGER {table}_final BEFORE INSERT OR UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION spreiding_refuse_final_child()",
    ]


def _sqlite_triggers(table: str) -> list[str]:
    refuse = f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"

    def final(row: str) -> str:
        return f"(SELECT status FROM settlement_run WHERE run_id = {row}.run_id) = 'final'"

    statements = [
        f"CREATE TRIGGER {table}_final_{event.lower()} BEFORE {event} ON {table} "
        f"WHEN {final(row)} {refuse}"
        for event, row in (("INSERT", "NEW"), ("UPDATE", "OLD"), ("DELETE", "OLD"))
    ]
    statements.append(
        f"CREATE TRIGGER {table}_final_update_new BEFORE UPDATE ON {table} "
        f"WHEN {final('NEW')} {refuse}"
    )
    return statements


def _child(name: str, *columns: sa.Column) -> None:
    op.create_table(
        name,
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        *columns,
        sa.ForeignKeyConstraint(["run_id"], ["settlement_run.run_id"]),
        sa.PrimaryKeyConstraint("run_id", "seq"),
    )


def upgrade() -> None:
    for column in PAIR_COLUMNS:
        op.add_column(
            "settlement_pair",
            sa.Column(column, sa.BigInteger(), nullable=False, server_default=sa.text("0")),
        )
    _child(
        "settlement_hours_line",
        sa.Column("creditor_agb", sa.String(length=8), nullable=False),
        sa.Column("debtor_agb", sa.String(length=8), nullable=False),
        sa.Column("hours_id", sa.String(), nullable=False),
        sa.Column("agreement_id", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("work_date", sa.Date(), nullable=False),
        sa.Column("hours", sa.String(length=8), nullable=False),
        sa.Column("rate_cents", sa.BigInteger(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("vat_rate", sa.String(length=16), nullable=False),
        sa.Column("vat_cents", sa.BigInteger(), nullable=False),
        sa.Column("change", sa.String(length=16), nullable=True),
    )
    _child(
        "settlement_cost_line",
        sa.Column("creditor_agb", sa.String(length=8), nullable=False),
        sa.Column("debtor_agb", sa.String(length=8), nullable=False),
        sa.Column("agreement_id", sa.String(), nullable=False),
        sa.Column("cost_id", sa.String(), nullable=False),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("change", sa.String(length=16), nullable=True),
    )
    _child(
        "settlement_hours_exclusion",
        sa.Column("hours_id", sa.String(), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("employer_agb", sa.String(length=8), nullable=False),
        sa.Column("host_agb", sa.String(length=8), nullable=False),
    )
    for table in ("settlement_hours_line", "settlement_cost_line"):
        op.create_index(f"ix_{table}_pair", table, ["run_id", "debtor_agb", "creditor_agb"])
    postgres = op.get_bind().dialect.name == "postgresql"
    for table in CHILDREN:
        for statement in _postgres_triggers(table) if postgres else _sqlite_triggers(table):
            op.execute(statement)


def downgrade() -> None:
    # Dropping a table drops its triggers; the pair columns go by ALTER TABLE ... DROP COLUMN
    # (SQLite 3.35 and later), which rewrites no row either.
    for table in ("settlement_cost_line", "settlement_hours_line"):
        op.drop_index(f"ix_{table}_pair", table_name=table)
    for table in reversed(CHILDREN):
        op.drop_table(table)
    for column in reversed(PAIR_COLUMNS):
        op.drop_column("settlement_pair", column)
