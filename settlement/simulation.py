"""What an agreement would move, before it is signed: the settlement engine run on a prepared
input, never a second copy of its rules (issue 12).

Worked example (from plan): a draft Samen+ care type ``liesbreuk`` performed by Groene Hart
(06010102) for Alrijne (06010101), ``odv_benchmark`` at share 0.90, ``planned_volume`` 120 for
2024, and a 2024 benchmark price of 2000.00 for its first code. ``from_plan`` makes 120
synthetic ODV DBCs (performer Groene Hart, requesting Alrijne, that code, ending on days
spread over the year), puts the draft in force for the year (stage ``implementeren``, valid
from 1 January to 31 December at least) and settles: Groene Hart receivable 216000.00 (120 ×
1800.00), Alrijne payable 216000.00; without the agreement the same DBCs settle nothing
(``NO_AGREEMENT``), so the change is +216000.00 and −216000.00.

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

Replay settles a past year's real DBCs with the draft put in force (replacing a stored
agreement of the same id) next to the year as it was. When no agreement of that id was in
force in the year (a new draft, or one still ``verkennen``), the care was declared by each
hospital itself: a non-ODV DBC of the draft's performer whose code a settling care type
covers and whose patient has a non-ODV DBC at another party (the earliest by start date, AGB,
id) becomes the ODV DBC that hospital would have requested (``primary_dbc_id`` its own DBC).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pandas as pd

from settlement.engine import Settlement, settle
from spreiding.domain.agreements import Agreement, CareType, SettlementTerms
from spreiding.domain.dataset import DBCS, HOURS, conform, sort_rows

PLAN_PREFIX = "SIM"


@dataclass(frozen=True)
class PlannedHours:
    """Hours a party's staff is planned to work at another party in the year."""

    employer_agb: str
    host_agb: str
    role: str
    hours_hundredths: int


@dataclass(frozen=True)
class PlannedCare:
    """The synthetic DBCs of one care type and requesting hospital."""

    care_type: str
    zorgproduct_code: str
    performing_agb: str
    requesting_agb: str
    dbcs: int


@dataclass(frozen=True)
class PartyFigures:
    """One party's position with the agreement and without it (from plan) or as actually
    settled (replay); cents."""

    agb: str
    receivable_cents: int
    payable_cents: int
    base_receivable_cents: int
    base_payable_cents: int

    @property
    def net_cents(self) -> int:
        return self.receivable_cents - self.payable_cents

    @property
    def base_net_cents(self) -> int:
        return self.base_receivable_cents - self.base_payable_cents

    @property
    def change_cents(self) -> int:
        return self.net_cents - self.base_net_cents


@dataclass(frozen=True)
class DbcChange:
    """A real DBC whose settlement the draft changes: before (amount or exclusion reason) and
    after. ``before_cents``/``after_cents`` are None where the DBC was excluded."""

    agb: str
    dbc_id: str
    requesting_agb: str
    before_cents: int | None
    before_reason: str
    after_cents: int | None
    after_reason: str
    converted: bool


@dataclass(frozen=True)
class Simulation:
    """The figures of one simulation: ``with_`` is the settlement with the draft in force,
    ``base`` without it (from plan) or the year as it was (replay)."""

    mode: str
    year: int
    agreement_id: str
    parties: tuple[PartyFigures, ...]
    with_: Settlement
    base: Settlement
    planned: tuple[PlannedCare, ...] = ()
    unplanned: tuple[str, ...] = ()
    changes: tuple[DbcChange, ...] = ()
    excluded: tuple[tuple[str, str, str, str], ...] = ()  # (agb, dbc_id, requesting, reason)


@dataclass(frozen=True)
class SensitivityRow:
    share: Decimal
    volume_percent: int
    parties: tuple[PartyFigures, ...]


@dataclass(frozen=True)
class SimulationReport:
    """The plan's figures, the replay's (when asked), the sensitivity rows (when asked) and
    the names of the hospitals and the agreement, for the renderers."""

    agreement: Agreement
    plan: Simulation
    replay: Simulation | None
    sensitivity: tuple[SensitivityRow, ...]
    shares: tuple[Decimal, ...]
    volumes: tuple[int, ...]
    names: dict[str, str] = field(default_factory=dict)


