"""Who is asking: the principal behind an API key, with its role and tenant.

Roles: ``hospital`` (one AGB) sees agreements it is a party to, and the runs, lines, statements,
DBCs, declarations and findings that concern it; ``insurer`` (one UZOVI) sees declarations sent
to it and findings on them; ``bureau`` sees its agreements and their transfers; ``admin`` sees
all. How keys are issued and checked is ``spreiding.store.keys``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

ROLES = ("hospital", "bureau", "insurer", "admin")


class InvalidKeyRequest(ValueError):
    """A key asked for with a role and tenant that do not fit together, a tenant that is not
    stored, or an expiry that has passed."""


class ApiKeyNotFound(LookupError):
    def __init__(self, key_id: str):
        self.key_id = key_id
        super().__init__(f"there is no API key {key_id!r} (see `spreiding keys list`)")


class TooManyFailedAttempts(Exception):
    """Too many failed authentications from one address, or for one key id, within the
    window: every request from it is refused until ``retry_after`` seconds have passed."""

    def __init__(self, retry_after: int):
        self.retry_after = retry_after
        super().__init__(
            f"too many failed authentications from this address or for this key; "
            f"try again in {retry_after} s"
        )


@dataclass(frozen=True)
class FailureLimit:
    """At most ``attempts`` failed authentications per client address and per key id within
    ``window_seconds``; the next is answered 429."""

    attempts: int
    window_seconds: int


def retry_after(failures: list[datetime], limit: FailureLimit, now: datetime) -> int | None:
    """Seconds until one more attempt is allowed, given the times of the failures within the
    window (oldest first), or None when one is allowed now. The count drops below the limit
    when the failure that brings it to ``attempts`` leaves the window."""
    if len(failures) < limit.attempts:
        return None
    leaves = failures[len(failures) - limit.attempts].timestamp() + limit.window_seconds
    return max(1, math.ceil(leaves - now.timestamp()))


@dataclass(frozen=True)
class ApiKeyInfo:
    """What may be shown of a stored key: never its secret or the secret's hash. Times are
    UTC; ``created_at`` is None for keys issued before keys had a creation time."""

    key_id: str
    role: str
    agb: str | None
    uzovi: str | None
    agreements: tuple[str, ...]
    label: str
    created_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None

    @property
    def tenant(self) -> str:
        """Whose data the key sees: an AGB, a UZOVI, a bureau's agreements, or all."""
        return self.agb or self.uzovi or ",".join(self.agreements) or "all"


@dataclass(frozen=True)
class Principal:
    key_id: str
    role: str
    agb: str | None = None
    uzovi: str | None = None
    agreements: frozenset[str] = frozenset()

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"
