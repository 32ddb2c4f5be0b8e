"""What every audit rule shares: the finding it returns and the input it reads, prepared once.

A finding names its rule, the hospital, the line (declaration, DBC or transfer) it concerns,
the lines it relates to and the money at stake. Example: ``Finding("PAR-002", "error",
"06010002", "3311", "V2", None, None, ("V1",), 210000, "Declaration V2 repeats V1: ...")``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from settlement.audit.declarations import live_lines, overlapping_pairs
from spreiding.domain.agreements import Agreement

ERROR, WARNING = "error", "warning"


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str
    agb: str
    uzovi: str | None
    declaration_id: str | None
    dbc_id: str | None
    transfer_id: str | None
    related: tuple[str, ...]
    amount_at_stake_cents: int | None
    message: str

    def sort_key(self) -> tuple[str, str, str]:
        subject = self.declaration_id or self.dbc_id or self.transfer_id or ""
        return (self.rule, self.agb, subject)


@dataclass(frozen=True)
class AuditInput:
    """The data of one audit, prepared once for all rules. ``shared`` holds what several
    rules compute once (the PAR rules' cross-hospital pairs and their coverage)."""

    year: int
    dbcs: pd.DataFrame
    agreements: tuple[Agreement, ...]
    declarations: pd.DataFrame | None
    transfers: pd.DataFrame | None
    live: pd.DataFrame = field(init=False)
    pairs: pd.DataFrame = field(init=False)
    shared: dict[str, pd.DataFrame] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        live = pd.DataFrame() if self.declarations is None else live_lines(self.declarations)
        object.__setattr__(self, "live", live)
        pairs = overlapping_pairs(live) if len(live) else pd.DataFrame({"a": [], "b": []})
        object.__setattr__(self, "pairs", pairs)

    def in_year(self, dates: pd.Series) -> np.ndarray:
        return np.asarray(dates.dt.year.to_numpy() == self.year, dtype=bool)


def day_text(value: np.datetime64 | pd.Timestamp) -> str:
    return pd.Timestamp(value).strftime("%Y-%m-%d")
