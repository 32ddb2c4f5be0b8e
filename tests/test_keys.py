"""API keys (issue 8, item 14): listing without secrets, revocation, expiry, and the rate limit
on failed authentications, stored in the database so every worker counts the same failures."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, inspect, text
from typer.testing import CliRunner

from api.deps import get_failure_limit, get_now
from spreiding.cli import app, common
from spreiding.config import Settings
from spreiding.domain.access import FailureLimit, TooManyFailedAttempts, retry_after
from spreiding.services import access
from spreiding.store import key_checks, keys
from spreiding.store.database import downgrade, make_engine, migrate
from tests.conftest import V1, app_for
from tests.test_trust_db import APP_LOGIN, app_role, postgres_only, unmigrated

__all__ = ["app_role", "unmigrated"]  # fixtures, used by name

runner = CliRunner()
T0 = datetime(2026, 11, 26, 9, 0, 0, tzinfo=UTC)
UNKNOWN = {"error": "Unauthenticated", "detail": "this API key is not known"}
LIMIT = FailureLimit(attempts=3, window_seconds=60)


@pytest.fixture
def database(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    """The samen-plus sample, committed: the CLI and the API open their own transactions."""
    monkeypatch.setenv("SPREIDING_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.delenv("SPREIDING_MIGRATION_DATABASE_URL", raising=False)
    assert runner.invoke(app, ["import", str(V1 / "samen-plus")]).exit_code == 0
    return engine


@dataclass
class Clock:
    now: datetime = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass
class Server:
    """The API with its real transactions, a clock the test moves, and LIMIT."""

    engine: Engine
    clock: Clock = field(default_factory=Clock)
    limit: FailureLimit = LIMIT

    def client(self, address: str = "10.0.0.1") -> TestClient:
        api = app_for(self.engine, {get_now: self.clock, get_failure_limit: lambda: self.limit})
        return TestClient(api, client=(address, 50000))

    def get(self, key: str, address: str = "10.0.0.1") -> Any:
        with self.client(address) as client:
            return client.get("/hospitals", headers={"X-API-Key": key})


@pytest.fixture
def server(database: Engine) -> Iterator[Server]:
    yield Server(database)


def issue(engine: Engine, *, at: datetime = T0, **request: Any) -> str:
    with engine.begin() as connection:
        return access.create_api_key(connection, now=at, **request)


def wrong(key: str) -> str:
    """The same key id with another secret."""
    return key[:-4] + ("aaaa" if not key.endswith("aaaa") else "bbbb")


def failures(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT scope, count(*) FROM auth_failure GROUP BY scope ORDER BY scope")
        )
        return {scope: count for scope, count in rows}


# --- keys list, revoke, expiry through the command line ---------------------------------------


def test_keys_list_shows_every_key_and_never_a_secret_or_hash(
    database: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(common, "now", lambda: T0)
    admin = runner.invoke(app, ["keys", "create", "--role", "admin", "--label", "ops desk"])
    hospital = runner.invoke(
        app, ["keys", "create", "--role", "hospital", "--agb", "06010101", "--days", "30"]
    )
    bureau = runner.invoke(
        app,
        ["keys", "create", "--role", "bureau", "--agreement", "samen-plus-raam",
         "--agreement", "samen-plus-liesbreuk-2024", "--expires", "2027-01-01"],
    )  # fmt: skip
    assert (admin.exit_code, admin.stderr) == (0, "")
    assert hospital.stderr == "it is refused from 2026-12-26 09:00:00 UTC on\n"
    assert bureau.stderr == "it is refused from 2027-01-01 00:00:00 UTC on\n"
    ids = [r.stdout.split("_")[1] for r in (admin, hospital, bureau)]
    listed = runner.invoke(app, ["keys", "list"])
    assert listed.exit_code == 0, listed.stderr
    header, *rows = [re.split(" {2,}", line) for line in listed.stdout.splitlines()]
    assert header == ["key_id", "role", "tenant", "label", "created", "expires", "revoked"]
    # All three were created at T0: oldest first, then by id.
    assert sorted(rows, key=lambda row: ids.index(row[0])) == [
        [ids[0], "admin", "all", "ops desk", "2026-11-26 09:00:00", "-", "-"],
        [ids[1], "hospital", "06010101", "-", "2026-11-26 09:00:00", "2026-12-26 09:00:00", "-"],
        [ids[2], "bureau", "samen-plus-liesbreuk-2024,samen-plus-raam", "-",
         "2026-11-26 09:00:00", "2027-01-01 00:00:00", "-"],
    ]  # fmt: skip
    assert [row[0] for row in rows] == sorted(ids)
    as_json = json.loads(runner.invoke(app, ["keys", "list", "--format", "json"]).stdout)
    assert sorted(as_json, key=lambda k: ids.index(k["key_id"]))[2] == {
        "key_id": ids[2],
        "role": "bureau",
        "agb": None,
        "uzovi": None,
        "agreements": ["samen-plus-liesbreuk-2024", "samen-plus-raam"],
        "label": "",
        "created_at": "2026-11-26T09:00:00+00:00",
        "expires_at": "2027-01-01T00:00:00+00:00",
        "revoked_at": None,
    }
    with database.connect() as connection:
        hashes = connection.execute(text("SELECT secret_sha256 FROM api_key")).scalars().all()
    for output in (listed.stdout, json.dumps(as_json)):
        for key in (admin.stdout, hospital.stdout, bureau.stdout):
            assert key.strip().split("_", 2)[2] not in output
        assert len(hashes) == 3 and not any(digest in output for digest in hashes)


def test_a_revoked_key_is_answered_like_an_unknown_key(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(common, "now", lambda: T0 + timedelta(seconds=5))
    key = issue(server.engine, role="hospital", agb="06010101")
    key_id = key.split("_")[1]
    assert server.get(key).status_code == 200
    revoked = runner.invoke(app, ["keys", "revoke", key_id])
    assert (revoked.exit_code, revoked.stdout) == (0, f"revoked key {key_id} (hospital 06010101)\n")
    server.clock.advance(10)
    after = server.get(key)
    unknown = server.get("spr_000000000000_" + "x" * 32, address="10.0.0.2")
    assert (after.status_code, after.json()) == (unknown.status_code, unknown.json())
    assert after.json() == UNKNOWN and after.status_code == 401
    again = runner.invoke(app, ["keys", "revoke", key_id])
    assert (again.exit_code, again.stdout) == (
        0,
        f"key {key_id} (hospital 06010101) was revoked already, at 2026-11-26 09:00:05 UTC\n",
    )
    listed = re.split(" {2,}", runner.invoke(app, ["keys", "list"]).stdout.splitlines()[1])
    assert listed == [
        key_id,
        "hospital",
        "06010101",
        "-",
        "2026-11-26 09:00:00",
        "-",
        "2026-11-26 09:00:05",
    ]
    missing = runner.invoke(app, ["keys", "revoke", "0123456789ab"])
    assert (missing.exit_code, missing.stdout, missing.stderr) == (
        2,
        "",
        "there is no API key '0123456789ab' (see `spreiding keys list`)\n",
    )


def test_a_key_is_refused_from_the_moment_it_expires(server: Server) -> None:
    expires = T0 + timedelta(days=1)
    key = issue(server.engine, role="admin", expires_at=expires)
    server.clock.now = expires - timedelta(microseconds=1)
    assert server.get(key).status_code == 200
    server.clock.now = expires
    refused = server.get(key)
    assert (refused.status_code, refused.json()) == (401, UNKNOWN)
    with server.engine.connect() as connection:
        assert keys.authenticate(connection, key, now=expires - timedelta(seconds=1)) is not None
        assert keys.authenticate(connection, key, now=expires) is None


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--expires", "2020-01-01"], "it would be refused from 2020-01-01 00:00:00 UTC on, "
         "which has passed"),
        # T0 is 09:00 that day: a key expiring today at 00:00 would never hold.
        (["--expires", "2026-11-26"], "it would be refused from 2026-11-26 00:00:00 UTC on, "
         "which has passed"),
        (["--expires", "2027-01-01", "--days", "3"], "give --expires or --days, not both"),
    ],
)  # fmt: skip
def test_an_expiry_that_has_passed_is_refused(
    database: Engine, monkeypatch: pytest.MonkeyPatch, options: list[str], message: str
) -> None:
    monkeypatch.setattr(common, "now", lambda: T0)
    result = runner.invoke(app, ["keys", "create", "--role", "admin", *options])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"cannot create the key: {message}\n"
    with database.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM api_key")).scalar_one() == 0


def test_days_must_be_at_least_one(database: Engine) -> None:
    result = runner.invoke(app, ["keys", "create", "--role", "admin", "--days", "0"])
    assert (result.exit_code, result.stdout) == (2, "")
    assert "Invalid value for '--days'" in result.stderr


# --- the rate limit ----------------------------------------------------------------------------


def test_failures_past_the_limit_are_429_with_retry_after(server: Server) -> None:
    key = issue(server.engine, role="admin")
    answers = []
    for _ in range(3):
        answers.append(server.get(wrong(key)).status_code)
        server.clock.advance(10)
    assert answers == [401, 401, 401]
    assert failures(server.engine) == {"address:10.0.0.1": 3, f"key:{key.split('_')[1]}": 3}
    limited = server.get(wrong(key))  # at T0 + 30 s; the first failure leaves at T0 + 60 s
    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "30"
    assert limited.json() == {
        "error": "TooManyFailedAttempts",
        "detail": "too many failed authentications from this address or for this key; "
        "try again in 30 s",
    }
    # A right key from the limited address waits too, or the answer would tell it from a guess.
    assert server.get(key).status_code == 429
    # Limited requests are not counted: the window moves on.
    assert failures(server.engine) == {"address:10.0.0.1": 3, f"key:{key.split('_')[1]}": 3}
    server.clock.advance(29)
    assert server.get(wrong(key)).headers["Retry-After"] == "1"
    server.clock.advance(1)  # T0 + 60 s: the first failure has left the window
    assert server.get(key).status_code == 200
    assert server.get(wrong(key)).status_code == 401
    assert server.get(wrong(key)).status_code == 429


def test_the_limit_is_per_address(server: Server) -> None:
    keys_ = [issue(server.engine, role="admin") for _ in range(4)]
    # Four different key ids from one address: the address's count reaches the limit.
    assert [server.get(wrong(k)).status_code for k in keys_] == [401, 401, 401, 429]
    # Another address is not limited, and neither is a right key from it.
    assert server.get(wrong(keys_[3]), address="10.0.0.2").status_code == 401
    assert server.get(keys_[0], address="10.0.0.2").status_code == 200


def test_the_limit_is_per_key_id(server: Server) -> None:
    target, other = issue(server.engine, role="admin"), issue(server.engine, role="admin")
    tried = [server.get(wrong(target), address=f"10.0.1.{i}").status_code for i in range(4)]
    assert tried == [401, 401, 401, 429]
    # The key id is limited from any address, even with its right secret...
    assert server.get(target, address="10.0.2.1").status_code == 429
    # ... and another key from there is not.
    assert server.get(other, address="10.0.2.1").status_code == 200


def test_successful_requests_are_not_counted_and_do_not_reset_the_count(server: Server) -> None:
    key = issue(server.engine, role="admin")
    other = issue(server.engine, role="hospital", agb="06010101")
    assert [server.get(wrong(other)).status_code for _ in range(2)] == [401, 401]
    assert [server.get(key).status_code for _ in range(20)] == [200] * 20
    assert failures(server.engine) == {"address:10.0.0.1": 2, f"key:{other.split('_')[1]}": 2}
    assert server.get(wrong(other)).status_code == 401  # the third failure
    assert server.get(key).status_code == 429


def test_a_request_without_a_key_is_not_counted(server: Server) -> None:
    with server.client() as client:
        answers = [client.get("/hospitals").status_code for _ in range(5)]
    assert answers == [401] * 5
    assert failures(server.engine) == {}


def test_every_worker_counts_the_same_failures(database: Engine) -> None:
    """Two servers (workers) on one database, each with its own engine and connections."""
    key = issue(database, role="admin")
    first, second = Server(database), Server(database)
    other_engine = make_engine(database.url.render_as_string(hide_password=False))
    try:
        second.engine = other_engine
        assert [first.get(wrong(key)).status_code for _ in range(2)] == [401, 401]
        assert second.get(wrong(key)).status_code == 401
        assert first.get(wrong(key)).status_code == 429
        assert second.get(key).status_code == 429
    finally:
        other_engine.dispose()


def test_old_failures_are_forgotten(server: Server) -> None:
    key = issue(server.engine, role="admin")
    assert [server.get(wrong(key)).status_code for _ in range(2)] == [401, 401]
    server.clock.advance(60)
    assert server.get(wrong(key), address="10.0.0.9").status_code == 401
    # Counting the new failure deleted the two that had left the window, of every scope.
    assert failures(server.engine) == {"address:10.0.0.9": 1, f"key:{key.split('_')[1]}": 1}


def test_the_service_refuses_without_checking_the_key(connection: Connection) -> None:
    key = keys.create_key(connection, role="admin", now=T0)
    other = keys.create_key(connection, role="admin", now=T0)
    for second in range(3):
        now = T0 + timedelta(seconds=second)
        found = access.authenticate(connection, wrong(key), client="h", limit=LIMIT, now=now)
        assert found is None
    later = T0 + timedelta(seconds=3)
    for client in ("h", "i"):  # limited by the address h, and by the key id from anywhere
        with pytest.raises(TooManyFailedAttempts) as limited:
            access.authenticate(connection, key, client=client, limit=LIMIT, now=later)
        assert limited.value.retry_after == 57
    principal = access.authenticate(connection, other, client="i", limit=LIMIT, now=later)
    assert principal is not None and principal.key_id == other.split("_")[1]


def test_the_look_up_finds_the_scopes_asked_and_the_usable_key_only(
    connection: Connection,
) -> None:
    key = keys.create_key(connection, role="admin", now=T0)
    key_id = key.split("_")[1]
    since = T0 - timedelta(seconds=1)
    scopes = ["address:h", f"key:{key_id}", "address:i", ""]
    for second, scope in enumerate(scopes):
        at = T0 + timedelta(seconds=second)
        keys.record_failure(connection, [scope], at=at, forget_before=since)
    later = T0 + timedelta(seconds=5)
    both = key_checks.look_up(connection, key_id, scopes=scopes[:2], since=since, now=later)
    assert both.failures == {
        "address:h": [T0],
        f"key:{key_id}": [T0 + timedelta(seconds=1)],
    }
    assert both.principal(key) is not None and both.principal(wrong(key)) is None
    # No address (and so no second scope): the failure stored under "" is not found.
    alone = key_checks.look_up(connection, None, scopes=["address:i"], since=since, now=later)
    assert alone.failures == {"address:i": [T0 + timedelta(seconds=2)]}
    assert alone.key is None
    after = key_checks.look_up(connection, key_id, scopes=[], since=T0, now=later)
    assert after.failures == {} and after.key is not None
    keys.revoke_key(connection, key_id, at=later)
    revoked = key_checks.look_up(connection, key_id, scopes=[], since=T0, now=later)
    assert revoked.key is None
    with pytest.raises(ValueError, match="at most 2 scopes"):
        key_checks.look_up(connection, key_id, scopes=scopes[:3], since=since, now=later)


def test_retry_after_counts_from_the_failure_that_reached_the_limit() -> None:
    limit = FailureLimit(attempts=2, window_seconds=100)
    at = [T0, T0 + timedelta(seconds=10), T0 + timedelta(seconds=20)]
    assert retry_after(at[:1], limit, T0 + timedelta(seconds=30)) is None
    assert retry_after(at[:2], limit, T0 + timedelta(seconds=30)) == 70
    # Three failures (two callers checked at once): the second must leave, not the first.
    assert retry_after(at, limit, T0 + timedelta(seconds=30)) == 80
    assert retry_after(at[:2], limit, T0 + timedelta(seconds=99.5)) == 1


def test_the_limit_is_configured_in_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SPREIDING_AUTH_FAILURES", raising=False)
    monkeypatch.delenv("SPREIDING_AUTH_FAILURE_WINDOW_SECONDS", raising=False)
    assert asyncio.run(get_failure_limit()) == FailureLimit(attempts=10, window_seconds=300)
    monkeypatch.setenv("SPREIDING_AUTH_FAILURES", "25")
    monkeypatch.setenv("SPREIDING_AUTH_FAILURE_WINDOW_SECONDS", "900")
    assert asyncio.run(get_failure_limit()) == FailureLimit(attempts=25, window_seconds=900)
    assert Settings().auth_failures == 25


# --- migration 0008 and the application's role -------------------------------------------------


def test_migration_0008_adds_the_columns_and_the_table_and_goes_back(unmigrated: Engine) -> None:
    migrate(unmigrated, "0008")
    columns = [c["name"] for c in inspect(unmigrated).get_columns("api_key")]
    assert columns[-3:] == ["created_at", "expires_at", "revoked_at"]
    assert [c["name"] for c in inspect(unmigrated).get_columns("auth_failure")] == [
        "failure_id", "scope", "failed_at",
    ]  # fmt: skip
    downgrade(unmigrated, "0007")
    fresh = inspect(unmigrated)
    assert "auth_failure" not in fresh.get_table_names()
    assert "revoked_at" not in [c["name"] for c in fresh.get_columns("api_key")]
    migrate(unmigrated, "0008")
    with unmigrated.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == (
            "0008"
        )


def test_the_app_role_issues_revokes_and_counts_failures(app_role: Engine) -> None:
    """PostgreSQL, as the application's least-privilege login: every key use case works."""
    postgres_only(app_role)
    assert app_role.url.username == APP_LOGIN
    server = Server(app_role)
    key = issue(app_role, role="admin")
    assert [server.get(wrong(key)).status_code for _ in range(4)] == [401, 401, 401, 429]
    with app_role.begin() as connection:
        access.revoke_api_key(connection, key.split("_")[1], now=T0)
        assert access.list_api_keys(connection)[0].revoked_at == T0
    with app_role.connect() as connection:
        rights = connection.execute(
            text(
                "SELECT privilege_type FROM information_schema.role_table_grants "
                "WHERE table_name = 'auth_failure' AND grantee = 'spreiding_app' "
                "ORDER BY privilege_type"
            )
        ).scalars()
        assert list(rights) == ["DELETE", "INSERT", "SELECT", "UPDATE"]
