"""the declarations' patient index dropped: no query reads it, every import paid for it

``ix_declaration_patient`` (``uzovi, patient_ref``, migration 0001) was made for look-ups of
a patient's declarations that the application never came to make: the audit reads a year's
declarations whole (``store.datasets.load_audit_inputs``) and groups them in memory, and the
one listing of declarations (``GET /data/declarations``) filters by hospital or insurer and
orders by ``declaration_id``, which the primary key serves. Yet each stored line was inserted
into it at a random place: on PostgreSQL about 4 of the 7 seconds the server spent on a COPY of
1,000,000 lines (after migration 0016), and on SQLite a sort of every row at the end of an
import. Plain DROP and CREATE INDEX (no batch copy, which on SQLite would drop the triggers of
migration 0002); no row is rewritten.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_declaration_patient", table_name="declaration")


def downgrade() -> None:
    op.create_index("ix_declaration_patient", "declaration", ["uzovi", "patient_ref"])
