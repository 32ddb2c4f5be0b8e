"""Strings as integers: the dense rank of each value among the distinct values of a column (or
of several columns together), so that a key of one or two columns becomes one ``int64`` to
compare, sort and look up, instead of strings hashed or joined in Python.

Ranks follow the byte order of UTF-8, which is code point order, as Arrow sorts strings (and
so as ``spreiding.domain.dataset.sort_rows`` does). Example: ``dense_ranks([["b", "a", "b"],
["c", "a"]])`` gives ``[1, 0, 1]`` and ``[2, 0]``.

Each function answers None where its shortcut would not be exact (a missing value, a value
holding the separator the callers' string keys use, a key too wide for 63 bits); the caller
then takes the slower way it always took.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from spreiding.domain.string_columns import offsets

# The separator of the string keys (``rows.key``): a value holding it may make two different
# pairs one key there, so no shortcut is taken for it here.
SEPARATOR = 0x1F
_SAMPLE = 4096
_WIDEST = 1 << 62


def strings(values: pd.Series) -> pa.ChunkedArray | None:
    """``values`` as Arrow strings, or None when one is missing or not a string."""
    try:
        converted = pa.array(values, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
        return None
    array = converted if isinstance(converted, pa.ChunkedArray) else pa.chunked_array([converted])
    if not (pa.types.is_string(array.type) or pa.types.is_large_string(array.type)):
        return None
    if array.null_count:
        return None
    return array.cast(pa.large_string())


def holds_separator(array: pa.ChunkedArray) -> bool:
    """Whether a value of ``array`` may hold the key separator (a look at its bytes: exact
    when it says no)."""
    for chunk in array.chunks:
        data = chunk.buffers()[2]
        if data is not None and (np.frombuffer(data, dtype=np.uint8) == SEPARATOR).any():
            return True
    return False


def dense_ranks(arrays: Sequence[pa.ChunkedArray]) -> list[np.ndarray]:
    """Per array, per value: its rank (0, 1, ...) among the distinct values of all ``arrays``
    together, as ``int64``."""
    chunks = [chunk for array in arrays for chunk in array.chunks]
    combined = pa.chunked_array(chunks, type=pa.large_string())
    ranks = _ranks(combined)
    sizes = np.cumsum([len(array) for array in arrays])[:-1]
    return list(np.split(ranks, sizes))


def _ranks(array: pa.ChunkedArray) -> np.ndarray:
    """Arrow's sort is fast on many distinct strings and slow on few repeated ones; a hash
    is the other way round. A sample says which the column is; both give the same ranks.
    Many distinct values of one width (ids) are ranked as integers (``_fixed_width_ranks``)."""
    size = len(array)
    if size == 0:
        return np.zeros(0, dtype="int64")
    step = max(1, size // _SAMPLE)
    sample = array.take(pa.array(np.arange(0, size, step, dtype="int64")))
    if 2 * len(pc.unique(sample)) > len(sample):
        fixed = _fixed_width_ranks(array)
        if fixed is not None:
            return fixed
        ranked = pc.rank(array, sort_keys="ascending", tiebreaker="dense")
        return ranked.to_numpy().astype("int64") - 1
    encoded = pc.dictionary_encode(array.combine_chunks())
    order = pc.rank(encoded.dictionary, sort_keys="ascending", tiebreaker="dense")
    of_distinct = order.to_numpy().astype("int64") - 1
    return of_distinct[encoded.indices.to_numpy().astype("int64")]


def _fixed_width_ranks(array: pa.ChunkedArray) -> np.ndarray | None:
    """The ranks of a column whose values all have one width in bytes (an id, a code), found
    without comparing strings: for values of one width, byte order is the order of the bytes
    at each place in turn, so each place's byte becomes its rank among the bytes found at
    that place, in as few bits as those need, and the places are packed into one integer
    per value. None when the values differ in width or the places need more than 63 bits."""
    combined = array.combine_chunks()
    if not pa.types.is_large_string(combined.type) or combined.null_count:
        return None
    size = len(combined)
    if size == 0:
        return None
    starts = offsets(combined)
    width = int(starts[1] - starts[0])
    if width == 0 or not np.all(np.diff(starts) == width):
        return None
    data_buffer = combined.buffers()[2]
    data = np.frombuffer(data_buffer, dtype=np.uint8, count=width * size, offset=int(starts[0]))
    places = data.reshape(size, width)
    packed = np.zeros(size, dtype=np.uint64)
    bits = 0
    for place in range(width):
        column = places[:, place]
        found = np.bincount(column, minlength=256) > 0
        count = int(found.sum())
        if count == 1:
            continue
        need = (count - 1).bit_length()
        bits += need
        if bits > 63:
            return None
        rank_of_byte = (np.cumsum(found) - 1).astype(np.uint64)
        packed <<= np.uint64(need)
        packed |= rank_of_byte[column]
    # Stable: fast on values already (nearly) in order, as ids in a file often are.
    order = np.argsort(packed, kind="stable")
    ordered = packed[order]
    del packed
    new = np.empty(size, dtype=bool)
    new[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=new[1:])
    del ordered
    # In place, each array freed once used: an id column's ranks are made while all the
    # strings of its file are held (10,000,000 ids: 490 -> 240 MB at the end).
    counts = np.cumsum(new, dtype=np.int64)
    del new
    counts -= 1
    ranks = np.empty(size, dtype=np.int64)
    ranks[order] = counts
    return ranks


def key_codes(columns: Sequence[pd.Series]) -> np.ndarray | None:
    """One ``int64`` per row whose order is that of the rows' values in ``columns`` (the first
    column first, by code point): equal codes for equal rows. None when no shortcut is exact."""
    codes: np.ndarray | None = None
    width = 1
    for values in columns:
        array = strings(values)
        if array is None:
            return None
        (rank,) = dense_ranks([array])
        size = _top(rank) + 1
        if width * size >= _WIDEST:
            return None
        codes = rank if codes is None else codes * size + rank
        width *= size
    return codes


def pair_codes(pairs: Sequence[tuple[pd.Series, pd.Series]]) -> list[np.ndarray] | None:
    """``key_codes`` of several (left, right) pairs of columns on one scale: two rows, of the
    same pair or of two, have the same code exactly when they have the same left and the same
    right value (and the same code as their keys joined by the separator would). None when no
    shortcut is exact."""
    lefts = [strings(left) for left, _ in pairs]
    rights = [strings(right) for _, right in pairs]
    arrays = [array for array in lefts + rights if array is not None]
    if len(arrays) < 2 * len(pairs) or any(holds_separator(array) for array in arrays):
        return None
    left_ranks = dense_ranks(arrays[: len(pairs)])
    right_ranks = dense_ranks(arrays[len(pairs) :])
    size = max(_top(ranks) for ranks in right_ranks) + 1
    if (max(_top(ranks) for ranks in left_ranks) + 1) * size >= _WIDEST:
        return None
    return [left * size + right for left, right in zip(left_ranks, right_ranks, strict=True)]


def among(codes: np.ndarray, known: np.ndarray) -> np.ndarray:
    """Per code of ``codes``: whether it is one of ``known`` (one hash lookup)."""
    return pd.Series(codes, copy=False).isin(known).to_numpy()


def _top(ranks: np.ndarray) -> int:
    return int(ranks.max()) if len(ranks) else 0
