"""Settlement runs in the database: the repository behind ``spreiding.services.runs``.

It stores and reads frames and plain values only (this layer does not know the engine).
A run's rows carry ``seq``, their order in the run, so a run reads back exactly as stored.
Changing a final run is refused by the database itself (migration 0002).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

import pandas as pd
from sqlalchemy import (
    Connection,
    Integer,
    Select,
    Table,
    and_,
    bindparam,
    func,
    insert,
    select,
    true,
    update,
)
from sqlalchemy.exc import IntegrityError

from spreiding.domain.access import Principal
from spreiding.domain.runs import StoredRun
from spreiding.store import tables, visibility
from spreiding.store.database import insert_once

RUN = tables.table_of(tables.SettlementRun)
CHILD_TABLES: dict[str, Table] = {
    "lines": tables.table_of(tables.SettlementLine),
    "excluded": tables.table_of(tables.SettlementExclusion),
    "pairs": tables.table_of(tables.SettlementPair),
    "positions": tables.table_of(tables.SettlementPosition),
    "payments": tables.table_of(tables.SettlementPayment),
    # Contract v2: hours lines (§5), cost lines (§6) and the hours rows not settled.
    "hours": tables.table_of(tables.SettlementHoursLine),
    "costs": tables.table_of(tables.SettlementCostLine),
    "excluded_hours": tables.table_of(tables.SettlementHoursExclusion),
}
DATE_COLUMNS = {"end_date", "work_date"}
INTEGER_COLUMNS = {"lines", "weight"}


class FinalRunConflict(Exception):
    """The database refused to finalise: the year (or the corrected run) already has a final
    run."""


class RunStore:
    """Runs through one connection; the caller owns the transaction."""

    def __init__(self, connection: Connection):
        self.connection = connection
        # The runs ``add`` inserted; a run it returns that is not here was stored by another
        # caller first (with the same inputs), so this caller did not create it.
        self.inserted: set[int] = set()

    def _runs(self, *where: Any) -> list[StoredRun]:
        rows = self.connection.execute(select(RUN).where(*where).order_by(RUN.c.run_id))
        return [StoredRun(**row._mapping) for row in rows]

    def get(self, run_id: int) -> StoredRun | None:
        found = self._runs(RUN.c.run_id == run_id)
        return found[0] if found else None

    def all(self) -> list[StoredRun]:
        return self._runs()

    def by_fingerprint(self, fingerprint: str) -> list[StoredRun]:
        return self._runs(RUN.c.fingerprint == fingerprint)

    def final_settlement(self, year: int) -> StoredRun | None:
        found = self._runs(RUN.c.year == year, RUN.c.kind == "settlement", RUN.c.status == "final")
        return found[0] if found else None

    def final_correction_of(self, run_id: int) -> StoredRun | None:
        found = self._runs(
            RUN.c.corrects_run_id == run_id, RUN.c.kind == "correction", RUN.c.status == "final"
        )
        return found[0] if found else None

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
    ) -> StoredRun:
        run = {
            "kind": kind,
            "status": "draft",
            "year": year,
            "netting": netting,
            "fingerprint": fingerprint,
            "corrects_run_id": corrects_run_id,
            "total_cents": total_cents,
        }
        run_id = insert_once(self.connection, RUN, run, returning=RUN.c.run_id)
        if run_id is None:
            # Another caller stored a draft of the same inputs first (the unique indexes of
            # migration 0007): that run is this one. It may have been finalised since.
            same = self._runs(
                RUN.c.kind == kind,
                RUN.c.fingerprint == fingerprint,
                RUN.c.corrects_run_id.is_(None)
                if corrects_run_id is None
                else RUN.c.corrects_run_id == corrects_run_id,
            )
            return min(same, key=lambda found: found.status != "draft")
        self.inserted.add(run_id)
        for name, table in CHILD_TABLES.items():
            frame = frames.get(name)
            if frame is None or frame.empty:
                continue
            columns = [c.name for c in table.columns if c.name not in ("run_id", "seq")]
            present = [c for c in columns if c in frame.columns]
            records = frame[present].to_dict("records")
            rows = [
                {"run_id": run_id, "seq": seq, **_plain(record)}
                for seq, record in enumerate(records)
            ]
            for start in range(0, len(rows), 20_000):
                self.connection.execute(insert(table), rows[start : start + 20_000])
        stored = self.get(run_id)
        assert stored is not None
        return stored

    def finalise(self, run_id: int) -> StoredRun:
        try:
            with self.connection.begin_nested():
                self.connection.execute(
                    update(RUN)
                    .where(RUN.c.run_id == run_id, RUN.c.status == "draft")
                    .values(status="final")
                )
        except IntegrityError as exc:
            raise FinalRunConflict(str(exc.orig)) from exc
        stored = self.get(run_id)
        assert stored is not None
        return stored

    def pair_frames(self, run_id: int, first: str, second: str) -> dict[str, pd.DataFrame]:
        """Only the lines (DBC, hours and cost lines) and exclusions between two hospitals and
        the payments either makes or receives: what their statement needs, read through the
        (run, debtor, creditor) indexes instead of the whole run."""
        pair = (first, second)
        lines = CHILD_TABLES["lines"]
        excluded = CHILD_TABLES["excluded"]
        payments = CHILD_TABLES["payments"]
        return {
            "payments": self._frame(
                payments,
                (payments.c.run_id == run_id)
                & (payments.c.from_agb.in_(pair) | payments.c.to_agb.in_(pair)),
            ),
            "lines": self._frame(
                lines,
                (lines.c.run_id == run_id)
                & lines.c.debtor_agb.in_(pair)
                & lines.c.creditor_agb.in_(pair)
                & (lines.c.debtor_agb != lines.c.creditor_agb),
                pair=True,
            ),
            "excluded": self._frame(
                excluded,
                (excluded.c.run_id == run_id)
                & excluded.c.agb.in_(pair)
                & excluded.c.requesting_agb.in_(pair),
                pair=True,
            ),
            **{
                name: self._frame(
                    table,
                    (table.c.run_id == run_id)
                    & table.c.debtor_agb.in_(pair)
                    & table.c.creditor_agb.in_(pair)
                    & (table.c.debtor_agb != table.c.creditor_agb),
                    pair=True,
                )
                for name, table in (
                    ("hours", CHILD_TABLES["hours"]),
                    ("costs", CHILD_TABLES["costs"]),
                )
            },
        }

    def direction_page(
        self, name: str, run_id: int, creditor: str, debtor: str, *, after: int, limit: int | None
    ) -> list[dict[str, Any]]:
        """At most ``limit`` of the run's ``name`` rows (lines, hours or costs) that ``creditor``
        is owed by ``debtor``, those after ``seq`` ``after``, in the run's order, with ``seq``:
        a keyset page read in order from the (run, debtor, creditor, seq) index (migration
        0015), which stops after ``limit`` rows: no sort of the pair's rows, as plain values."""
        values = {"run_id": run_id, "debtor": debtor, "creditor": creditor, "after": after}
        if limit is not None:
            values["limit"] = limit
        result = self.connection.execute(_direction_query(name, limited=limit is not None), values)
        keys = list(result.keys())
        return [dict(zip(keys, row, strict=True)) for row in result.fetchall()]

    def care_type_totals(
        self, run_id: int, creditor: str, debtor: str
    ) -> list[tuple[str, int, int]]:
        """Per care type, the number and amount of the DBC lines ``creditor`` is owed by
        ``debtor``: (care_type, lines, cents), summed in the database."""
        lines = CHILD_TABLES["lines"]
        rows = self.connection.execute(
            select(lines.c.care_type, func.count(), func.sum(lines.c.amount_cents))
            .where(
                lines.c.run_id == run_id,
                lines.c.debtor_agb == debtor,
                lines.c.creditor_agb == creditor,
            )
            .group_by(lines.c.care_type)
        )
        return [(str(care), int(count), int(cents)) for care, count, cents in rows]

    def pair_agreements(self, run_id: int, first: str, second: str) -> set[str]:
        """The agreements of the DBC lines between two hospitals, both ways."""
        lines = CHILD_TABLES["lines"]
        pair = (first, second)
        rows = self.connection.execute(
            select(lines.c.agreement_id)
            .where(
                lines.c.run_id == run_id,
                lines.c.debtor_agb.in_(pair),
                lines.c.creditor_agb.in_(pair),
                lines.c.debtor_agb != lines.c.creditor_agb,
            )
            .distinct()
        )
        return {str(agreement) for agreement in rows.scalars()}

    def pair_exclusions(self, run_id: int, first: str, second: str) -> int:
        """How many DBCs of either hospital, requested by either, the run excluded."""
        excluded = CHILD_TABLES["excluded"]
        pair = (first, second)
        return int(
            self.connection.execute(
                select(func.count()).where(
                    excluded.c.run_id == run_id,
                    excluded.c.agb.in_(pair),
                    excluded.c.requesting_agb.in_(pair),
                )
            ).scalar_one()
        )

    def pair_payments(self, run_id: int, first: str, second: str) -> list[dict[str, Any]]:
        """The run's payments either hospital makes or receives, in the run's order."""
        payments = CHILD_TABLES["payments"]
        pair = (first, second)
        query = (
            select(payments.c.from_agb, payments.c.to_agb, payments.c.amount_cents)
            .where(
                payments.c.run_id == run_id,
                payments.c.from_agb.in_(pair) | payments.c.to_agb.in_(pair),
            )
            .order_by(payments.c.seq)
        )
        return [dict(row._mapping) for row in self.connection.execute(query)]

    def pair_has_rows(self, run_id: int, first: str, second: str) -> bool:
        """Whether the run has a line (DBC, hours or cost line) or an exclusion between the two
        hospitals: whether they have a statement."""
        pair = (first, second)
        excluded = CHILD_TABLES["excluded"]
        queries = [
            select(table.c.seq).where(
                table.c.run_id == run_id,
                table.c.debtor_agb.in_(pair),
                table.c.creditor_agb.in_(pair),
                table.c.debtor_agb != table.c.creditor_agb,
            )
            for table in (CHILD_TABLES[name] for name in ("lines", "hours", "costs"))
        ]
        queries.append(
            select(excluded.c.seq).where(
                excluded.c.run_id == run_id,
                excluded.c.agb.in_(pair),
                excluded.c.requesting_agb.in_(pair),
            )
        )
        return any(self.connection.execute(q.limit(1)).first() is not None for q in queries)

    def frames(self, run_id: int, principal: Principal | None = None) -> dict[str, pd.DataFrame]:
        """The rows of a run, per child table; with ``principal``, only the part it may see
        (``spreiding.store.visibility.run_part``), narrowed in SQL."""
        part = visibility.run_part(principal) if principal is not None else {}
        return {
            name: self._frame(table, and_(table.c.run_id == run_id, part.get(name, true())))
            for name, table in CHILD_TABLES.items()
        }

    def _frame(self, table: Table, where: Any, *, pair: bool = False) -> pd.DataFrame:
        columns = [c for c in table.columns if c.name not in ("run_id", "seq")]
        order = (_pair_order(table),) if pair else (table.c.run_id, table.c.seq)
        result = self.connection.execute(select(*columns).where(where).order_by(*order))
        frame = pd.DataFrame(result.fetchall(), columns=[c.name for c in columns])
        for column in frame.columns:
            if column in DATE_COLUMNS:
                frame[column] = pd.to_datetime(frame[column]).astype("datetime64[s]")
            elif column.endswith("_cents") or column in INTEGER_COLUMNS:
                frame[column] = frame[column].astype("int64")
            else:
                frame[column] = frame[column].astype("str")
        return frame


