"""Migrations 0016 and 0017: a declaration's hospital and insurer checked per statement; the
unread patient index gone.

On PostgreSQL the two foreign keys of ``declaration`` became triggers that check a statement's
rows together (a COPY of a million lines: one look-up per distinct hospital and insurer, not
two queries a row). What the foreign keys refused is refused still, on both databases: a
declaration naming an unknown hospital or insurer (inserted, copied or updated), a hospital or
insurer deleted or re-keyed under its declarations; and a party an import has named stays
locked until the import ends."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from spreiding.store.database import downgrade, migrate
from tests.test_trust_db import unmigrated

__all__ = ["unmigrated"]

DECLARATION = (
    "INSERT INTO declaration (declaration_id, agb, uzovi, patient_ref, zorgproduct_code, "
    "start_date, end_date, amount_cents, declared_on) VALUES "
    "(:id, :agb, :uzovi, 'P1', '131999001', '2024-01-02', '2024-02-01', 12345, '2024-03-01')"
)


@pytest.fixture
def parties(unmigrated: Engine) -> Iterator[Engine]:
    """The migrated database with hospitals A and B, insurers 3311 and 3312, and one
    declaration of A at 3311."""
    migrate(unmigrated)
    with unmigrated.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO hospital (agb, name, kind) VALUES "
                "('06010101', 'A', 'umc'), ('06020202', 'B', 'general')"
            )
        )
        connection.execute(
            text("INSERT INTO insurer (uzovi, name) VALUES ('3311', 'X'), ('3312', 'Y')")
        )
        connection.execute(text(DECLARATION), {"id": "D1", "agb": "06010101", "uzovi": "3311"})
    yield unmigrated


def _refused(engine: Engine, statement: str, **values: str) -> str:
    """The message of the IntegrityError ``statement`` raises; nothing of it stays."""
    with pytest.raises(IntegrityError) as raised, engine.begin() as connection:
        connection.execute(text(statement), values)
    return str(raised.value.orig)


def _declarations(engine: Engine) -> list[tuple[str, str, str]]:
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT declaration_id, agb, uzovi FROM declaration ORDER BY declaration_id")
        )
        return [(r[0], r[1], r[2]) for r in rows]


def test_a_declaration_of_an_unknown_hospital_or_insurer_is_refused(parties: Engine) -> None:
    postgres = parties.dialect.name == "postgresql"
    message = _refused(parties, DECLARATION, id="D2", agb="09999999", uzovi="3311")
    if postgres:  # the foreign key's own words, with the smallest missing key
        assert 'violates foreign key constraint "declaration_agb_fkey"' in message
        assert 'Key (agb)=(09999999) is not present in table "hospital"' in message
    message = _refused(parties, DECLARATION, id="D2", agb="06010101", uzovi="9999")
    if postgres:
        assert 'Key (uzovi)=(9999) is not present in table "insurer"' in message
    # One statement of many rows, one of them unknown: the whole statement is refused.
    many = (
        "INSERT INTO declaration (declaration_id, agb, uzovi, patient_ref, zorgproduct_code, "
        "start_date, end_date, amount_cents, declared_on) SELECT 'D' || n, CASE WHEN n = 40 "
        "THEN '07777777' ELSE '06020202' END, '3312', 'P1', '131999001', start_date, end_date, "
        "amount_cents, declared_on FROM declaration, generate_series(2, 50) AS n"
    )
    if postgres:
        message = _refused(parties, many)
        assert "Key (agb)=(07777777)" in message
    else:  # SQLite has no generate_series by default: the same rule, row by row
        _refused(parties, DECLARATION, id="D40", agb="07777777", uzovi="3312")
    # An update that names an unknown party is refused too.
    _refused(parties, "UPDATE declaration SET agb = '08888888'")
    _refused(parties, "UPDATE declaration SET uzovi = '0001'")
    assert _declarations(parties) == [("D1", "06010101", "3311")]
    # Known parties are accepted, by insert and by update.
    with parties.begin() as connection:
        connection.execute(text(DECLARATION), {"id": "D2", "agb": "06020202", "uzovi": "3312"})
        connection.execute(
            text("UPDATE declaration SET uzovi = '3312' WHERE declaration_id = 'D1'")
        )
    assert _declarations(parties) == [("D1", "06010101", "3312"), ("D2", "06020202", "3312")]


def test_a_hospital_or_insurer_with_declarations_cannot_be_deleted_or_rekeyed(
    parties: Engine,
) -> None:
    postgres = parties.dialect.name == "postgresql"
    message = _refused(parties, "DELETE FROM hospital WHERE agb = '06010101'")
    if postgres:
        assert 'violates foreign key constraint "declaration_agb_fkey"' in message
        assert 'Key (agb)=(06010101) is still referenced from table "declaration"' in message
    _refused(parties, "DELETE FROM insurer WHERE uzovi = '3311'")
    _refused(parties, "UPDATE hospital SET agb = '06030303' WHERE agb = '06010101'")
    _refused(parties, "UPDATE insurer SET uzovi = '3313' WHERE uzovi = '3311'")
    with parties.begin() as connection:
        # Other columns of a declared party change freely; undeclared parties go.
        connection.execute(text("UPDATE hospital SET name = 'A2' WHERE agb = '06010101'"))
        if postgres:  # a key set to itself is no change of key
            connection.execute(text("UPDATE insurer SET uzovi = uzovi WHERE uzovi = '3311'"))
        connection.execute(text("DELETE FROM hospital WHERE agb = '06020202'"))
        connection.execute(text("DELETE FROM insurer WHERE uzovi = '3312'"))
    with parties.begin() as connection:
        # Once its declarations are gone, a party may go as well.
        connection.execute(text("DELETE FROM declaration"))
        connection.execute(text("DELETE FROM hospital"))
        connection.execute(text("DELETE FROM insurer"))
    with parties.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM hospital")).scalar_one() == 0


def _postgres(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("the triggers replace PostgreSQL's foreign keys; SQLite keeps its own")


def test_truncating_a_declared_party_is_refused(parties: Engine) -> None:
    _postgres(parties)
    for table in ("hospital", "insurer"):
        refused = pytest.raises(IntegrityError, match="declarations name its rows")
        with refused, parties.begin() as connection:
            connection.execute(text(f"TRUNCATE {table} CASCADE"))
    with parties.begin() as connection:
        connection.execute(text("TRUNCATE declaration"))
        connection.execute(text("TRUNCATE hospital CASCADE"))
    with parties.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM hospital")).scalar_one() == 0


def test_a_party_named_by_an_unfinished_import_cannot_be_deleted_meanwhile(
    parties: Engine,
) -> None:
    """The statement's parties are locked as a foreign key's check locks them: a delete of
    hospital B waits for the transaction that declared at B (here: gives up after 200 ms),
    while hospital A, not named by that transaction, is locked by nobody."""
    _postgres(parties)
    with parties.begin() as connection:
        connection.execute(
            text("INSERT INTO hospital (agb, name, kind) VALUES ('06030303', 'C', 'general')")
        )
    with parties.connect() as importing, importing.begin():
        importing.execute(text(DECLARATION), {"id": "D2", "agb": "06020202", "uzovi": "3312"})
        waited = pytest.raises(DBAPIError, match="lock timeout")
        with waited, parties.begin() as deleting:
            deleting.execute(text("SET LOCAL lock_timeout = '200ms'"))
            deleting.execute(text("DELETE FROM hospital WHERE agb = '06020202'"))
        with parties.begin() as deleting:
            deleting.execute(text("SET LOCAL lock_timeout = '200ms'"))
            deleting.execute(text("DELETE FROM hospital WHERE agb = '06030303'"))
    # After the import's commit, B's delete finds the declaration and is refused.
    _refused(parties, "DELETE FROM hospital WHERE agb = '06020202'")


def test_a_party_is_removed_in_read_committed_only(parties: Engine) -> None:
    """A deleting transaction in REPEATABLE READ whose snapshot predates an import would not
    see the import's declarations (a foreign key would): such a delete or re-key is refused,
    of a party with declarations or without, while READ COMMITTED deletes an undeclared one."""
    _postgres(parties)
    for level in ("REPEATABLE READ", "SERIALIZABLE"):
        isolated = parties.execution_options(isolation_level=level)
        with pytest.raises(DBAPIError, match="read committed only"), isolated.begin() as c:
            c.execute(text("DELETE FROM hospital WHERE agb = '06020202'"))
        with pytest.raises(DBAPIError, match="read committed only"), isolated.begin() as c:
            c.execute(text("UPDATE insurer SET uzovi = '3399' WHERE uzovi = '3312'"))
    # The race it closes: the snapshot taken, a declaration of B committed by another
    # transaction, then B deleted by the first.
    isolated = parties.execution_options(isolation_level="REPEATABLE READ")
    with pytest.raises(DBAPIError, match="read committed only"), isolated.begin() as c:
        c.execute(text("SELECT 1 FROM insurer LIMIT 1"))
        with parties.begin() as importing:
            importing.execute(text(DECLARATION), {"id": "D9", "agb": "06020202", "uzovi": "3312"})
        c.execute(text("DELETE FROM hospital WHERE agb = '06020202'"))
    assert ("D9", "06020202", "3312") in _declarations(parties)
    with parties.begin() as connection:
        connection.execute(text("DELETE FROM declaration WHERE declaration_id = 'D9'"))
        connection.execute(text("DELETE FROM hospital WHERE agb = '06020202'"))
    with parties.connect() as connection:
        agbs = connection.execute(text("SELECT agb FROM hospital ORDER BY agb")).scalars().all()
    assert agbs == ["06010101"]


def test_migration_0016_goes_back_to_the_foreign_keys_and_forward_again(
    unmigrated: Engine,
) -> None:
    _postgres(unmigrated)

    def keys() -> list[str]:
        return sorted(k["name"] or "" for k in inspect(unmigrated).get_foreign_keys("declaration"))

    def triggers() -> list[str]:
        with unmigrated.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgrelid IN "
                    "('declaration'::regclass, 'hospital'::regclass, 'insurer'::regclass) "
                    "ORDER BY tgname"
                )
            )
            return [r[0] for r in rows]

    migrate(unmigrated, "0016")
    assert keys() == []
    assert len(triggers()) == 8
    downgrade(unmigrated, "0015")
    assert keys() == ["declaration_agb_fkey", "declaration_uzovi_fkey"]
    assert triggers() == []
    migrate(unmigrated, "0016")
    assert keys() == [] and len(triggers()) == 8


def test_migration_0017_drops_the_unread_patient_index_and_goes_back(unmigrated: Engine) -> None:
    def indexes() -> list[str]:
        return sorted(i["name"] or "" for i in inspect(unmigrated).get_indexes("declaration"))

    migrate(unmigrated, "0016")
    assert indexes() == ["ix_declaration_patient"]
    migrate(unmigrated, "0017")
    assert indexes() == []
    downgrade(unmigrated, "0016")
    assert indexes() == ["ix_declaration_patient"]
