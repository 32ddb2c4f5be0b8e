"""spreiding.domain.string_columns: the same values as pandas gives, by a faster way.

The strategies reach each path on purpose: every value one width (the numpy path without
gaps), one width or empty or missing (with gaps), several widths (pandas' own take), values
of several bytes a character, and columns held in several chunks or as a slice of a larger
array (Arrow gathers those into one array first)."""

from __future__ import annotations

import threading
import weakref

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from spreiding.domain import string_columns
from spreiding.domain.string_columns import (
    PARALLEL_ROWS,
    blank_as_missing,
    equal_at,
    hashes,
    take,
    take_columns,
    take_frame,
    take_table,
)

FIXED = st.sampled_from(["06900017", "06900008", "é-0000éé", "990112010"[:8]])
ANY_WIDTH = st.text(alphabet="ab€\u00e9 ", max_size=5)
VALUES = st.one_of(
    st.lists(FIXED, max_size=30),
    st.lists(st.one_of(FIXED, st.just(""), st.none()), max_size=30),
    st.lists(st.one_of(ANY_WIDTH, st.none()), max_size=30),
)


@st.composite
def columns(draw: st.DrawFn) -> pd.Series:
    """A ``str`` column of the values drawn, held whole, in chunks or as a slice."""
    values = draw(VALUES)
    layout = draw(st.sampled_from(["whole", "chunks", "slice"]))
    event(f"layout {layout}")
    if layout == "chunks" and len(values) > 1:
        cut = draw(st.integers(min_value=1, max_value=len(values) - 1))
        arrow = pa.chunked_array(
            [pa.array(values[:cut], pa.large_string()), pa.array(values[cut:], pa.large_string())]
        )
    elif layout == "slice":
        padded = ["x", *values, "yy"]
        arrow = pa.chunked_array([pa.array(padded, pa.large_string()).slice(1, len(values))])
    else:
        arrow = pa.chunked_array([pa.array(values, pa.large_string())], pa.large_string())
    series = pd.Series(pd.array(arrow, dtype="str"), name="agb")
    assert series.tolist() == pd.Series(values, dtype="str").tolist()
    return series


def _positions(data: st.DataObject, size: int) -> np.ndarray:
    """Up to 40 positions drawn in a column of ``size`` rows (none when it is empty)."""
    drawn = st.lists(st.integers(min_value=0, max_value=max(size - 1, 0)), max_size=40)
    return np.array(data.draw(drawn) if size else [], dtype=np.intp)


@given(column=columns(), data=st.data())
def test_take_gives_what_pandas_gives(column: pd.Series, data: st.DataObject) -> None:
    size = len(column)
    positions = _positions(data, size)
    expected = column.take(positions).reset_index(drop=True)
    taken = take(column, positions)
    pd.testing.assert_series_equal(taken, expected)
    assert taken.dtype == column.dtype


@given(column=columns(), other=columns(), data=st.data())
def test_take_table_gives_what_arrow_gives(
    column: pd.Series, other: pd.Series, data: st.DataObject
) -> None:
    """Arrow's ``take`` of a table, each column one chunk: string columns of one width (taken
    by numpy) or not, held whole, in chunks or as a slice, beside numbers and dates."""
    size = min(len(column), len(other))
    strings = [pa.chunked_array(c.array.__arrow_array__()).slice(0, size) for c in (column, other)]
    table = pa.table(
        {
            "agb": strings[0],
            "id": strings[1],
            "cents": pa.array(range(size), pa.int64()),
            "day": pa.array([None if n % 3 == 0 else n for n in range(size)], pa.timestamp("s")),
        }
    )
    positions = _positions(data, size)
    taken = take_table(table, positions)
    assert taken.equals(table.take(positions).combine_chunks())
    assert taken.schema == table.schema
    assert all(column.num_chunks == 1 for column in taken.columns)


@given(column=columns())
def test_blank_as_missing_gives_what_pandas_gives(column: pd.Series) -> None:
    expected = column.mask(column.isna() | (column == ""), None).astype("str")
    pd.testing.assert_series_equal(blank_as_missing(column), expected)


def test_take_of_codes_by_hand() -> None:
    agb = pd.Series(["06900017", None, "", "06900008"], dtype="str")
    assert take(agb, np.array([3, 0, 1, 2, 3])).tolist() == [
        "06900008",
        "06900017",
        np.nan,
        "",
        "06900008",
    ]
    assert take(agb, np.array([], dtype=np.intp)).tolist() == []


def test_take_past_the_end_is_refused() -> None:
    agb = pd.Series(["06900017", "06900008"], dtype="str")
    with pytest.raises(IndexError):
        take(agb, np.array([2]))


