"""Settling: the use cases on runs, each on the caller's connection (the caller owns the
transaction) and for a principal, returning domain values.

Example: ``settle_year(connection, OPERATOR, year=2024)`` on a database holding the v1 samen-plus
dataset stores draft run 1 and returns it with the settlement just computed (total 116373.32);
called again with the same data it returns run 1 unchanged (``created`` False, nothing
computed). The rules that decide between reusing, drafting and correcting are
``spreiding.services.runs``.

A run's header carries ``total_cents``: the run's total for an admin, and for a hospital the
total of the lines it may see (Alrijne's part of the two v1 test datasets' run of 2024: 116373.32 of
145275.72), so no hospital learns what the others settled.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection

from settlement.engine import Netting, Settlement, settle
from spreiding.domain.access import Principal
from spreiding.domain.dataset import Dataset
from spreiding.domain.run_errors import RunNotSignedOff, SignoffInvalid
from spreiding.domain.runs import StoredRun
from spreiding.services import invoices, runs, signoff, trail
from spreiding.services.access import require
from spreiding.services.errors import NotFound
from spreiding.store import signoff as signoff_store
from spreiding.store import visibility
from spreiding.store.datasets import load_settlement_inputs
from spreiding.store.runs import RunStore


@dataclass(frozen=True)
class SettledYear:
    """A request to settle a year: the run that answers it, whether it was created now, and
    the settlement computed and stored now (None when an existing run was reused, also one
    another caller stored first while this one computed, and for a principal that sees only
    a part of the run: ``get_run`` reads what it may see)."""

    run: StoredRun
    created: bool
    result: Settlement | None


@dataclass(frozen=True)
class RunView:
    """A stored run and the part of its settlement a principal may see."""

    run: StoredRun
    result: Settlement


def settle_dataset(dataset: Dataset, *, year: int, netting: Netting = "bilateral") -> Settlement:
    """Settle ``year`` of a dataset read from files: computed, not stored."""
    return settle(
        dataset.dbcs,
        dataset.prices,
        dataset.agreements,
        year=year,
        netting=netting,
        hours=dataset.hours,
    )


def settle_year(
    connection: Connection, principal: Principal, *, year: int, netting: Netting = "bilateral"
) -> SettledYear:
    """Settle ``year`` on the stored data: a draft run; once the year has a final run, a
    correction of it; the same inputs give the existing run."""
    check_settle(principal)
    return _settle(connection, principal, year=year, netting=netting)


def check_settle(principal: Principal) -> None:
    """Whether ``principal`` may settle a year (or correct a run)."""
    require(principal, "admin", "hospital")


def _settle(
    connection: Connection, principal: Principal, *, year: int, netting: Netting
) -> SettledYear:
    inputs = load_settlement_inputs(connection)
    store = RunStore(connection)
    run, result, created = runs.settle_into_run(
        store,
        dbcs=inputs.dbcs,
        prices=inputs.prices,
        agreements=inputs.agreements,
        year=year,
        netting=netting,
        hours=inputs.hours,
    )
    # Two callers with the same inputs both compute; the second's insert finds the first's run
    # (``RunStore.add``): that run was not created by this call.
    created = created and run.run_id in store.inserted
    if created:
        trail.record_run(
            connection,
            principal,
            kind="run.settle" if run.kind == "settlement" else "run.correct",
            run_id=run.run_id,
            payload=_run_payload(run),
            hospitals=_hospitals(result),
        )
    if principal.is_admin:
        return SettledYear(run, created, result if created else None)
    return SettledYear(visibility.run_header(connection, principal, run.run_id), created, None)


def visible_run(connection: Connection, principal: Principal, run_id: int) -> StoredRun:
    """The header of run ``run_id``, or ``NotFound`` when ``principal`` may not see it (or it
    does not exist: the two read the same). Every use case on one run starts here."""
    run = visibility.visible_run(connection, principal, run_id)
    if run is None:
        raise NotFound(f"there is no settlement run {run_id}")
    return run


def correctable_run(connection: Connection, principal: Principal, run_id: int) -> StoredRun:
    """The run ``correct_run`` would settle again, after checking who asks."""
    check_settle(principal)
    return visible_run(connection, principal, run_id)


def correct_run(connection: Connection, principal: Principal, run_id: int) -> SettledYear:
    """Settle the run's year again on the current data: a correction when anything changed,
    the existing run when nothing did."""
    run = correctable_run(connection, principal, run_id)
    netting: Netting = "multilateral" if run.netting == "multilateral" else "bilateral"
    return _settle(connection, principal, year=run.year, netting=netting)


def finalise_run(
    connection: Connection, principal: Principal, run_id: int, *, override: str | None = None
) -> StoredRun:
    """Make a draft run final: from then on neither it nor its rows can change; its pairs
    get their numbered invoices (``spreiding.services.invoices``).

    Only when both hospitals of every pair accepted it (``spreiding.services.signoff``);
    otherwise ``RunNotSignedOff`` names the pairs, unless the admin gives a written
    ``override`` reason, which the ``run.override`` event stores with those pairs."""
    require(principal, "admin")
    visible_run(connection, principal, run_id)
    signoff_store.lock_run(connection, run_id)  # no decision slips in between
    reason = (override or "").strip()
    if len(reason) > signoff.REASON_LENGTH:
        raise SignoffInvalid(
            f"the override reason is longer than {signoff.REASON_LENGTH} characters"
        )
    # A final run is refused by runs.finalise (RunAlreadyFinal), whatever its sign-off.
    header = visible_run(connection, principal, run_id)
    waiting = signoff.not_accepted(connection, run_id) if header.status == "draft" else []
    if waiting and not reason:
        raise RunNotSignedOff(run_id, [(p.debtor_agb, p.creditor_agb) for p in waiting])
    run = runs.finalise(RunStore(connection), run_id)
    if waiting:
        trail.record_run(
            connection,
            principal,
            kind="run.override",
            run_id=run_id,
            payload={
                "reason": reason,
                "pairs": [
                    {"debtor_agb": p.debtor_agb, "creditor_agb": p.creditor_agb, "status": p.status}
                    for p in waiting
                ],
            },
        )
    event = trail.record_run(
        connection, principal, kind="run.finalise", run_id=run_id, payload=_run_payload(run)
    )
    # The invoices are dated the day the run became final, as its event says (§8).
    invoices.issue_invoices(
        connection, principal, run, invoice_date=date.fromisoformat(event.at[:10])
    )
    return run


def _run_payload(run: StoredRun) -> dict[str, object]:
    """What a run's events say of it: no money (a hospital reads the events of every run it
    is in, and of a run it may see only its own part)."""
    return {
        "kind": run.kind,
        "year": run.year,
        "netting": run.netting,
        "fingerprint": run.fingerprint,
        "corrects_run_id": run.corrects_run_id,
    }


def _hospitals(result: Settlement | None) -> list[str] | None:
    """The hospitals of a run just computed, from what was computed (not read back)."""
    if result is None:
        return None
    pairs, excluded = result.pairs, result.excluded
    found = set(pairs["debtor_agb"]) | set(pairs["creditor_agb"]) | set(excluded["agb"])
    if "requesting_agb" in excluded.columns:
        found |= set(excluded["requesting_agb"])
    return sorted(str(agb) for agb in found if str(agb).isdigit())


def get_run(connection: Connection, principal: Principal, run_id: int) -> RunView:
    """A run and the part of it ``principal`` may see, read in SQL narrowed to that part."""
    header = visible_run(connection, principal, run_id)
    _, result = runs.load_run(RunStore(connection), run_id, principal)
    return RunView(header, result)


def list_runs(connection: Connection, principal: Principal) -> list[StoredRun]:
    """The headers of every run ``principal`` may see, oldest first."""
    return visibility.visible_runs(connection, principal)
