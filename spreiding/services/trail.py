"""The trail: each use case that changes state records one event in the same transaction
(``record``); reading the log as a principal may (``list_events``); checking the chain
(``verify_log``).

Example: ``spreiding runs finalise 3 --yes`` run by the OS user ``anna`` finalises run 3 and
appends, in the same transaction, ``run.finalise`` with subject ``run:3``, actor ``cli:anna``,
role ``admin``, the run's hospitals, and ``{"kind": "settlement", "year": 2024}``; a rollback
takes both back. ``verify_log`` then says ``(N, None)``; with one stored field changed it
names that event.

Actors: an API key is ``key:<key id>`` (with its role and tenant); the command line, which
acts as ``OPERATOR``, is ``cli:<os user>`` (role ``admin``, no tenant).
Payloads are small and carry no money a party of the subject may not see: a run's events name
the run's kind, year and fingerprint, not its total; a payment names its amount (only its payer,
its payee and an admin see it).
"""

from __future__ import annotations

import getpass
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection

from spreiding.domain.access import Principal
from spreiding.domain.events import ChainBreak, Event, verify
from spreiding.services.errors import Forbidden
from spreiding.store import events

OPERATOR_KEY_ID = "operator"  # spreiding.services.access.OPERATOR (which imports this module)


def actor_of(principal: Principal) -> str:
    """``key:<key id>`` for an API key; ``cli:<os user>`` for ``OPERATOR``, the command line."""
    if principal.key_id == OPERATOR_KEY_ID:
        return f"cli:{os_user()}"
    return f"key:{principal.key_id}"


def os_user() -> str:
    """Who runs the command line: the login name as ``getpass`` finds it ($LOGNAME, $USER,
    $LNAME, $USERNAME, then the password database), ``unknown`` when nothing says."""
    try:
        return getpass.getuser() or "unknown"
    except (OSError, KeyError):
        return "unknown"


def tenant_of(principal: Principal) -> str | None:
    return principal.agb or principal.uzovi


def timestamp(moment: datetime | None = None) -> str:
    """UTC as stored in the log: ``2026-12-06T18:00:00.000000Z``."""
    return (moment or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def record(
    connection: Connection,
    principal: Principal,
    *,
    kind: str,
    subject: str,
    hospitals: Sequence[str] = (),
    payload: Mapping[str, Any] | None = None,
    now: datetime | None = None,
) -> Event:
    """Append the event of a state change, in the caller's transaction; call it last."""
    return events.append(
        connection,
        at=timestamp(now),
        actor=actor_of(principal),
        role=principal.role,
        tenant=tenant_of(principal),
        kind=kind,
        subject=subject,
        hospitals=[h for h in hospitals if h],
        payload=payload or {},
    )


def run_subject(run_id: int) -> str:
    return f"run:{run_id}"


def record_run(
    connection: Connection,
    principal: Principal,
    *,
    kind: str,
    run_id: int,
    payload: Mapping[str, Any],
    hospitals: Sequence[str] | None = None,
) -> Event:
    """An event about settlement run ``run_id``: about every hospital with a pair or an
    exclusion in it (``hospitals`` when the caller has them at hand, else read)."""
    return record(
        connection,
        principal,
        kind=kind,
        subject=run_subject(run_id),
        hospitals=events.run_hospitals(connection, run_id) if hospitals is None else hospitals,
        payload=payload,
    )


def list_events(
    connection: Connection,
    principal: Principal,
    *,
    kind: str | None = None,
    subject: str | None = None,
    after: int = 0,
    limit: int = 1000,
) -> list[Event]:
    """The events ``principal`` may read, oldest first (``after``: past this number). A key
    other than an admin's sees of an event's hospitals only its own."""
    found = events.visible_events(
        connection, principal, kind=kind, subject=subject, after=after, limit=limit
    )
    if principal.is_admin:
        return found
    own = {principal.agb} if principal.agb else set()
    return [
        Event(**{**e.__dict__, "hospitals": tuple(h for h in e.hospitals if h in own)})
        for e in found
    ]


def verify_log(connection: Connection, principal: Principal) -> tuple[int, ChainBreak | None]:
    """Recompute the chain over every stored event: how many, and the first break."""
    if not principal.is_admin:
        raise Forbidden(f"a {principal.role} key may not do this (needs: admin)")
    return verify(events.every_event(connection))


def finalised_on(connection: Connection, run_id: int) -> date | None:
    """The UTC day run ``run_id`` became final, from its ``run.finalise`` event (None for a
    run finalised before the log existed, or not final)."""
    event = events.first_event(connection, kind="run.finalise", subject=run_subject(run_id))
    return None if event is None else date.fromisoformat(event.at[:10])
