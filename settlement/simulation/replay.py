"""A replay (``settlement.simulation``): a past year's real DBCs settled with the draft put in
force (replacing a stored agreement of the same id), next to the year as it was.

When no agreement of that id was in force in the year (a new draft, or one still
``verkennen``), the care was declared by each hospital itself: a non-ODV DBC of the draft's
performer whose code a settling care type covers and whose patient has a non-ODV DBC at another
party (the earliest by start date, AGB, id) becomes the ODV DBC that hospital would have
requested (``primary_dbc_id`` its own DBC).

Worked example: a new draft where Groene Hart performs hernias for Alrijne; Groene Hart's own
DBC G1 (hernia, patient P1, ended in 2024) and Alrijne's own DBC A1 of P1 make G1 an ODV DBC
requested by Alrijne with primary A1. With the draft G1 settles (a change, ``converted``);
as the year was, it was not ODV (``NOT_ODV``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

import numpy as np
import pandas as pd

from settlement.engine import Settlement, settle
from settlement.simulation.model import (
    DbcChange,
    Simulation,
    figures,
    in_force,
    others_than,
    with_share,
)
from spreiding.domain.agreements import Agreement, CareType
from spreiding.domain.dataset import sort_rows


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
    others = others_than(agreements, agreement.agreement_id)
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
