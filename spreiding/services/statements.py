"""Statements: the view model of what two hospitals owe each other in one run. Rendering (PDF,
JSON) is the front end's; these use cases return ``settlement.statement.Statement`` values.

Example: in run 1 of the v1 samen-plus data, Alrijne (06010101) sees the pairs it is part of,
``statement(connection, alrijne, 1, "06010102", "06010101")`` gives the statement of Alrijne
and Groene Hart (AGBs sorted), and asking for a pair without Alrijne reads as not found.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import cached_property

from sqlalchemy import Connection

from settlement.engine import Settlement
from settlement.statement import Statement, build_pair_statement, build_statement
from settlement.statement_parts import PairIndex
from spreiding.domain.access import Principal
from spreiding.domain.runs import StoredRun
from spreiding.services import runs
from spreiding.services.errors import NotFound
from spreiding.services.reference import hospital_names
from spreiding.services.settlement import visible_run
from spreiding.store import visibility
from spreiding.store.runs import RunStore


@dataclass(frozen=True)
class StatementRef:
    """A statement a principal may read: the run's header and the pair, lower AGB first, and
    whose payments it shows (``viewer``: a hospital's AGB; None for an admin: all)."""

    run: StoredRun
    first: str
    second: str
    viewer: str | None = None


def viewer_of(principal: Principal) -> str | None:
    """Whose payments a statement shows ``principal``: a hospital sees only the payments it
    makes or receives (under multilateral netting its counterparty's payments to third
    hospitals are that hospital's business, as in the run's own rows); an admin sees all."""
    return None if principal.is_admin else principal.agb


def seen_by(statement: Statement, viewer: str | None) -> Statement:
    """``statement`` with only the payments ``viewer`` may see (``viewer_of``)."""
    if viewer is None:
        return statement
    mine = tuple(p for p in statement.payments if viewer in (p.payer.agb, p.payee.agb))
    return replace(statement, payments=mine)


def statement_pairs(
    connection: Connection, principal: Principal, run_id: int
) -> list[tuple[str, str]]:
    """The pairs of hospitals with a statement in run ``run_id`` that ``principal`` may read."""
    visible_run(connection, principal, run_id)
    return visibility.statement_pairs(connection, principal, run_id)


def locate_statement(
    connection: Connection, principal: Principal, run_id: int, first: str, second: str
) -> StatementRef:
    """Check that ``principal`` may read the statement of ``first`` and ``second`` (in either
    order) in run ``run_id``; another tenant's pair reads as not found."""
    run = visible_run(connection, principal, run_id)
    first, second = sorted((first, second))
    if not principal.is_admin and principal.agb not in (first, second):
        raise NotFound(f"there is no statement {first}-{second} in run {run_id}")
    return StatementRef(run, first, second, viewer_of(principal))


def pair_statement(connection: Connection, ref: StatementRef) -> Statement:
    """The statement of a located pair, from only that pair's rows of the run."""
    frames = RunStore(connection).pair_frames(ref.run.run_id, ref.first, ref.second)
    if all(frames[name].empty for name in ("lines", "hours", "costs", "excluded")):
        raise NotFound(f"there is no statement {ref.first}-{ref.second} in run {ref.run.run_id}")
    built = build_pair_statement(
        ref.run,
        frames["lines"],
        frames["excluded"],
        first=ref.first,
        second=ref.second,
        hospitals=hospital_names(connection),
        agreements=_agreement_names(connection),
        payments=frames["payments"],
        hours=frames["hours"],
        costs=frames["costs"],
    )
    return seen_by(built, ref.viewer)


def statement(
    connection: Connection, principal: Principal, run_id: int, first: str, second: str
) -> Statement:
    """The statement of two hospitals in one run, if ``principal`` may read it."""
    return pair_statement(
        connection, locate_statement(connection, principal, run_id, first, second)
    )


@dataclass(frozen=True)
class RunStatements:
    """Every statement of a run that a principal may read, built one at a time as they are
    iterated (a large run has thousands of pairs: only one view model is held at once)."""

    run: StoredRun
    result: Settlement
    pairs: tuple[tuple[str, str], ...]
    hospitals: dict[str, str]
    agreements: dict[str, str]
    viewer: str | None  # whose payments the statements show (viewer_of)

    def __len__(self) -> int:
        return len(self.pairs)

    def __iter__(self) -> Iterator[Statement]:
        for index in range(len(self.pairs)):
            yield self.statement(index)

    @cached_property
    def _by_pair(self) -> PairIndex:
        return PairIndex.of(self.result)

    def statement(self, index: int) -> Statement:
        """The statement of the ``index``-th pair."""
        first, second = self.pairs[index]
        built = build_statement(
            self.run,
            self._by_pair.for_pair(first, second),
            first=first,
            second=second,
            hospitals=self.hospitals,
            agreements=self.agreements,
        )
        return seen_by(built, self.viewer)


def run_statements(connection: Connection, principal: Principal, run_id: int) -> RunStatements:
    """The statements of every pair in run ``run_id`` that ``principal`` may read."""
    visible_run(connection, principal, run_id)
    run, result = runs.load_run(RunStore(connection), run_id, principal)
    pairs = visibility.statement_pairs(connection, principal, run_id)
    return RunStatements(
        run,
        result,
        tuple(pairs),
        hospital_names(connection),
        _agreement_names(connection),
        viewer_of(principal),
    )


def non_empty(every: RunStatements) -> RunStatements:
    """Only the statements of pairs with something owed between them: a DBC, hours or cost
    line (a pair with only exclusions has nothing to sign)."""
    pairs = every.result.pairs
    owing = {
        tuple(sorted((str(debtor), str(creditor))))
        for debtor, creditor, lines, total in zip(
            pairs["debtor_agb"],
            pairs["creditor_agb"],
            pairs["lines"],
            pairs["total_cents"],
            strict=True,
        )
        if lines or total
    }
    return replace(every, pairs=tuple(pair for pair in every.pairs if pair in owing))


def _agreement_names(connection: Connection) -> dict[str, str]:
    return {row["agreement_id"]: row["name"] for row in visibility.agreement_names(connection)}
