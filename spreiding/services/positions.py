"""A hospital's position over all its alliances: in one run, what it is owed and owes under
every agreement it is a party of (DBC lines, hours with VAT and shared costs together).

Example: on the nine samples' run of 2024, the UMCG (in HartNet and the Academisch
Borstcentrum Groningen) is owed €120,000.00 (HartNet's transformation cost) and owes nothing;
Saxenburgh MC is a party of one agreement and has a position of zero.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from spreiding.domain.access import Principal
from spreiding.services.access import require
from spreiding.services.reference import hospital_names
from spreiding.services.settlement import get_run
from spreiding.store.agreements import stored_agreements


@dataclass(frozen=True)
class HospitalPosition:
    agb: str
    name: str
    agreements: tuple[str, ...]  # the ids of the agreements it is a party of, sorted
    receivable_cents: int
    payable_cents: int

    @property
    def net_cents(self) -> int:
        return self.receivable_cents - self.payable_cents


def hospital_positions(
    connection: Connection, principal: Principal, run_id: int
) -> list[HospitalPosition]:
    """Every hospital party of a stored agreement, by AGB, with its position in run
    ``run_id`` (zero where the run has nothing for it). A hospital's key sees only its own, a
    bureau's the parties of the agreements it holds (with the part of the run it may see)."""
    require(principal, "admin", "hospital", "bureau")
    view = get_run(connection, principal, run_id)
    frame = view.result.positions
    positions = {
        str(agb): (int(receivable), int(payable))
        for agb, receivable, payable in zip(
            frame["agb"].tolist(),
            frame["receivable_cents"].tolist(),
            frame["payable_cents"].tolist(),
            strict=True,
        )
    }
    parties: dict[str, list[str]] = {agb: [] for agb in positions}
    held = None if principal.role != "bureau" else principal.agreements
    for agreement in stored_agreements(connection, held):
        for agb in agreement.parties:
            parties.setdefault(agb, []).append(agreement.agreement_id)
    if principal.role == "hospital":
        parties = {agb: ids for agb, ids in parties.items() if agb == principal.agb}
    names = hospital_names(connection)
    return [
        HospitalPosition(
            agb,
            names.get(agb, ""),
            tuple(sorted(parties[agb])),
            *positions.get(agb, (0, 0)),
        )
        for agb in sorted(parties)
    ]
