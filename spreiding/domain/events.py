"""The trail: every state change as an event, each chained to the one before by a SHA-256.

An event's hash is ``sha256(previous hash + "\\n" + canonical JSON of the event)``; the first
event's previous hash is 64 zeros. The canonical JSON holds every stored field but the hash
(``seq``, ``at``, ``actor``, ``role``, ``tenant``, ``kind``, ``subject``, ``hospitals``,
``payload``), keys sorted, no spaces, UTF-8 as is. Changing any field of event 5 changes the
hash it should have, so ``verify`` names event 5; changing its stored hash too breaks event 6.

Example: the first event ``Event(seq=1, at="2026-12-06T18:00:00.000000Z", actor="cli:anna",
role="admin", tenant=None, kind="run.settle", subject="run 1", hospitals=("06010001",),
payload={"year": 2024})`` is stored with ``hash = chain_hash(GENESIS, event)``.

Who the actor is: an API key as ``key:<key id>`` with its role and tenant (a hospital's AGB, an
insurer's UZOVI, none for a bureau or an admin); the command line as ``cli:<os user>`` with role
``admin`` (``spreiding.services.trail.actor_of``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

GENESIS = "0" * 64

# What an event records. Reserved for sign-off (issue 14 item 2): run.accept, run.dispute,
# run.override; for invoices (item 1): invoice.issue.
KINDS = (
    "dataset.import",
    "agreement.create",
    "transfer.register",
    "transfer.update",
    "hours.register",
    "run.settle",
    "run.correct",
    "run.finalise",
    "audit.run",
    "key.create",
    "key.revoke",
    "payment.register",
    "run.accept",
    "run.dispute",
    "run.override",
)


@dataclass(frozen=True)
class Event:
    """An event as stored (``hash`` empty before it is chained)."""

    seq: int
    at: str  # UTC, ISO 8601 with microseconds and Z
    actor: str
    role: str
    tenant: str | None
    kind: str
    subject: str
    hospitals: tuple[str, ...]
    payload: Mapping[str, Any] = field(default_factory=dict)
    hash: str = ""


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical(event: Event) -> str:
    """The text an event's hash covers: every field but the hash."""
    return canonical_json(
        {
            "seq": event.seq,
            "at": event.at,
            "actor": event.actor,
            "role": event.role,
            "tenant": event.tenant,
            "kind": event.kind,
            "subject": event.subject,
            "hospitals": list(event.hospitals),
            "payload": dict(event.payload),
        }
    )


def chain_hash(previous: str, event: Event) -> str:
    return hashlib.sha256(f"{previous}\n{canonical(event)}".encode()).hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    """The first event whose stored hash or place in the sequence is not what the chain
    before it says: ``seq`` the event (or the missing number), ``reason`` why."""

    seq: int
    reason: str

    def __str__(self) -> str:
        return f"event {self.seq}: {self.reason}"


def verify(events: Iterable[Event]) -> tuple[int, ChainBreak | None]:
    """Recompute the chain over ``events`` in sequence order: how many were read, and the
    first break (None: the chain is intact)."""
    previous = GENESIS
    count = 0
    for event in events:
        count += 1
        if event.seq != count:
            missing = count if event.seq > count else event.seq
            return count, ChainBreak(missing, f"expected event {count} here, found {event.seq}")
        expected = chain_hash(previous, event)
        if event.hash != expected:
            return count, ChainBreak(
                event.seq,
                f"{event.kind} of {event.at}: stored hash {event.hash[:12]}… does not match "
                f"{expected[:12]}… recomputed from its fields and the event before",
            )
        previous = event.hash
    return count, None
