"""contract v2 inputs: hospital iban/address, a DBC's uzovi, hours, the v2 agreement fields

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# Plain ADD COLUMN and CREATE TABLE only (no batch copy, which on SQLite would drop the
# triggers of migration 0002); a column added to an existing table is nullable or has a
# server default, so stored v1 rows read as they did (price_year 'end', payment term 30 days).

APP_ROLE = "spreiding_app"  # migration 0007
NEW_TABLES = ("settlement_ceiling", "secondment_rate", "agreement_cost", "cost_key", "hours")
CARE_TYPE_KEY = (["agreement_id", "care_type"], ["care_type.agreement_id", "care_type.care_type"])


def upgrade() -> None:
    op.add_column("hospital", sa.Column("iban", sa.String(length=34), nullable=True))
    op.add_column("hospital", sa.Column("address", sa.String(), nullable=True))
    op.add_column("dbc", sa.Column("uzovi", sa.String(length=4), nullable=True))
    op.add_column(
        "agreement",
        sa.Column("payment_term_days", sa.Integer(), server_default="30", nullable=False),
    )
    for column in (
        sa.Column("price_year", sa.String(length=8), server_default="end", nullable=False),
        sa.Column("share_above_ceiling", sa.String(), nullable=True),
        sa.Column("planned_weekly", sa.Integer(), nullable=True),
        sa.Column("otherwise_method", sa.String(length=32), nullable=True),
        sa.Column("otherwise_price_list", sa.String(), nullable=True),
        sa.Column("otherwise_share", sa.String(), nullable=True),
        sa.Column("otherwise_fee_cents", sa.BigInteger(), nullable=True),
        sa.Column("otherwise_price_year", sa.String(length=8), nullable=True),
        sa.Column("otherwise_share_above_ceiling", sa.String(), nullable=True),
    ):
        op.add_column("care_type", column)
    op.create_table(
        "settlement_ceiling",
        sa.Column("agreement_id", sa.String(), nullable=False),
        sa.Column("care_type", sa.String(), nullable=False),
        sa.Column("terms", sa.String(length=16), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("dbcs", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(*CARE_TYPE_KEY),
        sa.PrimaryKeyConstraint("agreement_id", "care_type", "terms", "year"),
    )
    op.create_table(
        "secondment_rate",
        sa.Column("agreement_id", sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("rate_cents", sa.BigInteger(), nullable=False),
        sa.Column("vat_rate", sa.String(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["agreement_id"], ["agreement.agreement_id"]),
        sa.PrimaryKeyConstraint("agreement_id", "position"),
    )
    op.create_table(
        "agreement_cost",
        sa.Column("agreement_id", sa.String(), nullable=False),
        sa.Column("cost_id", sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("description", sa.String(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("paid_by", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(["agreement_id"], ["agreement.agreement_id"]),
        sa.ForeignKeyConstraint(["paid_by"], ["hospital.agb"]),
        sa.PrimaryKeyConstraint("agreement_id", "cost_id"),
    )
    op.create_table(
        "cost_key",
        sa.Column("agreement_id", sa.String(), nullable=False),
        sa.Column("cost_id", sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("agb", sa.String(length=8), nullable=False),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id", "cost_id"], ["agreement_cost.agreement_id", "agreement_cost.cost_id"]
        ),
        sa.ForeignKeyConstraint(["agb"], ["hospital.agb"]),
        sa.PrimaryKeyConstraint("agreement_id", "cost_id", "position"),
    )
    op.create_table(
        "hours",
        sa.Column("hours_id", sa.String(), nullable=False),
        sa.Column("agreement_id", sa.String(), nullable=False),
        sa.Column("employer_agb", sa.String(length=8), nullable=False),
        sa.Column("host_agb", sa.String(length=8), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("work_date", sa.Date(), nullable=False),
        sa.Column("hours_hundredths", sa.Integer(), nullable=False),
        sa.Column("person_ref", sa.String(), nullable=True),
        sa.Column("care_type", sa.String(), nullable=True),
        sa.Column("specialism", sa.String(length=4), nullable=True),
        sa.ForeignKeyConstraint(["agreement_id"], ["agreement.agreement_id"]),
        sa.ForeignKeyConstraint(*CARE_TYPE_KEY),
        sa.ForeignKeyConstraint(["employer_agb"], ["hospital.agb"]),
        sa.ForeignKeyConstraint(["host_agb"], ["hospital.agb"]),
        sa.PrimaryKeyConstraint("hours_id"),
    )
    if op.get_bind().dialect.name == "postgresql":
        # As 0008: 0007's default privileges cover only tables created by the role that ran it.
        for table in NEW_TABLES:
            op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO {APP_ROLE}")


def downgrade() -> None:
    op.drop_table("hours")
    op.drop_table("cost_key")
    op.drop_table("agreement_cost")
    op.drop_table("secondment_rate")
    op.drop_table("settlement_ceiling")
    for column in (
        "otherwise_share_above_ceiling",
        "otherwise_price_year",
        "otherwise_fee_cents",
        "otherwise_share",
        "otherwise_price_list",
        "otherwise_method",
        "planned_weekly",
        "share_above_ceiling",
        "price_year",
    ):
        op.drop_column("care_type", column)
    op.drop_column("agreement", "payment_term_days")
    op.drop_column("dbc", "uzovi")
    op.drop_column("hospital", "address")
    op.drop_column("hospital", "iban")
