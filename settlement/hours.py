"""Hours a hospital's staff worked at another hospital, settled at the agreement's rate
(docs/data-format.md §5).

Worked example: a surgeon of LUMC (employer) operated at HMC (host) for 7.50 hours on
2024-03-04 under an agreement in force that day whose ``medisch-specialist`` rate is 185.00
with VAT 0.21. amount = 7.50 × 185.00 = 1387.50; vat = 1387.50 × 0.21 = 291.375, half up
291.38. The hours line: creditor LUMC, debtor HMC. A row of a role without a rate on its date
is excluded ``NO_RATE``; a row under an agreement still ``verkennen`` or outside its validity,
``NO_AGREEMENT``.

Hours are integer hundredths and money integer cents, so both roundings are exact integer
arithmetic: half up is floor(x + 1/2).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from spreiding.domain.agreements import Agreement
from spreiding.domain.dataset import sort_rows
from spreiding.domain.money import format_share, share_fraction

NO_AGREEMENT = "NO_AGREEMENT"
NO_RATE = "NO_RATE"
HOURS_REASONS = (NO_AGREEMENT, NO_RATE)
OPEN_END = np.datetime64("9999-12-31", "s")

HOURS_COLUMNS = [
    "creditor_agb", "debtor_agb", "hours_id", "agreement_id", "role", "work_date", "hours",
    "rate_cents", "amount_cents", "vat_rate", "vat_cents",
]  # fmt: skip
HOURS_KEY = ["creditor_agb", "debtor_agb", "hours_id"]
EXCLUDED_HOURS_COLUMNS = ["hours_id", "reason", "employer_agb", "host_agb"]
_TYPES = {
    "creditor_agb": "str", "debtor_agb": "str", "hours_id": "str", "agreement_id": "str",
    "role": "str", "work_date": "datetime64[s]", "hours": "str", "rate_cents": "int64",
    "amount_cents": "int64", "vat_rate": "str", "vat_cents": "int64",
}  # fmt: skip


def empty_hours() -> pd.DataFrame:
    return pd.DataFrame({c: [] for c in HOURS_COLUMNS}).astype(_TYPES)


def empty_excluded_hours() -> pd.DataFrame:
    return pd.DataFrame({c: [] for c in EXCLUDED_HOURS_COLUMNS}).astype("str")


def format_hours(hundredths: np.ndarray) -> np.ndarray:
    """Hundredths of an hour as text with two decimals: 750 -> "7.50"."""
    return np.array([f"{h // 100}.{h % 100:02d}" for h in hundredths.tolist()], dtype=object)


def settle_hours(
    hours: pd.DataFrame | None, agreements: Sequence[Agreement], *, year: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The hours lines of ``year`` (columns ``HOURS_COLUMNS``, ordered by debtor, creditor,
    work_date, hours_id) and the rows excluded (by hours_id)."""
    if hours is None or hours.empty:
        return empty_hours(), empty_excluded_hours()
    first = np.datetime64(f"{year:04d}-01-01", "s")
    last = np.datetime64(f"{year:04d}-12-31", "s")
    day = hours["work_date"]
    rows = hours.loc[(day >= first) & (day <= last)].reset_index(drop=True)
    if rows.empty:
        return empty_hours(), empty_excluded_hours()
    work = rows["work_date"].to_numpy()

    # Step 1: the agreement is in force on the work date (exploring binds nothing).
    by_id = {a.agreement_id: a for a in agreements}
    found = [by_id.get(i) for i in rows["agreement_id"].tolist()]
    binding = np.array([a is not None and a.stage != "verkennen" for a in found], dtype=bool)
    valid_from = np.array(
        [np.datetime64(a.valid_from, "s") if a else OPEN_END for a in found], dtype="datetime64[s]"
    )
    valid_to = np.array(
        [np.datetime64(a.valid_to, "s") if a and a.valid_to else OPEN_END for a in found],
        dtype="datetime64[s]",
    )
    in_force = binding & (valid_from <= work) & (work <= valid_to)

    # Step 2: the rate of the role whose range covers the work date (ranges do not overlap).
    rates = pd.DataFrame(
        [
            (
                a.agreement_id, r.role, np.datetime64(r.valid_from, "s"),
                np.datetime64(r.valid_to, "s") if r.valid_to else OPEN_END, r.rate_cents,
                *share_fraction(r.vat_rate), format_share(r.vat_rate),
            )
            for a in agreements
            for r in a.secondment_rates
        ],
        columns=[
            "agreement_id", "role", "from", "to", "rate_cents", "vat_num", "vat_den", "vat_rate",
        ],
    )  # fmt: skip
    candidates = (
        rows.loc[in_force, ["agreement_id", "role", "work_date"]]
        .rename_axis("_row")
        .reset_index()
        .merge(rates, on=["agreement_id", "role"])
    )
    covering = candidates.loc[
        (candidates["from"] <= candidates["work_date"])
        & (candidates["work_date"] <= candidates["to"])
    ].drop_duplicates("_row")
    rated = np.zeros(len(rows), dtype=bool)
    rated[covering["_row"].to_numpy(dtype="int64")] = True

    excluded = pd.DataFrame(
        {
            "hours_id": rows["hours_id"].to_numpy(),
            "reason": np.where(in_force, NO_RATE, NO_AGREEMENT),
            "employer_agb": rows["employer_agb"].to_numpy(),
            "host_agb": rows["host_agb"].to_numpy(),
        }
    ).loc[~rated]
    excluded = sort_rows(excluded.astype("str"), ["hours_id"])

    settled = rows.iloc[covering["_row"].to_numpy(dtype="int64")].reset_index(drop=True)
    hundredths = settled["hours_hundredths"].to_numpy(dtype="int64")
    rate = covering["rate_cents"].to_numpy(dtype="int64")
    num = covering["vat_num"].to_numpy(dtype="int64")
    den = covering["vat_den"].to_numpy(dtype="int64")
    # Half up to the cent, exact: hours/100 × rate = h·r/100 -> floor((2·h·r + 100) / 200).
    amount = (2 * hundredths * rate + 100) // 200
    vat = (2 * amount * num + den) // (2 * den)
    lines = pd.DataFrame(
        {
            "creditor_agb": settled["employer_agb"].to_numpy(),
            "debtor_agb": settled["host_agb"].to_numpy(),
            "hours_id": settled["hours_id"].to_numpy(),
            "agreement_id": settled["agreement_id"].to_numpy(),
            "role": settled["role"].to_numpy(),
            "work_date": settled["work_date"].to_numpy(),
            "hours": format_hours(hundredths),
            "rate_cents": rate,
            "amount_cents": amount,
            "vat_rate": covering["vat_rate"].to_numpy(),
            "vat_cents": vat,
        }
    ).astype(_TYPES)
    return sort_rows(lines, ["debtor_agb", "creditor_agb", "work_date", "hours_id"]), excluded
