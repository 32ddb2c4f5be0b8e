"""invoices of final runs, numbered per creditor and year, append-only (contract §8)

``invoice``: one row per (debtor, creditor) pair with a total other than 0.00 of a run that
became final, numbered ``AGB-YYYY-NNNN`` by ``(creditor_agb, year, seq)`` (the primary key; the
service takes the lock ``spreiding.invoices.<year>`` before it reads the last number, so two
finalisations never take the same number and none is skipped). Like the event log (0010) the
table only grows: the database refuses UPDATE, DELETE and TRUNCATE, on PostgreSQL and SQLite
alike, and an INSERT for a run that is not final (a draft has no invoice). On PostgreSQL the
application's role ``spreiding_app`` may only SELECT and INSERT it.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

APP_ROLE = "spreiding_app"
ISSUED = "an issued invoice cannot be changed"
DRAFT = "a run that is not final has no invoice"


def _postgres_functions(schema: str) -> list[str]:
    options = f"LANGUAGE plpgsql SET search_path = {schema}, pg_temp"
    return [
        f"""
CREATE OR REPLACE FUNCTION spreiding_refuse_invoice_change() RETURNS trigger {options} AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        RAISE EXCEPTION '{ISSUED}: TRUNCATE refused' USING ERRCODE = 'restrict_violation';
    END IF;
    RAISE EXCEPTION '{ISSUED}: % of invoice % refused', TG_OP, OLD.number
        USING ERRCODE = 'restrict_violation';
END $$;
""",
        f"""
CREATE OR REPLACE FUNCTION spreiding_refuse_draft_invoice() RETURNS trigger {options} AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM settlement_run
                   WHERE run_id = NEW.run_id AND status = 'final') THEN
        RAISE EXCEPTION '{DRAFT}: run %', NEW.run_id USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END $$;
""",
    ]


POSTGRES_TRIGGERS = (
    "CREATE TRIGGER invoice_issued BEFORE UPDATE OR DELETE ON invoice "
    "FOR EACH ROW EXECUTE FUNCTION spreiding_refuse_invoice_change()",
    "CREATE TRIGGER invoice_no_truncate BEFORE TRUNCATE ON invoice "
    "FOR EACH STATEMENT EXECUTE FUNCTION spreiding_refuse_invoice_change()",
    "CREATE TRIGGER invoice_final_run BEFORE INSERT ON invoice "
    "FOR EACH ROW EXECUTE FUNCTION spreiding_refuse_draft_invoice()",
)


def _refuse(message: str) -> str:
    return f"BEGIN SELECT RAISE(ABORT, '{message}'); END"


SQLITE_TRIGGERS = {
    "invoice_no_update": "BEFORE UPDATE ON invoice " + _refuse(f"{ISSUED}: UPDATE"),
    "invoice_no_delete": "BEFORE DELETE ON invoice " + _refuse(f"{ISSUED}: DELETE"),
    # INSERT OR REPLACE under a taken number would delete that invoice first.
    "invoice_no_replace": "BEFORE INSERT ON invoice WHEN EXISTS (SELECT 1 FROM invoice "
    "WHERE (creditor_agb = NEW.creditor_agb AND year = NEW.year AND seq = NEW.seq) "
    "OR number = NEW.number "
    "OR (run_id = NEW.run_id AND debtor_agb = NEW.debtor_agb "
    "AND creditor_agb = NEW.creditor_agb)) " + _refuse(f"{ISSUED}: that number is taken"),
    "invoice_final_run": "BEFORE INSERT ON invoice WHEN NOT EXISTS (SELECT 1 FROM "
    "settlement_run WHERE run_id = NEW.run_id AND status = 'final') " + _refuse(DRAFT),
}


def _schema() -> str:
    bind = op.get_bind()
    schema = bind.exec_driver_sql("SELECT current_schema()").scalar_one()
    return str(bind.dialect.identifier_preparer.quote(schema))


def upgrade() -> None:
    op.create_table(
        "invoice",
        sa.Column("creditor_agb", sa.String(length=8), nullable=False),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("debtor_agb", sa.String(length=8), nullable=False),
        sa.Column("invoice_date", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("term_days", sa.Integer(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("hours_cents", sa.BigInteger(), nullable=False),
        sa.Column("costs_cents", sa.BigInteger(), nullable=False),
        sa.Column("vat_cents", sa.BigInteger(), nullable=False),
        sa.Column("total_cents", sa.BigInteger(), nullable=False),
        sa.Column("payment_seq", sa.Integer(), nullable=True),
        sa.Column("issued_at", sa.String(length=32), nullable=False),
        sa.Column("issued_by", sa.String(length=200), nullable=False),
        sa.CheckConstraint("seq > 0", name="ck_invoice_seq"),
        sa.CheckConstraint("total_cents <> 0", name="ck_invoice_total"),
        sa.CheckConstraint("kind IN ('invoice', 'credit_note')", name="ck_invoice_kind"),
        sa.ForeignKeyConstraint(["run_id"], ["settlement_run.run_id"]),
        sa.PrimaryKeyConstraint("creditor_agb", "year", "seq"),
    )
    op.create_index("ux_invoice_number", "invoice", ["number"], unique=True)
    op.create_index(
        "ux_invoice_pair", "invoice", ["run_id", "debtor_agb", "creditor_agb"], unique=True
    )
    op.create_index("ix_invoice_debtor", "invoice", ["debtor_agb"])
    if op.get_bind().dialect.name == "postgresql":
        for function in _postgres_functions(_schema()):
            op.execute(function)
        for statement in POSTGRES_TRIGGERS:
            op.execute(statement)
        op.execute(f"REVOKE ALL ON invoice FROM {APP_ROLE}")
        op.execute(f"GRANT SELECT, INSERT ON invoice TO {APP_ROLE}")
    else:
        for name, body in SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION spreiding_refuse_invoice_change() CASCADE")
        op.execute("DROP FUNCTION spreiding_refuse_draft_invoice() CASCADE")
    else:
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER {name}")
    op.drop_index("ix_invoice_debtor", table_name="invoice")
    op.drop_index("ux_invoice_pair", table_name="invoice")
    op.drop_index("ux_invoice_number", table_name="invoice")
    op.drop_table("invoice")
