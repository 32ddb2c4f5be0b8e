"""A plan's figures (``settlement.simulation``): the agreement's planned volumes made into
synthetic ODV DBCs (and its planned hours into hours rows), settled with the draft put in force
for the year and without it.

Worked example: a care type planning 120 patients in 2024, performed by Groene Hart for
Alrijne, ``zorgproduct_codes`` ``["131999061"]``: ``plan_dbcs`` makes ``SIM-00-0000001`` to
``SIM-00-0000120`` of Groene Hart, requested by Alrijne, of 131999061; DBC *i* ends on
1 January + ⌊i · 366 / 120⌋ (``SIM-00-0000001`` on 1 January, the last on 28 December).

The choices a plan leaves open, made here once:

- **Volume** of a care type: ``planned_volume`` of the year, else ``planned_weekly`` × the
  ISO weeks of the year (52 or 53: the weeks whose Thursday falls in it), else none planned.
  A volume change of p percent takes round-half-up(volume × (100 + p) / 100).
- **Zorgproduct**: the care type's first ``zorgproduct_codes`` entry; with groups only, the
  lowest code of its first group that has a price in its price list for the year; else the
  group followed by ``000`` (a fixed fee needs no price). One code for all: a price-weighted
  mix of codes is not known before the agreement runs.
- **Hospitals**: performing = the care type's ``performing_agb`` (a care type without one is
  not planned: the plan cannot say who performs); requesting = the given home hospital, else
  the other parties, the volume split evenly and the remainder one each to the lowest AGBs.
- **Dates**: DBC *i* of *n* starts and ends on 1 January + ⌊i · days / n⌋, so a ceiling is
  reached in the course of the year as it would be; planned hours are worked on the first day
  of the year on which the role has a rate (1 January without one: ``NO_RATE``).
- **Without the agreement**: the same synthetic DBCs and hours with every other agreement of
  the dataset (without their shared costs, which are not this agreement's doing).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pandas as pd

from settlement.engine import settle
from settlement.simulation.model import (
    PlannedCare,
    PlannedHours,
    Simulation,
    figures,
    in_force,
    others_than,
    with_share,
)
from spreiding.domain.agreements import Agreement, CareType
from spreiding.domain.dataset import DBCS, HOURS, conform

PLAN_PREFIX = "SIM"


def iso_weeks(year: int) -> int:
    """The number of ISO weeks of ``year``: 28 December is always in its last one."""
    return date(year, 12, 28).isocalendar().week


def planned_volume(care: CareType, *, year: int) -> int | None:
    by_year = dict(care.planned_volume)
    if year in by_year:
        return by_year[year]
    if care.planned_weekly is not None:
        return care.planned_weekly * iso_weeks(year)
    return None


def scaled(volume: int, percent: int) -> int:
    """``volume`` × (100 + percent) / 100, half up, never below 0."""
    return max(0, (2 * volume * (100 + percent) + 100) // 200)


def representative_code(care: CareType, prices: pd.DataFrame, *, year: int) -> str:
    """The zorgproduct the plan's DBCs carry (see the module's docstring)."""
    if care.zorgproduct_codes:
        return care.zorgproduct_codes[0]
    group = care.zorgproductgroepen[0]
    terms = care.settlement if care.settlement.method != "parallel" else care.settlement.otherwise
    if terms is not None and terms.price_list is not None:
        listed = prices.loc[
            (prices["price_list"] == terms.price_list) & (prices["year"] == year),
            "zorgproduct_code",
        ]
        codes = sorted(c for c in listed.astype("str") if c.startswith(group))
        if codes:
            return codes[0]
    return f"{group}000"


def plan_dbcs(
    agreement: Agreement,
    prices: pd.DataFrame,
    *,
    year: int,
    home_agb: str | None = None,
    volume_percent: int = 0,
) -> tuple[pd.DataFrame, tuple[PlannedCare, ...], tuple[str, ...]]:
    """The synthetic ODV DBCs of the agreement's planned volumes of ``year`` (the ``DBCS``
    frame), what they are per care type and requesting hospital, and the care types with a
    plan that could not be made (no performer)."""
    days = (date(year, 12, 31) - date(year, 1, 1)).days + 1
    rows: list[dict[str, object]] = []
    planned: list[PlannedCare] = []
    unplanned: list[str] = []
    for index, care in enumerate(agreement.care_types):
        volume = planned_volume(care, year=year)
        if volume is None:
            continue
        volume = scaled(volume, volume_percent)
        performer = care.performing_agb
        if performer is None:
            unplanned.append(care.care_type)
            continue
        if home_agb is not None:
            requesting = [home_agb]
        else:
            requesting = sorted(p for p in agreement.parties if p != performer)
        code = representative_code(care, prices, year=year)
        counts = [volume // len(requesting)] * len(requesting)
        for i in range(volume % len(requesting)):
            counts[i] += 1
        number = 0
        for agb, count in zip(requesting, counts, strict=True):
            planned.append(PlannedCare(care.care_type, code, performer, agb, count))
            for _ in range(count):
                day = date(year, 1, 1) + timedelta(days=number * days // max(volume, 1))
                rows.append(
                    {
                        "dbc_id": f"{PLAN_PREFIX}-{index:02d}-{number + 1:07d}",
                        "agb": performer,
                        "patient_ref": f"{PLAN_PREFIX}-{index:02d}-{number + 1:07d}",
                        "zorgproduct_code": code,
                        "start_date": day,
                        "end_date": day,
                        "odv": True,
                        "requesting_agb": agb,
                        "primary_dbc_id": None,
                        "specialism": None,
                        "diagnosis": None,
                        "zorgtype": None,
                        "uzovi": None,
                    }
                )
                number += 1
    frame = pd.DataFrame(rows, columns=list(DBCS.columns))
    return conform(frame, DBCS), tuple(planned), tuple(unplanned)


def plan_hours(agreement: Agreement, planned: Sequence[PlannedHours], *, year: int) -> pd.DataFrame:
    """The synthetic ``HOURS`` rows of the planned hours, one per entry."""
    rows = []
    for i, entry in enumerate(planned):
        rows.append(
            {
                "hours_id": f"{PLAN_PREFIX}-H{i + 1:04d}",
                "agreement_id": agreement.agreement_id,
                "employer_agb": entry.employer_agb,
                "host_agb": entry.host_agb,
                "role": entry.role,
                "work_date": _rated_day(agreement, entry.role, year=year),
                "hours_hundredths": entry.hours_hundredths,
                "person_ref": None,
                "care_type": None,
                "specialism": None,
            }
        )
    return conform(pd.DataFrame(rows, columns=list(HOURS.columns)), HOURS)


def _rated_day(agreement: Agreement, role: str, *, year: int) -> date:
    first, last = date(year, 1, 1), date(year, 12, 31)
    days = [
        max(r.valid_from, first)
        for r in agreement.secondment_rates
        if r.role == role and r.valid_from <= last and (r.valid_to is None or r.valid_to >= first)
    ]
    return min(days) if days else first


def from_plan(
    agreement: Agreement,
    prices: pd.DataFrame,
    agreements: Sequence[Agreement],
    *,
    year: int,
    home_agb: str | None = None,
    hours: Sequence[PlannedHours] = (),
    volume_percent: int = 0,
    share: Decimal | None = None,
) -> Simulation:
    """The year's figures of the agreement's plan (see the module's docstring)."""
    draft = in_force(agreement, year=year)
    if share is not None:
        draft = with_share(draft, share)
    dbcs, planned, unplanned = plan_dbcs(
        draft, prices, year=year, home_agb=home_agb, volume_percent=volume_percent
    )
    planned_hours = plan_hours(draft, hours, year=year)
    # Other agreements' shared costs are not this agreement's doing: left out of both sides.
    others = tuple(replace(a, costs=()) for a in others_than(agreements, agreement.agreement_id))
    result = settle(dbcs, prices, (*others, draft), year=year, hours=planned_hours)
    base = settle(dbcs, prices, others, year=year, hours=planned_hours)
    excluded = tuple(
        (str(a), str(d), str(q), str(r))
        for a, d, q, r in zip(
            result.excluded["agb"],
            result.excluded["dbc_id"],
            result.excluded["requesting_agb"],
            result.excluded["reason"],
            strict=True,
        )
    )
    return Simulation(
        "plan",
        year,
        agreement.agreement_id,
        figures(result, base, agreement.parties),
        result,
        base,
        planned,
        unplanned,
        excluded=excluded,
    )
