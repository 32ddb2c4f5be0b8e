"""The event log in the database: appending one event, chained, and reading events back.

Appending takes the lock ``spreiding.event_log`` (``lock_for_writing``) before it reads the
last event, so two transactions appending at once never both chain onto the same event: the
second waits until the first has committed and then reads its event as the last one. The lock
is held until the caller's transaction ends, so each state change appends its event as its
last step (nothing is written after it but the commit). The table is append-only in the
database itself (migration 0010).

``hospitals`` is stored as the hospitals' AGB codes between spaces (`` 06010001 06010002 ``),
so that "the events about hospital X" is one condition in SQL (``event_condition``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, or_, select, true
from sqlalchemy.sql.elements import ColumnElement

from spreiding.domain.access import Principal
from spreiding.domain.events import GENESIS, Event, canonical_json, chain_hash
from spreiding.store import tables
from spreiding.store.database import lock_for_writing

EVENT_LOG = tables.table_of(tables.EventLog)
LOCK = "spreiding.event_log"


def append(
    connection: Connection,
    *,
    at: str,
    actor: str,
    role: str,
    tenant: str | None,
    kind: str,
    subject: str,
    hospitals: Sequence[str],
    payload: Mapping[str, Any],
) -> Event:
    """Append one event after the last, in the caller's transaction."""
    lock_for_writing(connection, LOCK)
    last = connection.execute(
        select(EVENT_LOG.c.seq, EVENT_LOG.c.hash).order_by(EVENT_LOG.c.seq.desc()).limit(1)
    ).first()
    seq, previous = (1, GENESIS) if last is None else (int(last.seq) + 1, str(last.hash))
    event = Event(
        seq=seq,
        at=at,
        actor=actor,
        role=role,
        tenant=tenant,
        kind=kind,
        subject=subject,
        hospitals=tuple(sorted(set(hospitals))),
        payload=dict(payload),
    )
    chained = Event(**{**event.__dict__, "hash": chain_hash(previous, event)})
    connection.execute(
        EVENT_LOG.insert().values(
            seq=chained.seq,
            at=chained.at,
            actor=chained.actor,
            role=chained.role,
            tenant=chained.tenant,
            kind=chained.kind,
            subject=chained.subject,
            hospitals=_stored_hospitals(chained.hospitals),
            payload=canonical_json(chained.payload),
            hash=chained.hash,
        )
    )
    return chained


def _stored_hospitals(hospitals: Sequence[str]) -> str:
    return f" {' '.join(hospitals)} " if hospitals else ""


def _event(row: Any) -> Event:
    return Event(
        seq=int(row.seq),
        at=row.at,
        actor=row.actor,
        role=row.role,
        tenant=row.tenant,
        kind=row.kind,
        subject=row.subject,
        hospitals=tuple(row.hospitals.split()),
        payload=json.loads(row.payload),
        hash=row.hash,
    )


def every_event(connection: Connection, *, batch: int = 5000) -> Iterator[Event]:
    """Every event in sequence order, read ``batch`` at a time (the log only grows)."""
    after = 0
    while True:
        rows = connection.execute(
            select(EVENT_LOG).where(EVENT_LOG.c.seq > after).order_by(EVENT_LOG.c.seq).limit(batch)
        ).fetchall()
        if not rows:
            return
        for row in rows:
            yield _event(row)
        after = int(rows[-1].seq)


def event_condition(principal: Principal) -> ColumnElement[bool]:
    """The events ``principal`` may read: an admin every event; any other key the events it
    caused itself; a hospital key also every event about its hospital."""
    e = EVENT_LOG
    if principal.is_admin:
        return true()
    own = e.c.actor == f"key:{principal.key_id}"
    if principal.role == "hospital" and principal.agb:
        return or_(own, e.c.hospitals.contains(f" {principal.agb} ", autoescape=True))
    return own


def visible_events(
    connection: Connection,
    principal: Principal,
    *,
    kind: str | None = None,
    subject: str | None = None,
    after: int = 0,
    limit: int = 1000,
) -> list[Event]:
    e = EVENT_LOG
    where = [event_condition(principal), e.c.seq > after]
    if kind is not None:
        where.append(e.c.kind == kind)
    if subject is not None:
        where.append(e.c.subject == subject)
    statement = select(e).where(*where).order_by(e.c.seq).limit(limit)
    return [_event(row) for row in connection.execute(statement)]


def first_event(connection: Connection, *, kind: str, subject: str) -> Event | None:
    e = EVENT_LOG
    row = connection.execute(
        select(e).where(e.c.kind == kind, e.c.subject == subject).order_by(e.c.seq).limit(1)
    ).first()
    return None if row is None else _event(row)


def run_hospitals(connection: Connection, run_id: int) -> list[str]:
    """Every hospital with a pair (of lines, hours or costs) or an exclusion in run
    ``run_id``, by AGB."""
    pair = tables.table_of(tables.SettlementPair)
    exclusion = tables.table_of(tables.SettlementExclusion)
    statements = (
        select(pair.c.creditor_agb).where(pair.c.run_id == run_id),
        select(pair.c.debtor_agb).where(pair.c.run_id == run_id),
        select(exclusion.c.agb).where(exclusion.c.run_id == run_id),
        select(exclusion.c.requesting_agb).where(exclusion.c.run_id == run_id),
    )
    found: set[str] = set()
    for statement in statements:
        found |= {str(agb) for agb in connection.execute(statement.distinct()).scalars() if agb}
    # An exclusion without a requesting hospital holds "nan" or "None" (store.visibility).
    return sorted(agb for agb in found if agb.isdigit())
