"""PostgreSQL: a declaration's hospital and insurer checked once per statement, not once per row

The declarations are the largest table (ten million lines a year is ordinary). On PostgreSQL 15
a foreign key is checked by one query for each inserted row and constraint; for the two foreign
keys of ``declaration`` (``agb`` to ``hospital``, ``uzovi`` to ``insurer``) that was more than
half of an import's time in the server (a COPY of 1,000,000 lines: 15.2 s with them, 6.4 s
without, 7.3 s with the triggers below). The same two rules are now kept by triggers that look
at a statement's rows together:

- after an INSERT or UPDATE statement on ``declaration`` (a COPY is one): the distinct
  hospitals and insurers of the rows it wrote are locked ``FOR KEY SHARE`` — what the foreign
  key's check does for each row, so that nobody deletes them or changes their key before this
  transaction ends — and then looked up; one missing refuses the statement with the foreign
  key's error code (``foreign_key_violation``, an ``IntegrityError`` for SQLAlchemy), naming
  the constraint and the key as PostgreSQL's own message does;
- after a DELETE of a hospital or insurer, or an UPDATE that changes its key, with a
  declaration still naming it: refused the same way (``NO ACTION``, as before);
- a TRUNCATE of ``hospital`` or ``insurer`` while declarations exist: refused (a foreign key
  refused it too, unless the declarations were truncated in the same command: that is refused
  now as well; the application's role may not truncate at all).

Against concurrent writers this holds as the foreign key did: a party deleted by a transaction
that commits while an import waits on its lock is then not found (an import in REPEATABLE READ
or SERIALIZABLE gets a serialization failure instead); one deleted after the import's lock
waits for the import and then finds its declarations. That look-up reads the deleting
transaction's snapshot, which in REPEATABLE READ or SERIALIZABLE can predate the import's
commit (a foreign key checks against a fresh one): so a hospital or insurer is deleted,
re-keyed or truncated in READ COMMITTED only, the isolation the application uses; in the
others it is refused (no path of the application removes one). SQLite keeps its foreign keys
(checked per row there too, but at a cost an import meets its target with). The constraints'
names stay free: the downgrade adds the foreign keys back under them.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

# (the referenced table, its key column = the declaration's column, the former constraint)
PARTIES = (
    ("hospital", "agb", "declaration_agb_fkey"),
    ("insurer", "uzovi", "declaration_uzovi_fkey"),
)


def _check(table: str, column: str, constraint: str) -> str:
    """The body's part for one party: lock the statement's distinct keys, then find one
    that is missing (the smallest, so the message is the same on every run)."""
    return f"""
    PERFORM 1 FROM {table} WHERE {column} IN (SELECT {column} FROM written) FOR KEY SHARE;
    SELECT w.{column} INTO missing FROM (SELECT DISTINCT {column} FROM written) AS w
        WHERE w.{column} IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM {table} AS p WHERE p.{column} = w.{column})
        ORDER BY w.{column} LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'insert or update on table "declaration" violates foreign key '
            'constraint "{constraint}"'
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = '{constraint}',
                  TABLE = 'declaration',
                  DETAIL = format('Key ({column})=(%s) is not present in table "{table}".',
                                  missing);
    END IF;"""


def _postgres_functions(schema: str) -> list[str]:
    # Table names resolve in the application's schema only (as in migration 0007).
    options = f"LANGUAGE plpgsql SET search_path = {schema}, pg_temp"
    checks = "".join(_check(*party) for party in PARTIES)
    functions = [
        f"""
CREATE OR REPLACE FUNCTION spreiding_declaration_parties() RETURNS trigger {options} AS $$
DECLARE
    missing text;
BEGIN{checks}
    RETURN NULL;
END $$;
"""
    ]
    for table, column, constraint in PARTIES:
        functions.append(
            f"""
CREATE OR REPLACE FUNCTION spreiding_{table}_declared() RETURNS trigger {options} AS $$
BEGIN
    -- The look-up below reads the transaction's snapshot: in REPEATABLE READ or SERIALIZABLE
    -- that can predate an import committed meanwhile, which a foreign key's check would still
    -- have seen. So a party is removed or re-keyed in READ COMMITTED only.
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION '% on table "{table}" is refused in % isolation: a hospital or insurer '
            'is removed or re-keyed in read committed only (migration 0016)',
            TG_OP, current_setting('transaction_isolation')
            USING ERRCODE = 'object_not_in_prerequisite_state', TABLE = '{table}';
    END IF;
    IF TG_OP = 'TRUNCATE' THEN
        IF EXISTS (SELECT 1 FROM declaration) THEN
            RAISE EXCEPTION 'cannot truncate table "{table}": declarations name its rows'
                USING ERRCODE = 'foreign_key_violation', TABLE = '{table}';
        END IF;
        RETURN NULL;
    END IF;
    IF EXISTS (SELECT 1 FROM declaration WHERE {column} = OLD.{column}) THEN
        RAISE EXCEPTION 'update or delete on table "{table}" violates foreign key constraint '
            '"{constraint}" on table "declaration"'
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = '{constraint}',
                  TABLE = '{table}',
                  DETAIL = format('Key ({column})=(%s) is still referenced from table '
                                  '"declaration".', OLD.{column});
    END IF;
    RETURN NULL;
END $$;
"""
        )
    return functions


def _postgres_triggers() -> list[str]:
    statements = [
        # A trigger with transition tables has one event; the two share the function.
        "CREATE TRIGGER declaration_parties_inserted AFTER INSERT ON declaration "
        "REFERENCING NEW TABLE AS written "
        "FOR EACH STATEMENT EXECUTE FUNCTION spreiding_declaration_parties()",
        "CREATE TRIGGER declaration_parties_updated AFTER UPDATE ON declaration "
        "REFERENCING NEW TABLE AS written "
        "FOR EACH STATEMENT EXECUTE FUNCTION spreiding_declaration_parties()",
    ]
    for table, column, _constraint in PARTIES:
        function = f"spreiding_{table}_declared()"
        statements += [
            f"CREATE TRIGGER {table}_declared_deleted AFTER DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {function}",
            f"CREATE TRIGGER {table}_declared_rekeyed AFTER UPDATE OF {column} ON {table} "
            f"FOR EACH ROW WHEN (OLD.{column} IS DISTINCT FROM NEW.{column}) "
            f"EXECUTE FUNCTION {function}",
            f"CREATE TRIGGER {table}_declared_truncated BEFORE TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {function}",
        ]
    return statements


def _schema() -> str:
    bind = op.get_bind()
    schema = bind.exec_driver_sql("SELECT current_schema()").scalar_one()
    return str(bind.dialect.identifier_preparer.quote(schema))


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for function in _postgres_functions(_schema()):
        op.execute(function)
    for statement in _postgres_triggers():
        op.execute(statement)
    for _table, _column, constraint in PARTIES:
        op.drop_constraint(constraint, "declaration", type_="foreignkey")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP FUNCTION spreiding_declaration_parties() CASCADE")
    for table, column, constraint in PARTIES:
        op.execute(f"DROP FUNCTION spreiding_{table}_declared() CASCADE")
        op.create_foreign_key(constraint, "declaration", table, [column], [column])
