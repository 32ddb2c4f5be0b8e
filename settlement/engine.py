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
import pyarrow as pa
import pyarrow.compute as pc

from settlement import coverage, ordering
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
from spreiding.domain import string_columns
from spreiding.domain.agreements import Agreement
from spreiding.domain.dataset import sort_order

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

    # Rows are positions in ``dbcs``: a column is gathered only where a step reads it, and
    # the lines' columns once, in their final order (no frame is filtered step by step).
    ends_all = dbcs["end_date"].to_numpy(dtype="datetime64[s]")
    odv = np.flatnonzero(dbcs["odv"].to_numpy(dtype=bool))
    ends = ends_all[odv]
    is_open = np.isnat(ends)
    starts = dbcs["start_date"].to_numpy(dtype="datetime64[s]")[odv]
    excluded = [(odv[is_open & (starts <= last_day)], OPEN)]
    candidates = odv[~is_open & (ends >= first_day) & (ends <= last_day)]

    # Step 2: exactly one (agreement, care type) in force must cover the DBC.
    care = coverage.care_types(agreements)
    position, ct = _matching_care_types(dbcs, candidates, care)
    count = np.bincount(position, minlength=len(candidates))
    excluded.append((candidates[count == 0], NO_AGREEMENT))
    excluded.append((candidates[count > 1], AMBIGUOUS_AGREEMENT))
    single = count[position] == 1
    rows, ct = candidates[position[single]], ct[single]

    # Step 3: a named primary DBC must be the requesting hospital's own, of the same patient.
    primary_ok = _primary_ok(dbcs, rows)
    excluded.append((rows[~primary_ok], PRIMARY_MISMATCH))
    rows, ct = rows[primary_ok], ct[primary_ok]

    # Step 4: the terms a DBC is settled by. A parallel care type declares in parallel, except
    # for a patient whose insurer did not consent on the DBC's end date (v2): then its
    # ``otherwise`` terms settle it, and without those nothing does. The v2 terms are looked up
    # per care type (``ct``) only where some care type has them, so a v1 dataset pays nothing.
    terms = care.terms
    own_method = terms["method"].to_numpy(dtype=object)
    settle_method = terms["settle_method"].to_numpy(dtype=object)
    # Per line: settled by its care type's ``otherwise`` terms rather than its own.
    by_otherwise = np.zeros(len(rows), dtype=bool)
    parallel = (own_method == "parallel")[ct]
    if parallel.any():
        refused = np.zeros(len(rows), dtype=bool)
        if "uzovi" in dbcs.columns:
            at = np.flatnonzero(parallel)
            uzovi = dbcs["uzovi"].take(rows[at])
            named = uzovi.notna().to_numpy()
            at = at[named]
            end = ends_all[rows[at]]
            consent = coverage.consented(
                care, ct[at], uzovi.to_numpy(dtype=object)[named], end, end
            )
            refused[at[~consent]] = True
        otherwise = refused & (settle_method != "")[ct]
        excluded.append((rows[parallel & ~refused], PARALLEL_CARE_TYPE))
        excluded.append((rows[refused & ~otherwise], NO_CONSENT))
        keep = ~parallel | otherwise
        rows, ct, by_otherwise = rows[keep], ct[keep], otherwise[keep]
    # The line's method is that of the terms it is settled by.
    benchmark = np.where(
        by_otherwise, (settle_method == "odv_benchmark")[ct], (own_method == "odv_benchmark")[ct]
    )
    price, has_price = _prices(dbcs, prices, rows, ct, terms, year=year)
    no_price = benchmark & ~has_price
    excluded.append((rows[no_price], NO_PRICE))
    priced = ~no_price
    rows, ct, by_otherwise = rows[priced], ct[priced], by_otherwise[priced]
    benchmark, price = benchmark[priced], price[priced]
    unit = np.where(benchmark, price, terms["fee_cents"].to_numpy(dtype="int64")[ct])
    numerator = terms["share_num"].to_numpy(dtype="int64")[ct]
    denominator = terms["share_den"].to_numpy(dtype="int64")[ct]
    above = np.zeros(len(rows), dtype=bool)
    if (care.ceilings["year"] == year).any():
        ranked = pd.DataFrame(
            {
                "ct": ct,
                "end_date": ends_all[rows],
                "agb": dbcs["agb"].take(rows).to_numpy(),
                "dbc_id": dbcs["dbc_id"].take(rows).to_numpy(),
            }
        )
        above = priced_past_ceiling(ranked, care, benchmark, year=year)
        if above.any():
            # Past the ceiling: the share above it (contract v2 §3 step 4).
            past = ct[above]
            numerator[above] = terms["above_num"].to_numpy()[past]
            denominator[above] = terms["above_den"].to_numpy()[past]
    # Half up to the cent: floor(unit * share + 1/2), exact in integers (money.apply_share).
    amount = (2 * unit * numerator + denominator) // (2 * denominator)

    def column(name: str, at: np.ndarray) -> pd.Series:
        return string_columns.take(dbcs[name], at)

    creditor = ordering.canonical_creditors(dbcs)
    order = ordering.line_order(dbcs, rows, ends_all, creditor)
    if order is None:
        keys = pd.DataFrame(
            {
                "debtor_agb": column("requesting_agb", rows).astype("str"),
                "creditor_agb": column("agb", rows),
                "end_date": ends_all[rows],
                "dbc_id": column("dbc_id", rows),
            }
        )
        order = sort_order(keys, ["debtor_agb", "creditor_agb", "end_date", "dbc_id"])
        del keys
    rows, ct = rows[order], ct[order]

    def chosen(name: str, other: str, where: np.ndarray) -> pd.Series:
        """The care types' column ``name``, or ``other`` where ``where`` holds (its dtype as
        the lines always had it: ``object`` only where there are no care types)."""
        if not where.any():
            return terms[name].take(ct).reset_index(drop=True)
        values = np.where(
            where, terms[other].to_numpy(dtype=object)[ct], terms[name].to_numpy(dtype=object)[ct]
        )
        return pd.Series(values, dtype="str")

    lines = pd.DataFrame(
        {
            "creditor_agb": column("agb", rows),
            "debtor_agb": column("requesting_agb", rows).astype("str"),
            "dbc_id": column("dbc_id", rows),
            "patient_ref": column("patient_ref", rows),
            "agreement_id": terms["agreement_id"].take(ct).reset_index(drop=True),
            "care_type": terms["care_type"].take(ct).reset_index(drop=True),
            "zorgproduct_code": column("zorgproduct_code", rows),
            "end_date": ends_all[rows],
            "method": chosen("method", "settle_method", by_otherwise[order]),
            "unit_price_cents": unit[order].astype("int64"),
            "share": chosen("share_text", "above_text", above[order]),
            "amount_cents": amount[order].astype("int64"),
        }
    )[LINE_COLUMNS]
    excluded_frame = ordering.excluded_frame(dbcs, excluded, canonical=creditor is not None)
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


