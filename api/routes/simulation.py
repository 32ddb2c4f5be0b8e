"""Simulations (issue 12): what an agreement would move, for the bureau and the hospitals of
the agreement. Computed on the stored data; nothing is stored, so the answer is 200.

The request and response schemas are kept here, beside the one route that uses them."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, model_validator

from api import schemas
from api.deps import Caller, Db
from api.errors import RESPONSES
from api.routes.agreements import contract_json
from settlement.simulation import PlannedHours
from spreiding.domain.years import FIRST_YEAR, LAST_YEAR
from spreiding.render.simulation import report_to_dict, sensitivity_svg
from spreiding.render.simulation_pdf import render_simulation
from spreiding.services import simulation

router = APIRouter(responses=RESPONSES, tags=["simulations"])
SHARE = r"^(0(\.[0-9]{1,6})?|1(\.0{1,6})?)$"
HOURS = r"^[0-9]{1,6}(\.[0-9]{1,2})?$"


class PlannedHoursCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    employer_agb: str = Field(pattern=r"^[0-9]{8}$")
    host_agb: str = Field(pattern=r"^[0-9]{8}$")
    role: str = Field(min_length=1, max_length=100)
    hours: str = Field(pattern=HOURS, description="Hours in the year, two decimals at most")


class SimulationCreate(BaseModel):
    """A stored agreement (``agreement_id``) or a draft (``agreement``, the contract's JSON
    object of one agreement), and what to compute for ``year``."""

    model_config = ConfigDict(extra="forbid")
    year: int = Field(ge=FIRST_YEAR, le=LAST_YEAR)
    agreement_id: str | None = Field(default=None, max_length=200)
    agreement: schemas.AgreementCreate | None = Field(
        default=None, description="A draft, in the shape POST /agreements takes"
    )
    replay: bool = False
    shares: list[str] = Field(default_factory=list, max_length=50)
    volumes: list[int] = Field(default_factory=list, max_length=50)
    home_agb: str | None = Field(default=None, pattern=r"^[0-9]{8}$")
    hours: list[PlannedHoursCreate] = Field(default_factory=list, max_length=100)

    @model_validator(mode="after")
    def one_agreement(self) -> SimulationCreate:
        if (self.agreement_id is None) == (self.agreement is None):
            raise ValueError("give exactly one of agreement_id and agreement")
        for share in self.shares:
            if not re.match(SHARE, share) or Decimal(share) == 0:
                raise ValueError(f"{share!r} is not a share (0 < share <= 1)")
        if any(not -100 <= v <= 1000 for v in self.volumes):
            raise ValueError("a volume change is a percentage from -100 to 1000")
        return self


class SimulationPublic(BaseModel):
    year: int
    agreement_id: str
    plan: dict[str, Any]
    replay: dict[str, Any] | None
    sensitivity: list[dict[str, Any]]
    chart_svg: str = Field(description="The sensitivity chart (SVG), empty without one")


def _request(body: SimulationCreate) -> simulation.SimulationRequest:
    return simulation.SimulationRequest(
        year=body.year,
        draft=None if body.agreement is None else contract_json(body.agreement),
        agreement_id=body.agreement_id,
        replay=body.replay,
        shares=tuple(Decimal(s) for s in body.shares),
        volumes=tuple(body.volumes),
        home_agb=body.home_agb,
        hours=tuple(
            PlannedHours(h.employer_agb, h.host_agb, h.role, int(Decimal(h.hours) * 100))
            for h in body.hours
        ),
        source="request",
    )


@router.post("/simulations", response_model=SimulationPublic)
def create_simulation(db: Db, caller: Caller, body: SimulationCreate) -> SimulationPublic:
    report = simulation.simulate_stored(db, caller, _request(body))
    chart = ""
    if report.sensitivity:
        title = f"Saldo per ziekenhuis, {report.agreement.name} {body.year}"
        chart = sensitivity_svg(report.sensitivity, names=report.names, title=title)
    return SimulationPublic(**report_to_dict(report), chart_svg=chart)


@router.post(
    "/simulations/pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "The board's summary"}},
)
def create_simulation_pdf(db: Db, caller: Caller, body: SimulationCreate) -> Response:
    report = simulation.simulate_stored(db, caller, _request(body))
    name = f"simulatie-{report.agreement.agreement_id}-{body.year}.pdf"
    return Response(
        render_simulation(report),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
