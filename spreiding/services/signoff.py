"""Sign-off of a draft run: each hospital accepts or disputes each of its pairs with its own
key; finalising asks for every pair accepted by both of its hospitals, or an admin's written
override reason (``settlement.finalise_run``).

Example: run 1 (draft) has the pairs Alrijne→Groene Hart and Groene Hart→Alrijne (debtor→
creditor). Alrijne's key accepts both; Groene Hart's key disputes Alrijne→Groene Hart with the
reason "D7 was our own patient" naming line D7. ``pair_states`` then shows that pair disputed
by Groene Hart with that reason and line; ``finalise_run`` is refused (``RunNotSignedOff``,
HTTP 409) naming both pairs (one disputed, one not yet accepted by Groene Hart) until Groene
Hart accepts both, or an admin finalises with ``override="agreed by phone, see minutes"``
(stored in the ``run.override`` event with the pairs it overrode). Each decision appends
``run.accept`` or ``run.dispute``; the latest decision of a hospital for a pair counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from sqlalchemy import Connection

from spreiding.domain.access import Principal
from spreiding.domain.run_errors import RunAlreadyFinal, SignoffInvalid
from spreiding.services import trail
from spreiding.services.access import require
from spreiding.services.errors import NotFound
from spreiding.store import signoff as store
from spreiding.store import visibility

REASON_LENGTH = 2000
DecisionKind = Literal["accept", "dispute"]
PairStatus = Literal["accepted", "disputed", "open"]
ACCEPT: DecisionKind = "accept"
DISPUTE: DecisionKind = "dispute"


@dataclass(frozen=True)
class Decision:
    agb: str
    decision: DecisionKind
    reason: str | None
    lines: tuple[str, ...]
    at: str
    actor: str


@dataclass(frozen=True)
class PairState:
    """A pair of a run and the latest decision of each of its two hospitals (None: none yet)."""

    debtor_agb: str
    creditor_agb: str
    debtor: Decision | None
    creditor: Decision | None
    history: tuple[Decision, ...] = field(default=())

    @property
    def accepted(self) -> bool:
        return all(d is not None and d.decision == ACCEPT for d in (self.debtor, self.creditor))

    @property
    def disputes(self) -> tuple[Decision, ...]:
        return tuple(d for d in (self.debtor, self.creditor) if d and d.decision == DISPUTE)

    @property
    def status(self) -> PairStatus:
        """``accepted``, ``disputed`` or ``open``."""
        return "accepted" if self.accepted else "disputed" if self.disputes else "open"


def sign(
    connection: Connection,
    principal: Principal,
    run_id: int,
    debtor: str,
    creditor: str,
    *,
    decision: str,
    reason: str | None = None,
    lines: Sequence[str] = (),
    now: datetime | None = None,
) -> PairState:
    """Record ``principal``'s hospital accepting or disputing pair debtor→creditor of draft run
    ``run_id``; return the pair's state after it."""
    require(principal, "hospital")
    if decision not in (ACCEPT, DISPUTE):
        raise SignoffInvalid(f"decision must be accept or dispute, not {decision!r}")
    run = visibility.visible_run(connection, principal, run_id)
    if run is None or principal.agb not in (debtor, creditor):
        raise NotFound(f"there is no pair {debtor}→{creditor} of yours in run {run_id}")
    store.lock_run(connection, run_id)
    run = visibility.visible_run(connection, principal, run_id)
    assert run is not None
    if run.status == "final":
        raise RunAlreadyFinal(run_id)
    if (debtor, creditor) not in store.run_pairs(connection, run_id):
        raise NotFound(f"there is no pair {debtor}→{creditor} of yours in run {run_id}")
    named = store.as_lines(lines)
    text = (reason or "").strip() or None
    if decision == DISPUTE:
        if text is None:
            raise SignoffInvalid("a dispute needs a reason")
        if len(text) > REASON_LENGTH:
            raise SignoffInvalid(f"the reason is longer than {REASON_LENGTH} characters")
        unknown = sorted(set(named) - store.line_ids(connection, run_id, debtor, creditor))
        if unknown:
            raise SignoffInvalid(
                f"not a line of {debtor}→{creditor} in run {run_id}: {', '.join(unknown)}"
            )
    elif named or text:
        raise SignoffInvalid("an acceptance has no reason and names no lines")
    at, actor = trail.timestamp(now), trail.actor_of(principal)
    store.add(
        connection, run_id=run_id, debtor_agb=debtor, creditor_agb=creditor,
        agb=principal.agb, decision=decision, reason=text, lines=named, at=at, actor=actor,
    )  # fmt: skip
    payload: dict[str, object] = {"debtor_agb": debtor, "creditor_agb": creditor}
    if decision == DISPUTE:
        payload |= {"reason": text, "lines": named}
    trail.record(
        connection,
        principal,
        kind=f"run.{decision}",
        subject=trail.run_subject(run_id),
        hospitals=(debtor, creditor),
        payload=payload,
        now=now,
    )
    return next(
        p
        for p in _states(connection, run_id)
        if (p.debtor_agb, p.creditor_agb) == (debtor, creditor)
    )


def _states(connection: Connection, run_id: int) -> list[PairState]:
    by_pair: dict[tuple[str, str], list[Decision]] = {
        p: [] for p in store.run_pairs(connection, run_id)
    }
    for row in store.decisions(connection, run_id):
        by_pair.setdefault((row["debtor_agb"], row["creditor_agb"]), []).append(
            Decision(
                row["agb"],
                row["decision"],
                row["reason"],
                tuple(row["lines"]),
                row["at"],
                row["actor"],
            )
        )
    states = []
    for (debtor, creditor), history in sorted(by_pair.items()):
        latest = {d.agb: d for d in history}
        states.append(
            PairState(debtor, creditor, latest.get(debtor), latest.get(creditor), tuple(history))
        )
    return states


def pair_states(connection: Connection, principal: Principal, run_id: int) -> list[PairState]:
    """The pairs of run ``run_id`` ``principal`` may see (a hospital: its own) with who
    accepted or disputed what."""
    run = visibility.visible_run(connection, principal, run_id)
    if run is None:
        raise NotFound(f"there is no settlement run {run_id}")
    states = _states(connection, run_id)
    if principal.is_admin:
        return states
    own = principal.agb
    return [s for s in states if own in (s.debtor_agb, s.creditor_agb)]


def not_accepted(connection: Connection, run_id: int) -> list[PairState]:
    """The pairs of the run not yet accepted by both hospitals (call under ``lock_run``)."""
    return [s for s in _states(connection, run_id) if not s.accepted]
