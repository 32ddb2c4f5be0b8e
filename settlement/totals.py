"""Pairs, positions and payments of a year's lines (docs/data-format.md §3 steps 6-7): what
every debtor owes every creditor over DBC lines, hours lines with their VAT and cost lines,
what every hospital receives and pays, and the payments that settle it (``settlement.netting``).

Worked example: A owes B 100.00 in DBC lines and B owes A 30.00 in hours with 6.30 VAT. Pairs:
(A -> B) 1 line, amount 100.00, total 100.00; (B -> A) 0 lines, hours 30.00, VAT 6.30, total
36.30. Positions: A receivable 36.30, payable 100.00, net -63.70; B the opposite. Bilateral
netting: A pays B 63.70.
"""

from __future__ import annotations

import pandas as pd

from settlement import netting
from settlement.hours import empty_excluded_hours, empty_hours
from settlement.result import PAIR_COLUMNS, Netting, Settlement, empty_costs


def summarise(
    lines: pd.DataFrame,
    excluded: pd.DataFrame,
    *,
    year: int,
    netting: Netting,
    hours: pd.DataFrame | None = None,
    costs: pd.DataFrame | None = None,
    excluded_hours: pd.DataFrame | None = None,
) -> Settlement:
    """Pairs, positions and payments of every line (docs/data-format.md §3 steps 6-7): DBC
    lines, hours lines with their VAT, cost lines. Amounts may be negative (a correction's
    differences); every sum stays exact in integer cents."""
    hours = empty_hours() if hours is None else hours
    costs = empty_costs() if costs is None else costs
    excluded_hours = empty_excluded_hours() if excluded_hours is None else excluded_hours
    pairs = _pairs(lines, hours, costs)
    positions = _positions(pairs)
    payments = _payments(pairs, positions, netting)
    return Settlement(
        year, netting, lines, excluded, pairs, positions, payments, hours, costs, excluded_hours
    )


def _pairs(lines: pd.DataFrame, hours: pd.DataFrame, costs: pd.DataFrame) -> pd.DataFrame:
    """Per (debtor, creditor): its DBC lines (count and sum), hours (amounts), costs and VAT,
    and their total."""
    keys = ["debtor_agb", "creditor_agb"]
    parts: list[pd.DataFrame] = [
        lines.groupby(keys, sort=True).agg(
            lines=("amount_cents", "size"), amount_cents=("amount_cents", "sum")
        )
    ]
    if len(hours):
        parts.append(
            hours.groupby(keys)[["amount_cents", "vat_cents"]]
            .sum()
            .rename(columns={"amount_cents": "hours_cents"})
        )
    if len(costs):
        parts.append(
            costs.groupby(keys)[["amount_cents"]]
            .sum()
            .rename(columns={"amount_cents": "costs_cents"})
        )
    if len(parts) == 1:
        pairs = parts[0].reset_index()
    else:
        pairs = pd.concat(parts, axis=1).sort_index().fillna(0).reset_index()
    for column in ("hours_cents", "costs_cents", "vat_cents"):
        if column not in pairs.columns:
            pairs[column] = 0
    pairs = pairs.astype(
        {c: "int64" for c in ("lines", "amount_cents", "hours_cents", "costs_cents", "vat_cents")}
    )
    pairs["total_cents"] = (
        pairs["amount_cents"] + pairs["hours_cents"] + pairs["costs_cents"] + pairs["vat_cents"]
    )
    return pairs.astype({"debtor_agb": "str", "creditor_agb": "str"})[PAIR_COLUMNS]


def _positions(pairs: pd.DataFrame) -> pd.DataFrame:
    receivable = pairs.groupby("creditor_agb")["total_cents"].sum()
    payable = pairs.groupby("debtor_agb")["total_cents"].sum()
    hospitals = sorted(set(receivable.index) | set(payable.index))
    frame = pd.DataFrame(
        {
            "agb": pd.Series(hospitals, dtype="str"),
            "receivable_cents": receivable.reindex(hospitals, fill_value=0).to_numpy(dtype="int64"),
            "payable_cents": payable.reindex(hospitals, fill_value=0).to_numpy(dtype="int64"),
        }
    )
    return frame.assign(net_cents=frame["receivable_cents"] - frame["payable_cents"])


def _payments(pairs: pd.DataFrame, positions: pd.DataFrame, how: Netting) -> pd.DataFrame:
    if how == "bilateral":
        owed = {
            (d, c): int(a)
            for d, c, a in zip(
                pairs["debtor_agb"], pairs["creditor_agb"], pairs["total_cents"], strict=True
            )
        }
        made = netting.bilateral(owed)
    else:
        nets = dict(zip(positions["agb"], (int(n) for n in positions["net_cents"]), strict=True))
        made = netting.multilateral(nets)
    return pd.DataFrame(made, columns=["from_agb", "to_agb", "amount_cents"]).astype(
        {"from_agb": "str", "to_agb": "str", "amount_cents": "int64"}
    )
