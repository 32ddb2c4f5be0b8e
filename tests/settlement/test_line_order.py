"""The lines' order (debtor, creditor, end date, dbc_id) is the same whether the DBCs come in
their canonical order, as read (positions stand for dbc_id), or in any other (strings sorted)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from settlement.engine import _line_order, settle
from spreiding.contract.reader import read_dataset

SAMPLE = "samples/samen-plus"


def test_lines_the_same_from_canonical_and_shuffled_dbcs() -> None:
    dataset = read_dataset(SAMPLE)
    dbcs = dataset.dbcs
    shuffled = dbcs.take(np.random.default_rng(3).permutation(len(dbcs))).reset_index(drop=True)
    for year in (2024,):
        canonical = settle(dbcs, dataset.prices, dataset.agreements, year=year)
        other = settle(shuffled, dataset.prices, dataset.agreements, year=year)
        assert len(canonical.lines) > 1
        pd.testing.assert_frame_equal(canonical.lines, other.lines)


def test_order_by_hand() -> None:
    dbcs = pd.DataFrame(
        {
            "agb": ["06000001", "06000001", "06000002", "06000002"],
            "dbc_id": ["A", "B", "A", "C"],
            "requesting_agb": ["06000009", "06000008", "06000008", "06000009"],
        }
    ).astype("str")
    ends = np.array(["2024-03-01", "2024-01-01", "2024-01-01", "2024-01-01"], dtype="datetime64[s]")
    rows = np.array([0, 1, 2, 3])
    # debtor 06000008: (06000001, B), (06000002, A); debtor 06000009: (06000001, A), (06000002, C)
    order = _line_order(dbcs, rows, ends)
    assert order is not None and order.tolist() == [1, 2, 0, 3]
    # Not in canonical order: no shortcut.
    assert _line_order(dbcs.iloc[::-1].reset_index(drop=True), rows, ends) is None
