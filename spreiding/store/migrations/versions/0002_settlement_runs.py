"""settlement runs, and the database's refusal to change a final one

A final run and its rows can never be updated or deleted, and no row can be added to it:
triggers refuse it on PostgreSQL and SQLite alike, whatever client writes the SQL.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


CHILDREN = (
    "settlement_line",
    "settlement_exclusion",
    "settlement_pair",
    "settlement_position",
    "settlement_payment",
)
MESSAGE = "settlement run is final and cannot be changed"

POSTGRES_FUNCTIONS = f"""
CREATE FUNCTION spreiding_refuse_final_run() RETURNS trigger AS $$
BEGIN
    IF OLD.status = 'final' THEN
        RAISE EXCEPTION '{MESSAGE} (run %)', OLD.run_id USING ERRCODE = 'restrict_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE FUNCTION spreiding_refuse_final_child() RETURNS trigger AS $$
DECLARE
    run integer;
BEGIN
    IF TG_OP = 'INSERT' THEN run := NEW.run_id; ELSE run := OLD.run_id; END IF;
    IF EXISTS (SELECT 1 FROM settlement_run WHERE run_id = run AND status = 'final') THEN
        RAISE EXCEPTION '{MESSAGE} (run %)', run USING ERRCODE = 'restrict_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE FUNCTION spreiding_refuse_truncate() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM settlement_run WHERE status = 'final') THEN
        RAISE EXCEPTION '{MESSAGE} (truncate)' USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
"""


def _postgres_triggers() -> list[str]:
    statements = [
        "CREATE TRIGGER settlement_run_final BEFORE UPDATE OR DELETE ON settlement_run "
        "FOR EACH ROW EXECUTE FUNCTION spreiding_refuse_final_run()",
    ]
    for table in ("settlement_run", *CHILDREN):
        statements.append(
            f"CREATE TRIGGER {table}_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION spreiding_refuse_truncate()"
        )
    for table in CHILDREN:
        statements.append(
            f"CREATE TRIGGER {table}_final BEFORE INSERT OR UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION spreiding_refuse_final_child()"
        )
    return statements


def _sqlite_triggers() -> list[str]:
    refuse = f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
    statements = [
        f"CREATE TRIGGER settlement_run_final_{op.lower()} BEFORE {op} ON settlement_run "
        f"WHEN OLD.status = 'final' {refuse}"
        for op in ("UPDATE", "DELETE")
    ]
    for table in CHILDREN:
        for event, row in (("INSERT", "NEW"), ("UPDATE", "OLD"), ("DELETE", "OLD")):
            statements.append(
                f"CREATE TRIGGER {table}_final_{event.lower()} BEFORE {event} ON {table} "
                f"WHEN (SELECT status FROM settlement_run WHERE run_id = {row}.run_id) = 'final' "
                f"{refuse}"
            )
    return statements


def upgrade() -> None:
    op.create_table(
        "settlement_run",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.CheckConstraint("status IN ('draft', 'final')", name="ck_settlement_run_status"),
        sa.CheckConstraint("kind IN ('settlement', 'correction')", name="ck_settlement_run_kind"),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("netting", sa.String(length=16), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("corrects_run_id", sa.Integer(), nullable=True),
        sa.Column("total_cents", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["corrects_run_id"],
            ["settlement_run.run_id"],
        ),
        sa.PrimaryKeyConstraint("run_id"),
    )
    with op.batch_alter_table("settlement_run", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_settlement_run_fingerprint"), ["fingerprint"], unique=False
        )
        batch_op.create_index(
            "ux_settlement_run_final_correction",
            ["corrects_run_id"],
            unique=True,
            postgresql_where=sa.text("status = 'final' AND kind = 'correction'"),
            sqlite_where=sa.text("status = 'final' AND kind = 'correction'"),
        )
        batch_op.create_index(
            "ux_settlement_run_final_year",
            ["year"],
            unique=True,
            postgresql_where=sa.text("status = 'final' AND kind = 'settlement'"),
            sqlite_where=sa.text("status = 'final' AND kind = 'settlement'"),
        )

    op.create_table(
        "settlement_exclusion",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("agb", sa.String(length=8), nullable=False),
        sa.Column("dbc_id", sa.String(), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["settlement_run.run_id"],
        ),
        sa.PrimaryKeyConstraint("run_id", "seq"),
    )
    op.create_table(
        "settlement_line",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("creditor_agb", sa.String(length=8), nullable=False),
        sa.Column("debtor_agb", sa.String(length=8), nullable=False),
        sa.Column("dbc_id", sa.String(), nullable=False),
        sa.Column("patient_ref", sa.String(), nullable=False),
        sa.Column("agreement_id", sa.String(), nullable=False),
        sa.Column("care_type", sa.String(), nullable=False),
        sa.Column("zorgproduct_code", sa.String(length=9), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("unit_price_cents", sa.BigInteger(), nullable=False),
        sa.Column("share", sa.String(length=16), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("change", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["settlement_run.run_id"],
        ),
        sa.PrimaryKeyConstraint("run_id", "seq"),
    )
    op.create_table(
        "settlement_pair",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("debtor_agb", sa.String(length=8), nullable=False),
        sa.Column("creditor_agb", sa.String(length=8), nullable=False),
        sa.Column("lines", sa.Integer(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["settlement_run.run_id"],
        ),
        sa.PrimaryKeyConstraint("run_id", "seq"),
    )
    op.create_table(
        "settlement_payment",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("from_agb", sa.String(length=8), nullable=False),
        sa.Column("to_agb", sa.String(length=8), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["settlement_run.run_id"],
        ),
        sa.PrimaryKeyConstraint("run_id", "seq"),
    )
    op.create_table(
        "settlement_position",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("agb", sa.String(length=8), nullable=False),
        sa.Column("receivable_cents", sa.BigInteger(), nullable=False),
        sa.Column("payable_cents", sa.BigInteger(), nullable=False),
        sa.Column("net_cents", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["settlement_run.run_id"],
        ),
        sa.PrimaryKeyConstraint("run_id", "seq"),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRES_FUNCTIONS)
        statements = _postgres_triggers()
    else:
        statements = _sqlite_triggers()
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION spreiding_refuse_final_run() CASCADE")
        op.execute("DROP FUNCTION spreiding_refuse_final_child() CASCADE")
        op.execute("DROP FUNCTION spreiding_refuse_truncate() CASCADE")
    op.drop_table("settlement_position")
    op.drop_table("settlement_payment")
    op.drop_table("settlement_pair")
    op.drop_table("settlement_line")
    op.drop_table("settlement_exclusion")
    with op.batch_alter_table("settlement_run", schema=None) as batch_op:
        batch_op.drop_index(
            "ux_settlement_run_final_year",
            postgresql_where=sa.text("status = 'final' AND kind = 'settlement'"),
            sqlite_where=sa.text("status = 'final' AND kind = 'settlement'"),
        )
        batch_op.drop_index(batch_op.f("ix_settlement_run_fingerprint"))

    op.drop_table("settlement_run")
