"""The in-memory dataset: typed frames with one canonical form.

Every frame has the columns of its schema in schema order, rows sorted by the table's key,
and fixed dtypes: ``str`` for codes and text (missing: NA), ``int64`` for years, for money in
cents and for hours in hundredths, ``datetime64[s]`` for dates (open: NaT), ``bool`` for
flags. Two datasets with the same content are therefore ``equals`` whatever the row order of the
files they came from, and a dataset read back from the database equals the one that was stored.

Contract v2 adds: ``hospitals`` ``iban`` and ``address`` (optional, descriptive); ``dbcs``
``uzovi`` (optional; the insurer the care is declared to, read by §3 step 4); and the table
``hours`` (``HOURS``, file ``hours.csv``): ``hours_id``, ``agreement_id``, ``employer_agb``,
``host_agb``, ``role``, ``work_date``, ``hours_hundredths``, ``person_ref``, ``care_type``,
``specialism``. Hours are a column of the kind ``hundredths``: an ``int64`` number of
hundredths of an hour in the frame and the database (``7.50`` hours is ``750``), written
``hours`` with two decimals in the file and the API, just as money is ``<x>_cents`` inside and
``<x>_eur`` outside. ``Dataset.hours`` is an empty frame when the folder has no ``hours.csv``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from spreiding.domain.agreements import Agreement
from spreiding.domain.string_columns import blank_as_missing, take_columns, take_frame

Kind = Literal["str", "opt", "int", "cents", "hundredths", "date", "bool"]


@dataclass(frozen=True)
class TableSchema:
    """One file of the contract and its table: the one list of its columns, from which the
    reader, the fingerprint and the engines take theirs (the database tables and the API
    schemas are checked against it by ``tests/test_schema.py``).

    ``columns``: name and kind, in order. ``key``: what identifies a row. ``optional``: columns
    the file may leave out of its header (they read as empty). ``open_dates``: date columns
    that may be empty (a DBC not closed yet). ``descriptive``: carried and stored, read by no
    rule. A money column is ``<x>_cents`` in the frame and ``<x>_eur`` in the file and the API;
    an hours column (kind ``hundredths``) is ``<x>_hundredths`` in the frame and ``<x>`` there.
    Example: ``PRICES.file`` is ``prices.csv``, ``PRICES.file_columns`` ends with
    ``price_eur``, ``DBCS.rule_columns`` starts with ``("agb", "dbc_id", "patient_ref")``.
    """

    name: str
    columns: Mapping[str, Kind]
    key: tuple[str, ...]
    optional: tuple[str, ...] = ()
    open_dates: tuple[str, ...] = ()
    descriptive: tuple[str, ...] = ()

    @property
    def file(self) -> str:
        return f"{self.name}.csv"

    def file_column(self, column: str) -> str:
        """The column's name in the file: money in euros there (``price_cents``: ``price_eur``),
        hours in hours (``hours_hundredths``: ``hours``)."""
        if self.columns[column] == "cents":
            return column.removesuffix("_cents") + "_eur"
        if self.columns[column] == "hundredths":
            return column.removesuffix("_hundredths")
        return column

    @property
    def file_columns(self) -> tuple[str, ...]:
        return tuple(self.file_column(c) for c in self.columns)

    @property
    def nullable(self) -> tuple[str, ...]:
        """The columns whose value may be absent (None / NaT)."""
        return tuple(c for c, k in self.columns.items() if k == "opt" or c in self.open_dates)

    @property
    def rule_columns(self) -> tuple[str, ...]:
        """The key, then every other column a rule reads, in schema order: what a computation
        over the table depends on (the settlement fingerprint hashes these, in this order)."""
        rest = [c for c in self.columns if c not in self.key and c not in self.descriptive]
        return (*self.key, *rest)


HOSPITALS = TableSchema(
    "hospitals",
    {"agb": "str", "name": "str", "kind": "str", "iban": "opt", "address": "opt"},
    ("agb",),
    optional=("iban", "address"),
    descriptive=("iban", "address"),
)
INSURERS = TableSchema("insurers", {"uzovi": "str", "name": "str"}, ("uzovi",))
PRICES = TableSchema(
    "prices",
    {"price_list": "str", "year": "int", "zorgproduct_code": "str", "price_cents": "cents"},
    ("price_list", "year", "zorgproduct_code"),
)
DBCS = TableSchema(
    "dbcs",
    {
        "dbc_id": "str",
        "agb": "str",
        "patient_ref": "str",
        "zorgproduct_code": "str",
        "start_date": "date",
        "end_date": "date",
        "odv": "bool",
        "requesting_agb": "opt",
        "primary_dbc_id": "opt",
        "specialism": "opt",
        "diagnosis": "opt",
        "zorgtype": "opt",
        "uzovi": "opt",
    },
    ("agb", "dbc_id"),
    optional=("specialism", "diagnosis", "zorgtype", "uzovi"),
    open_dates=("end_date",),
    descriptive=("specialism", "diagnosis", "zorgtype"),
)
DECLARATIONS = TableSchema(
    "declarations",
    {
        "declaration_id": "str",
        "agb": "str",
        "uzovi": "str",
        "patient_ref": "str",
        "zorgproduct_code": "str",
        "start_date": "date",
        "end_date": "date",
        "amount_cents": "cents",
        "declared_on": "date",
        "dbc_id": "opt",
        "declaratiecode": "opt",
    },
    ("declaration_id",),
    optional=("dbc_id", "declaratiecode"),
)
TRANSFERS = TableSchema(
    "transfers",
    {
        "transfer_id": "str",
        "agreement_id": "str",
        "care_type": "str",
        "patient_ref": "str",
        "from_agb": "str",
        "to_agb": "str",
        "transfer_date": "date",
        "status": "str",
        "phase": "opt",
    },
    ("transfer_id",),
    optional=("phase",),
)
HOURS = TableSchema(
    "hours",
    {
        "hours_id": "str",
        "agreement_id": "str",
        "employer_agb": "str",
        "host_agb": "str",
        "role": "str",
        "work_date": "date",
        "hours_hundredths": "hundredths",
        "person_ref": "opt",
        "care_type": "opt",
        "specialism": "opt",
    },
    ("hours_id",),
    optional=("person_ref", "care_type", "specialism"),
    descriptive=("person_ref", "care_type", "specialism"),
)
SCHEMAS = (HOSPITALS, INSURERS, PRICES, DBCS, DECLARATIONS, TRANSFERS, HOURS)


def conform(
    frame: pd.DataFrame,
    schema: TableSchema,
    *,
    consume: bool = False,
    key_order: np.ndarray | None = None,
) -> pd.DataFrame:
    """The canonical frame of ``schema``: its columns, its dtypes, sorted by its key.

    ``consume``: take the columns out of ``frame`` one by one, so that a large frame is not held
    twice while it is converted (the reader's raw strings are not needed afterwards).
    ``key_order``: see ``sort_rows``'s ``order``."""
    out = {}
    for column, kind in schema.columns.items():
        values = frame.pop(column) if consume else frame[column]
        if kind in ("str", "opt"):
            values = values.astype("str")
            if kind == "opt":
                values = blank_as_missing(values)
        elif kind in ("int", "cents", "hundredths"):
            values = values.astype("int64")
        elif kind == "date":
            # (``to_datetime`` copies even a column that is already of this type.)
            if values.dtype != "datetime64[s]":
                values = pd.to_datetime(values).astype("datetime64[s]")
        else:
            values = values.astype("bool")
        out[column] = values.reset_index(drop=True)
    del values
    keys = list(schema.key)
    rows = len(out[keys[0]])
    order = key_order
    if rows >= 2 and (order is None or len(order) != rows):
        order = sort_order(pd.DataFrame({key: out[key] for key in keys}), keys)
    if order is None or rows < 2 or np.array_equal(order, np.arange(rows)):
        return pd.DataFrame(out, columns=list(schema.columns))
    # As ``sort_rows``, but the columns are taken out of ``out`` one by one as they are
    # sorted (``take_columns``): the frame is not held twice.
    return pd.DataFrame(take_columns(out, order), columns=list(schema.columns))


def sort_rows(
    frame: pd.DataFrame, keys: list[str], *, order: np.ndarray | None = None
) -> pd.DataFrame:
    """``frame`` sorted by ``keys`` (ascending, stable, by code point; missing values last),
    index reset.

    ``order``: the rows' positions in this order, when the caller has them (the reader's
    uniqueness check sorts a key's codes, ``spreiding.contract.ranks.key_codes``): the
    strings are then not compared again.

    The order is that of Arrow's stable multi-key sort, found faster: the last key is sorted
    by Arrow alone, the keys before it become dense integer codes (their distinct values
    sorted, far fewer than the rows), packed into one ``int64`` where they fit, and each pack
    is a stable integer sort of numpy (least significant first). An order that is already
    the rows' own takes nothing."""
    if len(frame) < 2:
        return frame.reset_index(drop=True)
    if order is None or len(order) != len(frame):
        order = sort_order(frame, keys)
    if np.array_equal(order, np.arange(len(order))):
        return frame.reset_index(drop=True)
    return take_frame(frame, order)


def sort_order(frame: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """The positions of ``frame``'s rows in the order ``sort_rows`` puts them in."""
    if len(frame) < 2:
        return np.arange(len(frame), dtype="int64")
    table = pa.Table.from_pandas(frame[keys], preserve_index=False)
    if any(pa.types.is_floating(column.type) for column in table.columns):
        return pc.sort_indices(table, sort_keys=[(key, "ascending") for key in keys]).to_numpy()
    return _order(table, keys)


def _order(table: pa.Table, keys: list[str]) -> np.ndarray:
    """The stable ascending order of ``table`` by ``keys`` (nulls last), as Arrow sorts."""
    order = pc.sort_indices(table[keys[-1]]).to_numpy()  # nulls last
    packs: list[tuple[np.ndarray, int]] = []
    for key in keys[:-1]:
        codes, size = _codes(table[key])
        if packs and packs[-1][1] * size < 1 << 62:
            packed, width = packs[-1]
            packs[-1] = (packed * size + codes, width * size)
        else:
            packs.append((codes, size))
    for codes, _size in reversed(packs):
        order = order[np.argsort(codes[order], kind="stable")]
    return order


def _codes(column: pa.ChunkedArray) -> tuple[np.ndarray, int]:
    """Per row the rank of its value among the column's distinct values (0, 1, ...; a
    missing value after every other), and how many ranks there are."""
    encoded = pc.dictionary_encode(column.combine_chunks())
    distinct = encoded.dictionary
    rank = pc.rank(distinct, sort_keys="ascending", tiebreaker="dense").to_numpy()
    rank = rank.astype("int64") - 1
    size = len(distinct) + 1
    indices = encoded.indices.fill_null(len(distinct)).to_numpy().astype("int64")
    rank = np.append(rank, len(distinct))
    return rank[indices], size


def empty(schema: TableSchema) -> pd.DataFrame:
    return conform(pd.DataFrame({c: [] for c in schema.columns}), schema)


@dataclass(frozen=True)
class Dataset:
    """A whole dataset. ``declarations`` / ``transfers`` are None when the files are absent;
    ``hours`` is an empty frame then (no hours is the same as no file: nothing to settle)."""

    hospitals: pd.DataFrame
    insurers: pd.DataFrame
    agreements: tuple[Agreement, ...]
    prices: pd.DataFrame
    dbcs: pd.DataFrame
    declarations: pd.DataFrame | None = None
    transfers: pd.DataFrame | None = None
    hours: pd.DataFrame = field(default_factory=lambda: empty(HOURS))
    source: str = field(default="", compare=False)
    # How the files were read where it is worth saying ("hospitals.csv: read as Windows-1252").
    notes: tuple[str, ...] = field(default=(), compare=False)

    def frames(self) -> dict[str, pd.DataFrame | None]:
        return {
            "hospitals": self.hospitals,
            "insurers": self.insurers,
            "prices": self.prices,
            "dbcs": self.dbcs,
            "declarations": self.declarations,
            "transfers": self.transfers,
            "hours": self.hours,
        }

    def same_content(self, other: Dataset) -> bool:
        """Equal agreements and equal frames (``==`` on frames is element-wise)."""
        if sorted(self.agreements, key=lambda a: a.agreement_id) != sorted(
            other.agreements, key=lambda a: a.agreement_id
        ):
            return False
        for name, frame in self.frames().items():
            theirs = other.frames()[name]
            if frame is None or theirs is None:
                if frame is not theirs:
                    return False
            elif not frame.equals(theirs):
                return False
        return True

    def summary(self) -> str:
        counts = [
            f"{len(self.hospitals)} hospitals",
            f"{len(self.insurers)} insurers",
            f"{len(self.agreements)} agreements",
            f"{len(self.prices)} prices",
            f"{len(self.dbcs)} DBCs ({int(self.dbcs['odv'].sum())} ODV)",
        ]
        if self.declarations is not None:
            counts.append(f"{len(self.declarations)} declarations")
        if self.transfers is not None:
            counts.append(f"{len(self.transfers)} transfers")
        if len(self.hours):
            counts.append(f"{len(self.hours)} hours rows")
        return "; ".join([", ".join(counts), *self.notes])
