"""A correction: what changed since the final settlement of a year, per DBC.

Worked example: the final run settled DBC D1 (Groene Hart for Alrijne) at 1799.10; afterwards
the benchmark price was corrected and D1 now settles at 1800.00, DBC D2 was found (900.00) and
DBC D3 (450.00) turned out not to be ODV. The correction has three lines: D1 ``changed``
+0.90, D2 ``new`` +900.00, D3 ``withdrawn`` -450.00; the pair's amount is 450.90 and Alrijne
pays Groene Hart 450.90 more.

A line is keyed by (creditor, debtor, DBC): a DBC whose requesting hospital changed is withdrawn
from the old debtor and new for the other.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from settlement.engine import LINE_COLUMNS, Netting, Settlement, summarise
from spreiding.domain.dataset import sort_rows

KEY = ["creditor_agb", "debtor_agb", "dbc_id"]
NEW, WITHDRAWN, CHANGED = "new", "withdrawn", "changed"


def settled_state(runs: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """The lines of a final run and its final corrections, added up per DBC: what has been
    settled so far. The descriptive fields come from the latest run naming the DBC."""
    if not runs:
        return pd.DataFrame(columns=LINE_COLUMNS)
    stacked = pd.concat([run[LINE_COLUMNS] for run in runs], ignore_index=True)
    amounts = stacked.groupby(KEY, sort=False)["amount_cents"].sum()
    latest = stacked.drop_duplicates(KEY, keep="last").set_index(KEY)
    latest["amount_cents"] = amounts
    return latest.reset_index()[LINE_COLUMNS]


def correct(settled: pd.DataFrame, now: Settlement, *, netting: Netting) -> Settlement:
    """The correction that brings ``settled`` to ``now``; lines carry a ``change`` column."""
    merged = now.lines.merge(
        settled[
            [
                *KEY,
                "amount_cents",
                *[c for c in LINE_COLUMNS if c not in KEY and c != "amount_cents"],
            ]
        ],
        on=KEY,
        how="outer",
        suffixes=("", "_settled"),
        indicator=True,
    )
    only_now = (merged["_merge"] == "left_only").to_numpy()
    only_settled = (merged["_merge"] == "right_only").to_numpy()
    both = (merged["_merge"] == "both").to_numpy()
    now_amount = merged["amount_cents"].fillna(0).to_numpy(dtype="int64")
    settled_amount = merged["amount_cents_settled"].fillna(0).to_numpy(dtype="int64")
    difference = now_amount - settled_amount
    keep = (only_now | both | only_settled) & (difference != 0)
    change = np.select([only_now, only_settled], [NEW, WITHDRAWN], default=CHANGED)
    lines = merged.loc[keep].copy()
    # A withdrawn line keeps the description it was settled with.
    withdrawn = only_settled[keep]
    for column in LINE_COLUMNS:
        if column in KEY or column == "amount_cents":
            continue
        lines[column] = lines[column].where(~withdrawn, lines[f"{column}_settled"])
    lines["amount_cents"] = difference[keep]
    lines["change"] = change[keep]
    lines = lines[[*LINE_COLUMNS, "change"]].astype(
        {"unit_price_cents": "int64", "amount_cents": "int64", "end_date": "datetime64[s]"}
    )
    lines = sort_rows(lines, ["debtor_agb", "creditor_agb", "end_date", "dbc_id"])
    return summarise(lines, now.excluded, year=now.year, netting=netting)
