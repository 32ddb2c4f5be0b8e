"""Sessions of the web pages (``spreiding.services.sessions``) on SQLite and PostgreSQL: started
for an authenticated key, resumed by their token until they end (8 hours, sign-out, or their
key revoked or expired), and forgotten at the next sign-in once ended; only a hash of the token
is stored. Through the pages: ``tests/pages/test_sessions.py``."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Connection, Engine, inspect, text

from spreiding.contract.reader import read_dataset
from spreiding.domain.access import Principal
from spreiding.services import access, sessions
from spreiding.store.database import downgrade, migrate
from spreiding.store.datasets import import_dataset
from spreiding.store.keys import authenticate, create_key
from tests.conftest import V1
from tests.test_trust_db import unmigrated

__all__ = ["unmigrated"]  # a fixture, used by name

ALRIJNE = "06010101"


def stored_hashes(connection: Connection) -> list[str]:
    return list(connection.execute(text("SELECT token_sha256 FROM page_session")).scalars())


def hospital_key(connection: Connection, *, expires_at: datetime | None = None) -> Principal:
    presented = create_key(connection, role="hospital", agb=ALRIJNE, expires_at=expires_at)
    principal = authenticate(connection, presented)
    assert principal is not None
    return principal


@pytest.fixture
def key(connection: Connection) -> Principal:
    """A hospital key over the ``tests/data/v1`` samen-plus sample (rolled back after)."""
    import_dataset(connection, read_dataset(V1 / "samen-plus"))
    return hospital_key(connection)


def test_a_session_is_started_resumed_and_ended(connection: Connection, key: Principal) -> None:
    now = datetime.now(UTC)
    token, started = sessions.start(connection, key, now=now)
    resumed = sessions.resume(connection, token, now=now + timedelta(minutes=5))
    assert resumed == started
    assert resumed is not None and resumed.principal == key
    assert stored_hashes(connection) == [hashlib.sha256(token.encode()).hexdigest()]
    assert sessions.resume(connection, token + "x", now=now) is None
    assert sessions.resume(connection, None, now=now) is None
    sessions.end(connection, token)
    assert sessions.resume(connection, token, now=now) is None
    assert stored_hashes(connection) == []


def test_a_session_ends_after_its_lifetime(connection: Connection, key: Principal) -> None:
    now = datetime.now(UTC)
    token, _ = sessions.start(connection, key, now=now)
    later = now + sessions.LIFETIME
    assert sessions.resume(connection, token, now=later - timedelta(seconds=1)) is not None
    assert sessions.resume(connection, token, now=later) is None


def test_a_revoked_or_expired_key_ends_its_session(connection: Connection, key: Principal) -> None:
    now = datetime.now(UTC)
    brief = hospital_key(connection, expires_at=now + timedelta(hours=1))
    revoked, _ = sessions.start(connection, key, now=now)
    expiring, _ = sessions.start(connection, brief, now=now)
    access.revoke_api_key(connection, key.key_id, now=now)
    assert sessions.resume(connection, revoked, now=now) is None
    assert sessions.resume(connection, expiring, now=now + timedelta(minutes=59)) is not None
    assert sessions.resume(connection, expiring, now=now + timedelta(hours=1)) is None


def test_a_sign_in_forgets_the_sessions_that_have_ended(
    connection: Connection, key: Principal
) -> None:
    now = datetime.now(UTC)
    sessions.start(connection, key, now=now - sessions.LIFETIME)  # ended by its time
    revoked = hospital_key(connection)
    sessions.start(connection, revoked, now=now)
    access.revoke_api_key(connection, revoked.key_id, now=now)  # ended by its key
    token, _ = sessions.start(connection, key, now=now)
    assert stored_hashes(connection) == [hashlib.sha256(token.encode()).hexdigest()]


def test_migration_0014_creates_the_sessions_and_goes_back(unmigrated: Engine) -> None:
    migrate(unmigrated, "0014")
    assert [c["name"] for c in inspect(unmigrated).get_columns("page_session")] == [
        "token_sha256", "key_id", "csrf", "created_at", "expires_at",
    ]  # fmt: skip
    downgrade(unmigrated, "0013")
    assert "page_session" not in inspect(unmigrated).get_table_names()
    migrate(unmigrated, "0014")
    assert "page_session" in inspect(unmigrated).get_table_names()
