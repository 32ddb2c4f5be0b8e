"""Read a dataset folder, check every rule of docs/data-format.md §1, report every breach.

Checks are vectorised over whole columns; a message is built only for a row that breaks a
rule, so a file of ten million valid lines is checked in seconds; one with 10,000 rows breaking
one rule in one column yields five lines and a sixth counting the rest. A breach reads like::

    dbcs.csv:14: requesting_agb: required when odv is true

LINE counts the header as line 1 (a value spanning lines with a quoted newline shifts the
count, as in any line-oriented tool). Nothing is returned unless the whole dataset is valid.

The parts: ``files`` reads each CSV file as strings, ``agreements`` parses ``agreements.json``,
``checks`` holds the rules of each file (built from the vectorised checks of ``rows``); this
module puts them together and types the result (``spreiding.domain.dataset``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from spreiding.contract.agreements import parse_agreements, read_agreements_text
from spreiding.contract.checks import (
    check_dbcs,
    check_declarations,
    check_hospitals,
    check_hours,
    check_insurers,
    check_prices,
    check_transfers,
)
from spreiding.contract.dates import parse_dates
from spreiding.contract.files import LINE, SPECS, FileSpec, storable_rows
from spreiding.contract.money_cells import cents
from spreiding.contract.rows import Rows, dbc_keys
from spreiding.contract.sources import read_tables, source_of
from spreiding.domain import identifiers
from spreiding.domain.agreements import Agreement
from spreiding.domain.dataset import (
    DBCS,
    DECLARATIONS,
    HOSPITALS,
    HOURS,
    INSURERS,
    PRICES,
    SCHEMAS,
    TRANSFERS,
    Dataset,
    TableSchema,
    conform,
    empty,
)
from spreiding.domain.errors import DatasetError, DatasetInvalid

__all__ = ["SPECS", "FileSpec", "read_dataset", "validate_hours", "validate_transfers"]

SCHEMAS_BY_NAME = {schema.name: schema for schema in SCHEMAS}


def read_dataset(folder: Path | str) -> Dataset:
    """Read and validate ``folder``; raise ``DatasetInvalid`` with every error."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DatasetInvalid([DatasetError(str(folder), 0, "(folder)", "is not a folder")])
    errors: list[DatasetError] = []
    notes: list[str] = []
    raw = read_tables(folder, errors, notes)

    hospitals = _known(raw["hospitals"], "agb")
    insurers = _known(raw["insurers"], "uzovi")
    price_lists = _known(raw["prices"], "price_list")

    agreements: list[Agreement] = []
    # None: the file could not be read, so references to agreements are not checked.
    agreement_ids: set[str] | None = None
    agreements_path = folder / "agreements.json"
    if not agreements_path.is_file():
        errors.append(DatasetError("agreements.json", 0, "(file)", "required file is missing"))
    else:
        text = read_agreements_text(agreements_path)
        if isinstance(text, DatasetError):
            errors.append(text)
        else:
            agreements, agreement_errors, agreement_ids = parse_agreements(
                text,
                hospitals=hospitals if hospitals is not None else _Anything(),
                insurers=insurers if insurers is not None else _Anything(),
                price_lists=price_lists,
            )
            errors.extend(agreement_errors)

    checks: dict[str, Callable[[Rows], None]] = {
        "hospitals": check_hospitals,
        "insurers": check_insurers,
        "prices": check_prices,
        "dbcs": lambda rows: check_dbcs(rows, hospitals, insurers),
        "declarations": lambda rows: check_declarations(
            rows, hospitals, insurers, dbc_keys(raw["dbcs"])
        ),
        "transfers": lambda rows: check_transfers(rows, hospitals, agreements, agreement_ids),
        "hours": lambda rows: check_hours(rows, hospitals, agreements, agreement_ids),
    }
    # Per table, the dates its checks parsed and its rows' order by its key (a key of text
    # columns, ranked by its uniqueness check): typing the rows takes both as they are.
    dates: dict[str, dict[str, pd.Series]] = {}
    key_orders: dict[str, np.ndarray] = {}
    for name, check in checks.items():
        frame = raw[name]
        if frame is not None:
            rows = Rows(source_of(frame, name), frame, errors)
            check(rows)
            dates[name] = rows.dates
            schema = SCHEMAS_BY_NAME[name]
            order = rows.orders.get(schema.key)
            if order is not None and all(schema.columns[c] == "str" for c in schema.key):
                key_orders[name] = order

    if errors:
        raise DatasetInvalid(errors)
    return _typed(
        raw, agreements, source=str(folder), notes=tuple(notes), dates=dates, key_orders=key_orders
    )


class _Anything(frozenset[str]):
    """Stands in for a reference set whose file could not be read: no cascade of errors."""

    def __contains__(self, item: object) -> bool:
        return True


def _known(frame: pd.DataFrame | None, column: str) -> set[str] | None:
    if frame is None:
        return None
    return set(frame[column][frame[column] != ""].unique())


