"""final runs hold against every write: rows moved in, REPLACE, a role that can switch it off

Migration 0002 checked a changed row's *old* run only, so ``UPDATE settlement_line SET run_id
= <final run>`` moved a draft's line into a final run; and SQLite's REPLACE deletes the row it
replaces without firing DELETE triggers. Now, on PostgreSQL and SQLite alike:

- a child row is refused if its old *or* new run is final;
- a run is inserted as a draft (only finalising makes it final) and its id never changes;
- SQLite: an insert under a final run's id, or a second final run of a year or corrected run,
  is refused by a trigger before REPLACE could delete the final row, so a client that opens
  the file without the application's ``PRAGMA recursive_triggers`` cannot do it either.

The same inputs give one run, enforced by unique indexes (parallel callers each inserted their
own before): one draft settlement per fingerprint, one draft correction per fingerprint and
corrected run, one audit run per fingerprint. Duplicates stored before this migration are
identical by construction (same fingerprint, same inputs); all but the oldest are deleted.

PostgreSQL: the application connects as a member of the role ``spreiding_app`` (created here
if missing), which may read and write rows (SELECT, INSERT, UPDATE, DELETE on the tables, USAGE
on the sequences, only SELECT on ``alembic_version``) and nothing else: it owns nothing, so it
can neither disable a trigger, truncate, drop nor alter a table; the role that runs the
migrations owns the schema. Tables created by later migrations get the same grants (default
privileges). docs/operations.md gives the set-up.

The PostgreSQL trigger functions resolve table names in their own schema only (a fixed
``search_path`` with ``pg_temp`` last): otherwise a session could shadow ``settlement_run``
with an empty temporary table and every check would find no final run.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
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
BORN_DRAFT = "a settlement run is stored as a draft and only finalising makes it final"
SAME_ID = "the id of a settlement run cannot change"
ONE_FINAL = "a final run already exists for this year or corrected run"


def _postgres_functions(schema: str) -> str:
    # The error code of 0002 (restrict_violation), so callers see an IntegrityError as before.
    options = f"LANGUAGE plpgsql SET search_path = {schema}, pg_temp"
    return f"""
CREATE OR REPLACE FUNCTION spreiding_refuse_final_run() RETURNS trigger {options} AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.status <> 'draft' THEN
            RAISE EXCEPTION '{BORN_DRAFT} (run %)', NEW.run_id USING ERRCODE = 'restrict_violation';
        END IF;
        RETURN NEW;
    END IF;
    IF OLD.status = 'final' THEN
        RAISE EXCEPTION '{MESSAGE} (run %)', OLD.run_id USING ERRCODE = 'restrict_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    IF NEW.run_id <> OLD.run_id THEN
        RAISE EXCEPTION '{SAME_ID} (run %)', OLD.run_id USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION spreiding_refuse_final_child() RETURNS trigger {options} AS $$
BEGIN
    IF TG_OP <> 'INSERT'
       AND EXISTS (SELECT 1 FROM settlement_run WHERE run_id = OLD.run_id AND status = 'final') THEN
        RAISE EXCEPTION '{MESSAGE} (run %)', OLD.run_id USING ERRCODE = 'restrict_violation';
    END IF;
    IF TG_OP <> 'DELETE'
       AND EXISTS (SELECT 1 FROM settlement_run WHERE run_id = NEW.run_id AND status = 'final') THEN
        RAISE EXCEPTION '{MESSAGE} (run %)', NEW.run_id USING ERRCODE = 'restrict_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION spreiding_refuse_truncate() RETURNS trigger {options} AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM settlement_run WHERE status = 'final') THEN
        RAISE EXCEPTION '{MESSAGE} (truncate)' USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NULL;
END $$;
"""


def _refuse(message: str) -> str:
    return f"BEGIN SELECT RAISE(ABORT, '{message}'); END"


def _final(row: str) -> str:
    return f"(SELECT status FROM settlement_run WHERE run_id = {row}.run_id) = 'final'"


SQLITE_TRIGGERS = {
    **{
        f"{table}_final_update_new": f"BEFORE UPDATE ON {table} WHEN {_final('NEW')} "
        + _refuse(MESSAGE)
        for table in CHILDREN
    },
    # REPLACE under a final run's id would delete it first: refused before it can.
    "settlement_run_insert": "BEFORE INSERT ON settlement_run WHEN NEW.status <> 'draft' "
    "OR EXISTS (SELECT 1 FROM settlement_run WHERE run_id = NEW.run_id AND status = 'final') "
    + _refuse(BORN_DRAFT),
    "settlement_run_same_id": "BEFORE UPDATE OF run_id ON settlement_run "
    "WHEN NEW.run_id IS NOT OLD.run_id " + _refuse(SAME_ID),
    # The unique indexes of 0002 would let UPDATE OR REPLACE delete the existing final run.
    "settlement_run_one_final": "BEFORE UPDATE ON settlement_run WHEN NEW.status = 'final' "
    "AND EXISTS (SELECT 1 FROM settlement_run f WHERE f.status = 'final' "
    "AND f.run_id <> OLD.run_id AND f.kind = NEW.kind AND ("
    "(NEW.kind = 'settlement' AND f.year = NEW.year) "
    "OR (NEW.kind = 'correction' AND f.corrects_run_id = NEW.corrects_run_id))) "
    + _refuse(ONE_FINAL),
}


# Runs the same inputs may reuse (``spreiding.services.runs``), and what "the same" means.
DRAFT_SETTLEMENT = "kind = 'settlement' AND status = 'draft'"
DRAFT_CORRECTION = "kind = 'correction' AND status = 'draft'"
ONE_RUN_INDEXES = (
    ("ux_settlement_run_draft_settlement", "settlement_run", ["fingerprint"], DRAFT_SETTLEMENT),
    (
        "ux_settlement_run_draft_correction",
        "settlement_run",
        ["corrects_run_id", "fingerprint"],
        DRAFT_CORRECTION,
    ),
    ("ux_audit_run_fingerprint", "audit_run", ["fingerprint"], None),
)
LATER_DRAFTS = """
SELECT r.run_id FROM settlement_run r
WHERE r.status = 'draft' AND EXISTS (
    SELECT 1 FROM settlement_run o
    WHERE o.status = 'draft' AND o.kind = r.kind AND o.fingerprint = r.fingerprint
      AND (o.corrects_run_id = r.corrects_run_id
           OR (o.corrects_run_id IS NULL AND r.corrects_run_id IS NULL))
      AND o.run_id < r.run_id)
