"""Amounts in euros as typed in a file's cells, checked and read in Arrow, column by column.

``money_masks`` says which cells break each rule of ``Rows.money`` (not an amount, too many
digits before the point, negative); ``cents`` reads well-shaped amounts as exact integer
cents (``"-12.5"`` -> ``-1250``), never through a float. Both take whole columns: a million
cells in a few Arrow kernels instead of a million Python string operations.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from spreiding.domain.money import MAX_CENTS, MONEY_PATTERN

# Digits before the point an amount may have (leading zeros count): 13 below 10**15 cents.
MAX_WHOLE_DIGITS = len(str(MAX_CENTS)) - 3


class MoneyMasks(NamedTuple):
    """Per cell: the amount's shape is wrong; it has too many digits; it is below zero."""

    misshaped: pd.Series
    too_long: pd.Series
    negative: pd.Series


def money_masks(values: pd.Series) -> MoneyMasks:
    """Which present cells of ``values`` (strings, the decimal comma already a point) are no
    amount of ``MONEY_PATTERN``, have more than ``MAX_WHOLE_DIGITS`` digits before the point,
    or are negative and not zero (``-0.00`` is zero)."""
    array = _arrow(values)
    if array is None:
        return _pandas_masks(values)
    shaped = _bools(pc.match_substring_regex(array, f"^(?:{MONEY_PATTERN})$"))
    present = _bools(pc.not_equal(array, ""))
    length = pc.binary_length(array)
    point = pc.find_substring(array, ".")
    minus = pc.starts_with(array, "-")
    # Shaped: [-]digits[.d[d]]; the digits before the point are the rest once the sign and
    # the point with its decimals are taken off.
    before = pc.if_else(pc.equal(point, -1), length, point)
    whole = pc.subtract(before, pc.cast(minus, pa.int64()))
    too_long = _bools(pc.greater(whole, MAX_WHOLE_DIGITS)) & shaped
    nonzero = _bools(pc.match_substring_regex(array, "[1-9]"))
    negative = _bools(minus) & nonzero & shaped
    index = values.index
    return MoneyMasks(
        pd.Series(present & ~shaped, index=index),
        pd.Series(too_long, index=index),
        pd.Series(negative, index=index),
    )


def cents(values: pd.Series) -> pd.Series:
    """Exact int64 cents of ``values``, each of ``MONEY_PATTERN`` within ``MAX_CENTS``
    (checked before: ``money_masks``)."""
    array = _arrow(values)
    if array is None:
        array = pa.array(values.astype("str"), type=pa.string())
    # Chunk by chunk: the intermediate arrays of ``arrow_cents`` (six of them, each as long as
    # its input) exist for one chunk at a time, not for the whole column.
    chunks = array.chunks if isinstance(array, pa.ChunkedArray) else [array]
    numbers = np.empty(len(array), dtype="int64")
    at = 0
    for chunk in chunks:
        numbers[at : at + len(chunk)] = arrow_cents(chunk).to_numpy(zero_copy_only=False)
        at += len(chunk)
    return pd.Series(numbers, index=values.index, dtype="int64")


def arrow_cents(array: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """``cents`` of Arrow strings, as Arrow int64 (``-12.5`` -> -1250), never through a
    float: the digits without the point read as one integer (the sign with them), times 100,
    10 or 1 as the amount has no, one or two decimals."""
    point = pc.find_substring(array, ".")
    decimals = pc.if_else(
        pc.equal(point, -1), 0, pc.subtract(pc.subtract(pc.binary_length(array), point), 1)
    )
    number = pc.cast(pc.replace_substring(array, ".", ""), pa.int64())
    scale = pc.if_else(pc.equal(decimals, 0), 100, pc.if_else(pc.equal(decimals, 1), 10, 1))
    return pc.multiply(number, scale)


def _arrow(values: pd.Series) -> pa.Array | pa.ChunkedArray | None:
    """The column as Arrow strings, or None when it holds anything but strings."""
    try:
        array = pa.array(values, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
        return None
    if not (pa.types.is_string(array.type) or pa.types.is_large_string(array.type)):
        return None
    if array.null_count:
        return None
    return array


def _bools(array: pa.Array | pa.ChunkedArray) -> np.ndarray:
    return np.asarray(array.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)


def _pandas_masks(values: pd.Series) -> MoneyMasks:
    """``money_masks`` string by string, for a column Arrow cannot take as strings."""
    present = values != ""
    shaped = values.str.fullmatch(MONEY_PATTERN).fillna(False).astype(bool)
    whole_digits = values.str.lstrip("-").str.split(".").str[0].str.len()
    nonzero = values.str.strip("-0.") != ""
    return MoneyMasks(
        (present & ~shaped).fillna(False).astype(bool),
        (shaped & (whole_digits > MAX_WHOLE_DIGITS)).fillna(False).astype(bool),
        (shaped & values.str.startswith("-") & nonzero).fillna(False).astype(bool),
    )
