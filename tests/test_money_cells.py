"""The Arrow checks and reading of amounts (``contract.money_cells``) against the pandas
string-by-string checks they replaced and against ``Decimal``: same errors, same cents."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pandas as pd
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from spreiding.contract.files import DECIMAL_COMMA, LINE
from spreiding.contract.money_cells import MAX_WHOLE_DIGITS, _pandas_masks, cents, money_masks
from spreiding.contract.rows import Rows
from spreiding.domain.errors import DatasetError
from spreiding.domain.money import MAX_CENTS, MONEY_PATTERN


def old_money(rows: Rows, column: str, *, negative_allowed: bool) -> None:
    """``Rows.money`` as it was before ``money_cells``: the reference."""
    values = rows.number(column)
    shaped = values.str.fullmatch(MONEY_PATTERN).fillna(False).astype(bool)
    rows.flag(
        rows.present(column) & ~shaped,
        column,
        lambda row: f"{row[column]!r} is not an amount in euros with '.' and at most two decimals",
    )
    whole_digits = values.str.lstrip("-").str.split(".").str[0].str.len()
    rows.flag(
        shaped & (whole_digits > len(str(MAX_CENTS)) - 3),
        column,
        lambda row: f"{row[column]!r} is out of range (at most 13 digits before the point)",
    )
    if not negative_allowed:
        rows.flag(
            shaped & values.str.startswith("-") & (values.str.strip("-0.") != ""),
            column,
            lambda row: f"{row[column]} is negative; only a positive amount is allowed here",
        )
    rows.settle(column, values)


def amounts() -> st.SearchStrategy[str]:
    """Amounts as a file may carry them: a sign, leading zeros, 0-2 decimals (or 3: wrong),
    up to and past the bound, a decimal comma, spaces."""
    whole = st.one_of(
        st.integers(0, 10**MAX_WHOLE_DIGITS - 1).map(str),
        st.integers(10**MAX_WHOLE_DIGITS - 10, 10 ** (MAX_WHOLE_DIGITS + 1)).map(str),
        st.text("0123456789", min_size=0, max_size=16),
    )
    zeros = st.text("0", max_size=3)
    decimals = st.text("0123456789", max_size=3)
    return st.builds(
        lambda sign, zeros, whole, point, decimals, pad: (
            pad[0] + sign + zeros + whole + (point + decimals if point else "") + pad[1]
        ),
        st.sampled_from(["", "-", "+", "--"]),
        zeros,
        whole,
        st.sampled_from(["", ".", ".", ",", ".."]),
        decimals,
        st.sampled_from([("", ""), ("", ""), ("", ""), (" ", ""), ("", " "), ("\n", "")]),
    )


cells = st.lists(st.one_of(amounts(), st.text(max_size=8), st.just("")), min_size=1, max_size=40)


def _errors(
    check: Callable[..., None], values: list[str], *, comma: bool, negative_allowed: bool
) -> tuple[list[DatasetError], pd.Series]:
    frame = pd.DataFrame({"amount_eur": pd.Series(values, dtype="str")})
    frame[LINE] = range(2, len(values) + 2)
    if comma:
        frame.attrs[DECIMAL_COMMA] = ("amount_eur",)
    errors: list[DatasetError] = []
    check(Rows("x.csv", frame, errors), "amount_eur", negative_allowed=negative_allowed)
    return errors, frame["amount_eur"]


@settings(max_examples=400, deadline=None)
@given(cells, st.booleans(), st.booleans())
def test_money_gives_the_errors_and_values_of_the_pandas_checks(
    values: list[str], comma: bool, negative_allowed: bool
) -> None:
    new, new_values = _errors(Rows.money, values, comma=comma, negative_allowed=negative_allowed)
    old, old_values = _errors(old_money, values, comma=comma, negative_allowed=negative_allowed)
    assert new == old
    pd.testing.assert_series_equal(new_values, old_values)


@settings(max_examples=400, deadline=None)
@given(cells)
def test_masks_in_arrow_match_the_pandas_fallback(values: list[str]) -> None:
    series = pd.Series(values, dtype="str")
    arrow = money_masks(series)
    pandas = _pandas_masks(series)
    for mine, theirs in zip(arrow, pandas, strict=True):
        assert mine.tolist() == theirs.tolist()


@settings(max_examples=400, deadline=None)
@given(st.lists(amounts(), min_size=1, max_size=40))
def test_cents_are_the_exact_cents_of_every_valid_amount(values: list[str]) -> None:
    series = pd.Series(values, dtype="str")
    masks = money_masks(series)
    ok = ~(masks.misshaped | masks.too_long) & (series != "")
    valid = series[ok]
    expected = [int(Decimal(v) * 100) for v in valid]
    assert cents(valid).tolist() == expected
    assert all(abs(c) < MAX_CENTS for c in expected)
    # The same when the column is held in chunks (as the reader's is), computed chunk by chunk.
    kept = [str(v) for v in valid]
    thirds = [kept[: len(kept) // 3], kept[len(kept) // 3 : 2 * len(kept) // 3]]
    chunks = [*thirds, kept[2 * len(kept) // 3 :]]
    arrow = pa.chunked_array([pa.array(c, pa.large_string()) for c in chunks], pa.large_string())
    assert cents(pd.Series(pd.array(arrow, dtype="str"))).tolist() == expected


def test_cents_of_the_edges() -> None:
    values = ["0", "-0", "-0.00", "007.05", "1.5", "-1.05", "9999999999999.99", "-9999999999999.99"]
    assert cents(pd.Series(values, dtype="str")).tolist() == [
        0,
        0,
        0,
        705,
        150,
        -105,
        999999999999999,
        -999999999999999,
    ]
    assert cents(pd.Series([], dtype="str")).tolist() == []
