"""Simulating a stored agreement (issue 12) for the bureau and the hospitals of an agreement:
a form with the agreement, the year and whether to replay the year's real DBCs; the answer is
each party's figures from plan (and replayed) and the sensitivity chart over the shares. The
same service as ``POST /simulations`` with the principal of the session's key; nothing is
stored. An agreement the key may not see reads as one that does not exist, next to its
field."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import Connection

from api.deps import Db
from api.pages.common import PREFIX, PageRoute, page
from api.pages.session import PageViewer, Viewer, check_csrf
from settlement.simulation import SimulationReport
from spreiding.domain.errors import DatasetInvalid
from spreiding.domain.years import FIRST_YEAR, LAST_YEAR
from spreiding.render.simulation import sensitivity_svg
from spreiding.services import agreements, simulation
from spreiding.services.errors import NotFound

router = APIRouter(prefix=PREFIX, route_class=PageRoute, include_in_schema=False)
FormText = Annotated[str, Form(max_length=1000)]
GENERAL = "_"  # an error about the whole form
UNKNOWN = "Deze overeenkomst bestaat niet of u mag haar niet simuleren."
VOLUMES = (0,)  # the chart: the net per share at the planned volume


def _page(
    request: Request,
    db: Connection,
    viewer: Viewer,
    *,
    form: dict[str, str],
    errors: dict[str, list[str]] | None = None,
    report: SimulationReport | None = None,
    chart: str = "",
    status: int = 200,
) -> HTMLResponse:
    return page(
        request,
        "simulatie.html",
        viewer,
        status=status,
        agreements=agreements.list_agreements(db, viewer.principal),
        form=form,
        errors=errors or {},
        report=report,
        chart=chart,
    )


@router.get("/simulatie")
def simulation_form(request: Request, db: Db, viewer: PageViewer) -> HTMLResponse:
    simulation.check_simulate(viewer.principal)
    form = {"agreement_id": "", "year": str(date.today().year), "replay": ""}
    return _page(request, db, viewer, form=form)


@router.post("/simulatie")
def simulate(
    request: Request,
    db: Db,
    viewer: PageViewer,
    csrf: FormText = "",
    agreement_id: FormText = "",
    year: FormText = "",
    replay: FormText = "",
) -> HTMLResponse:
    check_csrf(csrf, viewer.csrf)
    simulation.check_simulate(viewer.principal)
    form = {"agreement_id": agreement_id, "year": year, "replay": replay}
    errors: dict[str, list[str]] = {}
    if not agreement_id.strip():
        errors["agreement_id"] = ["Kies een overeenkomst."]
    text = year.strip()
    if not (text.isascii() and text.isdigit() and FIRST_YEAR <= int(text) <= LAST_YEAR):
        errors["year"] = [f"Vul een jaar in van {FIRST_YEAR} tot en met {LAST_YEAR}."]
    if errors:
        return _page(request, db, viewer, form=form, errors=errors, status=422)
    asked = simulation.SimulationRequest(
        year=int(text),
        agreement_id=agreement_id.strip(),
        replay=bool(replay),
        shares=simulation.DEFAULT_SHARES,
        volumes=VOLUMES,
        source="request",
    )
    try:
        report = simulation.simulate_stored(db, viewer.principal, asked)
    except NotFound:  # another tenant's agreement reads as one that does not exist
        errors = {"agreement_id": [UNKNOWN]}
        return _page(request, db, viewer, form=form, errors=errors, status=422)
    except DatasetInvalid as exc:  # a plan too large to simulate
        errors = {GENERAL: [f"{e.column}: {e.message}" for e in exc.errors]}
        return _page(request, db, viewer, form=form, errors=errors, status=422)
    title = f"Saldo per ziekenhuis, {report.agreement.name} {asked.year}"
    chart = sensitivity_svg(report.sensitivity, names=report.names, title=title)
    return _page(request, db, viewer, form=form, report=report, chart=chart)
