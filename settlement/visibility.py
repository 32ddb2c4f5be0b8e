"""The part of a settlement a principal may see: a hospital sees the lines, exclusions, pairs,
payments and its own position that concern it; an admin sees all."""

from __future__ import annotations

from dataclasses import replace

from settlement.engine import Settlement
from spreiding.domain.access import Principal


def visible_part(result: Settlement, principal: Principal) -> Settlement:
    if principal.is_admin:
        return result
    agb = principal.agb
    lines = result.lines
    excluded = result.excluded
    concerns_exclusion = excluded["agb"] == agb
    if "requesting_agb" in excluded:
        concerns_exclusion |= excluded["requesting_agb"] == agb
    return replace(
        result,
        lines=lines.loc[((lines["creditor_agb"] == agb) | (lines["debtor_agb"] == agb)).to_numpy()],
        excluded=excluded.loc[concerns_exclusion.to_numpy()],
        pairs=result.pairs.loc[
            ((result.pairs["debtor_agb"] == agb) | (result.pairs["creditor_agb"] == agb)).to_numpy()
        ],
        positions=result.positions.loc[(result.positions["agb"] == agb).to_numpy()],
        payments=result.payments.loc[
            ((result.payments["from_agb"] == agb) | (result.payments["to_agb"] == agb)).to_numpy()
        ],
    )
