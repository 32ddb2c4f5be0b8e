"""The volume ceiling (docs/data-format.md §3 step 4, contract v2): the rank that decides which
lines of a care type are past its ceiling for the year, written once. The engine applies it
to the priced lines it settles (``priced_past_ceiling``); the volumes of a year
(``settlement.volumes``) count the settled lines past it with the same function.

Worked example: a ceiling of 2 and four priced lines of one care type, performed by B
(06010002) and C (06010003), ending 1 May (C, ``c1``), 1 May (B, ``b2``), 10 January (C,
``c3``) and 1 May (B, ``b1``). Ranked by (end_date, agb, dbc_id): ``c3`` (10 January), ``b1``,
``b2`` (1 May, B before C), ``c1``: ``c3`` and ``b1`` are within the ceiling, ``b2`` and ``c1``
past it. A ceiling of 0 puts every line past it; a care type without one has none past it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from settlement import coverage
from spreiding.domain.dataset import sort_rows


def past_ceiling(
    group: np.ndarray,
    end_date: np.ndarray,
    agb: np.ndarray,
    dbc_id: np.ndarray,
    limit: np.ndarray,
) -> np.ndarray:
    """Per line: whether it is past its care type's ceiling by rank.

    ``group`` numbers the care type of each line (any integer code, one per care type);
    ``limit`` is the line's ceiling, -1 where its care type has none (never past it). A care
    type's lines are ranked by (``end_date``, ``agb`` — the performer, the line's creditor —
    ``dbc_id``); the first *ceiling* of them are within it, the rest past it."""
    above = np.zeros(len(group), dtype=bool)
    capped = np.flatnonzero(limit >= 0)
    if len(capped) == 0:
        return above
    ranked = sort_rows(
        pd.DataFrame(
            {
                "group": group[capped],
                "end_date": end_date[capped],
                "agb": agb[capped],
                "dbc_id": dbc_id[capped],
                "position": capped,
            }
        ),
        ["group", "end_date", "agb", "dbc_id"],
    )
    rank = ranked.groupby("group", sort=False).cumcount().to_numpy()
    position = ranked["position"].to_numpy(dtype="int64")
    above[position[rank >= limit[position]]] = True
    return above


def priced_past_ceiling(
    priced: pd.DataFrame, care: coverage.CareTypes, benchmark: np.ndarray, *, year: int
) -> np.ndarray:
    """Per priced line of the engine: past its care type's ceiling for ``year``. Only
    ``odv_benchmark`` lines (``benchmark``) of a care type with a ceiling for ``year`` count."""
    ceilings = care.ceilings.loc[care.ceilings["year"] == year]
    if ceilings.empty:
        return np.zeros(len(priced), dtype=bool)
    limit = np.full(len(care), -1, dtype="int64")
    limit[ceilings["ct"].to_numpy(dtype="int64")] = ceilings["ceiling"].to_numpy(dtype="int64")
    ct = priced["ct"].to_numpy(dtype="int64")
    return past_ceiling(
        ct,
        priced["end_date"].to_numpy(),
        priced["agb"].astype("str").to_numpy(),
        priced["dbc_id"].astype("str").to_numpy(),
        np.where(benchmark, limit[ct], -1),
    )