@pytest.mark.parametrize("threads", [False, True])
def test_take_frame_keeps_every_column_and_dtype(
    threads: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if threads:  # the columns of a large frame are taken on two threads
        monkeypatch.setattr(string_columns, "PARALLEL_ROWS", 1)
    running = threading.active_count()
    frame = pd.DataFrame(
        {
            "agb": pd.Series(["06900017", "06900008", "06900011"], dtype="str"),
            "dbc_id": pd.Series(["D1", "D22", None], dtype="str"),
            "amount_cents": np.array([100, -5, 7], dtype="int64"),
            "end_date": np.array(["2024-01-01", "NaT", "2024-12-31"], dtype="datetime64[s]"),
        }
    )
    taken = take_frame(frame, np.array([2, 0]))
    expected = frame.take([2, 0]).reset_index(drop=True)
    pd.testing.assert_frame_equal(taken, expected)
    assert taken["agb"].tolist() == ["06900011", "06900017"]
    assert taken["amount_cents"].tolist() == [7, 100]
    assert threading.active_count() == running  # none outlives the call (workers may fork)


def word_hash(text: str | None) -> int:
    """The hash ``hashes`` promises, in Python: the UTF-8 bytes as zero-padded little-endian
    64-bit words folded FNV-1a's way, then the length, then MurmurHash3's ``fmix64``; a
    missing value as the empty string."""
    mask = (1 << 64) - 1
    prime = 0x100000001B3
    raw = (text or "").encode("utf-8")
    value = 0xCBF29CE484222325
    for at in range(0, len(raw), 8):
        word = int.from_bytes(raw[at : at + 8].ljust(8, b"\0"), "little")
        value = ((value ^ word) * prime) & mask
    value = ((value ^ len(raw)) * prime) & mask
    for multiplier in (0xFF51AFD7ED558CCD, 0xC4CEB9FE1A85EC53):
        value ^= value >> 33
        value = (value * multiplier) & mask
    return value ^ (value >> 33)


@given(column=columns())
def test_hashes_are_the_word_hash_of_the_bytes_however_the_column_is_held(
    column: pd.Series,
) -> None:
    expected = [word_hash(None if pd.isna(v) else v) for v in column.tolist()]
    got = hashes(column)
    assert got.dtype == np.uint64
    assert got.tolist() == expected


def test_hashes_by_hand_and_spread_over_the_low_bits() -> None:
    # Pinned: a patient must fall in the same bucket on every machine (a national audit runs
    # its partitions as separate jobs).
    assert hashes(pd.Series([""], dtype="str")).tolist() == [13331581593930102267]
    assert hashes(pd.Series(["a", None], dtype="str")).tolist() == [
        16206628985836262640,
        13331581593930102267,
    ]
    patients = pd.Series([f"P{n:09d}" for n in range(16_000)], dtype="str")
    buckets = np.bincount((hashes(patients) % np.uint64(16)).astype("int64"), minlength=16)
    assert buckets.min() > 850 and buckets.max() < 1150  # 1,000 each, give or take


@given(column=columns(), data=st.data())
def test_equal_at_compares_the_values_at_two_positions(
    column: pd.Series, data: st.DataObject
) -> None:
    size = len(column)
    index = st.integers(min_value=0, max_value=max(size - 1, 0))
    pairs = data.draw(st.lists(st.tuples(index, index), max_size=40)) if size else []
    first = np.array([a for a, _ in pairs], dtype=np.intp)
    second = np.array([b for _, b in pairs], dtype=np.intp)
    values = column.tolist()
    expected = [
        (pd.isna(values[a]) and pd.isna(values[b])) or values[a] == values[b] for a, b in pairs
    ]
    assert equal_at(column, first, second).tolist() == expected


def test_equal_at_by_hand() -> None:
    agb = pd.Series(["06900017", "06900008", "06900017"], dtype="str")  # one width: numpy
    assert equal_at(agb, np.array([0, 0]), np.array([2, 1])).tolist() == [True, False]
    mixed = pd.Series(["a", None, "ab", None], dtype="str")  # Arrow's take and compare
    assert equal_at(mixed, np.array([1, 0]), np.array([3, 2])).tolist() == [True, False]


def test_a_missing_value_hashes_as_empty_even_over_bytes() -> None:
    # Arrow lets a missing value's slot span bytes (here "ab"): it still hashes as "".
    validity = pa.py_buffer(np.packbits([1, 0], bitorder="little"))
    spans = pa.py_buffer(np.array([0, 2, 4], dtype=np.int64))
    array = pa.LargeStringArray.from_buffers(2, spans, pa.py_buffer(b"abab"), validity)
    column = pd.Series(pd.array(array, dtype="str"))
    assert column.tolist() == ["ab", np.nan]
    assert hashes(column).tolist() == hashes(pd.Series(["ab", ""], dtype="str")).tolist()


@pytest.mark.parametrize("rows", [5, PARALLEL_ROWS, "serial"])
def test_take_columns_takes_each_column_out_and_lets_it_go(
    rows: int | str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every column taken as ``take`` takes it and the caller's dict emptied; on one thread
    (few rows, or from ``SERIAL_ROWS`` on), each column is gone before the next is taken (so a
    frame is never held twice); on two, none is left alive once it returns."""
    serial = rows != PARALLEL_ROWS
    if rows == "serial":
        rows = PARALLEL_ROWS
        monkeypatch.setattr(string_columns, "SERIAL_ROWS", PARALLEL_ROWS)
    assert isinstance(rows, int)
    positions = np.arange(rows)[::-1].copy()
    made = {
        "agb": pd.Series(pd.array([f"{i:08d}" for i in range(rows)], dtype="str")),
        "amount_cents": pd.Series(np.arange(rows, dtype="int64")),
        "start_date": pd.Series(np.arange(rows).astype("datetime64[s]")),
    }
    expected = {name: take(column, positions) for name, column in made.items()}
    alive = [weakref.ref(column) for column in made.values()]
    seen: list[list[bool]] = []

    def watched(series: pd.Series, at: np.ndarray) -> pd.Series:
        seen.append([ref() is not None for ref in alive])
        return take(series, at)

    monkeypatch.setattr(string_columns, "take", watched)
    taken = take_columns(made, positions)
    assert made == {}
    assert [ref() for ref in alive] == [None, None, None]
    if serial:
        assert seen == [[True, True, True], [False, True, True], [False, False, True]]
    assert list(taken) == list(expected)
    for name, column in taken.items():
        pd.testing.assert_series_equal(column, expected[name])
