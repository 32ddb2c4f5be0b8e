"""The reader's vectorised shortcuts say what the checks they replaced said: dates parsed by
Arrow's cast as the calendar says (``_calendar_dates``), digit codes as their regular
expression, uniqueness and primary-DBC lookups through integer ranks (``contract.ranks``) as
through pandas and joined string keys — on values built to break them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from hypothesis import event, given, settings
from hypothesis import strategies as st

from spreiding.contract.checks import check_dbcs
from spreiding.contract.dates import _calendar_dates, parse_dates
from spreiding.contract.files import LINE
from spreiding.contract.ranks import (
    _fixed_width_ranks,
    dense_ranks,
    key_codes,
    pair_codes,
    strings,
)
from spreiding.contract.rows import Rows, digits, isin, key
from spreiding.domain.errors import DatasetError

# Characters a date, a code or a key can be made of, and those that break them.
_CHARS = st.sampled_from(list("0123456789-+ :T/.eD\x1f\u0661\uff10é"))
_DATEISH = st.builds(
    lambda y, m, d, at, c: _spoil(f"{y:04d}-{m:02d}-{d:02d}", at, c),
    st.integers(0, 9999),
    st.integers(0, 13),
    st.integers(0, 32),
    st.integers(-1, 11),
    _CHARS,
)


def _spoil(text: str, at: int, char: str) -> str:
    """``text`` with the character at ``at`` replaced (-1: left as it is)."""
    return text if at < 0 or at >= len(text) else text[:at] + char + text[at + 1 :]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(_DATEISH, st.text(_CHARS, max_size=11)), min_size=1, max_size=40))
def test_dates_are_the_calendars(values: list[str]) -> None:
    parsed = parse_dates(pd.Series(values, dtype="str"))
    expected = _calendar_dates(pa.array(values, type=pa.string()))
    np.testing.assert_array_equal(parsed, expected)


def test_dates_by_hand() -> None:
    values = ["2024-02-29", "2023-02-29", "0000-01-01", "0001-01-01", "+024-01-01", "2024-1-01", ""]
    parsed = parse_dates(pd.Series(values, dtype="str"))
    assert [str(d) for d in parsed] == [
        "2024-02-29T00:00:00", "NaT", "NaT", "0001-01-01T00:00:00", "NaT", "NaT", "NaT",
    ]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(_CHARS, max_size=5), min_size=1, max_size=30), st.integers(1, 5))
def test_digits_are_the_pattern(values: list[str], length: int) -> None:
    series = pd.Series(values, dtype="str")
    expected = series.str.fullmatch(rf"[0-9]{{{length}}}").fillna(False).astype(bool)
    pd.testing.assert_series_equal(digits(series, length), expected)


def test_digits_by_hand() -> None:
    series = pd.Series(["1234", "123", "12345", "12a4", "\u0661234", "\uff10123", ""], dtype="str")
    assert digits(series, 4).tolist() == [True, False, False, False, False, False, False]


def test_ranks_follow_code_points_across_arrays() -> None:
    first = strings(pd.Series(["b", "a", "b", "é", "B"], dtype="str"))
    second = strings(pd.Series(["c", "a", ""], dtype="str"))
    assert first is not None and second is not None
    ranks = dense_ranks([first, second])
    # "" < "B" < "a" < "b" < "c" < "é"
    assert [r.tolist() for r in ranks] == [[3, 2, 3, 5, 1], [4, 2, 0]]


def test_ranks_of_few_repeated_values_and_of_many_agree() -> None:
    few = pd.Series([f"{i % 7:02d}" for i in range(20_000)], dtype="str")
    many = pd.Series([f"{(i * 7919) % 20_000:05d}" for i in range(20_000)], dtype="str")
    for values in (few, many):
        array = strings(values)
        assert array is not None
        (ranks,) = dense_ranks([array])
        expected = pd.Series(values).rank(method="dense").to_numpy().astype("int64") - 1
        np.testing.assert_array_equal(ranks, expected)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.text(st.sampled_from(list("09AZaz\x00é€\U0001f600")), max_size=6), max_size=30),
    st.integers(min_value=0, max_value=6),
)
def test_ranks_of_one_width_as_integers_are_arrows(texts: list[str], width: int) -> None:
    """``_fixed_width_ranks`` (values of one width in bytes, each place's byte ranked) gives
    Arrow's dense ranks by code point, or declines: values of several widths, or places
    needing more than 63 bits (many places of many different bytes)."""
    values = [(t.encode() * 8)[:width].decode("utf-8", "ignore") for t in texts]
    array = pa.chunked_array([pa.array(values, pa.large_string())], pa.large_string())
    found = _fixed_width_ranks(array)
    encoded = [v.encode() for v in values]
    widths = {len(e) for e in encoded}
    one_width = len(widths) == 1 and widths != {0}
    if found is None:
        event("declined")
        if one_width:
            places = range(widths.pop())
            assert sum((len({e[p] for e in encoded}) - 1).bit_length() for p in places) > 63
        return
    event("ranked as integers")
    assert one_width
    expected = pc.rank(array.combine_chunks(), sort_keys="ascending", tiebreaker="dense")
    np.testing.assert_array_equal(found, expected.to_numpy().astype("int64") - 1)


def test_ranks_of_ids_as_integers_by_hand() -> None:
    ids = pa.chunked_array([["D10", "D02", "D10", "C99"], ["E00"]], pa.large_string())
    ranks = _fixed_width_ranks(ids)
    assert ranks is not None and ranks.tolist() == [2, 1, 2, 0, 3]
    # Sixteen places of 256 different bytes each need 128 bits: declined.
    wide = pa.chunked_array([[bytes([b] * 16).hex()[:16] for b in range(256)]], pa.large_string())
    assert _fixed_width_ranks(wide) is None
    assert _fixed_width_ranks(pa.chunked_array([["a", "bb"]], pa.large_string())) is None


_KEYS = st.lists(
    st.tuples(st.sampled_from(["", "a", "b", "a\x1f", "\x1fb"]), st.sampled_from(["", "1", "2"])),
    min_size=1,
    max_size=25,
)


@settings(max_examples=300, deadline=None)
@given(_KEYS, _KEYS)
def test_pair_codes_are_the_joined_keys(
    known: list[tuple[str, str]], wanted: list[tuple[str, str]]
) -> None:
    def series(pairs: list[tuple[str, str]], at: int) -> pd.Series:
        return pd.Series([p[at] for p in pairs], dtype="str")

    codes = pair_codes(
        [(series(known, 0), series(known, 1)), (series(wanted, 0), series(wanted, 1))]
    )
    joined = key(series(wanted, 0), series(wanted, 1))
    expected = isin(joined, key(series(known, 0), series(known, 1))).to_numpy()
    if codes is None:
        # Only a value holding the separator refuses the shortcut.
        assert any("\x1f" in value for pairs in (known, wanted) for pair in pairs for value in pair)
        return
    found = pd.Series(codes[1]).isin(codes[0]).to_numpy()
    np.testing.assert_array_equal(found, expected)
    order = np.argsort(codes[0], kind="stable")
    assert [known[i] for i in order] == sorted(known)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["", "x", "y"]), st.sampled_from(["", "1", "2"])),
        min_size=1,
        max_size=20,
    )
)
def test_key_codes_are_equal_for_equal_rows(rows: list[tuple[str, str]]) -> None:
    codes = key_codes(
        [pd.Series([r[0] for r in rows], dtype="str"), pd.Series([r[1] for r in rows], dtype="str")]
    )
    assert codes is not None
    for i, a in enumerate(rows):
        for j, b in enumerate(rows):
            assert (codes[i] == codes[j]) == (a == b)
            assert (codes[i] < codes[j]) == (a < b)


def _dbcs(rows: list[tuple[str, str, str, str, str]]) -> pd.DataFrame:
    """dbcs.csv rows of (dbc_id, agb, odv, requesting_agb, primary_dbc_id)."""
    frame = pd.DataFrame(
        {
            "dbc_id": [r[0] for r in rows],
            "agb": [r[1] for r in rows],
            "patient_ref": [f"P{i}" for i in range(len(rows))],
            "zorgproduct_code": ["990112010"] * len(rows),
            "start_date": ["2024-01-02"] * len(rows),
            "end_date": ["2024-01-03"] * len(rows),
            "odv": [r[2] for r in rows],
            "requesting_agb": [r[3] for r in rows],
            "primary_dbc_id": [r[4] for r in rows],
            "specialism": [""] * len(rows),
            "uzovi": [""] * len(rows),
        }
    ).astype("str")
    frame[LINE] = range(2, len(rows) + 2)
    return frame


def test_duplicates_and_missing_primaries_named_as_before() -> None:
    rows = [
        ("D1", "06010001", "false", "", ""),
        ("D2", "06010002", "true", "06010001", "D1"),  # found
        ("D1", "06010001", "false", "", ""),  # duplicate of line 2
        ("D3", "06010002", "true", "06010001", "D9"),  # no such DBC
        ("D1", "06010002", "true", "06010001", "D1"),  # same id, other hospital: fine
        ("D1", "06010001", "false", "", ""),  # duplicate again
    ]
    errors: list[DatasetError] = []
    check_dbcs(Rows("dbcs.csv", _dbcs(rows), errors), {"06010001", "06010002"})
    assert [str(e) for e in errors] == [
        "dbcs.csv:4: dbc_id: duplicate (agb, dbc_id) = (06010001, D1); first on line 2",
        "dbcs.csv:7: dbc_id: duplicate (agb, dbc_id) = (06010001, D1); first on line 2",
        "dbcs.csv:5: primary_dbc_id: no DBC D9 of hospital 06010001 in dbcs.csv",
    ]


def test_a_separator_in_a_key_takes_the_joined_keys() -> None:
    # Joined by the separator, ("06010001", "X\x1fD1") and ("06010001\x1fX", "D1") are one key:
    # the lookup says what it always said.
    rows = [
        ("X\x1fD1", "06010001", "false", "", ""),
        ("D2", "06010002", "true", "06010001\x1fX", "D1"),
    ]
    errors: list[DatasetError] = []
    check_dbcs(Rows("dbcs.csv", _dbcs(rows), errors), None)
    assert not [e for e in errors if e.column == "primary_dbc_id"]
