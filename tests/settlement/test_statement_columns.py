"""A statement's rows read a column at a time are the rows read one by one: the same values for
numpy, ``str`` and other Arrow-backed columns, missing values, and days outside four-digit years."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from settlement import statement_columns as columns
from settlement.statement import (
    CostLine,
    Exclusion,
    HoursLine,
    StatementLine,
    cost_line,
    hours_line,
    statement_line,
)

CHANGES = [None, "", "nan", "None", "new", "changed", "withdrawn"]


def _lines(n: int) -> pd.DataFrame:
    days = np.array(["2024-01-31", "1969-12-31T23:00:00", "0999-06-01", "2024-02-29"], "M8[s]")
    return pd.DataFrame(
        {
            "dbc_id": [f"D{i}" for i in range(n)],
            "patient_ref": ["PS-1"] * n,
            "zorgproduct_code": [str(990000000 + i % 3) for i in range(n)],
            "end_date": days[np.arange(n) % len(days)],
            "care_type": [("odv", "fixed", "parallel")[i % 3] for i in range(n)],
            "agreement_id": ["A1"] * n,
            "unit_price_cents": [10**12 - i for i in range(n)],
            "share": ["1.00"] * n,
            "amount_cents": [-(i * 1001) for i in range(n)],
            "change": [CHANGES[i % len(CHANGES)] for i in range(n)],
        }
    )


def _hours(n: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "hours_id": [f"H{i}" for i in range(n)],
            "agreement_id": ["A1"] * n,
            "role": ["surgeon"] * n,
            "work_date": pd.to_datetime([f"2024-03-0{1 + i % 9}" for i in range(n)]),
            "hours": ["7.5"] * n,
            "rate_cents": [12500] * n,
            "amount_cents": [93750 + i for i in range(n)],
            "vat_rate": [("0.21", "0.210", "0")[i % 3] for i in range(n)],
            "vat_cents": [i for i in range(n)],
            "change": [CHANGES[i % len(CHANGES)] for i in range(n)],
        }
    )


def _costs(n: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "agreement_id": ["A2"] * n,
            "cost_id": [f"C{i}" for i in range(n)],
            "weight": [1 + i % 4 for i in range(n)],
            "amount_cents": [1500 * i for i in range(n)],
            "change": [CHANGES[i % len(CHANGES)] for i in range(n)],
        }
    )


def _typed(frame: pd.DataFrame, kind: str) -> pd.DataFrame:
    if kind == "str":
        return frame.astype({c: "str" for c in frame.columns if frame[c].dtype == object})
    if kind == "arrow":
        days = [c for c in frame.columns if frame[c].dtype.kind == "M"]
        # Arrow timestamps of the four-digit years (numpy's nanoseconds cannot hold year 999)
        kept = frame.drop(columns=days).convert_dtypes(dtype_backend="pyarrow")
        return kept.assign(**{c: frame[c] for c in days})[frame.columns]
    if kind == "object-days":
        days = [c for c in frame.columns if frame[c].dtype.kind == "M"]
        return frame.assign(**{c: frame[c].astype(str).astype(object) for c in days})
    return frame


@pytest.mark.parametrize("kind", ["numpy", "str", "arrow", "object-days"])
@pytest.mark.parametrize("n", [1, 2, 40])
def test_columns_read_as_rows(kind: str, n: int) -> None:
    lines, hours, costs = (_typed(f(n), kind) for f in (_lines, _hours, _costs))
    assert tuple(map(StatementLine, *columns.read(lines, columns.LINES))) == tuple(
        statement_line(r) for r in lines.to_dict("records")
    )
    assert tuple(map(HoursLine, *columns.read(hours, columns.HOURS))) == tuple(
        hours_line(r) for r in hours.to_dict("records")
    )
    assert tuple(map(CostLine, *columns.read(costs, columns.COSTS))) == tuple(
        cost_line(r) for r in costs.to_dict("records")
    )


def test_a_missing_text_reads_as_its_row_gives_it() -> None:
    frame = pd.DataFrame({"agb": ["06000001", None], "dbc_id": ["D1", "D2"], "reason": ["r", "s"]})
    for typed in (frame, frame.astype("str"), frame.astype("string[pyarrow]")):
        read = tuple(map(Exclusion, *columns.read(typed, columns.EXCLUSIONS, change=False)))
        rows = tuple(
            Exclusion(str(r["agb"]), str(r["dbc_id"]), str(r["reason"]))
            for r in typed.to_dict("records")
        )
        assert read == rows


def test_a_missing_day_fails_as_its_row_does() -> None:
    frame = _lines(3).assign(end_date=np.array(["2024-01-01", "NaT", "2024-01-02"], "M8[s]"))
    with pytest.raises(ValueError):
        [statement_line(r) for r in frame.to_dict("records")]
    with pytest.raises(ValueError):
        columns.read(frame, columns.LINES)
