"""A statement's rows read a column at a time: the values ``settlement.statement`` builds its lines
from, the same as reading the frame row by row (``to_dict("records")``) and converting each
value, without a pandas row or a ``Timestamp`` per line.

Example: a run's lines between two hospitals, 2,000 rows: ``texts(frame["dbc_id"])`` is the
column's values as ``str`` (a missing value of a ``str`` column reads ``"nan"``, as a row would
give it), ``dates(frame["end_date"])`` formats each distinct day once (``"2024-03-01"``), and
``ints(frame["amount_cents"])`` is the column as Python ints.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

DAY = "%Y-%m-%d"
# The days strftime writes with four digits of year, as numpy writes ISO days.
FIRST, PAST = np.datetime64("1000-01-01"), np.datetime64("10000-01-01")


# ``str``: text backed by Arrow, a missing value NaN (to_numpy gives a row's values)
TEXT = pd.StringDtype("pyarrow", na_value=np.nan)


def values(column: pd.Series) -> list[Any]:
    """The column's values as its records give them (``to_dict("records")``): read whole for
    numpy columns and ``str`` text, through the records for any other extension type."""
    dtype = column.dtype
    if (isinstance(dtype, np.dtype) and dtype.kind in "biufO") or dtype == TEXT:
        return list(column.to_numpy().tolist())
    return [row[column.name] for row in column.to_frame().to_dict("records")]


def texts(column: pd.Series) -> list[str]:
    """``str`` of each value, as ``str(row[name])`` of the column's records."""
    return list(map(str, values(column)))


def ints(column: pd.Series) -> list[int]:
    """``int`` of each value, as ``int(row[name])`` of the column's records."""
    if isinstance(column.dtype, np.dtype) and column.dtype.kind in "iu":
        return list(column.to_numpy().tolist())
    return list(map(int, values(column)))


def _day(value: Any) -> str:
    return pd.Timestamp(value).strftime(DAY)


def dates(column: pd.Series) -> list[str]:
    """Each value as a day ``YYYY-MM-DD`` (``pd.Timestamp(value).strftime``), each distinct
    value formatted once."""
    if isinstance(column.dtype, np.dtype) and column.dtype.kind == "M":
        moments = column.to_numpy()
        if moments.size == 0:
            return []
        distinct, where = np.unique(moments, return_inverse=True)
        if distinct[0] >= FIRST and distinct[-1] < PAST:  # NaT sorts last and fails both
            # ISO days, as strftime writes them for four-digit years
            days = np.datetime_as_string(distinct.astype("datetime64[D]")).tolist()
        else:
            days = [_day(value) for value in distinct]
        return [days[i] for i in where.tolist()]
    listed = values(column)
    formatted: dict[Any, str] = {}
    out = []
    for value in listed:
        day = formatted.get(value)
        if day is None:
            day = formatted[value] = _day(value)
        out.append(day)
    return out


def changes(frame: pd.DataFrame) -> list[str | None]:
    """A correction's change of each row (``statement._change``); None where there is none."""
    if "change" not in frame:
        return [None] * len(frame)
    out: list[str | None] = []
    for value in values(frame["change"]):
        text = None if value is None else str(value)
        out.append(None if text is None or text in ("", "nan", "None") else text)
    return out


Spec = tuple[tuple[str, Callable[[pd.Series], list[Any]]], ...]
# The columns of each kind of row, in the order of the fields of its value (without ``change``)
LINES: Spec = (
    ("dbc_id", texts),
    ("patient_ref", texts),
    ("zorgproduct_code", texts),
    ("end_date", dates),
    ("care_type", texts),
    ("agreement_id", texts),
    ("unit_price_cents", ints),
    ("share", texts),
    ("amount_cents", ints),
)
HOURS: Spec = (
    ("hours_id", texts),
    ("agreement_id", texts),
    ("role", texts),
    ("work_date", dates),
    ("hours", texts),
    ("rate_cents", ints),
    ("amount_cents", ints),
    ("vat_rate", texts),
    ("vat_cents", ints),
)
COSTS: Spec = (
    ("agreement_id", texts),
    ("cost_id", texts),
    ("weight", ints),
    ("amount_cents", ints),
)
EXCLUSIONS: Spec = (("agb", texts), ("dbc_id", texts), ("reason", texts))
PAYMENTS: Spec = (("from_agb", texts), ("to_agb", texts), ("amount_cents", ints))


def read(frame: pd.DataFrame, spec: Spec, *, change: bool = True) -> list[list[Any]]:
    """The columns of ``spec`` converted, then (``change``) each row's change: the fields of
    the rows' values, to zip."""
    read = [convert(frame[name]) for name, convert in spec]
    return [*read, changes(frame)] if change else read
