"""The values of a simulation (``settlement.simulation``) and what every part of it shares: the
draft put in force for the year, a share set on it, and each party's figures with and without it.

Worked example: ``in_force`` of a draft valid from 1 July 2024 to 30 June 2025, stage
``verkennen``, for 2024: stage ``implementeren``, valid from 1 January 2024 to 30 June 2025.
``figures`` of a result where Alrijne owes Groene Hart 1800.00 and a base where nothing is owed:
Alrijne payable 1800.00 (change −1800.00), Groene Hart receivable 1800.00 (change +1800.00).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from settlement.engine import Settlement
from spreiding.domain.agreements import Agreement, SettlementTerms


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


def others_than(agreements: Sequence[Agreement], agreement_id: str) -> tuple[Agreement, ...]:
    return tuple(a for a in agreements if a.agreement_id != agreement_id)
