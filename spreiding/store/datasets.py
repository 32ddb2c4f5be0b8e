"""Storing a dataset and reading it back: the one module that turns frames into rows.

``import_dataset`` stores a validated dataset in the caller's transaction: rows that are
already stored with the same values are left alone (importing twice changes nothing); a row
with a stored key but other values is a conflict, reported with both versions, and nothing is
written. It is two steps, for a caller that checks rights in between: ``plan_import`` compares
every row with what is stored, as a principal sees it (a stored row it may not see is
``hidden``: neither unchanged nor a conflict, and nothing of it is told), and writes nothing;
``write_import`` inserts what the plan found new. ``load_dataset`` reads everything back in the
canonical form of ``spreiding.domain.dataset``; ``load_settlement_inputs`` and
``load_audit_inputs`` read only the tables settling or auditing a year needs. Rows are written
by ``spreiding.store.bulk`` (COPY on PostgreSQL, a prepared INSERT on SQLite, chunk by chunk);
agreements are stored by ``spreiding.store.agreements``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Table, case, select, update

from spreiding.domain import agreements as domain
from spreiding.domain.access import Principal
from spreiding.domain.dataset import (
    DBCS,
    DECLARATIONS,
    HOSPITALS,
    HOURS,
    INSURERS,
    PRICES,
    TRANSFERS,
    Dataset,
    TableSchema,
    conform,
)
from spreiding.domain.errors import DatasetConflict
from spreiding.store import bulk, tables, visibility
from spreiding.store.agreements import (
    AgreementComparison,
    compare_agreements,
    insert_agreements,
    stored_agreements,
)
from spreiding.store.database import lock_for_writing

SEEN = "_seen"  # per stored row: whether the principal may see it


_table = tables.table_of


FRAME_TABLES: tuple[tuple[TableSchema, Table], ...] = (
    (HOSPITALS, _table(tables.Hospital)),
    (INSURERS, _table(tables.Insurer)),
    (PRICES, _table(tables.Price)),
    (DBCS, _table(tables.Dbc)),
    (DECLARATIONS, _table(tables.Declaration)),
    (TRANSFERS, _table(tables.Transfer)),
    (HOURS, _table(tables.Hours)),
)


@dataclass(frozen=True)
class ImportReport:
    """How many rows of each table were new (``added``) or already stored (``unchanged``)."""

    added: dict[str, int]
    unchanged: dict[str, int]

    def summary(self) -> str:
        parts = [
            f"{name}: {self.added[name]} added, {self.unchanged[name]} unchanged"
            for name in self.added
        ]
        return "; ".join(parts)


@dataclass(frozen=True)
class Comparison:
    """What storing one table's rows would do: ``fresh`` rows are not stored yet,
    ``unchanged`` counts rows stored alike, ``clashing`` are the rows stored with other values
    and ``clashes`` say how (both versions; ``stored``: the stored rows, row for row); ``hidden``
    are rows stored under a key whose row the principal may not see: neither is told."""

    fresh: pd.DataFrame
    unchanged: int
    clashing: pd.DataFrame
    clashes: list[str]
    hidden: pd.DataFrame
    stored: pd.DataFrame | None = None


@dataclass(frozen=True)
class ImportPlan:
    """What importing a dataset would add, per table, before anything is written: the caller
    checks it (rights, conflicts) and only then has ``write_import`` store it."""

    agreements: AgreementComparison
    tables: dict[str, Comparison]

    @property
    def conflicts(self) -> list[str]:
        return self.agreements.clashes + [c for t in self.tables.values() for c in t.clashes]


def lock_for_import(connection: Connection) -> None:
    """Writers of dataset rows (imports, agreements, transfers) run one at a time: each finds
    what the one before stored, as unchanged, instead of inserting it a second time."""
    lock_for_writing(connection, "spreiding.import_dataset")


def import_dataset(connection: Connection, dataset: Dataset) -> ImportReport:
    """Store ``dataset`` within the caller's transaction; raise ``DatasetConflict`` first if
    any row conflicts with stored data."""
    plan = plan_import(connection, dataset)
    if plan.conflicts:
        raise DatasetConflict(plan.conflicts)
    return write_import(connection, plan)


def plan_import(
    connection: Connection, dataset: Dataset, principal: Principal | None = None
) -> ImportPlan:
    """Compare every row of ``dataset`` with what is stored, as ``principal`` sees it (None:
    everything), after taking the import lock (``lock_for_import``). Writes nothing."""
    lock_for_import(connection)
    frames = dataset.frames()
    tables: dict[str, Comparison] = {}
    for schema, table in FRAME_TABLES:
        frame = frames[schema.name]
        # No hours is no file (v2): a v1 dataset's import reports the tables it always did.
        if frame is not None and not (schema is HOURS and frame.empty):
            stored, hidden = _load_stored(connection, schema, table, principal)
            tables[schema.name] = _compare(schema, stored, frame, hidden)
    agreements = compare_agreements(connection, dataset.agreements, principal)
    return ImportPlan(agreements, tables)


def write_import(connection: Connection, plan: ImportPlan) -> ImportReport:
    """Insert what ``plan`` found new; the caller has checked that it may (nothing is left
    half-written: the plan holds no conflict and the caller's transaction holds the lock)."""
    added: dict[str, int] = {}
    unchanged: dict[str, int] = {}
    # Agreements are stored between insurers and prices: transfers refer to their care types.
    for schema, table in FRAME_TABLES:
        if schema.name == "prices":
            insert_agreements(connection, plan.agreements.fresh)
            added["agreements"] = len(plan.agreements.fresh)
            unchanged["agreements"] = plan.agreements.unchanged
        if schema.name in plan.tables:
            compared = plan.tables[schema.name]
            bulk.insert_frame(connection, schema, table, compared.fresh)
            added[schema.name] = len(compared.fresh)
            unchanged[schema.name] = compared.unchanged
    return ImportReport(added=added, unchanged=unchanged)


def load_dataset(connection: Connection) -> Dataset:
    """Everything stored, as one dataset. Declarations and transfers are None when none
    are stored; hours an empty frame."""
    frames = {schema.name: _load_frame(connection, schema, table) for schema, table in FRAME_TABLES}
    return Dataset(
        hospitals=frames["hospitals"],
        insurers=frames["insurers"],
        agreements=tuple(stored_agreements(connection)),
        prices=frames["prices"],
        dbcs=frames["dbcs"],
        declarations=_none_if_empty(frames["declarations"]),
        transfers=_none_if_empty(frames["transfers"]),
        hours=frames["hours"],
        source=str(connection.engine.url.render_as_string(hide_password=True)),
    )


@dataclass(frozen=True)
class SettlementInputs:
    """What settling a year reads: DBCs, prices and agreements (docs/data-format.md §3), and
    the hours worked at another hospital (§5), no more."""

    dbcs: pd.DataFrame
    prices: pd.DataFrame
    agreements: tuple[domain.Agreement, ...]
    hours: pd.DataFrame


def load_settlement_inputs(connection: Connection) -> SettlementInputs:
    """The stored DBCs, prices, agreements and hours, as ``load_dataset`` gives them;
    hospitals, insurers, declarations and transfers are not read."""
    return SettlementInputs(
        dbcs=_load_frame(connection, DBCS, _table(tables.Dbc)),
        prices=_load_frame(connection, PRICES, _table(tables.Price)),
        agreements=tuple(stored_agreements(connection)),
        hours=_load_frame(connection, HOURS, _table(tables.Hours)),
    )


@dataclass(frozen=True)
class AuditInputs:
    """What auditing a year reads (docs/data-format.md §4): DBCs, agreements, declarations and
    transfers (None when none are stored)."""

    dbcs: pd.DataFrame
    agreements: tuple[domain.Agreement, ...]
    declarations: pd.DataFrame | None
    transfers: pd.DataFrame | None


def load_audit_inputs(connection: Connection) -> AuditInputs:
    """The stored DBCs, agreements, declarations and transfers, as ``load_dataset`` gives
    them; hospitals, insurers and prices are not read."""
    return AuditInputs(
        dbcs=_load_frame(connection, DBCS, _table(tables.Dbc)),
        agreements=tuple(stored_agreements(connection)),
        declarations=_none_if_empty(
            _load_frame(connection, DECLARATIONS, _table(tables.Declaration))
        ),
        transfers=_none_if_empty(_load_frame(connection, TRANSFERS, _table(tables.Transfer))),
    )


def _none_if_empty(frame: pd.DataFrame) -> pd.DataFrame | None:
    return frame if len(frame) else None


def store_transfers(connection: Connection, frame: pd.DataFrame) -> int:
    """Store transfers (typed frame); the same transfer again changes nothing, another under a
    stored id is a conflict. Returns how many were added."""
    compared = compare_transfers(connection, frame)
    if compared.clashes:
        raise DatasetConflict(compared.clashes)
    return insert_transfers(connection, compared.fresh)


def compare_transfers(
    connection: Connection, frame: pd.DataFrame, principal: Principal | None = None
) -> Comparison:
    """Compare transfers (typed frame) with the stored ones with these ids, as ``principal``
    sees them (None: all). Only those are read, so one transfer reads at most one row."""
    table = _table(tables.Transfer)
    ids = sorted(set(frame["transfer_id"]))
    where = table.c.transfer_id.in_(ids)
    stored, hidden = _load_stored(connection, TRANSFERS, table, principal, where)
    return _compare(TRANSFERS, stored, frame, hidden)


def insert_transfers(connection: Connection, fresh: pd.DataFrame) -> int:
    return bulk.insert_frame(connection, TRANSFERS, _table(tables.Transfer), fresh)


def compare_hours(
    connection: Connection, frame: pd.DataFrame, principal: Principal | None = None
) -> Comparison:
    """Compare hours (typed frame) with the stored ones with these ids, as ``principal`` sees
    them (None: all), as ``compare_transfers``."""
    table = _table(tables.Hours)
    where = table.c.hours_id.in_(sorted(set(frame["hours_id"])))
    stored, hidden = _load_stored(connection, HOURS, table, principal, where)
    return _compare(HOURS, stored, frame, hidden)


def insert_hours(connection: Connection, fresh: pd.DataFrame) -> int:
    return bulk.insert_frame(connection, HOURS, _table(tables.Hours), fresh)


def set_transfer_status(connection: Connection, transfer_id: str, status: str) -> None:
    table = _table(tables.Transfer)
    connection.execute(
        update(table).where(table.c.transfer_id == transfer_id).values(status=status)
    )


# --- frames -------------------------------------------------------------------------------


def _load_frame(
    connection: Connection, schema: TableSchema, table: Table, where: Any = None
) -> pd.DataFrame:
    columns = [table.c[name] for name in schema.columns]
    statement = select(*columns)
    if where is not None:
        statement = statement.where(where)
    result = connection.execute(statement)
    frame = pd.DataFrame(result.fetchall(), columns=list(schema.columns))
    if frame.empty:
        frame = pd.DataFrame({c: pd.Series([], dtype="object") for c in schema.columns})
    return conform(frame, schema)


def _load_stored(
    connection: Connection,
    schema: TableSchema,
    table: Table,
    principal: Principal | None,
    where: Any = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The stored rows (``where``: only those), and the keys of those ``principal`` may not
    see (None or an admin: none), read in the same query."""
    columns = [table.c[name] for name in schema.columns]
    if principal is None or principal.is_admin:
        return _load_frame(connection, schema, table, where), pd.DataFrame(columns=[*schema.key])
    seen = case((visibility.row_condition(principal, schema.name), 1), else_=0).label(SEEN)
    statement = select(*columns, seen)
    if where is not None:
        statement = statement.where(where)
    raw = pd.DataFrame(connection.execute(statement).fetchall(), columns=[*schema.columns, SEEN])
    hidden = raw.loc[raw[SEEN] == 0, list(schema.key)].reset_index(drop=True)
    stored = raw.drop(columns=[SEEN])
    if stored.empty:
        stored = pd.DataFrame({c: pd.Series([], dtype="object") for c in schema.columns})
    return conform(stored, schema), hidden


def _compare(
    schema: TableSchema, stored: pd.DataFrame, incoming: pd.DataFrame, hidden: pd.DataFrame
) -> Comparison:
    """Split ``incoming`` into rows not yet stored, rows stored alike, rows stored with other
    values (with a message naming both), and rows whose stored row is ``hidden`` (keys)."""
    none = incoming.iloc[0:0]
    if stored.empty:
        return Comparison(incoming, 0, none, [], none)
    key = list(schema.key)
    merged = incoming.merge(stored, on=key, how="left", suffixes=("", "__stored"), indicator=True)
    known = (merged["_merge"] == "both").to_numpy()
    secret = np.zeros(len(merged), dtype=bool)
    if len(hidden):
        flagged = incoming[key].merge(hidden.assign(**{SEEN: True}), on=key, how="left")
        secret = flagged[SEEN].fillna(False).astype(bool).to_numpy()
    fresh = incoming.loc[~known].reset_index(drop=True)
    both = merged.loc[known & ~secret].copy()
    values = [c for c in schema.columns if c not in schema.key]
    for column in values:
        # A row not stored made the stored integers float in the merge (NaN): the rows stored
        # have them whole, and a conflict shows them so (not ``210000.0``, nor a column that
        # differs only in that).
        stored_column = both[f"{column}__stored"]
        whole = schema.columns[column] in ("int", "cents", "hundredths")
        if whole and stored_column.dtype.kind == "f" and not stored_column.isna().any():
            both[f"{column}__stored"] = stored_column.astype("int64")
    differs = pd.Series(False, index=both.index)
    for column in values:
        left, right = both[column], both[f"{column}__stored"]
        differs |= ~((left == right).fillna(False).astype(bool) | (left.isna() & right.isna()))
    clashes = []
    for _, row in both.loc[differs].iterrows():
        keys = ", ".join(f"{k}={row[k]}" for k in key)
        changed = [
            f"{c}: stored {_show(row[f'{c}__stored'])}, dataset {_show(row[c])}"
            for c in values
            if _show(row[c]) != _show(row[f"{c}__stored"])
        ]
        clashes.append(f"{schema.name} ({keys}) is stored with other values: " + "; ".join(changed))
    return Comparison(
        fresh=fresh,
        unchanged=int(len(both) - int(differs.sum())),
        clashing=incoming.loc[both.index[differs.to_numpy()]].reset_index(drop=True),
        clashes=clashes,
        hidden=incoming.loc[known & secret].reset_index(drop=True),
        stored=both.loc[differs, key + [f"{c}__stored" for c in values]]
        .rename(columns=lambda c: c.removesuffix("__stored"))
        .reset_index(drop=True),
    )


def _show(value: Any) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "(empty)"
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return str(value)
