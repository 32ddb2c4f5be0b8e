"""Simulating an agreement before it is signed (issue 12): from its plan, replayed on a past
year, and over a range of shares and volumes. Nothing is stored and no event is recorded: the
settlement engine runs on a prepared copy of the inputs (``settlement.simulation``).

Example: ``simulate_dataset(dataset, SimulationRequest(year=2024,
agreement_id="samen-plus-liesbreuk-2024"))`` on the v1 samen-plus data plans 120 liesbreuk DBCs
for Alrijne at Groene Hart and 8 rectumcarcinoom DBCs the other way; ``simulate_stored`` does
the same on the stored data for an admin, the bureau of the agreement or a hospital that is a
party to it. A draft is given as the contract's JSON object of one agreement and checked as
``agreements.json`` is; a bureau may simulate a draft between the hospitals of its alliance, a
hospital one it is a party to. A hospital sees the DBCs of the replay that concern it only.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal

from sqlalchemy import Connection

from settlement import simulation as sim
from spreiding.contract.agreements import parse_agreements
from spreiding.domain.access import Principal
from spreiding.domain.agreements import FILE, Agreement
from spreiding.domain.dataset import Dataset
from spreiding.domain.errors import DatasetError, DatasetInvalid
from spreiding.services.access import require
from spreiding.services.errors import Forbidden, NotFound
from spreiding.store import visibility
from spreiding.store.agreements import stored_agreements
from spreiding.store.datasets import load_dataset

DEFAULT_SHARES = sim.steps(Decimal("0.80"), Decimal("1.00"), Decimal("0.05"))
DEFAULT_VOLUMES = (-20, -10, 0, 10, 20)
MAX_ROWS = 200  # sensitivity rows: each is one settlement of the plan
MAX_PLANNED = 1_000_000  # synthetic DBCs of one plan


@dataclass(frozen=True)
class SimulationRequest:
    """What to simulate: a draft (``draft``, the contract's JSON object of one agreement) or a
    stored agreement (``agreement_id``), for ``year``. ``source`` names the draft in errors."""

    year: int
    draft: Mapping[str, object] | None = None
    agreement_id: str | None = None
    replay: bool = False
    shares: tuple[Decimal, ...] = ()
    volumes: tuple[int, ...] = ()
    home_agb: str | None = None
    hours: tuple[sim.PlannedHours, ...] = ()
    source: str = FILE


def parse_draft(draft: Mapping[str, object], dataset: Dataset, *, source: str = FILE) -> Agreement:
    """The draft checked as one agreement of ``agreements.json`` against the dataset's
    hospitals, insurers and price lists; ``DatasetInvalid`` names every error in ``source``."""
    agreements, errors, _ = parse_agreements(
        json.dumps([draft]),
        hospitals=set(dataset.hospitals["agb"].astype("str")),
        insurers=set(dataset.insurers["uzovi"].astype("str")),
        price_lists=set(dataset.prices["price_list"].astype("str")),
        known_ids={a.agreement_id for a in dataset.agreements},
    )
    if errors or not agreements:
        raise DatasetInvalid(
            [replace(e, file=source) for e in errors]
            or [DatasetError(source, 0, "(json)", "no agreement")]
        )
    return agreements[0]


def _check_request(request: SimulationRequest, agreement: Agreement) -> None:
    problems = []
    if request.home_agb is not None and request.home_agb not in agreement.parties:
        problems.append(("home_agb", f"{request.home_agb} is not a party of the agreement"))
    for i, h in enumerate(request.hours):
        if h.employer_agb not in agreement.parties or h.host_agb not in agreement.parties:
            problems.append((f"hours[{i}]", "employer and host must be parties"))
        elif h.employer_agb == h.host_agb:
            problems.append((f"hours[{i}]", "employer and host must differ"))
        elif h.hours_hundredths <= 0:
            problems.append((f"hours[{i}]", "hours must be more than 0"))
    if any(not (Decimal(0) < s <= Decimal(1)) for s in request.shares):
        problems.append(("shares", "every share must be more than 0 and at most 1"))
    if any(v < -100 for v in request.volumes):
        problems.append(("volumes", "a volume change is at least -100 (percent)"))
    if len(request.shares or (0,)) * len(request.volumes or (0,)) > MAX_ROWS:
        problems.append(("shares", f"at most {MAX_ROWS} shares x volumes in one simulation"))
    # Every planned patient is a DBC in memory: a plan beyond the largest alliance's year is
    # a slip (or a request meant to exhaust the server), refused before anything is built.
    most = max((0, *request.volumes))
    planned = sum(
        sim.scaled(sim.planned_volume(c, year=request.year) or 0, most)
        for c in agreement.care_types
    )
    if planned > MAX_PLANNED:
        problems.append(
            ("planned_volume", f"{planned:,} DBCs to simulate; at most {MAX_PLANNED:,}")
        )
    if problems:
        raise DatasetInvalid([DatasetError("request", 0, c, m) for c, m in problems])


def simulate_agreement(
    dataset: Dataset, agreement: Agreement, request: SimulationRequest
) -> sim.SimulationReport:
    """Simulate ``agreement`` on ``dataset`` as ``request`` asks."""
    _check_request(request, agreement)
    year = request.year
    plan = sim.from_plan(
        agreement, dataset.prices, dataset.agreements, year=year,
        home_agb=request.home_agb, hours=request.hours,
    )  # fmt: skip
    replayed = None
    if request.replay:
        replayed = sim.replay(
            agreement, dataset.dbcs, dataset.prices, dataset.agreements, year=year,
            hours=dataset.hours,
        )  # fmt: skip
    rows: tuple[sim.SensitivityRow, ...] = ()
    if request.shares or request.volumes:
        shares = request.shares or (None,)
        volumes = request.volumes or (0,)
        rows = tuple(
            row
            for share in shares
            for row in _rows(dataset, agreement, request, share=share, volumes=volumes)
        )
    names = dict(
        zip(
            dataset.hospitals["agb"].astype("str"),
            dataset.hospitals["name"].astype("str"),
            strict=True,
        )
    )
    return sim.SimulationReport(
        agreement, plan, replayed, rows, request.shares, request.volumes, names
    )


def _rows(
    dataset: Dataset,
    agreement: Agreement,
    request: SimulationRequest,
    *,
    share: Decimal | None,
    volumes: tuple[int, ...],
) -> list[sim.SensitivityRow]:
    out = []
    for percent in volumes:
        s = sim.from_plan(
            agreement, dataset.prices, dataset.agreements, year=request.year,
            home_agb=request.home_agb, hours=request.hours, volume_percent=percent, share=share,
        )  # fmt: skip
        agreed = _agreed_share(agreement)
        out.append(sim.SensitivityRow(share if share is not None else agreed, percent, s.parties))
    return out


def _agreed_share(agreement: Agreement) -> Decimal:
    """The share the agreement gives (its first ``odv_benchmark`` one; 1 without)."""
    for care in agreement.care_types:
        terms = (
            care.settlement if care.settlement.method != "parallel" else care.settlement.otherwise
        )
        if terms is not None and terms.share is not None:
            return terms.share
    return Decimal(1)


def simulate_dataset(dataset: Dataset, request: SimulationRequest) -> sim.SimulationReport:
    """Simulate on a dataset read from files (or everything stored): the draft, or the
    dataset's agreement of ``request.agreement_id`` at whatever stage."""
    return simulate_agreement(dataset, _agreement(dataset, request), request)


def _agreement(dataset: Dataset, request: SimulationRequest) -> Agreement:
    if request.draft is not None:
        return parse_draft(request.draft, dataset, source=request.source)
    found = [a for a in dataset.agreements if a.agreement_id == request.agreement_id]
    if not found:
        raise NotFound(f"there is no agreement {request.agreement_id!r}")
    return found[0]


def check_simulate(principal: Principal) -> None:
    """Whether ``principal`` may simulate: the bureau and the hospitals of an agreement. An
    insurer is not told what hospitals would settle between them."""
    require(principal, "admin", "bureau", "hospital")


def simulate_stored(
    connection: Connection, principal: Principal, request: SimulationRequest
) -> sim.SimulationReport:
    """Simulate on the stored data, read only: a stored agreement ``principal`` may see, or a
    draft between hospitals of its tenant (a hospital: one it is a party to; a bureau: all
    parties in its alliance)."""
    check_simulate(principal)
    if request.draft is None:
        visible = set(visibility.visible_agreement_ids(connection, principal))
        if request.agreement_id not in visible or not stored_agreements(
            connection, {str(request.agreement_id)}
        ):
            raise NotFound(f"there is no agreement {request.agreement_id!r}")
    dataset = load_dataset(connection)
    agreement = _agreement(dataset, request)
    if request.draft is not None and not principal.is_admin:
        if principal.role == "hospital" and principal.agb not in agreement.parties:
            raise Forbidden("a hospital may simulate only an agreement it is a party to")
        if principal.role == "bureau" and not set(agreement.parties) <= visibility.alliance(
            connection, principal
        ):
            raise Forbidden(
                "a bureau may simulate only agreements between its alliance's hospitals"
            )
    report = simulate_agreement(dataset, agreement, request)
    if principal.role == "hospital" and report.replay is not None:
        # A hospital sees of the real year what concerns it, as it sees a run's lines: the
        # DBCs it performed or requested, and the other parties' figures with it alone.
        agb = principal.agb
        r = report.replay
        report = replace(
            report,
            replay=replace(
                r,
                parties=sim.figures(r.with_, r.base, agreement.parties, concerning=agb),
                changes=tuple(c for c in r.changes if agb in (c.agb, c.requesting_agb)),
                excluded=tuple(e for e in r.excluded if agb in (e[0], e[2])),
            ),
        )
    return report
