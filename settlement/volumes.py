"""Volumes of a year (docs/data-format.md §7): what was agreed against what happened, per care
type, from the settlement lines of the year and the transfers the alliance bureau registered.

Worked example: Samen+'s care type ``liesbreuk`` plans 120 patients in 2024 and 3 a week, with
a ceiling of 100 DBCs. 2024's settlement has 104 lines of it, of 101 patients; 97 transfers of
it were performed in 2024, 2 of them on 30 and 31 December. Its row: planned 120, ceiling 100,
settled_dbcs 104, patients 101, above_ceiling 4 (the lines ranked 101 to 104 by end_date, agb,
dbc_id, the engine's rank in ``settlement.ceiling``), transfers 97, and 53 weeks, ``2024-W01``
to ``2024-W52`` and ``2025-W01`` (Monday 30 December 2024 to Sunday 5 January 2025, which
holds the two December transfers and nothing of 2025), each with planned 3.

A row is made for every care type with a ``planned_volume`` for Y, a ``planned_weekly``, or a
``ceiling`` for Y, whatever its agreement's stage and validity: what was planned is shown
beside what happened, also for an agreement that is not (or no longer) in force.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from settlement.ceiling import past_ceiling
from spreiding.domain.agreements import Agreement, CareType


@dataclass(frozen=True)
class WeekVolume:
    """One ISO week holding a day of the year: its label (``2025-W01``), the performed
    transfers dated in it and in the year, and the care type's full ``planned_weekly``."""

    week: str
    transfers: int
    planned: int | None


@dataclass(frozen=True)
class CareTypeVolume:
    agreement_id: str
    care_type: str
    planned: int | None
    ceiling: int | None
    settled_dbcs: int
    patients: int
    above_ceiling: int
    transfers: int
    weeks: tuple[WeekVolume, ...]


@dataclass(frozen=True)
class Volumes:
    """The volumes of ``year``, rows ordered by (agreement_id, care_type)."""

    year: int
    rows: tuple[CareTypeVolume, ...]


