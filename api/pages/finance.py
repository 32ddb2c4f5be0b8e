"""Hospital finance: the runs per year, a run's flows, positions, payments and excluded DBCs,
and each pair's statement with its lines a page at a time and its PDF; on a draft run's
statement the hospital accepts or disputes each of its pairs (``spreiding.services.signoff``)
and every role that may read the statement sees who accepted or disputed what."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import Db, RunId, get_now
from api.pages.common import PREFIX, PageRoute, page
from api.pages.session import PageViewer, Viewer, check_csrf
from api.paths import TextId
from api.routes import runs as run_routes
from spreiding.domain.run_errors import RunAlreadyFinal, SignoffInvalid
from spreiding.render import web
from spreiding.services import payments, reference, settlement, signoff, statements
from spreiding.services.errors import NotFound

router = APIRouter(prefix=PREFIX, route_class=PageRoute, include_in_schema=False)
LINES_PER_PAGE = 25
EXCLUDED_PER_PAGE = 100
FormText = Annotated[str, Form(max_length=10_000)]
GENERAL = "_"


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
    return _statement_page(request, db, viewer, run_id, first, second, pagina=pagina)


def _statement_page(
    request: Request,
    db: Db,
    viewer: Viewer,
    run_id: int,
    first: str,
    second: str,
    *,
    pagina: int = 1,
    form: dict[str, str] | None = None,
    errors: dict[str, dict[str, list[str]]] | None = None,
    status: int = 200,
) -> HTMLResponse:
    statement = statements.statement(db, viewer.principal, run_id, first, second)
    lines = [(direction, line) for direction in statement.directions for line in direction.lines]
    pages = max(1, -(-len(lines) // LINES_PER_PAGE))
    pagina = min(pagina, pages)
    start = (pagina - 1) * LINES_PER_PAGE
    both = {statement.first.agb, statement.second.agb}
    signed = [
        state
        for state in signoff.pair_states(db, viewer.principal, run_id)
        if {state.debtor_agb, state.creditor_agb} == both
    ]
    return page(
        request,
        "overzicht.html",
        viewer,
        status=status,
        statement=statement,
        lines=lines[start : start + LINES_PER_PAGE],
        first_line=start + 1,
        line_count=len(lines),
        page_number=pagina,
        pages=pages,
        base=f"{PREFIX}/verrekeningen/{run_id}/overzicht/{statement.first.agb}/{statement.second.agb}",
        signoff=signed,
        hospital_names={
            statement.first.agb: statement.first.name,
            statement.second.agb: statement.second.name,
        },
        may_sign=viewer.principal.role == "hospital" and statement.status == "draft",
        form=form or {},
        errors=errors or {},
    )


@router.post("/verrekeningen/{run_id}/overzicht/{first}/{second}/aftekenen")
def sign_pair(
    request: Request,
    run_id: RunId,
    first: TextId,
    second: TextId,
    db: Db,
    viewer: PageViewer,
    csrf: FormText = "",
    debtor: FormText = "",
    creditor: FormText = "",
    besluit: FormText = "",
    reden: FormText = "",
    regels: FormText = "",
) -> Response:
    """The session's hospital accepts (``besluit=accept``) or disputes (``besluit=dispute``,
    with ``reden`` and the ids of the lines it is about in ``regels``) the pair debtor→creditor
    of the statement of ``first`` and ``second``."""
    check_csrf(csrf, viewer.csrf)
    if {debtor, creditor} != {first, second}:
        raise NotFound(f"there is no pair {debtor}→{creditor} on this statement")
    pair = f"{debtor}-{creditor}"
    named = regels.replace(",", " ").split()
    try:
        with db.begin_nested():  # nothing of a refused decision is kept
            signoff.sign(
                db, viewer.principal, run_id, debtor, creditor, decision=besluit,
                reason=reden if besluit == signoff.DISPUTE else None,
                lines=named if besluit == signoff.DISPUTE else (),
            )  # fmt: skip
    except SignoffInvalid as exc:
        form = {"pair": pair, "reden": reden, "regels": regels}
        errors = {pair: _signoff_errors(besluit, reden, exc)}
        return _statement_page(
            request, db, viewer, run_id, first, second, form=form, errors=errors, status=422
        )
    except RunAlreadyFinal:
        errors = {pair: {GENERAL: ["de run is definitief; er valt niets meer af te tekenen."]}}
        return _statement_page(
            request, db, viewer, run_id, first, second, errors=errors, status=409
        )
    base = f"{PREFIX}/verrekeningen/{run_id}/overzicht/{first}/{second}"
    return RedirectResponse(f"{base}#aftekenen", status_code=303)


def _signoff_errors(decision: str, reason: str, exc: SignoffInvalid) -> dict[str, list[str]]:
    """The service's refusal in Dutch, at the field it is about."""
    if decision not in (signoff.ACCEPT, signoff.DISPUTE):
        return {GENERAL: ["kies akkoord of betwisten."]}
    text = reason.strip()
    if not text:
        return {"reden": ["Geef de reden van de betwisting."]}
    if len(text) > signoff.REASON_LENGTH:
        return {"reden": [f"De reden is langer dan {signoff.REASON_LENGTH} tekens."]}
    unknown = str(exc).rpartition(": ")[2]
    return {"regels": [f"Geen regel van dit paar: {unknown}."]}


@router.get("/verrekeningen/{run_id}/overzicht/{first}/{second}/pdf")
def statement_pdf(
    run_id: RunId, first: TextId, second: TextId, db: Db, viewer: PageViewer
) -> Response:
    """The API's own PDF endpoint, called with the session's principal."""
    return run_routes.get_statement_pdf(run_id, first, second, db, viewer.principal)
