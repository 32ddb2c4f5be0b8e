"""The lines' order (debtor, creditor, end date, dbc_id) and the excluded DBCs' (agb, dbc_id)
are the same whether the DBCs come in their canonical order, as read (positions stand for
dbc_id), or in any other (strings sorted)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from settlement.engine import settle
from settlement.ordering import canonical_creditors, line_order
from spreiding.contract.reader import read_dataset
from spreiding.domain.dataset import sort_rows
from tests.conftest import V1

SAMPLE = "samples/samen-plus"


@pytest.mark.parametrize("folder", [SAMPLE, V1 / "samen-plus"])
def test_lines_the_same_from_canonical_and_shuffled_dbcs(folder: Path | str) -> None:
    dataset = read_dataset(folder)
    dbcs = dataset.dbcs
    shuffled = dbcs.take(np.random.default_rng(3).permutation(len(dbcs))).reset_index(drop=True)
    for year in (2024,):
        canonical = settle(dbcs, dataset.prices, dataset.agreements, year=year)
        other = settle(shuffled, dataset.prices, dataset.agreements, year=year)
        assert len(canonical.lines) > 1
        pd.testing.assert_frame_equal(canonical.lines, other.lines)
        # The excluded DBCs: by position in the canonical order, by their strings otherwise.
        assert len(canonical.excluded) >= 1
        pd.testing.assert_frame_equal(canonical.excluded, other.excluded)


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
    order = line_order(dbcs, rows, ends, canonical_creditors(dbcs))
    assert order is not None and order.tolist() == [1, 2, 0, 3]
    # Not in canonical order: no shortcut.
    reversed_dbcs = dbcs.iloc[::-1].reset_index(drop=True)
    assert canonical_creditors(reversed_dbcs) is None
    assert line_order(reversed_dbcs, rows, ends, canonical_creditors(reversed_dbcs)) is None


def test_the_excluded_are_by_agb_and_dbc_id_not_by_the_step_that_excluded_them() -> None:
    dataset = read_dataset(V1 / "samen-plus")
    # The open DBC (excluded at the first step) renamed to sort after the others.
    dbcs = dataset.dbcs.copy()
    dbcs.loc[dbcs["dbc_id"] == "SAME-D00093", "dbc_id"] = "SAME-D00099"
    dbcs = sort_rows(dbcs, ["agb", "dbc_id"])
    result = settle(dbcs, dataset.prices, dataset.agreements, year=2024)
    assert list(result.excluded.itertuples(index=False, name=None)) == [
        ("06010102", "SAME-D00094", "NO_AGREEMENT", "06010101"),
        ("06010102", "SAME-D00096", "PRIMARY_MISMATCH", "06010101"),
        ("06010102", "SAME-D00097", "NO_PRICE", "06010101"),
        ("06010102", "SAME-D00099", "OPEN", "06010101"),
    ]
