"""The check of a presented key in one statement: its recent failures and its row together.

``spreiding.services.access.authenticate`` asks, on every request, for the failed
authentications of the client's address and of the key id within the window, and for the key's
row if it is usable (not revoked, not expired) with the agreements it may see. Asked apart
(``spreiding.store.keys``) that is three statements; on SQLite each one outside a transaction
takes and drops the file's read lock, which was most of a cached page's cost (issue 10). Here
they are one ``UNION ALL``: the failures first (their columns give the result its types), then
the key joined to its agreements. The key is checked again on every request: nothing is kept.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import (
    CompoundSelect,
    Connection,
    String,
    bindparam,
    literal,
    null,
    select,
    union_all,
)

from spreiding.domain.access import Principal
from spreiding.store.keys import FAILURE, KEY, KEY_AGREEMENT


@dataclass(frozen=True)
class Looked:
    """What one look-up found: per scope the times of its failures after the window's start,
    oldest first, and the usable key's row (None: unknown, revoked or expired)."""

    failures: dict[str, list[datetime]]
    key: tuple[str, str, str, str | None, str | None] | None  # id, secret hash, role, agb, uzovi
    agreements: frozenset[str] = field(default_factory=frozenset)

    def principal(self, presented: str) -> Principal | None:
        """The key's principal if ``presented`` holds its secret, else None."""
        if self.key is None:
            return None
        key_id, secret_sha256, role, agb, uzovi = self.key
        secret = presented.split("_", 2)[2]
        digest = hashlib.sha256(secret.encode()).hexdigest()
        if not hmac.compare_digest(secret_sha256, digest):
            return None
        return Principal(key_id, role, agb, uzovi, self.agreements)


def _statement() -> CompoundSelect:
    """The look-up, built once with its parameters: the failures of scopes ``scope_0`` and
    ``scope_1`` after ``since``, then the row of key ``key_id`` if usable at ``now`` with its
    agreements. Built and keyed for SQLAlchemy's cache once, not on every request (issue 10)."""
    text = String()
    failures = select(
        literal("f", text).label("part"),
        FAILURE.c.scope,
        FAILURE.c.failed_at,
        null().label("key_id"),
        null().label("secret_sha256"),
        null().label("role"),
        null().label("agb"),
        null().label("uzovi"),
        null().label("agreement_id"),
    ).where(
        FAILURE.c.scope.in_([bindparam(f"scope_{n}") for n in range(SCOPES)]),
        FAILURE.c.failed_at > bindparam("since"),
    )
    key = (
        select(
            literal("k", text),
            null(),
            null(),
            KEY.c.key_id,
            KEY.c.secret_sha256,
            KEY.c.role,
            KEY.c.agb,
            KEY.c.uzovi,
            KEY_AGREEMENT.c.agreement_id,
        )
        .select_from(KEY.outerjoin(KEY_AGREEMENT, KEY_AGREEMENT.c.key_id == KEY.c.key_id))
        .where(
            KEY.c.key_id == bindparam("key_id"),
            KEY.c.revoked_at.is_(None),
            KEY.c.expires_at.is_(None) | (KEY.c.expires_at > bindparam("now")),
        )
    )
    return union_all(failures, key)


SCOPES = 2  # what a failure counts against: the client's address and the key id it names
_LOOK_UP = _statement()


def look_up(
    connection: Connection,
    key_id: str | None,
    *,
    scopes: Sequence[str],
    since: datetime,
    now: datetime,
) -> Looked:
    """The failures of ``scopes`` (at most SCOPES) after ``since`` and the key ``key_id`` if
    usable at ``now`` (``key_id`` None: no key is looked for), in one statement."""
    if len(scopes) > SCOPES:
        raise ValueError(f"at most {SCOPES} scopes are looked up, not {len(scopes)}")
    # "" stands for a scope or key not asked for: no key has it, a failure stored under it is
    # not counted below.
    parameters: dict[str, object] = {f"scope_{n}": "" for n in range(SCOPES)}
    parameters.update({f"scope_{n}": scope for n, scope in enumerate(scopes)})
    parameters.update(since=since, key_id=key_id or "", now=now)
    found: dict[str, list[datetime]] = {scope: [] for scope in scopes}
    row_of_key = None
    agreements: set[str] = set()
    for part, scope, failed_at, *rest in connection.execute(_LOOK_UP, parameters):
        if part == "f":
            if scope in found:  # not a padding's ("" is asked for a scope not given)
                found[scope].append(failed_at)
        else:
            row_of_key = (str(rest[0]), str(rest[1]), str(rest[2]), rest[3], rest[4])
            if rest[5] is not None:
                agreements.add(str(rest[5]))
    for times in found.values():
        times.sort()
    return Looked(found, row_of_key, frozenset(agreements))
