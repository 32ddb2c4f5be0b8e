"""What settling a year gives (docs/data-format.md §3): the ``Settlement`` value, its column
orders and the netting kinds. The engine (``settlement.engine``) makes it, ``settlement.totals``
sums its lines into pairs, positions and payments, and corrections compare two of them.

Worked example: Samen+ in 2024 with one DBC line of 1799.10 from Groene Hart (06010002) to
Alrijne (06010001) and no hours or costs: ``lines`` holds that line (``amount_cents`` 179910),
``pairs`` one pair (06010001 -> 06010002, 1 line, total 179910), ``positions`` Groene Hart
+179910 and Alrijne -179910, ``payments`` Alrijne pays Groene Hart 179910; ``total_cents``
is 179910 and ``is_empty`` False.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from settlement.costs import COST_COLUMNS
from settlement.hours import empty_excluded_hours, empty_hours

Netting = Literal["bilateral", "multilateral"]
NETTINGS: tuple[Netting, ...] = ("bilateral", "multilateral")

PAIR_COLUMNS = [
    "debtor_agb", "creditor_agb", "lines", "amount_cents", "hours_cents", "costs_cents",
    "vat_cents", "total_cents",
]  # fmt: skip

LINE_COLUMNS = [
    "creditor_agb",
    "debtor_agb",
    "dbc_id",
    "patient_ref",
    "agreement_id",
    "care_type",
    "zorgproduct_code",
    "end_date",
    "method",
    "unit_price_cents",
    "share",
    "amount_cents",
]


def empty_costs() -> pd.DataFrame:
    return pd.DataFrame({c: [] for c in COST_COLUMNS}).astype(
        {c: "int64" if c in ("weight", "amount_cents") else "str" for c in COST_COLUMNS}
    )


@dataclass(frozen=True)
class Settlement:
    """The result for one year. Money columns are int64 cents; frames are in contract order.
    ``hours`` (``settlement.hours.HOURS_COLUMNS``), ``costs`` (``COST_COLUMNS``) and
    ``excluded_hours`` are empty for a dataset without hours or costs."""

    year: int
    netting: Netting
    lines: pd.DataFrame
    excluded: pd.DataFrame
    pairs: pd.DataFrame
    positions: pd.DataFrame
    payments: pd.DataFrame
    hours: pd.DataFrame = field(default_factory=empty_hours)
    costs: pd.DataFrame = field(default_factory=empty_costs)
    excluded_hours: pd.DataFrame = field(default_factory=empty_excluded_hours)

    @property
    def total_cents(self) -> int:
        """Every amount owed: DBC lines, hours lines with their VAT, cost lines."""
        return (
            int(self.lines["amount_cents"].sum())
            + int(self.hours["amount_cents"].sum())
            + int(self.hours["vat_cents"].sum())
            + int(self.costs["amount_cents"].sum())
        )

    @property
    def is_empty(self) -> bool:
        """No line of any kind: nothing is owed (exclusions alone pay nothing)."""
        return self.lines.empty and self.hours.empty and self.costs.empty
