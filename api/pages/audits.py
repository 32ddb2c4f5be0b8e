"""The insurer's audit: its audit runs, and a run's findings filtered by rule, hospital and
amount at stake, with the money at stake of what is shown summed; CSV and XLSX through the
API's own endpoint."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

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
    sinds: Filter = "",
    tot_en_met: Filter = "",
) -> HTMLResponse:
    run = audit.audit_run(db, viewer.principal, run_id)
    found = audit.findings(db, viewer.principal, run_id)
    # The line each finding rests on: its patient, product and period.
    details = audit.stored_details(db, viewer.principal, found) if found else []
    low, high = web.parse_euro(vanaf), web.parse_euro(tot)
    errors = {
        name: "Vul een bedrag in, bijvoorbeeld 1.234,56."
        for name, text, cents in (("vanaf", vanaf, low), ("tot", tot, high))
        if text.strip() and cents is None
    }
    first, last = _day(sinds), _day(tot_en_met)
    errors |= {
        name: "Vul een datum in."
        for name, text, day in (("sinds", sinds, first), ("tot_en_met", tot_en_met, last))
        if text.strip() and day is None
    }
    # Without a bound, every amount passes (amounts are int64 cents).
    lowest = -(2**63) if low is None else low
    highest = 2**63 if high is None else high
    shown = [
        (f, detail)
        for f, detail in zip(found, details, strict=True)
        if (not regel or f.rule == regel)
        and (not ziekenhuis or f.agb == ziekenhuis)
        and lowest <= (f.amount_at_stake_cents or 0) <= highest
        and _in_period(detail, first, last)
    ]
    return page(
        request,
        "controle.html",
        viewer,
        status=422 if errors else 200,
        run=run,
        findings=shown,
        finding_count=len(found),
        at_stake=sum(f.amount_at_stake_cents or 0 for f, _ in shown),
        rules=sorted({f.rule for f in found}),
        hospitals=sorted({f.agb for f in found}),
        names=reference.hospital_names(db),
        filters={
            "regel": regel,
            "ziekenhuis": ziekenhuis,
            "vanaf": vanaf,
            "tot": tot,
            "sinds": sinds,
            "tot_en_met": tot_en_met,
        },
        errors=errors,
    )


def _day(text: str) -> date | None:
    """A date typed as 2024-03-23 (a date field) or 23-03-2024; None if it is neither."""
    text = text.strip()
    for pattern in ("%Y-%m-%d", "%d-%m-%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def _in_period(detail: dict[str, Any], first: date | None, last: date | None) -> bool:
    """Whether the period of a finding's line (start to end) meets the chosen days; a line
    without a period is shown only when no day is chosen."""
    if first is None and last is None:
        return True
    start, end = detail.get("start_date"), detail.get("end_date") or detail.get("start_date")
    if start is None or end is None:
        return False
    return (first is None or end >= first) and (last is None or start <= last)


@router.get("/controles/{run_id}/bevindingen.{extension}")
def findings_download(
    run_id: RunId, extension: Literal["csv", "xlsx"], db: Db, viewer: PageViewer
) -> Response:
    """The API's own findings endpoint, called with the session's principal."""
    response = audit_routes.get_findings(run_id, db, viewer.principal, format=extension)
    if extension == "csv":
        response.headers["Content-Disposition"] = f'attachment; filename="audit-run-{run_id}.csv"'
    return response
