"""The event log (append-only, hash-chained) and payments registered against netting payments

``event_log``: one row per state change (``spreiding.domain.events``), numbered from 1 without
gaps by ``seq``, each with the SHA-256 chaining it to the one before. The database refuses
UPDATE, DELETE and TRUNCATE on it, on PostgreSQL and SQLite alike (as migrations 0002 and 0007
do for final runs); on SQLite an INSERT under a number that is taken is refused by a trigger
before REPLACE could delete the row it would replace, also for a client that opens the file
without the application's ``PRAGMA recursive_triggers``.

PostgreSQL: the application's role ``spreiding_app`` may only SELECT and INSERT the log (its
default privileges of 0007 would also give it UPDATE and DELETE: taken back here), so even
with the triggers gone it could not change a row; the owner alone could drop the triggers.

``registered_payment``: a payment (date, amount in cents, reference) against one netting
payment ``(run_id, seq)`` of ``settlement_payment``; a reference is registered once per netting
payment (unique index).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

APP_ROLE = "spreiding_app"
APPEND_ONLY = "the event log is append-only"


def _postgres_function(schema: str) -> str:
    options = f"LANGUAGE plpgsql SET search_path = {schema}, pg_temp"
    return f"""
CREATE OR REPLACE FUNCTION spreiding_refuse_event_change() RETURNS trigger {options} AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        RAISE EXCEPTION '{APPEND_ONLY}: TRUNCATE refused' USING ERRCODE = 'restrict_violation';
    END IF;
    RAISE EXCEPTION '{APPEND_ONLY}: % of event % refused', TG_OP, OLD.seq
        USING ERRCODE = 'restrict_violation';
END $$;
"""


POSTGRES_TRIGGERS = (
    "CREATE TRIGGER event_log_append_only BEFORE UPDATE OR DELETE ON event_log "
    "FOR EACH ROW EXECUTE FUNCTION spreiding_refuse_event_change()",
    "CREATE TRIGGER event_log_no_truncate BEFORE TRUNCATE ON event_log "
    "FOR EACH STATEMENT EXECUTE FUNCTION spreiding_refuse_event_change()",
)


def _refuse(message: str) -> str:
    return f"BEGIN SELECT RAISE(ABORT, '{message}'); END"


SQLITE_TRIGGERS = {
    "event_log_no_update": "BEFORE UPDATE ON event_log " + _refuse(f"{APPEND_ONLY}: UPDATE"),
    "event_log_no_delete": "BEFORE DELETE ON event_log " + _refuse(f"{APPEND_ONLY}: DELETE"),
    # INSERT OR REPLACE under a taken number would delete that event first.
    "event_log_no_replace": "BEFORE INSERT ON event_log "
    "WHEN EXISTS (SELECT 1 FROM event_log WHERE seq = NEW.seq) "
    + _refuse(f"{APPEND_ONLY}: that event number is taken"),
}


def _schema() -> str:
    bind = op.get_bind()
    schema = bind.exec_driver_sql("SELECT current_schema()").scalar_one()
    return str(bind.dialect.identifier_preparer.quote(schema))


def upgrade() -> None:
    op.create_table(
        "event_log",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("at", sa.String(length=32), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("tenant", sa.String(length=8), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("hospitals", sa.Text(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
    )
    op.create_index("ix_event_log_kind_subject", "event_log", ["kind", "subject"])
    op.create_table(
        "registered_payment",
        sa.Column("payment_id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("from_agb", sa.String(length=8), nullable=False),
        sa.Column("to_agb", sa.String(length=8), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("reference", sa.String(length=200), nullable=False),
        sa.Column("registered_at", sa.String(length=32), nullable=False),
        sa.Column("registered_by", sa.String(length=200), nullable=False),
        sa.CheckConstraint("amount_cents > 0", name="ck_registered_payment_amount"),
        sa.ForeignKeyConstraint(
            ["run_id", "seq"], ["settlement_payment.run_id", "settlement_payment.seq"]
        ),
        sa.PrimaryKeyConstraint("payment_id"),
    )
    op.create_index(
        "ux_registered_payment_reference",
        "registered_payment",
        ["run_id", "seq", "reference"],
        unique=True,
    )
    op.create_index("ix_registered_payment_from", "registered_payment", ["from_agb"])
    op.create_index("ix_registered_payment_to", "registered_payment", ["to_agb"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_postgres_function(_schema()))
        for statement in POSTGRES_TRIGGERS:
            op.execute(statement)
        op.execute(f"REVOKE ALL ON event_log FROM {APP_ROLE}")
        op.execute(f"GRANT SELECT, INSERT ON event_log TO {APP_ROLE}")
        op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON registered_payment TO {APP_ROLE}")
        op.execute(f"GRANT USAGE ON SEQUENCE registered_payment_payment_id_seq TO {APP_ROLE}")
    else:
        for name, body in SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION spreiding_refuse_event_change() CASCADE")
    else:
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER {name}")
    op.drop_index("ix_registered_payment_to", table_name="registered_payment")
    op.drop_index("ix_registered_payment_from", table_name="registered_payment")
    op.drop_index("ux_registered_payment_reference", table_name="registered_payment")
    op.drop_table("registered_payment")
    op.drop_index("ix_event_log_kind_subject", table_name="event_log")
    op.drop_table("event_log")
