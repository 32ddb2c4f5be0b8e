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
from spreiding.domain.dataset import DBCS

VERSION = "spreiding-settlement-v1"
# The DBC columns a settlement reads (not the descriptive ones), key first: the order is part
# of the fingerprint, so stored runs keep theirs. The v2 column ``uzovi`` is hashed after them,
# and only when some DBC has one, so that a v1 dataset keeps its fingerprint.
DBC_COLUMNS = [c for c in DBCS.rule_columns if c != "uzovi"]


def fingerprint(
    dbcs: pd.DataFrame,
    prices: pd.DataFrame,
    agreements: Sequence[Agreement],
    *,
    year: int,
    netting: str,
) -> str:
    digest = hashlib.sha256()
    digest.update(f"{VERSION}\nyear={year}\nnetting={netting}\n".encode())
    ordered = sorted(agreements, key=lambda a: a.agreement_id)
    digest.update(json.dumps([agreement_to_json(a) for a in ordered], sort_keys=True).encode())
    has_uzovi = "uzovi" in dbcs and bool(dbcs["uzovi"].notna().any())
    columns = DBC_COLUMNS + (["uzovi"] if has_uzovi else [])
    for frame in (dbcs[columns], prices.loc[prices["year"] == year]):
        digest.update(
            frame.to_csv(index=False, date_format="%Y-%m-%d", lineterminator="\n").encode()
        )
    return digest.hexdigest()
