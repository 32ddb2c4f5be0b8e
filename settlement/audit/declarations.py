"""What the audit rules share: live declaration lines and the overlapping pairs among them.

Credit lines (negative amounts) cancel the earliest not yet cancelled debit line with the same
hospital, insurer, patient, zorgproduct, start date and the opposite amount (how hospitals
correct a declaration: a credit line, then if needed a new debit line). Cancelled lines and
credit lines take part in no rule. Example: V1 +2100.00, V2 -2100.00, V3 +2050.00 with the same
key: V2 cancels V1; only V3 is live.

Overlaps are found by a sort-based sweep per (insurer, patient), never by comparing all pairs:
with lines sorted by start date, the lines overlapping line i that start after it form one run
right after i, so pass k compares each line with the k-th next one and stops for a line at the
first that starts after its end. The work is n × (longest run), not n².
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from spreiding.domain.dataset import sort_rows
from spreiding.domain.string_columns import equal_at, hashes

LINE_KEY = ["agb", "uzovi", "patient_ref", "zorgproduct_code", "start_date"]


def isin(values: pd.Series, among: pd.Series) -> np.ndarray:
    """``values.isin(among)`` of string columns through Arrow (pandas would list ``among`` in
    Python first); a missing value is in nothing."""
    value_set = pc.drop_null(pc.unique(_arrow(among)))
    found = pc.is_in(_arrow(values), value_set=value_set)
    return np.asarray(found.to_numpy(zero_copy_only=False), dtype=bool)


def _arrow(values: pd.Series) -> pa.Array:
    array = pa.array(values)
    return array.cast(pa.large_string()) if array.type == pa.string() else array


def codes(values: pd.Series) -> np.ndarray:
    """Per value a number, equal where the values are equal (numbered in order of first
    appearance, a missing value -1): Arrow's hash of the strings, no Python objects."""
    array = pa.array(values)
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    indices = pc.dictionary_encode(array).indices.fill_null(-1)
    return np.asarray(indices.to_numpy(zero_copy_only=False), "int64")


