"""Who may do what; issuing, listing and revoking API keys; authenticating a presented key.

A use case names the roles that may start it (``require(principal, "admin", "hospital")``);
what a principal may *see* is narrowed in SQL by ``spreiding.store.visibility``. The command
line acts as ``OPERATOR``: whoever runs it holds the database, so it sees everything.

Failed authentications are limited per client address and per key id: with the default
``FailureLimit(10, 300)``, the 11th wrong key within 300 s from one address (or for one key
id, from any address) is answered ``TooManyFailedAttempts`` instead of being checked, and so
is every request from that address or for that key id, a right key included, until the
oldest of those failures is 300 s old (otherwise the answer would still tell a right guess
from a wrong one). Successful requests are not counted and do not reset the count (a holder
of one key could otherwise reset it between guesses at another).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection

from spreiding.domain.access import (
    ApiKeyInfo,
    ApiKeyNotFound,
    FailureLimit,
    InvalidKeyRequest,
    Principal,
    TooManyFailedAttempts,
    retry_after,
)
from spreiding.services import trail
from spreiding.services.errors import Forbidden
from spreiding.store import key_checks, keys

OPERATOR = Principal(key_id="operator", role="admin")
SCOPE_LENGTH = 64  # auth_failure.scope


def require(principal: Principal, *roles: str) -> None:
    if principal.role not in roles:
        raise Forbidden(f"a {principal.role} key may not do this (needs: {', '.join(roles)})")


def create_api_key(
    connection: Connection,
    *,
    role: str,
    agb: str | None = None,
    uzovi: str | None = None,
    agreements: tuple[str, ...] = (),
    label: str = "",
    expires_at: datetime | None = None,
    now: datetime | None = None,
    principal: Principal = OPERATOR,
) -> str:
    """Issue a key (``spr_<id>_<secret>``); it is returned once and stored only as a hash.
    Raises ``InvalidKeyRequest`` for a role without its tenant, a tenant that is not stored
    (asked before inserting, so no database error ever shows the new key's row), or an
    ``expires_at`` that is not after ``now`` (default: the present)."""
    now = now or datetime.now(UTC)
    if expires_at is not None and expires_at <= now:
        raise InvalidKeyRequest(
            f"it would be refused from {expires_at:%Y-%m-%d %H:%M:%S} UTC on, which has passed"
        )
    if role == "hospital" and agb and not keys.hospital_stored(connection, agb):
        raise InvalidKeyRequest(f"there is no hospital with AGB {agb!r}; import it first")
    if role == "insurer" and uzovi and not keys.insurer_stored(connection, uzovi):
        raise InvalidKeyRequest(f"there is no insurer with UZOVI {uzovi!r}; import it first")
    missing = keys.agreements_not_stored(connection, agreements) if role == "bureau" else []
    if missing:
        named = ", ".join(repr(a) for a in missing)
        there = (
            f"there is no agreement {named}"
            if len(missing) == 1
            else f"there are no agreements {named}"
        )
        raise InvalidKeyRequest(f"{there}; import it first")
    key = keys.create_key(
        connection,
        role=role,
        agb=agb,
        uzovi=uzovi,
        agreements=agreements,
        label=label,
        expires_at=expires_at,
        now=now,
    )
    key_id = keys.key_id_of(key)
    trail.record(
        connection,
        principal,
        kind="key.create",
        subject=f"key:{key_id}",
        hospitals=(agb,) if role == "hospital" and agb else (),
        payload={
            "key_id": key_id,
            "role": role,
            "agb": agb if role == "hospital" else None,
            "uzovi": uzovi if role == "insurer" else None,
            "agreements": sorted(agreements) if role == "bureau" else [],
            "expires_at": None if expires_at is None else trail.timestamp(expires_at),
        },
        now=now,
    )
    return key


def list_api_keys(connection: Connection) -> list[ApiKeyInfo]:
    """Every key, oldest first, without its secret or hash."""
    return keys.list_keys(connection)


def revoke_api_key(
    connection: Connection, key_id: str, *, now: datetime, principal: Principal = OPERATOR
) -> tuple[ApiKeyInfo, bool]:
    """Revoke ``key_id`` from ``now`` on: it is answered like an unknown key. Returns the key
    and whether it was revoked now (False: it had been already, at its ``revoked_at``)."""
    revoked = keys.revoke_key(connection, key_id, at=now)
    found = keys.list_keys(connection, key_id)
    if not found:
        raise ApiKeyNotFound(key_id)
    if revoked:
        trail.record(
            connection,
            principal,
            kind="key.revoke",
            subject=f"key:{key_id}",
            hospitals=(found[0].agb,) if found[0].agb else (),
            payload={"key_id": key_id},
            now=now,
        )
    return found[0], revoked


def authenticate(
    connection: Connection,
    presented: str,
    *,
    client: str | None,
    limit: FailureLimit,
    now: datetime,
) -> Principal | None:
    """The principal of ``presented``, or None for a key that is unknown, wrong, revoked or
    expired (the failure is counted); ``TooManyFailedAttempts`` while the client's address or
    the presented key id has had ``limit.attempts`` failures within the window.

    The failure is written on ``connection``: its transaction must be committed even though
    the request is refused (``api.deps.get_connection`` does)."""
    scopes = _scopes(presented, client)
    since = now - timedelta(seconds=limit.window_seconds)
    # The failures and the key in one statement (issue 10: asked on every request).
    key_id = keys.key_id_of(presented)
    looked = key_checks.look_up(connection, key_id, scopes=scopes, since=since, now=now)
    waits = [
        wait
        for failures in looked.failures.values()
        if (wait := retry_after(failures, limit, now)) is not None
    ]
    if waits:  # the key is not checked: a right one would be told from a wrong one
        raise TooManyFailedAttempts(max(waits))
    principal = None if key_id is None else looked.principal(presented)
    if principal is None:
        keys.record_failure(connection, scopes, at=now, forget_before=since)
    return principal


def _scopes(presented: str, client: str | None) -> list[str]:
    """What a failure counts against: the client's address, and the key id it names."""
    scopes = []
    if client:
        scopes.append(f"address:{client}"[:SCOPE_LENGTH])
    key_id = keys.key_id_of(presented)
    if key_id is not None:
        scopes.append(f"key:{key_id}"[:SCOPE_LENGTH])
    return scopes