def _matching_care_types(
    dbcs: pd.DataFrame, candidates: np.ndarray, care: coverage.CareTypes
) -> tuple[np.ndarray, np.ndarray]:
    """Every (candidate i, care type ct) pair of step 2 (docs/data-format.md §3), ordered by
    i, then ct: the care type covers the DBC's zorgproduct, its agreement is in force on the
    DBC's end date with both hospitals as parties, and it names no performer or the DBC's own
    hospital. ``candidates``: positions in ``dbcs``."""
    agbs = dbcs["agb"].take(candidates)
    agb = coverage.hospital_numbers(care, agbs)
    codes = dbcs["zorgproduct_code"].take(candidates).reset_index(drop=True)
    position, ct = coverage.covering(care, codes, agb)
    requesting = coverage.hospital_numbers(care, dbcs["requesting_agb"].take(candidates))
    keep = coverage.parties(care, ct, requesting[position])
    position, ct = position[keep], ct[keep]
    end = dbcs["end_date"].to_numpy(dtype="datetime64[s]")[candidates[position]]
    keep = coverage.in_force(care, ct, end, end)
    position, ct = position[keep], ct[keep]
    performer = care.terms["performing_agb"].to_numpy(dtype=object)[ct]
    named = performer != ""
    if named.any():
        own = np.asarray(agbs.to_numpy(dtype=object)[position[named]])
        keep = np.ones(len(ct), dtype=bool)
        keep[named] = performer[named] == own
        position, ct = position[keep], ct[keep]
    return position, ct