def key_codes(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """``codes`` of the rows' values in ``columns`` together: equal where every column is,
    numbered in order of first appearance (``groupby(columns, sort=False).ngroup()``)."""
    combined = np.zeros(len(frame), dtype="int64")
    for column in columns:
        values = frame[column]
        if values.dtype.kind == "M":
            part = pd.factorize(values.to_numpy().astype("int64"))[0]
        else:
            part = codes(values)
        width = int(part.max()) + 2 if len(part) else 1
        combined = pd.factorize(combined * width + (part + 1))[0].astype("int64")
    return combined


_MIX = np.uint64(0x9E3779B97F4A7C15)


def key_hashes(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """Per row a 64-bit hash of its values in ``columns`` (strings by their bytes,
    ``string_columns.hashes``; dates and numbers by their integer value): equal where the
    values are; two different keys share one only by a collision, which a caller checks
    (``group_numbers``) or does not need to (a candidate later compared exactly)."""
    combined = np.zeros(len(frame), dtype=np.uint64)
    for column in columns:
        values = frame[column]
        if values.dtype.kind in "Mmiu":
            part = values.to_numpy().astype("int64").view(np.uint64) * _MIX
            part ^= part >> np.uint64(31)
        else:
            part = hashes(values)
        combined = combined * _MIX + part
        combined ^= combined >> np.uint64(29)
    return combined


def group_numbers(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """Per row a number from 0, equal exactly where the rows' values in ``columns`` are: the
    rows sorted by ``key_hashes``, and where two rows next to each other share a hash their
    values compared (numbering the strings themselves, ``key_codes``, takes several times as
    long); only on a collision are they numbered by ``key_codes``."""
    hashed = key_hashes(frame, columns)
    order = np.argsort(hashed)
    ordered = hashed[order]
    meet = np.flatnonzero(ordered[1:] == ordered[:-1])
    first, second = order[meet], order[meet + 1]
    if not all(bool(equal_at(frame[column], first, second).all()) for column in columns):
        return key_codes(frame, columns)
    new = np.ones(len(order), dtype="int64")
    new[meet + 1] = 0
    numbers = np.empty(len(order), dtype="int64")
    numbers[order] = np.cumsum(new) - 1
    return numbers


def live_lines(declarations: pd.DataFrame) -> pd.DataFrame:
    """The debit lines that no credit line cancels, in the order of ``declarations``."""
    amount = declarations["amount_cents"].to_numpy()
    debit = amount > 0
    credits = declarations.loc[amount < 0]
    if credits.empty:
        return declarations.loc[debit].reset_index(drop=True)
    order = ["declared_on", "declaration_id"]
    # Only debits that some credit could cancel need ranking: a small share of all lines.
    credit_keys = credits[LINE_KEY].assign(match=-credits["amount_cents"]).drop_duplicates()
    # First the debits of patients with a credit line (a cheap test), then the exact join.
    maybe = declarations.loc[debit & isin(declarations["patient_ref"], credit_keys["patient_ref"])]
    candidates = maybe.assign(match=maybe["amount_cents"]).merge(
        credit_keys, on=[*LINE_KEY, "match"]
    )
    keyed_debits = sort_rows(candidates, [*LINE_KEY, "match", *order])
    keyed_credits = sort_rows(
        credits.assign(match=-credits["amount_cents"]), [*LINE_KEY, "match", *order]
    )
    # The k-th credit of a key cancels the k-th debit: each credit takes the earliest debit
    # that no earlier credit took.
    keyed_debits["rank"] = keyed_debits.groupby([*LINE_KEY, "match"], sort=False).cumcount()
    keyed_credits["rank"] = keyed_credits.groupby([*LINE_KEY, "match"], sort=False).cumcount()
    cancelled = keyed_debits.merge(
        keyed_credits[[*LINE_KEY, "match", "rank"]], on=[*LINE_KEY, "match", "rank"], how="inner"
    )["declaration_id"]
    live = declarations.loc[debit & ~isin(declarations["declaration_id"], cancelled)]
    return live.reset_index(drop=True)


def overlapping_pairs(lines: pd.DataFrame) -> pd.DataFrame:
    """Every pair of ``lines`` with the same insurer and patient whose [start, end] ranges share
    a day, as positional indices ``a`` < ``b`` into ``lines`` (a started first)."""
    if len(lines) < 2:
        return pd.DataFrame({"a": np.array([], dtype="int64"), "b": np.array([], dtype="int64")})
    group_id = group_numbers(lines, ["uzovi", "patient_ref"])
    start = lines["start_date"].to_numpy().astype("int64")
    end = lines["end_date"].to_numpy().astype("int64")
    order = _by_group_and_start(group_id, start)
    g, s, e = group_id[order], start[order], end[order]
    found_a: list[np.ndarray] = []
    found_b: list[np.ndarray] = []
    active = np.arange(len(order) - 1)
    k = 1
    while active.size:
        other = active + k
        keep = other < len(order)
        active, other = active[keep], other[keep]
        overlaps = (g[other] == g[active]) & (s[other] <= e[active])
        active, other = active[overlaps], other[overlaps]
        found_a.append(order[active])
        found_b.append(order[other])
        k += 1
    return pd.DataFrame(
        {"a": np.concatenate(found_a).astype("int64"), "b": np.concatenate(found_b).astype("int64")}
    )


def _by_group_and_start(group_id: np.ndarray, start: np.ndarray) -> np.ndarray:
    """The rows in order of group, then start: one sort of the two packed into one integer
    where they fit in 63 bits (rows of the same group and start in any order: the sweep pairs
    each two of them once either way), else ``np.lexsort``."""
    offset = start - start.min()
    width = int(offset.max()).bit_length()
    if int(group_id.max()).bit_length() + width <= 62:
        return np.argsort((group_id << width) | offset)
    return np.lexsort((start, group_id))


def later(lines: pd.DataFrame, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per pair, True where line ``b`` is the later one: later ``declared_on``, tie: higher
    ``declaration_id``."""
    on = lines["declared_on"].to_numpy()
    on_a, on_b = on[a], on[b]
    ids = lines["declaration_id"]
    id_a = ids.take(a).to_numpy(dtype=object)
    id_b = ids.take(b).to_numpy(dtype=object)
    return np.asarray((on_b > on_a) | ((on_b == on_a) & (id_b > id_a)), dtype=bool)