@cache
def _direction_query(name: str, *, limited: bool) -> Select[Any]:
    """The query of ``RunStore.direction_page``, built once (its values are bound)."""
    table = CHILD_TABLES[name]
    query = (
        select(*(c for c in table.columns if c.name != "run_id"))
        .where(
            table.c.run_id == bindparam("run_id"),
            table.c.debtor_agb == bindparam("debtor"),
            table.c.creditor_agb == bindparam("creditor"),
            table.c.seq > bindparam("after"),
        )
        .order_by(table.c.seq)
    )
    return query.limit(bindparam("limit", type_=Integer)) if limited else query


def _pair_order(table: Table) -> Any:
    """A pair's rows in the run's order, as an expression: ordered by the key ``(run_id, seq)``,
    SQLite walks the whole run in key order (840,000 lines for one pair's 1,900) instead of
    reading the pair through its index and sorting it."""
    return table.c.seq + 0


def _plain(record: Mapping[Any, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in record.items():
        if isinstance(value, pd.Timestamp):
            out[str(key)] = value.date()
        elif hasattr(value, "item"):
            out[str(key)] = value.item()  # numpy scalar -> int
        elif value is None or (isinstance(value, float) and pd.isna(value)):
            out[str(key)] = None
        else:
            out[str(key)] = value
    return out
