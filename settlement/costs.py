"""Shared costs of a year split over an agreement's parties (docs/data-format.md §6).

Worked example: the Samen+ bureau cost 100.00 (10000 cents), paid by A, keyed A:1, B:1, C:1.
W = 3; each party gets floor(10000 / 3) = 3333 cents, remainder 1 each; the one cent left goes
to the largest remainder, a tie of three, so to the lowest AGB: A 33.34, B 33.33, C 33.33. B and
C each owe A 33.33 in a cost line (A paid, it owes itself nothing).

The parts always add up to the cost to the cent (largest remainder, as in polar's
``allocate_discount_amounts``); the tie-break by AGB makes the split the same whatever the
order of the key in ``agreements.json``.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from spreiding.domain.agreements import Agreement
from spreiding.domain.dataset import sort_rows

COST_COLUMNS = ["creditor_agb", "debtor_agb", "agreement_id", "cost_id", "weight", "amount_cents"]
COST_KEY = ["creditor_agb", "debtor_agb", "agreement_id", "cost_id"]


def split(cents: int, key: Sequence[tuple[str, int]]) -> list[tuple[str, int, int]]:
    """``cents`` over the (agb, weight) pairs of ``key``, by the largest remainder: per party
    (agb, weight, part), in AGB order; the parts sum to ``cents`` exactly."""
    total = sum(weight for _, weight in key)
    if total <= 0:
        raise ValueError("a cost key needs a weight above zero")
    ordered = sorted(key)
    parts = {agb: cents * weight // total for agb, weight in ordered}
    left = cents - sum(parts.values())
    # The cents left over, one each, to the largest remainders C*w mod W; ties to the lower AGB.
    by_remainder = sorted(ordered, key=lambda entry: (-(cents * entry[1] % total), entry[0]))
    for agb, _ in by_remainder[:left]:
        parts[agb] += 1
    return [(agb, weight, parts[agb]) for agb, weight in ordered]


def share_costs(agreements: Sequence[Agreement], *, year: int) -> pd.DataFrame:
    """The cost lines of ``year``: every cost of that year of any agreement (whatever its stage
    or validity), each party's part owed to the party that paid it; columns ``COST_COLUMNS``,
    in the contract's order (debtor, creditor, agreement_id, cost_id)."""
    rows: list[tuple[str, str, str, str, int, int]] = []
    for agreement in agreements:
        for cost in agreement.costs:
            if cost.year != year:
                continue
            for agb, weight, part in split(cost.amount_cents, cost.key):
                if agb != cost.paid_by and part > 0:
                    rows.append(
                        (cost.paid_by, agb, agreement.agreement_id, cost.cost_id, weight, part)
                    )
    frame = pd.DataFrame(rows, columns=COST_COLUMNS).astype(
        {
            "creditor_agb": "str",
            "debtor_agb": "str",
            "agreement_id": "str",
            "cost_id": "str",
            "weight": "int64",
            "amount_cents": "int64",
        }
    )
    return sort_rows(frame, ["debtor_agb", "creditor_agb", "agreement_id", "cost_id"])
