"""API keys, the principal behind a presented key, and the failed authentications counted for
the rate limit: every statement on ``api_key``, ``api_key_agreement`` and ``auth_failure``.

Keys are ``spr_<key_id>_<secret>``; only a SHA-256 of the secret is stored. Times are aware
datetimes, stored and returned in UTC (SQLModel's ``UTCDateTime``: PostgreSQL ``timestamptz``;
SQLite text without an offset, which compares in the same order). Who may do what with keys is
``spreiding.services.access``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Row, delete, insert, select, update

from spreiding.domain.access import ROLES, ApiKeyInfo, InvalidKeyRequest, Principal
from spreiding.store import tables

KEY = tables.table_of(tables.ApiKey)
KEY_AGREEMENT = tables.table_of(tables.ApiKeyAgreement)
FAILURE = tables.table_of(tables.AuthFailure)
HOSPITAL = tables.table_of(tables.Hospital)
INSURER = tables.table_of(tables.Insurer)
AGREEMENT = tables.table_of(tables.Agreement)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_key(
    connection: Connection,
    *,
    role: str,
    agb: str | None = None,
    uzovi: str | None = None,
    agreements: tuple[str, ...] = (),
    label: str = "",
    expires_at: datetime | None = None,
    now: datetime | None = None,
) -> str:
    """Store a new key and return it; it is shown once and cannot be recovered."""
    if role not in ROLES:
        raise InvalidKeyRequest(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    needs = {"hospital": agb, "insurer": uzovi, "bureau": agreements or None, "admin": True}
    if not needs[role]:
        what = {"hospital": "--agb", "insurer": "--uzovi", "bureau": "--agreement"}[role]
        raise InvalidKeyRequest(f"a {role} key needs {what}")
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(24)
    connection.execute(
        insert(KEY).values(
            key_id=key_id,
            secret_sha256=_digest(secret),
            role=role,
            agb=agb if role == "hospital" else None,
            uzovi=uzovi if role == "insurer" else None,
            label=label,
            created_at=now or datetime.now(UTC),
            expires_at=expires_at,
        )
    )
    if role == "bureau":
        connection.execute(
            insert(KEY_AGREEMENT), [{"key_id": key_id, "agreement_id": a} for a in agreements]
        )
    return f"spr_{key_id}_{secret}"


def key_id_of(presented: str) -> str | None:
    """The key id of something shaped like a key (``spr_<key_id>_<secret>``), else None."""
    parts = presented.split("_", 2)
    if len(parts) != 3 or parts[0] != "spr" or not parts[1]:
        return None
    return parts[1]


def authenticate(
    connection: Connection, presented: str, *, now: datetime | None = None
) -> Principal | None:
    """The principal of a presented key, or None for an unknown or wrong key, or one that was
    revoked or has expired at ``now`` (default: the present)."""
    key_id = key_id_of(presented)
    if key_id is None:
        return None
    secret = presented.split("_", 2)[2]
    row = _usable_key(connection, key_id, now or datetime.now(UTC))
    if row is None or not hmac.compare_digest(row.secret_sha256, _digest(secret)):
        return None
    return _principal(connection, row)


def principal_of_key(connection: Connection, key_id: str, *, now: datetime) -> Principal | None:
    """The principal of key ``key_id`` (already authenticated, e.g. by a page session's
    sign-in), or None when it is unknown, revoked or expired at ``now``."""
    row = _usable_key(connection, key_id, now)
    return None if row is None else _principal(connection, row)


def _usable_key(connection: Connection, key_id: str, at: datetime) -> Row[Any] | None:
    return connection.execute(
        select(KEY).where(
            KEY.c.key_id == key_id,
            KEY.c.revoked_at.is_(None),
            KEY.c.expires_at.is_(None) | (KEY.c.expires_at > at),
        )
    ).first()


def _principal(connection: Connection, row: Row[Any]) -> Principal:
    agreements = frozenset(
        connection.execute(
            select(KEY_AGREEMENT.c.agreement_id).where(KEY_AGREEMENT.c.key_id == row.key_id)
        ).scalars()
    )
    return Principal(row.key_id, row.role, row.agb, row.uzovi, agreements)


def grant_agreement(connection: Connection, key_id: str, agreement_id: str) -> None:
    """Let bureau key ``key_id`` see ``agreement_id`` (and its transfers) from now on."""
    connection.execute(insert(KEY_AGREEMENT).values(key_id=key_id, agreement_id=agreement_id))


def list_keys(connection: Connection, key_id: str | None = None) -> list[ApiKeyInfo]:
    """Every key (or the one ``key_id``), oldest first: never its secret's hash."""
    query = select(
        KEY.c.key_id,
        KEY.c.role,
        KEY.c.agb,
        KEY.c.uzovi,
        KEY.c.label,
        KEY.c.created_at,
        KEY.c.expires_at,
        KEY.c.revoked_at,
    ).order_by(KEY.c.created_at.is_(None).desc(), KEY.c.created_at, KEY.c.key_id)
    links = select(KEY_AGREEMENT.c.key_id, KEY_AGREEMENT.c.agreement_id).order_by(
        KEY_AGREEMENT.c.key_id, KEY_AGREEMENT.c.agreement_id
    )
    if key_id is not None:
        query = query.where(KEY.c.key_id == key_id)
        links = links.where(KEY_AGREEMENT.c.key_id == key_id)
    agreements: dict[str, list[str]] = defaultdict(list)
    for owner, agreement_id in connection.execute(links):
        agreements[owner].append(agreement_id)
    return [
        ApiKeyInfo(
            key_id=row.key_id,
            role=row.role,
            agb=row.agb,
            uzovi=row.uzovi,
            agreements=tuple(agreements[row.key_id]),
            label=row.label,
            created_at=row.created_at,
            expires_at=row.expires_at,
            revoked_at=row.revoked_at,
        )
        for row in connection.execute(query)
    ]


