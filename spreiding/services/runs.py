"""Settlement runs: when a computation creates a run, reuses one, or becomes a correction.

The rules, in the order they are applied to a request to settle year Y:

1. The same inputs (same fingerprint) give the same run: a run with this fingerprint that is
   still current is returned and nothing is created.
2. While Y has no final settlement, the computation is stored as a ``draft`` settlement run.
3. Once Y has one, a recomputation is stored as a ``correction`` of the latest final run in the
   chain (the final settlement, or the last final correction of it): per DBC the difference
   against everything settled so far.
4. A computation without a line (an empty database, a year the data does not reach, a
   correction that changes no amount) is refused (``NothingToSettle``) and stores no run: an
   empty settlement, finalised, would make every real settlement of Y a correction.

Finalising makes a run and its rows immutable (the database refuses changes). A year has one
final settlement; a run has at most one final correction, so corrections form a single chain.

The store is passed in (``RunRepository``); this module does no I/O of its own. The use cases
that open it on a connection are ``spreiding.services.settlement``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

import pandas as pd

from settlement.corrections import correct, settled_costs, settled_hours, settled_state
from settlement.costs import COST_COLUMNS
from settlement.engine import LINE_COLUMNS, Netting, Settlement, empty_costs, settle
from settlement.fingerprint import fingerprint
from settlement.hours import HOURS_COLUMNS, empty_excluded_hours, empty_hours
from spreiding.domain.access import Principal
from spreiding.domain.agreements import Agreement
from spreiding.domain.run_errors import (
    CorrectionOutdated,
    NothingToSettle,
    RunAlreadyFinal,
    RunNotFound,
    SettlementAlreadyFinal,
)
from spreiding.domain.runs import StoredRun


class RunRepository(Protocol):
    def get(self, run_id: int) -> StoredRun | None: ...
    def by_fingerprint(self, fingerprint: str) -> list[StoredRun]: ...
    def final_settlement(self, year: int) -> StoredRun | None: ...
    def final_correction_of(self, run_id: int) -> StoredRun | None: ...
    def frames(
        self, run_id: int, principal: Principal | None = None
    ) -> dict[str, pd.DataFrame]: ...
    def finalise(self, run_id: int) -> StoredRun: ...
    def add(
        self,
        *,
        kind: str,
        year: int,
        netting: str,
        fingerprint: str,
        corrects_run_id: int | None,
        total_cents: int,
        frames: Mapping[str, pd.DataFrame],
    ) -> StoredRun: ...


def final_chain(store: RunRepository, year: int) -> list[StoredRun]:
    """The final settlement of ``year`` and its final corrections, oldest first."""
    final = store.final_settlement(year)
    chain: list[StoredRun] = []
    while final is not None:
        chain.append(final)
        final = store.final_correction_of(final.run_id)
    return chain


def run_year(
    store: RunRepository,
    *,
    dbcs: pd.DataFrame,
    prices: pd.DataFrame,
    agreements: Sequence[Agreement],
    year: int,
    netting: Netting = "bilateral",
    hours: pd.DataFrame | None = None,
) -> tuple[StoredRun, bool]:
    """Settle ``year`` into a run; return it and whether it was created now."""
    run, _, created = settle_into_run(
        store,
        dbcs=dbcs,
        prices=prices,
        agreements=agreements,
        year=year,
        netting=netting,
        hours=hours,
    )
    return run, created


def settle_into_run(
    store: RunRepository,
    *,
    dbcs: pd.DataFrame,
    prices: pd.DataFrame,
    agreements: Sequence[Agreement],
    year: int,
    netting: Netting = "bilateral",
    hours: pd.DataFrame | None = None,
) -> tuple[StoredRun, Settlement | None, bool]:
    """Settle ``year`` into a run; return it, what was computed and stored now (None when a
    run with the same inputs is reused: nothing was computed), and whether it is new."""
    chain = final_chain(store, year)
    inputs = fingerprint(dbcs, prices, agreements, year=year, netting=netting, hours=hours)
    for run in store.by_fingerprint(inputs):
        if _current(run, chain):
            return run, None, False
    result = settle(dbcs, prices, agreements, year=year, netting=netting, hours=hours)
    if not chain:
        _refuse_empty(result, corrects=None)
        run = _add(store, result, kind="settlement", fingerprint=inputs, corrects=None)
        return run, result, True
    frames = [store.frames(run.run_id) for run in chain]
    correction = correct(
        settled_state([f["lines"] for f in frames]),
        result,
        netting=netting,
        hours=settled_hours([f.get("hours", empty_hours()) for f in frames]),
        costs=settled_costs([f.get("costs", empty_costs()) for f in frames]),
    )
    latest = chain[-1].run_id
    _refuse_empty(correction, corrects=latest)
    run = _add(store, correction, kind="correction", fingerprint=inputs, corrects=latest)
    return run, correction, True


def _refuse_empty(result: Settlement, *, corrects: int | None) -> None:
    """A run without a line (DBC, hours or cost line) is not stored, even when it excludes
    DBCs (an open DBC is excluded in every later year): it pays nothing, and finalised it would
    turn every real settlement of its year into a correction."""
    if result.is_empty:
        raise NothingToSettle(result.year, corrects, len(result.excluded))


def _current(run: StoredRun, chain: list[StoredRun]) -> bool:
    """Whether ``run`` still describes the year for its inputs: before any final run, a
    settlement; after, the latest final run of the chain or a draft correction of it."""
    if not chain:
        return run.kind == "settlement"
    latest = chain[-1].run_id
    return run.run_id == latest or (
        run.kind == "correction" and run.status == "draft" and run.corrects_run_id == latest
    )


def _add(
    store: RunRepository, result: Settlement, *, kind: str, fingerprint: str, corrects: int | None
) -> StoredRun:
    return store.add(
        kind=kind,
        year=result.year,
        netting=result.netting,
        fingerprint=fingerprint,
        corrects_run_id=corrects,
        total_cents=result.total_cents,
        frames={
            "lines": result.lines,
            "excluded": result.excluded,
            "pairs": result.pairs,
            "positions": result.positions,
            "payments": result.payments,
            "hours": result.hours,
            "costs": result.costs,
            "excluded_hours": result.excluded_hours,
        },
    )


def finalise(store: RunRepository, run_id: int) -> StoredRun:
    """Make a draft run final, or say why it cannot be."""
    run = store.get(run_id)
    if run is None:
        raise RunNotFound(run_id)
    if run.status == "final":
        raise RunAlreadyFinal(run_id)
    chain = final_chain(store, run.year)
    if run.kind == "settlement" and chain:
        raise SettlementAlreadyFinal(run.year, chain[0].run_id)
    if run.kind == "correction" and (not chain or chain[-1].run_id != run.corrects_run_id):
        raise CorrectionOutdated(run_id, run.corrects_run_id or 0)
    return store.finalise(run_id)


def load_run(
    store: RunRepository, run_id: int, principal: Principal | None = None
) -> tuple[StoredRun, Settlement]:
    """A stored run as a ``Settlement``; with ``principal``, only the part it may see."""
    run = store.get(run_id)
    if run is None:
        raise RunNotFound(run_id)
    frames = store.frames(run_id, principal)
    lines = frames["lines"]
    hours = frames.get("hours", empty_hours())
    costs = frames.get("costs", empty_costs())
    if run.kind == "settlement":
        lines = lines[LINE_COLUMNS]
        hours = hours[HOURS_COLUMNS]
        costs = costs[COST_COLUMNS]
    netting: Netting = "multilateral" if run.netting == "multilateral" else "bilateral"
    pairs = frames["pairs"]
    if len(pairs.columns):
        pairs = pairs.assign(
            total_cents=pairs["amount_cents"]
            + pairs["hours_cents"]
            + pairs["costs_cents"]
            + pairs["vat_cents"]
        )
    result = Settlement(
        run.year,
        netting,
        lines,
        frames["excluded"],
        pairs,
        frames["positions"],
        frames["payments"],
        hours,
        costs,
        frames.get("excluded_hours", empty_excluded_hours()),
    )
    return run, result
