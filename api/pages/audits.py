"""The insurer's audit: its audit runs, and a run's findings filtered by rule, hospital and
amount at stake, with the money at stake of what is shown summed; CSV and XLSX through the
API's own endpoint."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import Db, RunId
from api.pages.common import PREFIX, PageRoute, page
from api.pages.session import PageViewer
from api.routes import audit as audit_routes
from spreiding.render import web
from spreiding.services import audit, reference

router = APIRouter(prefix=PREFIX, route_class=PageRoute, include_in_schema=False)
Filter = Annotated[str, Query(max_length=40)]


@router.get("/controles")
def audit_runs_page(request: Request, db: Db, viewer: PageViewer) -> HTMLResponse:
    return page(request, "controles.html", viewer, runs=audit.audit_runs(db, viewer.principal))


@router.get("/controles/{run_id}")
def findings_page(
    request: Request,
    run_id: RunId,
    db: Db,
    viewer: PageViewer,
    regel: Filter = "",
    ziekenhuis: Filter = "",
    vanaf: Filter = "",
    tot: Filter = "",
) -> HTMLResponse:
    run = audit.audit_run(db, viewer.principal, run_id)
    found = audit.findings(db, viewer.principal, run_id)
    low, high = web.parse_euro(vanaf), web.parse_euro(tot)
    errors = {
        name: "Vul een bedrag in, bijvoorbeeld 1.234,56."
        for name, text, cents in (("vanaf", vanaf, low), ("tot", tot, high))
        if text.strip() and cents is None
    }
    # Without a bound, every amount passes (amounts are int64 cents).
    lowest = -(2**63) if low is None else low
    highest = 2**63 if high is None else high
    shown = [
        f
        for f in found
        if (not regel or f.rule == regel)
        and (not ziekenhuis or f.agb == ziekenhuis)
        and lowest <= (f.amount_at_stake_cents or 0) <= highest
    ]
    return page(
        request,
        "controle.html",
        viewer,
        status=422 if errors else 200,
        run=run,
        findings=shown,
        finding_count=len(found),
        at_stake=sum(f.amount_at_stake_cents or 0 for f in shown),
        rules=sorted({f.rule for f in found}),
        hospitals=sorted({f.agb for f in found}),
        names=reference.hospital_names(db),
        filters={"regel": regel, "ziekenhuis": ziekenhuis, "vanaf": vanaf, "tot": tot},
        errors=errors,
    )


@router.get("/controles/{run_id}/bevindingen.{extension}")
def findings_download(
    run_id: RunId, extension: Literal["csv", "xlsx"], db: Db, viewer: PageViewer
) -> Response:
    """The API's own findings endpoint, called with the session's principal."""
    response = audit_routes.get_findings(run_id, db, viewer.principal, format=extension)
    if extension == "csv":
        response.headers["Content-Disposition"] = f'attachment; filename="audit-run-{run_id}.csv"'
    return response
