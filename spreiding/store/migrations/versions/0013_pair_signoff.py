"""sign-off: each hospital accepts or disputes each of its pairs of a draft run

``pair_signoff``: one row per decision (``accept`` or ``dispute`` with a reason and the line
ids it names); the latest of a hospital for a pair counts, the earlier ones stay as history.
The table only grows (UPDATE, DELETE and TRUNCATE refused on PostgreSQL and SQLite, as for the
event log of 0010 and the invoices of 0012), and no decision is added to a run that is final.
On PostgreSQL ``spreiding_app`` may only SELECT and INSERT it.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

APP_ROLE = "spreiding_app"
KEPT = "a sign-off decision cannot be changed"
FINAL = "the run is final: no more sign-off"


def _postgres_functions(schema: str) -> list[str]:
    options = f"LANGUAGE plpgsql SET search_path = {schema}, pg_temp"
    return [
        f"""
CREATE OR REPLACE FUNCTION spreiding_refuse_signoff_change() RETURNS trigger {options} AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        RAISE EXCEPTION '{KEPT}: TRUNCATE refused' USING ERRCODE = 'restrict_violation';
    END IF;
    RAISE EXCEPTION '{KEPT}: % of sign-off % refused', TG_OP, OLD.signoff_id
        USING ERRCODE = 'restrict_violation';
END $$;
""",
        f"""
CREATE OR REPLACE FUNCTION spreiding_refuse_final_signoff() RETURNS trigger {options} AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM settlement_run WHERE run_id = NEW.run_id AND status = 'final') THEN
        RAISE EXCEPTION '{FINAL}: run %', NEW.run_id USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END $$;
""",
    ]


POSTGRES_TRIGGERS = (
    "CREATE TRIGGER pair_signoff_kept BEFORE UPDATE OR DELETE ON pair_signoff "
    "FOR EACH ROW EXECUTE FUNCTION spreiding_refuse_signoff_change()",
    "CREATE TRIGGER pair_signoff_no_truncate BEFORE TRUNCATE ON pair_signoff "
    "FOR EACH STATEMENT EXECUTE FUNCTION spreiding_refuse_signoff_change()",
    "CREATE TRIGGER pair_signoff_draft_only BEFORE INSERT ON pair_signoff "
    "FOR EACH ROW EXECUTE FUNCTION spreiding_refuse_final_signoff()",
)


def _refuse(message: str) -> str:
    return f"BEGIN SELECT RAISE(ABORT, '{message}'); END"


SQLITE_TRIGGERS = {
    "pair_signoff_no_update": "BEFORE UPDATE ON pair_signoff " + _refuse(f"{KEPT}: UPDATE"),
    "pair_signoff_no_delete": "BEFORE DELETE ON pair_signoff " + _refuse(f"{KEPT}: DELETE"),
    "pair_signoff_no_replace": "BEFORE INSERT ON pair_signoff WHEN EXISTS (SELECT 1 FROM "
    "pair_signoff WHERE signoff_id = NEW.signoff_id) " + _refuse(f"{KEPT}: that id is taken"),
    "pair_signoff_draft_only": "BEFORE INSERT ON pair_signoff WHEN EXISTS (SELECT 1 FROM "
    "settlement_run WHERE run_id = NEW.run_id AND status = 'final') " + _refuse(FINAL),
}


def _schema() -> str:
    bind = op.get_bind()
    schema = bind.exec_driver_sql("SELECT current_schema()").scalar_one()
    return str(bind.dialect.identifier_preparer.quote(schema))


def upgrade() -> None:
    op.create_table(
        "pair_signoff",
        sa.Column("signoff_id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("debtor_agb", sa.String(length=8), nullable=False),
        sa.Column("creditor_agb", sa.String(length=8), nullable=False),
        sa.Column("agb", sa.String(length=8), nullable=False),
        sa.Column("decision", sa.String(length=8), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("lines", sa.Text(), nullable=False),
        sa.Column("at", sa.String(length=32), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.CheckConstraint("decision IN ('accept', 'dispute')", name="ck_pair_signoff_decision"),
        sa.ForeignKeyConstraint(["run_id"], ["settlement_run.run_id"]),
        sa.PrimaryKeyConstraint("signoff_id"),
    )
    op.create_index("ix_pair_signoff_run", "pair_signoff", ["run_id"])
    if op.get_bind().dialect.name == "postgresql":
        for function in _postgres_functions(_schema()):
            op.execute(function)
        for statement in POSTGRES_TRIGGERS:
            op.execute(statement)
        op.execute(f"REVOKE ALL ON pair_signoff FROM {APP_ROLE}")
        op.execute(f"GRANT SELECT, INSERT ON pair_signoff TO {APP_ROLE}")
        op.execute(f"GRANT USAGE ON SEQUENCE pair_signoff_signoff_id_seq TO {APP_ROLE}")
    else:
        for name, body in SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION spreiding_refuse_signoff_change() CASCADE")
        op.execute("DROP FUNCTION spreiding_refuse_final_signoff() CASCADE")
    else:
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER {name}")
    op.drop_index("ix_pair_signoff_run", table_name="pair_signoff")
    op.drop_table("pair_signoff")
