"""The pair index hands a statement the exclusions the whole run gives it: of DBCs of either
hospital requested by either (a third hospital's request, or none, is not the pair's), or of
DBCs of either when the exclusions name no requesting hospital."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from settlement.result import Settlement
from settlement.statement import build_statement
from settlement.statement_parts import PairIndex
from spreiding.domain.runs import StoredRun

A, B, C = "06000001", "06000002", "06000003"


@pytest.mark.parametrize("requesting", [True, False])
@pytest.mark.parametrize("dtype", [object, "str"])
def test_the_pairs_exclusions_from_the_index_are_those_of_the_whole_run(
    requesting: bool, dtype: object
) -> None:
    rng = np.random.default_rng(10)
    n = 200
    excluded = pd.DataFrame(
        {
            "agb": rng.choice([A, B, C], n),
            "dbc_id": [f"D{i}" for i in range(n)],
            "reason": rng.choice(["ODV-001", "PAR-001"], n),
        }
    )
    if requesting:
        excluded["requesting_agb"] = pd.Series(rng.choice([A, B, C, "", None], n), dtype=dtype)
    empty = pd.DataFrame(columns=["creditor_agb", "debtor_agb"])
    payments = pd.DataFrame({"from_agb": [A], "to_agb": [B], "amount_cents": [1]})
    result = Settlement(
        2024, "bilateral", empty, excluded.astype({"agb": dtype}), empty, empty, payments
    )
    run = StoredRun(1, "settlement", "draft", 2024, "bilateral", "f" * 64, None, 0)
    index = PairIndex.of(result)
    for first, second in ((A, B), (A, C), (B, C)):
        whole = build_statement(
            run, result, first=first, second=second, hospitals={}, agreements={}
        )
        cut = build_statement(
            run, index.for_pair(first, second), first=first, second=second, hospitals={},
            agreements={},
        )  # fmt: skip
        assert cut == whole
        assert whole.excluded
