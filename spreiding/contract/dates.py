"""Dates as the contract writes them, ``YYYY-MM-DD``, parsed for a whole column at once: Arrow
casts the well-shaped values, numpy checks the calendar only when Arrow refuses one."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

_DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype="int64")


def parse_dates(values: pd.Series) -> np.ndarray:
    """The ``datetime64[s]`` of each value written ``YYYY-MM-DD`` that is a day of the calendar
    (years 0001 to 9999; none is 2024-02-30), NaT for any other value. Arrow parses the
    well-shaped values (and refuses a day the calendar does not have); only when one is
    refused does numpy sort them out one by one (``_calendar_dates``)."""
    # The column's own Arrow strings where it has them: a file's date columns are read while
    # all its strings are held (10,000,000 lines: each copy was 140 MB at the reader's peak).
    array = pa.array(values.astype("str"))
    # Arrow casts a value of 10 characters only if it is YYYY-MM-DD, digits where the pattern
    # has them (tests/test_contract_shortcuts.py holds it to ``_calendar_dates``); a value of
    # another length is no date.
    shaped = pc.equal(pc.binary_length(array), 10)
    if not pc.all(shaped).as_py():
        array = pc.if_else(shaped, array, None)
    try:
        days = pc.cast(array, pa.date32())
    except pa.ArrowInvalid:
        return _calendar_dates(pc.cast(array, pa.string()))
    number = np.asarray(days.cast(pa.int32()).fill_null(_NO_DAY).to_numpy())
    # Year 0000 (1 BC) is a date to Arrow; no date type that stores or compares it is.
    before = number < _FIRST_DAY
    seconds = number.astype("int64")
    del number
    seconds *= 86400
    dates = seconds.view("datetime64[s]")
    dates[before] = np.datetime64("NaT")
    return dates


_FIRST_DAY = -719162  # 0001-01-01, in days since 1970-01-01
_NO_DAY = _FIRST_DAY - 1


def _calendar_dates(array: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """``parse_dates`` read from Arrow's buffers with numpy, the calendar checked per value."""
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    size = len(array)
    _validity, offsets_buffer, data_buffer = array.buffers()
    offsets = np.frombuffer(offsets_buffer, dtype="int32")[array.offset : array.offset + size + 1]
    data = np.frombuffer(data_buffer, dtype="uint8") if data_buffer else np.zeros(0, "uint8")
    ten = (offsets[1:] - offsets[:-1]) == 10
    if array.null_count:
        ten &= array.is_valid().to_numpy(zero_copy_only=False)
    where = np.where(ten, offsets[:-1], 0)[:, None] + np.arange(10, dtype=offsets.dtype)
    chars = data[where] if len(data) >= 10 else np.zeros((size, 10), dtype="uint8")
    digits = chars.astype("int16") - ord("0")
    figures = digits[:, [0, 1, 2, 3, 5, 6, 8, 9]]
    shaped = ten & (chars[:, 4] == ord("-")) & (chars[:, 7] == ord("-"))
    shaped &= ((figures >= 0) & (figures <= 9)).all(axis=1)
    digits = digits.astype("int64")
    year = digits[:, 0] * 1000 + digits[:, 1] * 100 + digits[:, 2] * 10 + digits[:, 3]
    month = digits[:, 5] * 10 + digits[:, 6]
    day = digits[:, 8] * 10 + digits[:, 9]
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_ok = (month >= 1) & (month <= 12)
    days = _DAYS[np.where(month_ok, month, 1) - 1] + (leap & (month == 2))
    ok = shaped & (year >= 1) & month_ok & (day >= 1) & (day <= days)
    # Days since 1970-01-01 of the proleptic Gregorian calendar (H. Hinnant's days_from_civil).
    shifted = year - (month <= 2)
    era = shifted // 400
    of_era = shifted - era * 400
    of_year = (153 * (month + np.where(month > 2, -3, 9)) + 2) // 5 + day - 1
    of_cycle = of_era * 365 + of_era // 4 - of_era // 100 + of_year
    epoch_days = era * 146097 + of_cycle - 719468
    dates = (epoch_days * 86400).astype("datetime64[s]")
    dates[~ok] = np.datetime64("NaT")
    return dates
