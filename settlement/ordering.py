"""The order of a settlement's lines and of its excluded DBCs, found from positions in the DBC
frame where it is in its canonical order (agb, dbc_id ascending, as the reader and the store
give it), by sorting strings only where it is not.

Example: for DBCs (06000001, A), (06000001, B), (06000002, A) in that order,
``canonical_creditors`` gives ``[0, 0, 1]`` (the creditor's rank at each position), and the
lines of rows 1 and 2, both owed by 06000008, come in the order 1, 2 (creditor 06000001 first).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from spreiding.domain import string_columns
from spreiding.domain.dataset import sort_rows


def line_order(
    dbcs: pd.DataFrame, rows: np.ndarray, ends: np.ndarray, creditor: np.ndarray | None
) -> np.ndarray | None:
    """The order of the lines (``rows``: positions in ``dbcs``) by debtor, creditor, end date
    and dbc_id, without sorting strings, when ``dbcs`` is in its canonical order
    (``creditor``, from ``canonical_creditors``, is not None): a creditor's DBCs are then in
    dbc_id order by position. None when it is not (or a debtor is missing): then the caller
    sorts the strings."""
    if len(rows) < 2 or len(dbcs) < 2:
        return None
    debtor = pa.array(dbcs["requesting_agb"].take(rows), from_pandas=True)
    if creditor is None or debtor.null_count:
        return None
    encoded = pc.dictionary_encode(
        debtor.combine_chunks() if isinstance(debtor, pa.ChunkedArray) else debtor
    )
    rank = pc.rank(encoded.dictionary, sort_keys="ascending", tiebreaker="dense").to_numpy()
    debtor_rank = rank.astype("int64")[encoded.indices.to_numpy().astype("int64")]
    days = ends[rows].astype("int64")
    days -= days.min()
    keys = (debtor_rank, creditor[rows], days, rows)
    # One integer a line where the four fit in 63 bits (they do for any real year: tens of
    # hospitals, 366 days, millions of DBCs): one stable sort instead of four.
    sizes = [int(key.max()) + 1 for key in keys]
    if math.prod(sizes) < 1 << 62:
        packed = np.zeros(len(rows), dtype="int64")
        for key, size in zip(keys, sizes, strict=True):
            packed = packed * size + key
        return np.argsort(packed, kind="stable")
    return np.lexsort(keys[::-1])


def canonical_creditors(dbcs: pd.DataFrame) -> np.ndarray | None:
    """Per position of ``dbcs``: its agb's rank (how many times agb changed before it), when
    ``dbcs`` is in its canonical order (agb, dbc_id strictly ascending, none missing, as the
    reader and the store give it); None when it is not."""
    agb = pa.array(dbcs["agb"], from_pandas=True)
    dbc_id = pa.array(dbcs["dbc_id"], from_pandas=True)
    if agb.null_count or dbc_id.null_count:
        return None
    if len(dbcs) < 2:
        return np.zeros(len(dbcs), dtype="int64")
    same_agb = pc.equal(agb[1:], agb[:-1])
    ascending = pc.or_(
        pc.greater(agb[1:], agb[:-1]), pc.and_(same_agb, pc.greater(dbc_id[1:], dbc_id[:-1]))
    )
    if not pc.all(ascending).as_py():
        return None
    return np.concatenate([[0], np.cumsum(~same_agb.to_numpy(zero_copy_only=False))])


def excluded_frame(
    dbcs: pd.DataFrame, parts: list[tuple[np.ndarray, str]], *, canonical: bool
) -> pd.DataFrame:
    """The excluded DBCs (each part: positions in ``dbcs`` and their reason), by agb and
    dbc_id: the contract's (agb, dbc_id, reason), and the requesting hospital, so a statement
    between two hospitals can list the exclusions that concern them. A DBC is excluded once,
    at its first failing step, so in ``dbcs``' canonical order the positions are the order."""
    rows = np.concatenate([part for part, _ in parts]).astype("int64")
    reasons = np.concatenate([np.full(len(part), reason, dtype=object) for part, reason in parts])
    order = np.argsort(rows, kind="stable")
    rows, reasons = rows[order], reasons[order]
    frame = pd.DataFrame(
        {
            "agb": string_columns.take(dbcs["agb"], rows).astype("str"),
            "dbc_id": string_columns.take(dbcs["dbc_id"], rows).astype("str"),
            "reason": pd.Series(reasons, dtype="str"),
            "requesting_agb": string_columns.take(dbcs["requesting_agb"], rows).astype("str"),
        }
    )
    return frame if canonical else sort_rows(frame, ["agb", "dbc_id"])