"""
LATER_AUDITS = """
SELECT r.run_id FROM audit_run r
WHERE EXISTS (
    SELECT 1 FROM audit_run o WHERE o.fingerprint = r.fingerprint AND o.run_id < r.run_id)
"""


def _one_run_per_input() -> None:
    later_drafts = [row[0] for row in op.get_bind().execute(sa.text(LATER_DRAFTS))]
    later_audits = [row[0] for row in op.get_bind().execute(sa.text(LATER_AUDITS))]
    for tables, ids in (
        ((*CHILDREN, "settlement_run"), later_drafts),
        (("audit_finding", "audit_run"), later_audits),
    ):
        for table in tables:
            for start in range(0, len(ids), 1000):
                op.get_bind().execute(
                    sa.text(f"DELETE FROM {table} WHERE run_id IN :ids").bindparams(
                        sa.bindparam("ids", expanding=True)
                    ),
                    {"ids": ids[start : start + 1000]},
                )
    op.drop_index("ix_audit_run_fingerprint", table_name="audit_run")
    for name, table, columns, where in ONE_RUN_INDEXES:
        condition = None if where is None else sa.text(where)
        op.create_index(
            name,
            table,
            columns,
            unique=True,
            postgresql_where=condition,
            sqlite_where=condition,
        )


APP_ROLE = "spreiding_app"
CREATE_APP_ROLE = f"""
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN
        CREATE ROLE {APP_ROLE} NOLOGIN;
    END IF;
EXCEPTION
    -- created meanwhile by the migration of another database of the same server
    WHEN duplicate_object OR unique_violation THEN NULL;
    WHEN insufficient_privilege THEN
        RAISE EXCEPTION 'role {APP_ROLE} does not exist and % may not create it', current_user
            USING HINT = 'CREATE ROLE {APP_ROLE} NOLOGIN; as a superuser (docs/operations.md)',
                  ERRCODE = 'insufficient_privilege';
END $$
"""
TABLE_RIGHTS = "SELECT, INSERT, UPDATE, DELETE"


def _app_role_grants(schema: str) -> list[str]:
    return [
        CREATE_APP_ROLE,
        # Nobody else creates objects next to ours (a function or operator in this schema could
        # stand in for one the triggers call).
        f"REVOKE CREATE ON SCHEMA {schema} FROM PUBLIC",
        f"GRANT USAGE ON SCHEMA {schema} TO {APP_ROLE}",
        f"GRANT {TABLE_RIGHTS} ON ALL TABLES IN SCHEMA {schema} TO {APP_ROLE}",
        f"REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM {APP_ROLE}",
        f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA {schema} TO {APP_ROLE}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT {TABLE_RIGHTS} ON TABLES TO {APP_ROLE}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT USAGE ON SEQUENCES TO {APP_ROLE}",
    ]


def _app_role_revokes(schema: str) -> list[str]:
    return [
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} REVOKE USAGE ON SEQUENCES FROM {APP_ROLE}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} REVOKE {TABLE_RIGHTS} ON TABLES "
        f"FROM {APP_ROLE}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {APP_ROLE}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {APP_ROLE}",
        f"REVOKE USAGE ON SCHEMA {schema} FROM {APP_ROLE}",
    ]


def _schema() -> str:
    bind = op.get_bind()
    schema = bind.exec_driver_sql("SELECT current_schema()").scalar_one()
    return str(bind.dialect.identifier_preparer.quote(schema))


def upgrade() -> None:
    _one_run_per_input()
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        schema = _schema()
        op.execute(_postgres_functions(schema))
        for statement in _app_role_grants(schema):
            op.execute(statement)
        op.execute("DROP TRIGGER settlement_run_final ON settlement_run")
        op.execute(
            "CREATE TRIGGER settlement_run_final BEFORE INSERT OR UPDATE OR DELETE "
            "ON settlement_run FOR EACH ROW EXECUTE FUNCTION spreiding_refuse_final_run()"
        )
    else:
        for name, body in SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")


def downgrade() -> None:
    for name, table, _columns, _where in ONE_RUN_INDEXES:
        op.drop_index(name, table_name=table)
    op.create_index("ix_audit_run_fingerprint", "audit_run", ["fingerprint"])
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        from importlib import import_module

        previous = import_module("spreiding.store.migrations.versions.0002_settlement_runs")
        # The role stays: other databases of the server may use it.
        for statement in _app_role_revokes(_schema()):
            op.execute(statement)
        op.execute("DROP TRIGGER settlement_run_final ON settlement_run")
        op.execute("DROP FUNCTION spreiding_refuse_final_run()")
        op.execute("DROP FUNCTION spreiding_refuse_final_child() CASCADE")
        op.execute("DROP FUNCTION spreiding_refuse_truncate() CASCADE")
        op.execute(previous.POSTGRES_FUNCTIONS)
        for statement in previous._postgres_triggers():
            op.execute(statement)
    else:
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER {name}")
