"""Storing a dataset and reading it back: the one module that turns frames into rows.

``import_dataset`` stores a validated dataset in the caller's transaction: rows that are
already stored with the same values are left alone (importing twice changes nothing); a row
with a stored key but other values is a conflict, reported with both versions, and nothing is
written. ``load_dataset`` reads everything back in the canonical form of
``spreiding.domain.dataset``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
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
    any row conflicts with stored data."""
    conflicts: list[str] = []
    new_frames: dict[str, pd.DataFrame] = {}
    unchanged: dict[str, int] = {}
    frames = dataset.frames()

    stored_agreements = {a.agreement_id: a for a in _load_agreements(connection)}
    new_agreements = []
    for agreement in dataset.agreements:
        stored = stored_agreements.get(agreement.agreement_id)
        if stored is None:
            new_agreements.append(agreement)
        elif stored != agreement:
            conflicts.append(_agreement_conflict(stored, agreement))
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
            _insert_agreements(connection, new_agreements)
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
    declarations = frames["declarations"]
    transfers = frames["transfers"]
    return Dataset(
        hospitals=frames["hospitals"],
        insurers=frames["insurers"],
        agreements=tuple(_load_agreements(connection)),
        prices=frames["prices"],
        dbcs=frames["dbcs"],
        declarations=declarations if len(declarations) else None,
        transfers=transfers if len(transfers) else None,
        source=str(connection.engine.url.render_as_string(hide_password=True)),
    )


def store_agreements(connection: Connection, agreements: list[domain.Agreement]) -> int:
    """Store agreements not stored yet; the same agreement again changes nothing; another
    agreement under a stored id is a conflict. Returns how many were added."""
    stored = {a.agreement_id: a for a in _load_agreements(connection)}
    conflicts = [
        _agreement_conflict(stored[a.agreement_id], a)
        for a in agreements
        if a.agreement_id in stored and stored[a.agreement_id] != a
    ]
    if conflicts:
        raise DatasetConflict(conflicts)
    new = [a for a in agreements if a.agreement_id not in stored]
    _insert_agreements(connection, new)
    return len(new)


def store_transfers(connection: Connection, frame: pd.DataFrame) -> int:
    """Store transfers (typed frame); the same transfer again changes nothing, another under a
    stored id is a conflict. Returns how many were added."""
    table = _table(tables.Transfer)
    stored = _load_frame(connection, TRANSFERS, table)
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


def stored_agreements(connection: Connection) -> list[domain.Agreement]:
    return _load_agreements(connection)


# --- frames -------------------------------------------------------------------------------


def _load_frame(connection: Connection, schema: TableSchema, table: Table) -> pd.DataFrame:
    columns = [table.c[name] for name in schema.columns]
    result = connection.execute(select(*columns))
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


# --- agreements ---------------------------------------------------------------------------


def _agreement_conflict(stored: domain.Agreement, incoming: domain.Agreement) -> str:
    fields = [
        name
        for name in domain.Agreement.__dataclass_fields__
        if getattr(stored, name) != getattr(incoming, name)
    ]
    stored_json = domain.agreement_to_json(stored)
    incoming_json = domain.agreement_to_json(incoming)
    detail = "; ".join(
        f"{name}: stored {stored_json[name]!r}, dataset {incoming_json[name]!r}"
        if name != "care_types"
        else "care_types differ"
        for name in fields
    )
    return f"agreements ({incoming.agreement_id}) is stored with other values: {detail}"


