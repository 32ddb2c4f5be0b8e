"""The sensitivity of a plan (``settlement.simulation``): its figures for every share × volume
change, and the range of shares asked.

Worked example: shares ``steps(0.80, 1.00, 0.10)`` = (0.80, 0.90, 1.00) and volume changes
(−10, 0, +10) give nine rows, by share then volume: (0.80, −10), (0.80, 0), (0.80, +10),
(0.90, −10), … each with every party's figures of ``from_plan`` at that share and volume.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import pandas as pd

from settlement.simulation.model import PlannedHours, SensitivityRow
from settlement.simulation.plan import from_plan
from spreiding.domain.agreements import Agreement


def sensitivity(
    agreement: Agreement,
    prices: pd.DataFrame,
    agreements: Sequence[Agreement],
    *,
    year: int,
    shares: Sequence[Decimal],
    volumes: Sequence[int],
    home_agb: str | None = None,
    hours: Sequence[PlannedHours] = (),
) -> tuple[SensitivityRow, ...]:
    """The plan's figures for every share × volume change, by share then volume."""
    rows = []
    for share in shares:
        for percent in volumes:
            s = from_plan(
                agreement, prices, agreements, year=year, home_agb=home_agb, hours=hours,
                volume_percent=percent, share=share,
            )  # fmt: skip
            rows.append(SensitivityRow(share, percent, s.parties))
    return tuple(rows)


def steps(first: Decimal, last: Decimal, step: Decimal) -> tuple[Decimal, ...]:
    """``first``, ``first + step``, … up to ``last`` inclusive (exact decimals)."""
    if step <= 0 or last < first:
        raise ValueError("a range needs a step > 0 and first <= last")
    out = []
    value = first
    while value <= last:
        out.append(value)
        value += step
    return tuple(out)
