"""A run's result cut by pair of hospitals once, for writing every statement of a run.

``build_statement`` finds a pair's lines by comparing the AGB columns of the whole run, which is
right for one statement and quadratic for all of them: a run of 840,000 lines between 435 pairs
compared every line 870 times. ``PairIndex`` groups the rows once (positions per creditor and
debtor, exclusions per hospital); ``for_pair`` hands ``build_statement`` the same rows, in the
same order, that it would have found in the whole run, so the statement is the same value.

Example: ``index = PairIndex.of(result)``; ``build_statement(run, index.for_pair(a, b),
first=a, second=b, ...)`` equals ``build_statement(run, result, first=a, second=b, ...)``.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from settlement.result import Settlement

Positions = dict[Hashable, np.ndarray]
BY_PAIR = ["creditor_agb", "debtor_agb"]


def _positions(frame: pd.DataFrame, columns: list[str]) -> Positions:
    """The positions of the rows of each value of ``columns``, ascending."""
    if frame.empty or not set(columns) <= set(frame.columns):
        return {}
    keys = columns if len(columns) > 1 else columns[0]
    grouped = frame.groupby(keys, sort=False, observed=True, dropna=False)
    return {key: np.asarray(rows) for key, rows in grouped.indices.items()}


def _take(frame: pd.DataFrame, positions: Positions, keys: Sequence[Hashable]) -> pd.DataFrame:
    """The rows of ``keys``, in the frame's own order."""
    parts = [positions[key] for key in keys if key in positions]
    if not parts:
        return frame.iloc[0:0]
    return frame.iloc[np.sort(np.concatenate(parts))]


def _excluded_by(result: Settlement) -> list[str]:
    """The columns the statement selects the run's exclusions by."""
    return ["agb", "requesting_agb"] if "requesting_agb" in result.excluded else ["agb"]


@dataclass(frozen=True)
class PairIndex:
    result: Settlement
    lines: Positions
    hours: Positions
    costs: Positions
    # by the excluded DBC's hospital and the requesting hospital (or only the first, if the
    # exclusions name no requesting hospital)
    excluded: Positions

    @classmethod
    def of(cls, result: Settlement) -> PairIndex:
        return cls(
            result,
            _positions(result.lines, BY_PAIR),
            _positions(result.hours, BY_PAIR),
            _positions(result.costs, BY_PAIR),
            _positions(result.excluded, _excluded_by(result)),
        )

    def for_pair(self, first: str, second: str) -> Settlement:
        """The run's result with only the rows a statement of ``first`` and ``second`` reads:
        the lines, hours and cost lines between them both ways, and the exclusions of DBCs of
        either requested by either (or of DBCs of either, if the exclusions name no requesting
        hospital): the rows ``build_statement`` selects in the whole run, in its order."""
        both = [(first, second), (second, first)]
        r = self.result
        excluded: list[Hashable] = [first, second]
        if len(_excluded_by(r)) == 2:  # requested by either of the two
            excluded = list(dict.fromkeys((a, b) for a in (first, second) for b in (first, second)))
        return replace(
            r,
            lines=_take(r.lines, self.lines, both) if self.lines else r.lines,
            hours=_take(r.hours, self.hours, both) if self.hours else r.hours,
            costs=_take(r.costs, self.costs, both) if self.costs else r.costs,
            excluded=(_take(r.excluded, self.excluded, excluded) if self.excluded else r.excluded),
        )