def _primary_ok(dbcs: pd.DataFrame, rows: np.ndarray) -> np.ndarray:
    """Per row (positions in ``dbcs``): no primary DBC is named, or the named one is the
    requesting hospital's own (not ODV) DBC of the same patient. One hash join in Arrow."""
    ok = np.ones(len(rows), dtype=bool)
    primary = dbcs["primary_dbc_id"].take(rows)
    named = np.flatnonzero(primary.notna().to_numpy())
    if len(named) == 0:
        return ok
    at = rows[named]
    wanted = pa.table(
        {
            "agb": pa.array(dbcs["requesting_agb"].take(at), type=pa.string()),
            "dbc_id": pa.array(primary.take(named), type=pa.string()),
            "patient_ref": pa.array(dbcs["patient_ref"].take(at), type=pa.string()),
            "_at": pa.array(named, type=pa.int64()),
        }
    )
    own = np.flatnonzero(~dbcs["odv"].to_numpy(dtype=bool))
    owned = pa.table(
        {
            column: pa.array(dbcs[column].take(own), type=pa.string())
            for column in ("agb", "dbc_id", "patient_ref")
        }
    )
    found = wanted.join(owned, keys=["agb", "dbc_id", "patient_ref"], join_type="left semi")
    ok[named] = False
    ok[found["_at"].to_numpy()] = True
    return ok


def _prices(
    dbcs: pd.DataFrame,
    prices: pd.DataFrame,
    rows: np.ndarray,
    ct: np.ndarray,
    terms: pd.DataFrame,
    *,
    year: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Per row: the price in cents of its care type's price list for its zorgproduct, in
    ``year`` or, for terms with v2 ``price_year: "start"``, in the year the DBC started; and
    whether there is one. Each key part is numbered among the prices' distinct values, and
    the prices' (list, year, code) numbers are one sorted integer key to search."""
    price = np.zeros(len(rows), dtype="int64")
    listed = np.zeros(len(rows), dtype=bool)
    if len(rows) == 0 or len(prices) == 0:
        return price, listed
    price_year = np.full(len(rows), year, dtype="int64")
    start = terms["price_start"].to_numpy(dtype=bool)[ct]
    if start.any():
        started = dbcs["start_date"].to_numpy(dtype="datetime64[s]")[rows]
        price_year = np.where(start, started.astype("datetime64[Y]").astype("int64") + 1970, year)
    parts = {
        "price_list": (
            pa.array(prices["price_list"], type=pa.string()),
            pa.array(terms["price_list"].to_numpy(dtype=object), type=pa.string()),
            ct,
        ),
        "year": (
            pa.array(prices["year"].to_numpy(dtype="int64")),
            pa.array(price_year),
            None,
        ),
        "zorgproduct_code": (
            pa.array(prices["zorgproduct_code"], type=pa.string()),
            pa.array(dbcs["zorgproduct_code"].take(rows), type=pa.string()),
            None,
        ),
    }
    listed_key = np.zeros(len(prices), dtype="int64")
    wanted_key = np.zeros(len(rows), dtype="int64")
    found = np.ones(len(rows), dtype=bool)
    for listed_values, wanted_values, via in parts.values():
        distinct = pc.unique(listed_values)
        size = len(distinct)
        listed_key = listed_key * size + pc.index_in(listed_values, distinct).to_numpy()
        index = pc.index_in(wanted_values, distinct)
        valid = index.is_valid().to_numpy(zero_copy_only=False)
        number = index.fill_null(0).to_numpy().astype("int64")
        if via is not None:
            valid, number = valid[via], number[via]
        found &= valid
        wanted_key = wanted_key * size + number
    order = np.argsort(listed_key, kind="stable")
    sorted_key = listed_key[order]
    first, count = coverage.runs(wanted_key, sorted_key)
    at = np.minimum(first, len(sorted_key) - 1)
    listed = found & (count > 0)
    price = np.where(listed, prices["price_cents"].to_numpy(dtype="int64")[order[at]], 0)
    return price, listed