def _insert_agreements(connection: Connection, agreements: list[domain.Agreement]) -> None:
    rows: dict[type, list[dict[str, Any]]] = {
        tables.Agreement: [],
        tables.AgreementParty: [],
        tables.CareType: [],
        tables.CareTypeProduct: [],
        tables.ParallelConsent: [],
        tables.PlannedVolume: [],
        tables.PathwayStep: [],
    }
    for a in agreements:
        rows[tables.Agreement].append(
            {
                "agreement_id": a.agreement_id,
                "name": a.name,
                "category": a.category,
                "stage": a.stage,
                "valid_from": a.valid_from,
                "valid_to": a.valid_to,
                "parent_id": a.parent_id,
            }
        )
        rows[tables.AgreementParty] += [
            {"agreement_id": a.agreement_id, "position": i, "agb": agb}
            for i, agb in enumerate(a.parties)
        ]
        for position, c in enumerate(a.care_types):
            key = {"agreement_id": a.agreement_id, "care_type": c.care_type}
            terms = c.settlement
            rows[tables.CareType].append(
                key
                | {
                    "position": position,
                    "performing_agb": c.performing_agb,
                    "method": terms.method,
                    "price_list": terms.price_list,
                    "share": None if terms.share is None else str(terms.share),
                    "fee_cents": terms.fee_cents,
                }
            )
            rows[tables.CareTypeProduct] += [
                key | {"kind": "code", "position": i, "code": code}
                for i, code in enumerate(c.zorgproduct_codes)
            ] + [
                key | {"kind": "group", "position": i, "code": code}
                for i, code in enumerate(c.zorgproductgroepen)
            ]
            rows[tables.ParallelConsent] += [
                key
                | {
                    "position": i,
                    "uzovi": p.uzovi,
                    "valid_from": p.valid_from,
                    "valid_to": p.valid_to,
                }
                for i, p in enumerate(c.parallel_consents)
            ]
            rows[tables.PlannedVolume] += [
                key | {"year": year, "patients": patients} for year, patients in c.planned_volume
            ]
            rows[tables.PathwayStep] += [
                key | {"position": i, "phase": s.phase, "at": s.at} for i, s in enumerate(c.pathway)
            ]
    for model, batch in rows.items():
        if batch:
            connection.execute(insert(_table(model)), batch)


def _load_agreements(connection: Connection) -> list[domain.Agreement]:
    def fetch(model: type, *order: str) -> list[Any]:
        table = _table(model)
        return list(connection.execute(select(table).order_by(*(table.c[o] for o in order))))

    parties: dict[str, list[str]] = {}
    for row in fetch(tables.AgreementParty, "agreement_id", "position"):
        parties.setdefault(row.agreement_id, []).append(row.agb)
    codes: dict[tuple[str, str, str], list[str]] = {}
    for row in fetch(tables.CareTypeProduct, "agreement_id", "care_type", "kind", "position"):
        codes.setdefault((row.agreement_id, row.care_type, row.kind), []).append(row.code)
    consents: dict[tuple[str, str], list[domain.ParallelConsent]] = {}
    for row in fetch(tables.ParallelConsent, "agreement_id", "care_type", "position"):
        consents.setdefault((row.agreement_id, row.care_type), []).append(
            domain.ParallelConsent(row.uzovi, row.valid_from, row.valid_to)
        )
    volumes: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for row in fetch(tables.PlannedVolume, "agreement_id", "care_type", "year"):
        volumes.setdefault((row.agreement_id, row.care_type), []).append((row.year, row.patients))
    steps: dict[tuple[str, str], list[domain.PathwayStep]] = {}
    for row in fetch(tables.PathwayStep, "agreement_id", "care_type", "position"):
        steps.setdefault((row.agreement_id, row.care_type), []).append(
            domain.PathwayStep(row.phase, row.at)
        )
    care_types: dict[str, list[domain.CareType]] = {}
    for row in fetch(tables.CareType, "agreement_id", "position"):
        key = (row.agreement_id, row.care_type)
        care_types.setdefault(row.agreement_id, []).append(
            domain.CareType(
                care_type=row.care_type,
                zorgproduct_codes=tuple(codes.get((*key, "code"), ())),
                zorgproductgroepen=tuple(codes.get((*key, "group"), ())),
                performing_agb=row.performing_agb,
                settlement=domain.SettlementTerms(
                    method=row.method,
                    price_list=row.price_list,
                    share=None if row.share is None else Decimal(row.share),
                    fee_cents=row.fee_cents,
                ),
                parallel_consents=tuple(consents.get(key, ())),
                planned_volume=tuple(volumes.get(key, ())),
                pathway=tuple(steps.get(key, ())),
            )
        )
    return [
        domain.Agreement(
            agreement_id=row.agreement_id,
            name=row.name,
            category=row.category,
            stage=row.stage,
            parties=tuple(parties.get(row.agreement_id, ())),
            valid_from=row.valid_from,
            valid_to=row.valid_to,
            parent_id=row.parent_id,
            care_types=tuple(care_types.get(row.agreement_id, ())),
        )
        for row in fetch(tables.Agreement, "agreement_id")
    ]
