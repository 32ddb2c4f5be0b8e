"""The yearly settlement of ODV DBCs at benchmark prices (docs/data-format.md §3), vectorised.

Worked example: Groene Hart (06010002) operated a hernia for Alrijne (06010001) under Samen+
(care type ``liesbreuk``, ``odv_benchmark``, price list ``benchmark``, share 0.90). Its ODV DBC
ended 2024-03-01; the 2024 benchmark price of zorgproduct 131999061 is 1999.00. The line:
creditor 06010002, debtor 06010001, unit price 1999.00, share 0.90, amount 1799.10. With no
other lines the pair (06010001 -> 06010002) is 1 line, 1799.10; Alrijne pays Groene Hart 1799.10.

Every DBC is either settled in one line or excluded with the reason of the first step that
excludes it, in the contract's order: OPEN, NO_AGREEMENT / AMBIGUOUS_AGREEMENT,
PRIMARY_MISMATCH, PARALLEL_CARE_TYPE / NO_CONSENT / NO_PRICE.

Contract v2: a ``parallel`` care type settles the DBC of an insurer that did not consent by its
``otherwise`` terms (or excludes it ``NO_CONSENT``); ``price_year: "start"`` prices a DBC in the
year of its start date; with a ``ceiling`` for Y the care type's first *ceiling* priced lines
(by end_date, agb, dbc_id) take ``share`` and the rest ``share_above_ceiling``. Hours worked at
another hospital (``settlement.hours``) and shared costs (``settlement.costs``) are lines of
their own; pairs, positions and payments take all three, hours with their VAT.

Steps 1-5 are here; the ceiling's rank is ``settlement.ceiling``, pairs, positions and payments
(steps 6-7) ``settlement.totals``, the ``Settlement`` value and its columns ``settlement.result``
(importable from here too, as before).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from settlement import coverage
from settlement.ceiling import priced_past_ceiling
from settlement.costs import share_costs
from settlement.hours import settle_hours
from settlement.result import (
    LINE_COLUMNS,
    NETTINGS,
    PAIR_COLUMNS,
    Netting,
    Settlement,
    empty_costs,
)
from settlement.totals import summarise
from spreiding.domain.agreements import Agreement
from spreiding.domain.dataset import DBCS, sort_rows

__all__ = [
    "AMBIGUOUS_AGREEMENT", "LINE_COLUMNS", "NETTINGS", "NO_AGREEMENT", "NO_CONSENT", "NO_PRICE",
    "OPEN", "PAIR_COLUMNS", "PARALLEL_CARE_TYPE", "PRIMARY_MISMATCH", "REASONS", "Netting",
    "Settlement", "empty_costs", "settle", "summarise",
]  # fmt: skip

OPEN = "OPEN"
NO_AGREEMENT = "NO_AGREEMENT"
AMBIGUOUS_AGREEMENT = "AMBIGUOUS_AGREEMENT"
PRIMARY_MISMATCH = "PRIMARY_MISMATCH"
PARALLEL_CARE_TYPE = "PARALLEL_CARE_TYPE"
NO_CONSENT = "NO_CONSENT"
NO_PRICE = "NO_PRICE"
REASONS = (
    OPEN, NO_AGREEMENT, AMBIGUOUS_AGREEMENT, PRIMARY_MISMATCH, PARALLEL_CARE_TYPE, NO_CONSENT,
    NO_PRICE,
)  # fmt: skip


def settle(
    dbcs: pd.DataFrame,
    prices: pd.DataFrame,
    agreements: Sequence[Agreement],
    *,
    year: int,
    netting: Netting = "bilateral",
    hours: pd.DataFrame | None = None,
) -> Settlement:
    """Settle ``year``: frames in the canonical form of ``spreiding.domain.dataset``
    (``hours``: the ``HOURS`` frame, None or empty when there are none)."""
    if netting not in NETTINGS:
        raise ValueError(f"netting must be one of {', '.join(NETTINGS)}, not {netting!r}")
    first_day = np.datetime64(f"{year:04d}-01-01", "s")
    last_day = np.datetime64(f"{year:04d}-12-31", "s")

    # The DBC's insurer (v2) is read in step 4 only, for the few DBCs of parallel care types.
    needed = [c for c in DBCS.rule_columns if c not in ("odv", "uzovi")]
    odv = dbcs.loc[dbcs["odv"].to_numpy(dtype=bool), needed]
    is_open = odv["end_date"].isna()
    excluded = [_exclude(odv.loc[is_open & (odv["start_date"] <= last_day)], OPEN)]
    ends = odv["end_date"]
    candidates = odv.loc[~is_open & (ends >= first_day) & (ends <= last_day)]

    # Step 2: exactly one (agreement, care type) in force must cover the DBC.
    care = coverage.care_types(agreements)
    matches = _matching_care_types(candidates, care)
    counts = matches.groupby("row", sort=False).size()
    count = pd.Series(
        counts.reindex(candidates.index, fill_value=0).to_numpy(), index=candidates.index
    )
    excluded.append(_exclude(candidates.loc[count == 0], NO_AGREEMENT))
    excluded.append(_exclude(candidates.loc[count > 1], AMBIGUOUS_AGREEMENT))
    single = matches.loc[matches["row"].map(count).to_numpy() == 1].set_index("row")
    matched = candidates.loc[count == 1].join(single, how="inner")

    # Step 3: a named primary DBC must be the requesting hospital's own, of the same patient.
    primary_ok = _primary_ok(matched, dbcs)
    excluded.append(_exclude(matched.loc[~primary_ok], PRIMARY_MISMATCH))
    matched = matched.loc[primary_ok]

    # Step 4: the terms a DBC is settled by. A parallel care type declares in parallel, except
    # for a patient whose insurer did not consent on the DBC's end date (v2): then its
    # ``otherwise`` terms settle it, and without those nothing does. The v2 terms are looked up
    # per care type (``ct``) only where some care type has them, so a v1 dataset pays nothing.
    terms = care.terms
    parallel = (matched["method"] == "parallel").to_numpy()
    if parallel.any():
        ct = matched["ct"].to_numpy()
        refused = np.zeros(len(matched), dtype=bool)
        if "uzovi" in dbcs.columns:
            rows = np.flatnonzero(parallel)
            uzovi = dbcs.loc[matched.index[rows], "uzovi"]
            named = uzovi.notna().to_numpy()
            rows = rows[named]
            end = matched["end_date"].to_numpy()[rows]
            consent = coverage.consented(
                care, ct[rows], uzovi.to_numpy(dtype=object)[named], end, end
            )
            refused[rows[~consent]] = True
        settle_method = terms["settle_method"].to_numpy()[ct]
        otherwise = refused & (settle_method != "")
        excluded.append(_exclude(matched.loc[parallel & ~refused], PARALLEL_CARE_TYPE))
        excluded.append(_exclude(matched.loc[refused & ~otherwise], NO_CONSENT))
        keep = ~parallel | otherwise
        matched = matched.loc[keep]
        if otherwise.any():
            # The line's method is that of the terms it is settled by.
            matched = matched.assign(method=settle_method[keep])
    prices_of = prices[["price_list", "year", "zorgproduct_code", "price_cents"]]
    start = terms["price_start"].to_numpy()[matched["ct"].to_numpy()]
    if start.any():
        # v2 ``price_year: "start"``: the price of the year the DBC started in.
        price_year = np.where(start, matched["start_date"].dt.year.to_numpy(), year)
        priced = matched.assign(year=price_year.astype("int64")).merge(
            prices_of, on=["price_list", "year", "zorgproduct_code"], how="left"
        )
    else:
        priced = matched.merge(
            prices_of.loc[prices_of["year"] == year].drop(columns="year"),
            on=["price_list", "zorgproduct_code"],
            how="left",
        )
    benchmark = (priced["method"] == "odv_benchmark").to_numpy()
    no_price = benchmark & priced["price_cents"].isna().to_numpy()
    excluded.append(_exclude(priced.loc[no_price], NO_PRICE))
    priced = priced.loc[~no_price]
    benchmark = benchmark[~no_price]
    unit = np.where(
        benchmark,
        priced["price_cents"].fillna(0).to_numpy(dtype="int64"),
        priced["fee_cents"].to_numpy(dtype="int64"),
    )
    numerator = priced["share_num"].to_numpy(dtype="int64")
    denominator = priced["share_den"].to_numpy(dtype="int64")
    above = priced_past_ceiling(priced, care, benchmark, year=year)
    if above.any():
        # Past the ceiling: the share above it (contract v2 §3 step 4).
        past = priced["ct"].to_numpy()[above]
        numerator = numerator.copy()
        denominator = denominator.copy()
        numerator[above] = terms["above_num"].to_numpy()[past]
        denominator[above] = terms["above_den"].to_numpy()[past]
        share_text = priced["share_text"].to_numpy(dtype=object).copy()
        share_text[above] = terms["above_text"].to_numpy(dtype=object)[past]
        priced = priced.assign(share_text=share_text)
    # Half up to the cent: floor(unit * share + 1/2), exact in integers (money.apply_share).
    amount = (2 * unit * numerator + denominator) // (2 * denominator)

    lines = (
        priced[
            [
                "agb",
                "requesting_agb",
                "dbc_id",
                "patient_ref",
                "agreement_id",
                "care_type",
                "zorgproduct_code",
                "end_date",
                "method",
                "share_text",
            ]
        ]
        .rename(
            columns={
                "agb": "creditor_agb",
                "requesting_agb": "debtor_agb",
                "share_text": "share",
            }
        )
        .assign(
            unit_price_cents=unit.astype("int64"),
            amount_cents=amount.astype("int64"),
        )
        .astype({"debtor_agb": "str"})[LINE_COLUMNS]
    )
    lines = sort_rows(lines, ["debtor_agb", "creditor_agb", "end_date", "dbc_id"])
    excluded_frame = sort_rows(pd.concat(excluded, ignore_index=True), ["agb", "dbc_id"])
    hours_lines, excluded_hours = settle_hours(hours, agreements, year=year)
    return summarise(
        lines,
        excluded_frame,
        year=year,
        netting=netting,
        hours=hours_lines,
        costs=share_costs(agreements, year=year),
        excluded_hours=excluded_hours,
    )


def _exclude(rows: pd.DataFrame, reason: str) -> pd.DataFrame:
    """Excluded DBCs: the contract's (agb, dbc_id, reason), and the requesting hospital, so a
    statement between two hospitals can list the exclusions that concern them."""
    return pd.DataFrame(
        {
            "agb": rows["agb"].astype("str").to_numpy(),
            "dbc_id": rows["dbc_id"].astype("str").to_numpy(),
            "reason": np.full(len(rows), reason, dtype=object),
            "requesting_agb": rows["requesting_agb"].astype("str").to_numpy(),
        }
    ).astype({"agb": "str", "dbc_id": "str", "reason": "str", "requesting_agb": "str"})


def _matching_care_types(candidates: pd.DataFrame, care: coverage.CareTypes) -> pd.DataFrame:
    """Every (candidate row, care type) pair of step 2 (docs/data-format.md §3), with the care
    type's terms: the care type covers the DBC's zorgproduct, its agreement is in force on the
    DBC's end date with both hospitals as parties, and it names no performer or the DBC's own
    hospital."""
    agb = coverage.hospital_numbers(care, candidates["agb"])
    position, ct = coverage.covering(care, candidates["zorgproduct_code"], agb)
    requesting = coverage.hospital_numbers(care, candidates["requesting_agb"])[position]
    keep = coverage.parties(care, ct, requesting)
    position, ct = position[keep], ct[keep]
    end = candidates["end_date"].to_numpy()[position]
    keep = coverage.in_force(care, ct, end, end)
    position, ct = position[keep], ct[keep]
    performer = care.terms["performing_agb"].to_numpy()[ct]
    keep = (performer == "") | (performer == candidates["agb"].to_numpy()[position])
    position, ct = position[keep], ct[keep]
    terms = [
        "agreement_id", "care_type", "method", "price_list", "fee_cents", "share_num",
        "share_den", "share_text",
    ]  # fmt: skip
    matches = care.terms.iloc[ct][terms].reset_index(drop=True)
    matches.insert(0, "ct", ct)
    matches.insert(0, "row", candidates.index.to_numpy()[position])
    return matches.sort_values(["row"], kind="stable")


def _primary_ok(matched: pd.DataFrame, dbcs: pd.DataFrame) -> pd.Series:
    """True where no primary DBC is named, or the named one is the requesting hospital's own
    (not ODV) DBC of the same patient."""
    named = matched.loc[
        matched["primary_dbc_id"].notna(), ["requesting_agb", "primary_dbc_id", "patient_ref"]
    ]
    own = dbcs.loc[~dbcs["odv"].to_numpy(dtype=bool), ["agb", "dbc_id", "patient_ref"]].rename(
        columns={"agb": "requesting_agb", "dbc_id": "primary_dbc_id"}
    )
    found = (
        named.rename_axis("_row")
        .reset_index()
        .merge(own, on=["requesting_agb", "primary_dbc_id", "patient_ref"])
    )
    ok = pd.Series(True, index=matched.index)
    ok.loc[named.index] = False
    ok.loc[found["_row"].to_numpy()] = True
    return ok