def in_force(agreement: Agreement, *, year: int) -> Agreement:
    """The agreement as if it were being implemented and valid on every day of ``year``."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    valid_to = agreement.valid_to
    return replace(
        agreement,
        stage="implementeren",
        valid_from=min(agreement.valid_from, first),
        valid_to=None if valid_to is None else max(valid_to, last),
    )


def with_share(agreement: Agreement, share: Decimal) -> Agreement:
    """Every ``odv_benchmark`` share of the agreement (an ``otherwise`` one included) set to
    ``share``; a ``share_above_ceiling`` stays as agreed."""

    def terms(t: SettlementTerms) -> SettlementTerms:
        if t.method == "odv_benchmark":
            return replace(t, share=share)
        if t.otherwise is not None:
            return replace(t, otherwise=terms(t.otherwise))
        return t

    return replace(
        agreement,
        care_types=tuple(replace(c, settlement=terms(c.settlement)) for c in agreement.care_types),
    )


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


def figures(
    result: Settlement, base: Settlement, parties: Sequence[str], *, concerning: str | None = None
) -> tuple[PartyFigures, ...]:
    """Each party's receivable and payable in ``result`` and in ``base``, over the pairs
    between the parties (what the agreement's hospitals owe each other, of every agreement:
    nothing owed to or by a hospital outside it is shown). ``concerning``: only the pairs
    with that hospital in them (what one hospital may see of the others)."""
    among = set(parties)

    def by_agb(s: Settlement) -> dict[str, tuple[int, int]]:
        out = {agb: (0, 0) for agb in among}
        p = s.pairs
        for d, c, total in zip(p["debtor_agb"], p["creditor_agb"], p["total_cents"], strict=True):
            if concerning is not None and concerning not in (str(d), str(c)):
                continue
            if str(d) in among and str(c) in among:
                r, q = out[str(c)]
                out[str(c)] = (r + int(total), q)
                r, q = out[str(d)]
                out[str(d)] = (r, q + int(total))
        return out

    now, before = by_agb(result), by_agb(base)
    return tuple(PartyFigures(agb, *now[agb], *before[agb]) for agb in sorted(among))


def _others(agreements: Sequence[Agreement], agreement_id: str) -> tuple[Agreement, ...]:
    return tuple(a for a in agreements if a.agreement_id != agreement_id)


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
    others = tuple(replace(a, costs=()) for a in _others(agreements, agreement.agreement_id))
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


def was_in_force(agreements: Sequence[Agreement], agreement_id: str, *, year: int) -> bool:
    """Whether an agreement of that id bound any day of ``year`` (stage not ``verkennen``)."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    return any(
        a.agreement_id == agreement_id
        and a.stage != "verkennen"
        and a.valid_from <= last
        and (a.valid_to is None or a.valid_to >= first)
        for a in agreements
    )


def _covers(care: CareType, code: str) -> bool:
    return code in care.zorgproduct_codes or code[:6] in care.zorgproductgroepen


def as_requested(dbcs: pd.DataFrame, agreement: Agreement, *, year: int) -> pd.DataFrame:
    """The DBCs with the draft's performers' own DBCs of ``year`` turned into the ODV DBCs the
    patient's home hospital would have requested (see the module's docstring)."""
    settling = [
        c
        for c in agreement.care_types
        if c.performing_agb is not None
        and (c.settlement.method != "parallel" or c.settlement.otherwise is not None)
    ]
    if not settling or dbcs.empty:
        return dbcs
    own = dbcs.loc[~dbcs["odv"].to_numpy(dtype=bool)]
    first = np.datetime64(f"{year:04d}-01-01", "s")
    last = np.datetime64(f"{year:04d}-12-31", "s")
    homes = sort_rows(
        own.loc[
            own["agb"].isin(list(agreement.parties)), ["agb", "dbc_id", "patient_ref", "start_date"]
        ],
        ["start_date", "agb", "dbc_id"],
    )
    performers = sorted({str(c.performing_agb) for c in settling})
    ends = own["end_date"]
    candidates = own.loc[
        ends.notna() & (ends >= first) & (ends <= last) & own["agb"].isin(performers)
    ]
    out = dbcs.copy()
    for row in candidates.itertuples():
        if not any(c.performing_agb == row.agb and _covers(c, str(row.zorgproduct_code))
                   for c in settling):  # fmt: skip
            continue
        home = homes.loc[(homes["patient_ref"] == row.patient_ref) & (homes["agb"] != row.agb)]
        if home.empty:
            continue
        out.loc[row.Index, ["odv", "requesting_agb", "primary_dbc_id"]] = [
            True,
            home["agb"].iloc[0],
            home["dbc_id"].iloc[0],
        ]
    return out


