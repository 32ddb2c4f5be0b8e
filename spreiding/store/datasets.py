"""Storing a dataset and reading it back: the one module that turns frames into rows.

``import_dataset`` stores a validated dataset in the caller's transaction: rows that are
already stored with the same values are left alone (importing twice changes nothing); a row
with a stored key but other values is a conflict, reported with both versions, and nothing is
written. ``load_dataset`` reads everything back in the canonical form of
``spreiding.domain.dataset``; ``load_settlement_inputs`` and ``load_audit_inputs`` read only the
tables settling or auditing a year needs. Agreements are stored by ``spreiding.store.agreements``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Table, insert, select, update

from spreiding.domain import agreements as domain
from spreiding.domain.dataset import (
    DBCS,
    DECLARATIONS,
    HOSPITALS,
    INSURERS,
    PRICES,
    TRANSFERS,
    Dataset,
    TableSchema,
    conform,
)
from spreiding.domain.errors import DatasetConflict
from spreiding.store import tables
from spreiding.store.agreements import compare_agreements, insert_agreements, stored_agreements
from spreiding.store.database import lock_for_writing

CHUNK_ROWS = 50_000


_table = tables.table_of


FRAME_TABLES: tuple[tuple[TableSchema, Table], ...] = (
    (HOSPITALS, _table(tables.Hospital)),
    (INSURERS, _table(tables.Insurer)),
    (PRICES, _table(tables.Price)),
    (DBCS, _table(tables.Dbc)),
    (DECLARATIONS, _table(tables.Declaration)),
    (TRANSFERS, _table(tables.Transfer)),
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


def import_dataset(connection: Connection, dataset: Dataset) -> ImportReport:
    """Store ``dataset`` within the caller's transaction; raise ``DatasetConflict`` first if
    any row conflicts with stored data.

    Imports run one at a time (``lock_for_writing``): parallel imports of the same data each
    find what the one before stored, as unchanged, instead of inserting it a second time."""
    lock_for_writing(connection, "spreiding.import_dataset")
    conflicts: list[str] = []
    new_frames: dict[str, pd.DataFrame] = {}
    unchanged: dict[str, int] = {}
    frames = dataset.frames()

    new_agreements, clashes = compare_agreements(connection, dataset.agreements)
    conflicts.extend(clashes)
    unchanged["agreements"] = len(dataset.agreements) - len(new_agreements)

    # Agreements are stored between insurers and prices: transfers refer to their care types.
    for schema, table in FRAME_TABLES:
        frame = frames[schema.name]
        if frame is None:
            continue
        stored_frame = _load_frame(connection, schema, table)
        fresh, same, clashes = _compare(schema, stored_frame, frame)
        conflicts.extend(clashes)
        new_frames[schema.name] = fresh
        unchanged[schema.name] = same
    if conflicts:
        raise DatasetConflict(conflicts)

    added: dict[str, int] = {}
    for schema, table in FRAME_TABLES:
        if schema.name == "prices":
            insert_agreements(connection, new_agreements)
            added["agreements"] = len(new_agreements)
        if schema.name in new_frames:
            frame = new_frames[schema.name]
            for chunk in _records(frame, schema, table):
                connection.execute(insert(table), chunk)
            added[schema.name] = len(frame)
    unchanged_ordered = {name: unchanged.get(name, 0) for name in added}
    return ImportReport(added=added, unchanged=unchanged_ordered)


def load_dataset(connection: Connection) -> Dataset:
    """Everything stored, as one dataset. Declarations and transfers are None when none
    are stored."""
    frames = {schema.name: _load_frame(connection, schema, table) for schema, table in FRAME_TABLES}
    return Dataset(
        hospitals=frames["hospitals"],
        insurers=frames["insurers"],
        agreements=tuple(stored_agreements(connection)),
        prices=frames["prices"],
        dbcs=frames["dbcs"],
        declarations=_none_if_empty(frames["declarations"]),
        transfers=_none_if_empty(frames["transfers"]),
        source=str(connection.engine.url.render_as_string(hide_password=True)),
    )


@dataclass(frozen=True)
class SettlementInputs:
    """What settling a year reads: DBCs, prices and agreements (CONTRACT §3), no more."""

    dbcs: pd.DataFrame
    prices: pd.DataFrame
    agreements: tuple[domain.Agreement, ...]


def load_settlement_inputs(connection: Connection) -> SettlementInputs:
    """The stored DBCs, prices and agreements, as ``load_dataset`` gives them; hospitals,
    insurers, declarations and transfers are not read."""
    return SettlementInputs(
        dbcs=_load_frame(connection, DBCS, _table(tables.Dbc)),
        prices=_load_frame(connection, PRICES, _table(tables.Price)),
        agreements=tuple(stored_agreements(connection)),
    )


@dataclass(frozen=True)
class AuditInputs:
    """What auditing a year reads (CONTRACT §4): DBCs, agreements, declarations and
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
    stored id is a conflict. Returns how many were added. Only the stored transfers with
    these ids are read, so registering one transfer reads at most one row."""
    table = _table(tables.Transfer)
    ids = sorted(set(frame["transfer_id"]))
    stored = _load_frame(connection, TRANSFERS, table, table.c.transfer_id.in_(ids))
    fresh, _same, clashes = _compare(TRANSFERS, stored, frame)
    if clashes:
        raise DatasetConflict(clashes)
    for chunk in _records(fresh, TRANSFERS, table):
        connection.execute(insert(table), chunk)
    return len(fresh)


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


def _compare(
    schema: TableSchema, stored: pd.DataFrame, incoming: pd.DataFrame
) -> tuple[pd.DataFrame, int, list[str]]:
    """Split ``incoming`` into rows not yet stored, a count of rows stored alike, and
    conflict messages for rows stored with other values."""
    if stored.empty:
        return incoming, 0, []
    key = list(schema.key)
    merged = incoming.merge(stored, on=key, how="left", suffixes=("", "__stored"), indicator=True)
    known = (merged["_merge"] == "both").to_numpy()
    fresh = incoming.loc[~known].reset_index(drop=True)
    both = merged.loc[known]
    values = [c for c in schema.columns if c not in schema.key]
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
    return fresh, int(len(both) - int(differs.sum())), clashes


def _show(value: Any) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "(empty)"
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return str(value)


def _records(
    frame: pd.DataFrame, schema: TableSchema, table: Table
) -> Iterator[list[dict[str, Any]]]:
    """Rows as plain Python values, in chunks, so memory stays bounded for large imports."""
    for start in range(0, len(frame), CHUNK_ROWS):
        chunk = frame.iloc[start : start + CHUNK_ROWS]
        columns: dict[str, list[Any]] = {}
        for name, kind in schema.columns.items():
            series = chunk[name]
            if kind == "date":
                columns[name] = [None if pd.isna(v) else v.date() for v in series]
            elif kind in ("int", "cents"):
                columns[name] = [int(v) for v in series.to_numpy()]
            elif kind == "bool":
                columns[name] = [bool(v) for v in series.to_numpy()]
            else:
                columns[name] = [None if pd.isna(v) else str(v) for v in series]
        names = list(columns)
        yield [dict(zip(names, row, strict=True)) for row in zip(*columns.values(), strict=True)]