def validate_transfers(
    rows: list[dict[str, str]],
    *,
    hospitals: set[str],
    agreements: list[Agreement],
    source: str = "request",
) -> pd.DataFrame:
    """Check transfers registered one by one (the alliance bureau's API) by the same rules as
    ``transfers.csv``; return them typed, or raise ``DatasetInvalid`` (LINE: the row, from 1)."""
    return _validate_rows(
        "transfers",
        check_transfers,
        rows,
        hospitals=hospitals,
        agreements=agreements,
        source=source,
    )


def validate_hours(
    rows: list[dict[str, str]],
    *,
    hospitals: set[str],
    agreements: list[Agreement],
    source: str = "request",
) -> pd.DataFrame:
    """Check hours registered one by one (by the host hospital or the bureau) by the same rules
    as ``hours.csv``; return them typed (``hours`` as ``hours_hundredths``), or raise
    ``DatasetInvalid`` (LINE: the row, from 1)."""
    return _validate_rows(
        "hours", check_hours, rows, hospitals=hospitals, agreements=agreements, source=source
    )


def _validate_rows(
    name: str,
    check: Callable[[Rows, set[str] | None, list[Agreement], set[str] | None], None],
    rows: list[dict[str, str]],
    *,
    hospitals: set[str],
    agreements: list[Agreement],
    source: str,
) -> pd.DataFrame:
    spec = SPECS[name]
    frame = pd.DataFrame(
        {c: [str(r.get(c) or "").strip() for r in rows] for c in spec.required + spec.optional}
    ).astype("str")
    frame[LINE] = np.arange(1, len(rows) + 1, dtype="int64")
    errors: list[DatasetError] = []
    frame = storable_rows(source, frame, list(spec.required + spec.optional), errors)
    ids = {a.agreement_id for a in agreements}
    check(Rows(source, frame, errors), hospitals, agreements, ids)
    if errors:
        raise DatasetInvalid(errors)
    schema = SCHEMAS_BY_NAME[name]
    for column, kind in schema.columns.items():
        if kind in ("cents", "hundredths"):
            frame[column] = cents(frame.pop(schema.file_column(column)))
    return conform(_dates(frame, schema), schema)


# --- typed dataset -----------------------------------------------------------------------


def _dates(
    frame: pd.DataFrame, schema: TableSchema, parsed: dict[str, pd.Series] | None = None
) -> pd.DataFrame:
    """The date columns parsed by the format they were checked against (an empty open date:
    NaT), as ``datetime64[s]``: years 0001 to 9999. ``parsed``: columns the checks parsed
    already (``Rows.dates``), of these very rows."""
    for column, kind in schema.columns.items():
        if kind == "date":
            done = (parsed or {}).get(column)
            if done is None or not done.index.equals(frame.index):
                done = pd.Series(parse_dates(frame[column]), index=frame.index)
            frame[column] = done
    return frame


def _or_empty(frame: pd.DataFrame | None, schema: TableSchema) -> pd.DataFrame:
    return empty(schema) if frame is None else frame


def _typed(
    raw: dict[str, pd.DataFrame | None],
    agreements: list[Agreement],
    *,
    source: str,
    notes: tuple[str, ...] = (),
    dates: dict[str, dict[str, pd.Series]] | None = None,
    key_orders: dict[str, np.ndarray] | None = None,
) -> Dataset:
    """The typed dataset. Raw frames are taken out of ``raw`` and consumed column by column:
    at no point are all strings of a large file held next to its typed copy."""

    def typed(name: str, schema: TableSchema) -> pd.DataFrame | None:
        frame = raw.pop(name)
        if frame is None:
            return None
        for column, kind in schema.columns.items():
            if kind in ("cents", "hundredths"):
                # Hours have the pattern of money (at most two decimals): 7.5 -> 750.
                frame[column] = cents(frame.pop(schema.file_column(column)))
            elif kind == "bool":
                frame[column] = frame[column] == "true"
        if schema is HOSPITALS:
            # An IBAN is stored in its compact form, however it was written (NL91 ABNA ...).
            iban = frame["iban"]
            frame["iban"] = iban.where(iban == "", iban.map(identifiers.iban.compact))
        parsed = (dates or {}).get(name)
        order = (key_orders or {}).get(name)
        return conform(_dates(frame, schema, parsed), schema, consume=True, key_order=order)

    def required(name: str, schema: TableSchema) -> pd.DataFrame:
        frame = typed(name, schema)
        assert frame is not None
        return frame

    return Dataset(
        hospitals=required("hospitals", HOSPITALS),
        insurers=required("insurers", INSURERS),
        agreements=tuple(sorted(agreements, key=lambda a: a.agreement_id)),
        prices=required("prices", PRICES),
        dbcs=required("dbcs", DBCS),
        declarations=typed("declarations", DECLARATIONS),
        transfers=typed("transfers", TRANSFERS),
        hours=_or_empty(typed("hours", HOURS), HOURS),
        source=source,
        notes=notes,
    )