def replay(
    agreement: Agreement,
    dbcs: pd.DataFrame,
    prices: pd.DataFrame,
    agreements: Sequence[Agreement],
    *,
    year: int,
    hours: pd.DataFrame | None = None,
    share: Decimal | None = None,
) -> Simulation:
    """The year's real DBCs settled with the draft in force, next to the year as it was."""
    draft = in_force(agreement, year=year)
    if share is not None:
        draft = with_share(draft, share)
    base = settle(dbcs, prices, agreements, year=year, hours=hours)
    converted = dbcs
    if not was_in_force(agreements, agreement.agreement_id, year=year):
        converted = as_requested(dbcs, draft, year=year)
    others = _others(agreements, agreement.agreement_id)
    result = settle(converted, prices, (*others, draft), year=year, hours=hours)
    changed = converted["odv"].to_numpy(dtype=bool) & ~dbcs["odv"].to_numpy(dtype=bool)
    turned = set(
        zip(
            converted.loc[changed, "agb"].astype("str"),
            converted.loc[changed, "dbc_id"].astype("str"),
            strict=True,
        )
    )
    return Simulation(
        "replay",
        year,
        agreement.agreement_id,
        figures(result, base, agreement.parties),
        result,
        base,
        changes=_changes(base, result, turned),
        excluded=_excluded(result, draft, converted),
    )


def _states(s: Settlement) -> dict[tuple[str, str], tuple[int | None, str, str]]:
    out: dict[tuple[str, str], tuple[int | None, str, str]] = {}
    for c, d, dbc, amount in zip(
        s.lines["creditor_agb"], s.lines["debtor_agb"], s.lines["dbc_id"],
        s.lines["amount_cents"], strict=True,
    ):  # fmt: skip
        out[(str(c), str(dbc))] = (int(amount), "", str(d))
    for a, dbc, reason, q in zip(
        s.excluded["agb"], s.excluded["dbc_id"], s.excluded["reason"],
        s.excluded["requesting_agb"], strict=True,
    ):  # fmt: skip
        out[(str(a), str(dbc))] = (None, str(reason), str(q))
    return out


def _changes(
    base: Settlement, result: Settlement, turned: set[tuple[str, str]]
) -> tuple[DbcChange, ...]:
    """The DBCs settled differently with the draft: a line that appears, goes or changes
    amount or debtor. A DBC excluded before and after is no change (``_excluded`` lists it)."""
    before, after = _states(base), _states(result)
    out = []
    for key in sorted(set(before) | set(after)):
        b = before.get(key, (None, "NOT_ODV" if key in turned else "", ""))
        a = after.get(key, (None, "", ""))
        if (a[0] is None and b[0] is None) or (a[0] == b[0] and a[2] == b[2]):
            continue
        out.append(DbcChange(key[0], key[1], a[2] or b[2], b[0], b[1], a[0], a[1], key in turned))
    return tuple(out)


def _excluded(
    result: Settlement, draft: Agreement, dbcs: pd.DataFrame
) -> tuple[tuple[str, str, str, str], ...]:
    """The DBCs between the draft's parties, of care it covers, that stay excluded."""
    parties = set(draft.parties)
    codes = dict(
        zip(
            zip(dbcs["agb"].astype("str"), dbcs["dbc_id"].astype("str"), strict=True),
            dbcs["zorgproduct_code"].astype("str"),
            strict=True,
        )
    )
    out = []
    for a, d, q, r in zip(
        result.excluded["agb"], result.excluded["dbc_id"], result.excluded["requesting_agb"],
        result.excluded["reason"], strict=True,
    ):  # fmt: skip
        code = codes.get((str(a), str(d)), "")
        if (
            str(a) in parties
            and str(q) in parties
            and any(_covers(c, code) for c in draft.care_types)
        ):
            out.append((str(a), str(d), str(q), str(r)))
    return tuple(out)


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