def iso_weeks(year: int) -> list[tuple[str, date]]:
    """Every ISO week holding a day of ``year``, in order: its label and its Monday.

    2024 gives ``2024-W01`` (Monday 1 January) to ``2024-W52`` and ``2025-W01`` (Monday 30
    December 2024); 2027 starts with ``2026-W53`` (Monday 28 December 2026)."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    monday = first - timedelta(days=first.weekday())
    weeks = []
    while monday <= last:
        iso_year, week, _ = monday.isocalendar()
        weeks.append((f"{iso_year}-W{week:02d}", monday))
        monday += timedelta(days=7)
    return weeks


def ceiling_of(care: CareType, year: int) -> int | None:
    """The care type's ceiling for ``year``: of its ``odv_benchmark`` terms, which are its
    settlement terms or, for a ``parallel`` care type, its ``otherwise`` terms."""
    for terms in (care.settlement, care.settlement.otherwise):
        if terms is not None:
            found = dict(terms.ceiling).get(year)
            if found is not None:
                return found
    return None


def above_ceiling(lines: pd.DataFrame, ceilings: dict[tuple[str, str], int]) -> np.ndarray:
    """Per settlement line: whether it is past its care type's ceiling by rank.

    The rank is the engine's, the one function ``settlement.ceiling.past_ceiling``
    (docs/data-format.md §3 step 4): a care type's lines of the year ordered by ``end_date``,
    ``agb`` (the performer, the line's creditor) and ``dbc_id``; the first *ceiling* are within
    it. ``ceilings``: (agreement_id, care_type) to the ceiling of Y."""
    if not ceilings or lines.empty:
        return np.zeros(len(lines), dtype=bool)
    caps = pd.DataFrame(
        [(a, c, n, g) for g, ((a, c), n) in enumerate(ceilings.items())],
        columns=["agreement_id", "care_type", "ceiling", "group"],
    ).astype({"agreement_id": "str", "care_type": "str", "ceiling": "int64", "group": "int64"})
    keys = lines[["agreement_id", "care_type"]].astype("str").reset_index(drop=True)
    # A left merge keeps the lines' order: row i is line i's care type (its number ``group``
    # and its ceiling), -1 where it has no ceiling.
    found = keys.merge(caps, how="left")
    return past_ceiling(
        found["group"].fillna(-1).to_numpy(dtype="int64"),
        lines["end_date"].to_numpy(),
        lines["creditor_agb"].astype("str").to_numpy(),
        lines["dbc_id"].astype("str").to_numpy(),
        found["ceiling"].fillna(-1).to_numpy(dtype="int64"),
    )


def volumes(
    lines: pd.DataFrame,
    transfers: pd.DataFrame | None,
    agreements: Sequence[Agreement],
    *,
    year: int,
) -> Volumes:
    """The volumes of ``year``: ``lines`` are the settlement lines of ``year`` (the engine's
    ``Settlement.lines``), ``transfers`` the dataset's transfers (None: no file, no transfer)."""
    planned: dict[tuple[str, str], tuple[int | None, int | None, int | None]] = {}
    for agreement in agreements:
        for care in agreement.care_types:
            volume = dict(care.planned_volume).get(year)
            ceiling = ceiling_of(care, year)
            if volume is None and care.planned_weekly is None and ceiling is None:
                continue
            key = (agreement.agreement_id, care.care_type)
            planned[key] = (volume, care.planned_weekly, ceiling)
    if not planned:
        return Volumes(year, ())

    ceilings = {key: c for key, (_, _, c) in planned.items() if c is not None}
    mine = lines.assign(above=above_ceiling(lines, ceilings))
    by_care = mine.groupby(["agreement_id", "care_type"], sort=False).agg(
        settled_dbcs=("dbc_id", "size"),
        patients=("patient_ref", "nunique"),
        above_ceiling=("above", "sum"),
    )
    settled = {
        (str(a), str(c)): (int(n), int(p), int(x))
        for (a, c), n, p, x in zip(
            by_care.index,
            by_care["settled_dbcs"],
            by_care["patients"],
            by_care["above_ceiling"],
            strict=True,
        )
    }

    weeks = iso_weeks(year)
    per_week: dict[tuple[str, str], np.ndarray] = {}
    if transfers is not None and len(transfers):
        dates = transfers["transfer_date"]
        performed = transfers.loc[
            (transfers["status"] == "performed").to_numpy() & (dates.dt.year.to_numpy() == year)
        ]
        first_monday = np.datetime64(weeks[0][1], "D")
        days = performed["transfer_date"].to_numpy().astype("datetime64[D]")
        index = ((days - first_monday).astype("int64") // 7).astype("int64")
        counted = pd.DataFrame(
            {
                "agreement_id": performed["agreement_id"].astype("str").to_numpy(),
                "care_type": performed["care_type"].astype("str").to_numpy(),
                "week": index,
            }
        )
        grouped = counted.groupby(["agreement_id", "care_type", "week"], sort=False).size()
        for agreement_id, care_type, week, count in zip(
            grouped.index.get_level_values(0),
            grouped.index.get_level_values(1),
            grouped.index.get_level_values(2),
            grouped.to_numpy(),
            strict=True,
        ):
            key = (str(agreement_id), str(care_type))
            if key in planned:
                per_week.setdefault(key, np.zeros(len(weeks), dtype="int64"))[int(week)] = count

    rows = []
    for key in sorted(planned):
        volume, weekly, ceiling = planned[key]
        dbcs, patients, above = settled.get(key, (0, 0, 0))
        counts = per_week.get(key, np.zeros(len(weeks), dtype="int64"))
        rows.append(
            CareTypeVolume(
                agreement_id=key[0],
                care_type=key[1],
                planned=volume,
                ceiling=ceiling,
                settled_dbcs=dbcs,
                patients=patients,
                above_ceiling=above,
                transfers=int(counts.sum()),
                weeks=tuple(
                    WeekVolume(label, int(count), weekly)
                    for (label, _), count in zip(weeks, counts, strict=True)
                ),
            )
        )
    return Volumes(year, tuple(rows))
