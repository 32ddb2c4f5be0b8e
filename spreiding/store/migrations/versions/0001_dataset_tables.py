"""dataset tables

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agreement",
        sa.Column("agreement_id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("stage", sa.String(length=32), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("parent_id", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("agreement_id"),
    )
    op.create_table(
        "hospital",
        sa.Column("agb", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("agb"),
    )
    op.create_table(
        "insurer",
        sa.Column("uzovi", sa.String(length=4), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("uzovi"),
    )
    op.create_table(
        "price",
        sa.Column("price_list", sa.String(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("zorgproduct_code", sa.String(length=9), nullable=False),
        sa.Column("price_cents", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("price_list", "year", "zorgproduct_code"),
    )
    op.create_table(
        "agreement_party",
        sa.Column("agreement_id", sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("agb", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(
            ["agb"],
            ["hospital.agb"],
        ),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreement.agreement_id"],
        ),
        sa.PrimaryKeyConstraint("agreement_id", "position"),
    )
    op.create_table(
        "care_type",
        sa.Column("agreement_id", sa.String(), nullable=False),
        sa.Column("care_type", sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("performing_agb", sa.String(length=8), nullable=True),
        sa.Column("method", sa.String(length=32), nullable=False),
        sa.Column("price_list", sa.String(), nullable=True),
        sa.Column("share", sa.String(), nullable=True),
        sa.Column("fee_cents", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreement.agreement_id"],
        ),
        sa.ForeignKeyConstraint(
            ["performing_agb"],
            ["hospital.agb"],
        ),
        sa.PrimaryKeyConstraint("agreement_id", "care_type"),
    )
    op.create_table(
        "dbc",
        sa.Column("agb", sa.String(length=8), nullable=False),
        sa.Column("dbc_id", sa.String(), nullable=False),
        sa.Column("patient_ref", sa.String(), nullable=False),
        sa.Column("zorgproduct_code", sa.String(length=9), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("odv", sa.Boolean(), nullable=False),
        sa.Column("requesting_agb", sa.String(length=8), nullable=True),
        sa.Column("primary_dbc_id", sa.String(), nullable=True),
        sa.Column("specialism", sa.String(length=4), nullable=True),
        sa.Column("diagnosis", sa.String(), nullable=True),
        sa.Column("zorgtype", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agb"],
            ["hospital.agb"],
        ),
        sa.ForeignKeyConstraint(
            ["requesting_agb"],
            ["hospital.agb"],
        ),
        sa.PrimaryKeyConstraint("agb", "dbc_id"),
    )
    with op.batch_alter_table("dbc", schema=None) as batch_op:
        batch_op.create_index("ix_dbc_odv_end", ["odv", "end_date"], unique=False)

    op.create_table(
        "declaration",
        sa.Column("declaration_id", sa.String(), nullable=False),
        sa.Column("agb", sa.String(length=8), nullable=False),
        sa.Column("uzovi", sa.String(length=4), nullable=False),
        sa.Column("patient_ref", sa.String(), nullable=False),
        sa.Column("zorgproduct_code", sa.String(length=9), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("declared_on", sa.Date(), nullable=False),
        sa.Column("dbc_id", sa.String(), nullable=True),
        sa.Column("declaratiecode", sa.String(length=6), nullable=True),
        sa.ForeignKeyConstraint(
            ["agb"],
            ["hospital.agb"],
        ),
        sa.ForeignKeyConstraint(
            ["uzovi"],
            ["insurer.uzovi"],
        ),
        sa.PrimaryKeyConstraint("declaration_id"),
    )
    with op.batch_alter_table("declaration", schema=None) as batch_op:
        batch_op.create_index("ix_declaration_patient", ["uzovi", "patient_ref"], unique=False)

    op.create_table(
        "care_type_product",
        sa.Column("agreement_id", sa.String(), nullable=False),
        sa.Column("care_type", sa.String(), nullable=False),
        sa.Column("kind", sa.String(length=5), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=9), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id", "care_type"],
            ["care_type.agreement_id", "care_type.care_type"],
        ),
        sa.PrimaryKeyConstraint("agreement_id", "care_type", "kind", "position"),
    )
    op.create_table(
        "parallel_consent",
        sa.Column("agreement_id", sa.String(), nullable=False),
        sa.Column("care_type", sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("uzovi", sa.String(length=4), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agreement_id", "care_type"],
            ["care_type.agreement_id", "care_type.care_type"],
        ),
        sa.ForeignKeyConstraint(
            ["uzovi"],
            ["insurer.uzovi"],
        ),
        sa.PrimaryKeyConstraint("agreement_id", "care_type", "position"),
    )
    op.create_table(
        "pathway_step",
        sa.Column("agreement_id", sa.String(), nullable=False),
        sa.Column("care_type", sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("phase", sa.String(length=16), nullable=False),
        sa.Column("at", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id", "care_type"],
            ["care_type.agreement_id", "care_type.care_type"],
        ),
        sa.PrimaryKeyConstraint("agreement_id", "care_type", "position"),
    )
    op.create_table(
        "planned_volume",
        sa.Column("agreement_id", sa.String(), nullable=False),
        sa.Column("care_type", sa.String(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("patients", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id", "care_type"],
            ["care_type.agreement_id", "care_type.care_type"],
        ),
        sa.PrimaryKeyConstraint("agreement_id", "care_type", "year"),
    )
    op.create_table(
        "transfer",
        sa.Column("transfer_id", sa.String(), nullable=False),
        sa.Column("agreement_id", sa.String(), nullable=False),
        sa.Column("care_type", sa.String(), nullable=False),
        sa.Column("patient_ref", sa.String(), nullable=False),
        sa.Column("from_agb", sa.String(length=8), nullable=False),
        sa.Column("to_agb", sa.String(length=8), nullable=False),
        sa.Column("transfer_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("phase", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(
            ["agreement_id", "care_type"],
            ["care_type.agreement_id", "care_type.care_type"],
        ),
        sa.ForeignKeyConstraint(
            ["from_agb"],
            ["hospital.agb"],
        ),
        sa.ForeignKeyConstraint(
            ["to_agb"],
            ["hospital.agb"],
        ),
        sa.PrimaryKeyConstraint("transfer_id"),
    )


def downgrade() -> None:
    op.drop_table("transfer")
    op.drop_table("planned_volume")
    op.drop_table("pathway_step")
    op.drop_table("parallel_consent")
    op.drop_table("care_type_product")
    with op.batch_alter_table("declaration", schema=None) as batch_op:
        batch_op.drop_index("ix_declaration_patient")

    op.drop_table("declaration")
    with op.batch_alter_table("dbc", schema=None) as batch_op:
        batch_op.drop_index("ix_dbc_odv_end")

    op.drop_table("dbc")
    op.drop_table("care_type")
    op.drop_table("agreement_party")
    op.drop_table("price")
    op.drop_table("insurer")
    op.drop_table("hospital")
    op.drop_table("agreement")