def revoke_key(connection: Connection, key_id: str, *, at: datetime) -> bool:
    """Mark ``key_id`` revoked at ``at``; False when it was revoked already (or is unknown):
    the first revocation's time is kept."""
    changed = connection.execute(
        update(KEY).where(KEY.c.key_id == key_id, KEY.c.revoked_at.is_(None)).values(revoked_at=at)
    )
    return changed.rowcount == 1


def failures_since(
    connection: Connection, scopes: Iterable[str], since: datetime
) -> dict[str, list[datetime]]:
    """Per scope, the times of its failed authentications after ``since``, oldest first."""
    found: dict[str, list[datetime]] = {scope: [] for scope in scopes}
    rows = connection.execute(
        select(FAILURE.c.scope, FAILURE.c.failed_at)
        .where(FAILURE.c.scope.in_(list(found)), FAILURE.c.failed_at > since)
        .order_by(FAILURE.c.failed_at, FAILURE.c.failure_id)
    )
    for scope, failed_at in rows:
        found[scope].append(failed_at)
    return found


def record_failure(
    connection: Connection, scopes: Iterable[str], *, at: datetime, forget_before: datetime
) -> None:
    """Count a failed authentication against each scope, and forget every failure older than
    ``forget_before`` (of any scope: nothing else ever reads them)."""
    connection.execute(delete(FAILURE).where(FAILURE.c.failed_at <= forget_before))
    rows = [{"scope": scope, "failed_at": at} for scope in scopes]
    if rows:
        connection.execute(insert(FAILURE), rows)


def hospital_stored(connection: Connection, agb: str) -> bool:
    found = connection.execute(select(HOSPITAL.c.agb).where(HOSPITAL.c.agb == agb)).first()
    return found is not None


def insurer_stored(connection: Connection, uzovi: str) -> bool:
    found = connection.execute(select(INSURER.c.uzovi).where(INSURER.c.uzovi == uzovi)).first()
    return found is not None


def agreements_not_stored(connection: Connection, agreement_ids: tuple[str, ...]) -> list[str]:
    """Those of ``agreement_ids`` that are not stored, in the order given."""
    stored = set(
        connection.execute(
            select(AGREEMENT.c.agreement_id).where(AGREEMENT.c.agreement_id.in_(agreement_ids))
        ).scalars()
    )
    return [a for a in dict.fromkeys(agreement_ids) if a not in stored]
