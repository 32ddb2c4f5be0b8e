"""A correction: what changed since the final settlement of a year, per DBC.

Worked example: the final run settled DBC D1 (Groene Hart for Alrijne) at 1799.10; afterwards
the benchmark price was corrected and D1 now settles at 1800.00, DBC D2 was found (900.00) and
DBC D3 (450.00) turned out not to be ODV. The correction has three lines: D1 ``changed``
+0.90, D2 ``new`` +900.00, D3 ``withdrawn`` -450.00; the pair's amount is 450.90 and Alrijne
pays Groene Hart 450.90 more.

A line is keyed by (creditor, debtor, DBC): a DBC whose requesting hospital changed is withdrawn
from the old debtor and new for the other. Hours lines (v2) are keyed the same way by
``hours_id`` and differ in amount or VAT; cost lines by (agreement_id, cost_id): a cost raised
from 100.00 to 130.00 split 1:1:1 corrects B's and C's lines by +10.00 each, ``changed``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from settlement.costs import COST_COLUMNS, COST_KEY
from settlement.engine import LINE_COLUMNS, Netting, Settlement, empty_costs, summarise
from settlement.hours import HOURS_COLUMNS, HOURS_KEY, empty_hours
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


def settled_hours(runs: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """The hours lines of a final run and its final corrections, added up per hours row."""
    return _state(runs, HOURS_COLUMNS, HOURS_KEY, ["amount_cents", "vat_cents"], empty_hours())


def settled_costs(runs: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """The cost lines of a final run and its final corrections, added up per cost and party."""
    return _state(runs, COST_COLUMNS, COST_KEY, ["amount_cents"], empty_costs())


def _state(
    runs: Sequence[pd.DataFrame],
    columns: list[str],
    key: list[str],
    money: list[str],
    empty: pd.DataFrame,
) -> pd.DataFrame:
    frames = [run[columns] for run in runs if len(run)]
    if not frames:
        return empty
    stacked = pd.concat(frames, ignore_index=True)
    sums = stacked.groupby(key, sort=False)[money].sum()
    latest = stacked.drop_duplicates(key, keep="last").set_index(key)
    latest[money] = sums
    return latest.reset_index()[columns].astype(empty.dtypes.to_dict())


def _differences(
    settled: pd.DataFrame,
    now: pd.DataFrame,
    columns: list[str],
    key: list[str],
    money: list[str],
    order: list[str],
) -> pd.DataFrame:
    """Per key, ``now`` less ``settled`` in the ``money`` columns, where any differs; the rest
    from ``now``, or for a withdrawn line from ``settled``; a ``change`` column."""
    merged = now[columns].merge(
        settled[columns], on=key, how="outer", suffixes=("", "_settled"), indicator=True
    )
    only_now = (merged["_merge"] == "left_only").to_numpy()
    only_settled = (merged["_merge"] == "right_only").to_numpy()
    keep = np.zeros(len(merged), dtype=bool)
    differences = {}
    for column in money:
        difference = merged[column].fillna(0).to_numpy(dtype="int64") - merged[
            f"{column}_settled"
        ].fillna(0).to_numpy(dtype="int64")
        differences[column] = difference
        keep |= difference != 0
    change = np.select([only_now, only_settled], [NEW, WITHDRAWN], default=CHANGED)
    lines = merged.loc[keep].copy()
    withdrawn = only_settled[keep]
    for column in columns:
        if column in key or column in money:
            continue
        lines[column] = lines[column].where(~withdrawn, lines[f"{column}_settled"])
    for column in money:
        lines[column] = differences[column][keep]
    lines["change"] = change[keep]
    types = now[columns].dtypes.to_dict() | {"change": "str"}
    return sort_rows(lines[[*columns, "change"]].astype(types), order)


def correct(
    settled: pd.DataFrame,
    now: Settlement,
    *,
    netting: Netting,
    hours: pd.DataFrame | None = None,
    costs: pd.DataFrame | None = None,
) -> Settlement:
    """The correction that brings ``settled`` to ``now``; lines carry a ``change`` column.
    ``hours`` and ``costs``: the hours and cost lines settled so far (``settled_hours``,
    ``settled_costs``; None: none)."""
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
    hours_lines = _differences(
        empty_hours() if hours is None else hours,
        now.hours,
        HOURS_COLUMNS,
        HOURS_KEY,
        ["amount_cents", "vat_cents"],
        ["debtor_agb", "creditor_agb", "work_date", "hours_id"],
    )
    cost_lines = _differences(
        empty_costs() if costs is None else costs,
        now.costs,
        COST_COLUMNS,
        COST_KEY,
        ["amount_cents"],
        ["debtor_agb", "creditor_agb", "agreement_id", "cost_id"],
    )
    return summarise(
        lines,
        now.excluded,
        year=now.year,
        netting=netting,
        hours=hours_lines,
        costs=cost_lines,
        excluded_hours=now.excluded_hours,
    )
