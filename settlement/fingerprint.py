"""The input fingerprint of a settlement: a SHA-256 of the canonical inputs it used.

Two computations with the same fingerprint used the same DBCs, prices, agreements, year and
netting, so they give the same run; stored with a run, it lets anyone check later that a
statement was computed from the data they hold. The frames are canonical (sorted by key; see
``spreiding.domain.dataset``), so the row order of the files plays no part.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

import pandas as pd

from spreiding.domain.agreements import Agreement, agreement_to_json
from spreiding.domain.dataset import DBCS, HOURS

VERSION = "spreiding-settlement-v1"
# The DBC columns a settlement reads (not the descriptive ones), key first: the order is part
# of the fingerprint, so stored runs keep theirs. The v2 column ``uzovi`` is hashed after them,
# and only when some DBC has one, so that a v1 dataset keeps its fingerprint.
DBC_COLUMNS = [c for c in DBCS.rule_columns if c != "uzovi"]
# The hours columns a settlement reads (§5): hashed only when there are hours of the year.
HOURS_COLUMNS = [c for c in HOURS.rule_columns]


def fingerprint(
    dbcs: pd.DataFrame,
    prices: pd.DataFrame,
    agreements: Sequence[Agreement],
    *,
    year: int,
    netting: str,
    hours: pd.DataFrame | None = None,
) -> str:
    """The fingerprint; what v2 adds (a DBC's insurer, hours, the prices of other years read
    by ``price_year: "start"``) is hashed only when present, so a v1 dataset keeps its own."""
    digest = hashlib.sha256()
    digest.update(f"{VERSION}\nyear={year}\nnetting={netting}\n".encode())
    ordered = sorted(agreements, key=lambda a: a.agreement_id)
    digest.update(json.dumps([agreement_to_json(a) for a in ordered], sort_keys=True).encode())
    has_uzovi = "uzovi" in dbcs and bool(dbcs["uzovi"].notna().any())
    columns = DBC_COLUMNS + (["uzovi"] if has_uzovi else [])
    frames = [dbcs[columns], prices.loc[prices["year"] == year]]
    if any(_start_priced(a) for a in agreements):
        frames.append(prices.loc[prices["year"] != year])
    if hours is not None:
        day = hours["work_date"]
        of_year = hours.loc[(day.dt.year == year).to_numpy(), HOURS_COLUMNS]
        if len(of_year):
            digest.update(b"hours\n")
            frames.append(of_year)
    for frame in frames:
        digest.update(
            frame.to_csv(index=False, date_format="%Y-%m-%d", lineterminator="\n").encode()
        )
    return digest.hexdigest()


def _start_priced(agreement: Agreement) -> bool:
    """Whether a care type of ``agreement`` prices in the year of a DBC's start date."""
    for care in agreement.care_types:
        for terms in (care.settlement, care.settlement.otherwise):
            if terms is not None and terms.price_year == "start":
                return True
    return False
