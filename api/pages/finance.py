"""Hospital finance: the runs per year, a run's flows, positions, payments and excluded DBCs,
and each pair's statement with its lines a page at a time and its PDF."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import Db, RunId, get_now
from api.pages.common import PREFIX, PageRoute, page
from api.pages.session import PageViewer
from api.paths import TextId
from api.routes import runs as run_routes
from spreiding.render import web
from spreiding.services import payments, reference, settlement, statements

router = APIRouter(prefix=PREFIX, route_class=PageRoute, include_in_schema=False)
LINES_PER_PAGE = 25
EXCLUDED_PER_PAGE = 100


@router.get("/verrekeningen")
def runs_page(
    request: Request, db: Db, viewer: PageViewer, now: Annotated[datetime, Depends(get_now)]
) -> HTMLResponse:
    found = settlement.list_runs(db, viewer.principal)
    years = sorted({run.year for run in found}, reverse=True)
    by_year = [(year, [run for run in found if run.year == year]) for year in years]
    # What is still to pay and to receive over every final run, all alliances together.
    balances = (
        payments.hospital_balances(db, viewer.principal, today=now.date())
        if viewer.principal.role in ("admin", "hospital")
        else []
    )
    return page(
        request,
        "verrekeningen.html",
        viewer,
        by_year=by_year,
        balances=balances,
        names=reference.hospital_names(db),
    )


@router.get("/verrekeningen/{run_id}")
def run_page(
    request: Request,
    run_id: RunId,
    db: Db,
    viewer: PageViewer,
    now: Annotated[datetime, Depends(get_now)],
    reden: Annotated[str, Query(max_length=40)] = "",
    pagina: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> HTMLResponse:
    view = settlement.get_run(db, viewer.principal, run_id)
    # A final run's payments with what was paid against each and when each is due.
    netting = (
        payments.netting_payments(db, viewer.principal, today=now.date(), run_id=run_id)
        if view.run.status == "final"
        else []
    )
    pairs = statements.statement_pairs(db, viewer.principal, run_id)
    names = reference.hospital_names(db)
    result = view.result
    flows = [
        web.Flow(names.get(str(f), str(f)), names.get(str(t), str(t)), int(a))
        for f, t, a in zip(
            result.payments["from_agb"],
            result.payments["to_agb"],
            result.payments["amount_cents"],
            strict=True,
        )
    ]
    excluded = [
        {key: str(value) for key, value in row.items()}
        for row in result.excluded.to_dict("records")
    ]
    reasons = sorted({row["reason"] for row in excluded})
    chosen = [row for row in excluded if not reden or row["reason"] == reden]
    pages = max(1, -(-len(chosen) // EXCLUDED_PER_PAGE))
    pagina = min(pagina, pages)
    start = (pagina - 1) * EXCLUDED_PER_PAGE
    return page(
        request,
        "verrekening.html",
        viewer,
        run=view.run,
        names=names,
        chart=web.flows_svg(flows),
        payments=flows,
        netting=netting,
        positions=result.positions.to_dict("records"),
        pairs=pairs,
        excluded=chosen[start : start + EXCLUDED_PER_PAGE],
        excluded_first=start + 1,
        excluded_chosen=len(chosen),
        excluded_total=len(excluded),
        page_number=pagina,
        pages=pages,
        reasons=reasons,
        reason=reden,
    )


@router.get("/verrekeningen/{run_id}/overzicht/{first}/{second}")
def statement_page(
    request: Request,
    run_id: RunId,
    first: TextId,
    second: TextId,
    db: Db,
    viewer: PageViewer,
    pagina: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> HTMLResponse:
    statement = statements.statement(db, viewer.principal, run_id, first, second)
    lines = [(direction, line) for direction in statement.directions for line in direction.lines]
    pages = max(1, -(-len(lines) // LINES_PER_PAGE))
    pagina = min(pagina, pages)
    start = (pagina - 1) * LINES_PER_PAGE
    return page(
        request,
        "overzicht.html",
        viewer,
        statement=statement,
        lines=lines[start : start + LINES_PER_PAGE],
        first_line=start + 1,
        line_count=len(lines),
        page_number=pagina,
        pages=pages,
        base=f"{PREFIX}/verrekeningen/{run_id}/overzicht/{statement.first.agb}/{statement.second.agb}",
    )


@router.get("/verrekeningen/{run_id}/overzicht/{first}/{second}/pdf")
def statement_pdf(
    run_id: RunId, first: TextId, second: TextId, db: Db, viewer: PageViewer
) -> Response:
    """The API's own PDF endpoint, called with the session's principal."""
    return run_routes.get_statement_pdf(run_id, first, second, db, viewer.principal)
