"""The yearly settlement of ODV DBCs at benchmark prices (docs/data-format.md §3), vectorised.

Worked example: Groene Hart (06010002) operated a hernia for Alrijne (06010001) under Samen+
(care type ``liesbreuk``, ``odv_benchmark``, price list ``benchmark``, share 0.90). Its ODV DBC
ended 2024-03-01; the 2024 benchmark price of zorgproduct 131999061 is 1999.00. The line:
creditor 06010002, debtor 06010001, unit price 1999.00, share 0.90, amount 1799.10. With no
other lines the pair (06010001 -> 06010002) is 1 line, 1799.10; Alrijne pays Groene Hart 1799.10.

Every DBC is either settled in one line or excluded with the reason of the first step that
excludes it, in the contract's order: OPEN, NO_AGREEMENT / AMBIGUOUS_AGREEMENT,
PRIMARY_MISMATCH, PARALLEL_CARE_TYPE / NO_PRICE.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from settlement import coverage, netting
from spreiding.domain.agreements import Agreement
from spreiding.domain.dataset import DBCS, sort_rows

Netting = Literal["bilateral", "multilateral"]
NETTINGS: tuple[Netting, ...] = ("bilateral", "multilateral")

OPEN = "OPEN"
NO_AGREEMENT = "NO_AGREEMENT"
AMBIGUOUS_AGREEMENT = "AMBIGUOUS_AGREEMENT"
PRIMARY_MISMATCH = "PRIMARY_MISMATCH"
PARALLEL_CARE_TYPE = "PARALLEL_CARE_TYPE"
NO_PRICE = "NO_PRICE"
REASONS = (OPEN, NO_AGREEMENT, AMBIGUOUS_AGREEMENT, PRIMARY_MISMATCH, PARALLEL_CARE_TYPE, NO_PRICE)

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


@dataclass(frozen=True)
class Settlement:
    """The result for one year. Money columns are int64 cents; frames are in contract order."""

    year: int
    netting: Netting
    lines: pd.DataFrame
    excluded: pd.DataFrame
    pairs: pd.DataFrame
    positions: pd.DataFrame
    payments: pd.DataFrame

    @property
    def total_cents(self) -> int:
        return int(self.lines["amount_cents"].sum())


def settle(
    dbcs: pd.DataFrame,
    prices: pd.DataFrame,
    agreements: Sequence[Agreement],
    *,
    year: int,
    netting: Netting = "bilateral",
) -> Settlement:
    """Settle ``year``: frames in the canonical form of ``spreiding.domain.dataset``."""
    if netting not in NETTINGS:
        raise ValueError(f"netting must be one of {', '.join(NETTINGS)}, not {netting!r}")
    first_day = np.datetime64(f"{year:04d}-01-01", "s")
    last_day = np.datetime64(f"{year:04d}-12-31", "s")

    needed = [c for c in DBCS.rule_columns if c != "odv"]
    odv = dbcs.loc[dbcs["odv"].to_numpy(dtype=bool), needed]
    is_open = odv["end_date"].isna()
    excluded = [_exclude(odv.loc[is_open & (odv["start_date"] <= last_day)], OPEN)]
    ends = odv["end_date"]
    candidates = odv.loc[~is_open & (ends >= first_day) & (ends <= last_day)]

    # Step 2: exactly one (agreement, care type) in force must cover the DBC.
    matches = _matching_care_types(candidates, coverage.care_types(agreements))
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

    # Step 4: price by method.
    parallel = matched["method"] == "parallel"
    excluded.append(_exclude(matched.loc[parallel], PARALLEL_CARE_TYPE))
    matched = matched.loc[~parallel]
    priced = matched.merge(
        prices.loc[prices["year"] == year, ["price_list", "zorgproduct_code", "price_cents"]],
        on=["price_list", "zorgproduct_code"],
        how="left",
    )
    benchmark = (priced["method"] == "odv_benchmark").to_numpy()
    no_price = benchmark & priced["price_cents"].isna().to_numpy()
    excluded.append(_exclude(priced.loc[no_price], NO_PRICE))
    priced = priced.loc[~no_price]
    benchmark = (priced["method"] == "odv_benchmark").to_numpy()
    unit = np.where(
        benchmark,
        priced["price_cents"].fillna(0).to_numpy(dtype="int64"),
        priced["fee_cents"].to_numpy(dtype="int64"),
    )
    numerator = priced["share_num"].to_numpy(dtype="int64")
    denominator = priced["share_den"].to_numpy(dtype="int64")
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
            columns={"agb": "creditor_agb", "requesting_agb": "debtor_agb", "share_text": "share"}
        )
        .assign(unit_price_cents=unit.astype("int64"), amount_cents=amount.astype("int64"))
        .astype({"debtor_agb": "str"})[LINE_COLUMNS]
    )
    lines = sort_rows(lines, ["debtor_agb", "creditor_agb", "end_date", "dbc_id"])
    excluded_frame = sort_rows(pd.concat(excluded, ignore_index=True), ["agb", "dbc_id"])
    return summarise(lines, excluded_frame, year=year, netting=netting)


def summarise(
    lines: pd.DataFrame, excluded: pd.DataFrame, *, year: int, netting: Netting
) -> Settlement:
    """Pairs, positions and payments of ``lines`` (docs/data-format.md §3 steps 6-7). Amounts
    may be negative (a correction's differences); every sum stays exact in integer cents."""
    pairs = _pairs(lines)
    positions = _positions(lines)
    payments = _payments(pairs, positions, netting)
    return Settlement(year, netting, lines, excluded, pairs, positions, payments)


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


def _pairs(lines: pd.DataFrame) -> pd.DataFrame:
    grouped = lines.groupby(["debtor_agb", "creditor_agb"], sort=True)["amount_cents"]
    pairs = grouped.agg(lines="size", amount_cents="sum").reset_index()
    return pairs.astype({"lines": "int64", "amount_cents": "int64"})


def _positions(lines: pd.DataFrame) -> pd.DataFrame:
    receivable = lines.groupby("creditor_agb")["amount_cents"].sum()
    payable = lines.groupby("debtor_agb")["amount_cents"].sum()
    hospitals = sorted(set(receivable.index) | set(payable.index))
    frame = pd.DataFrame(
        {
            "agb": pd.Series(hospitals, dtype="str"),
            "receivable_cents": receivable.reindex(hospitals, fill_value=0).to_numpy(dtype="int64"),
            "payable_cents": payable.reindex(hospitals, fill_value=0).to_numpy(dtype="int64"),
        }
    )
    return frame.assign(net_cents=frame["receivable_cents"] - frame["payable_cents"])


def _payments(pairs: pd.DataFrame, positions: pd.DataFrame, how: Netting) -> pd.DataFrame:
    if how == "bilateral":
        owed = {
            (d, c): int(a)
            for d, c, a in zip(
                pairs["debtor_agb"], pairs["creditor_agb"], pairs["amount_cents"], strict=True
            )
        }
        made = netting.bilateral(owed)
    else:
        nets = dict(zip(positions["agb"], (int(n) for n in positions["net_cents"]), strict=True))
        made = netting.multilateral(nets)
    return pd.DataFrame(made, columns=["from_agb", "to_agb", "amount_cents"]).astype(
        {"from_agb": "str", "to_agb": "str", "amount_cents": "int64"}
    )
