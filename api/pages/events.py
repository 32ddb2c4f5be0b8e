"""The event log (the service of ``GET /events``): who did what, when, oldest first, a hundred
at a time; each key reads the events the trail lets it read."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from api.deps import Db
from api.pages.common import PREFIX, PageRoute, page
from api.pages.session import PageViewer
from spreiding.services import trail

router = APIRouter(prefix=PREFIX, route_class=PageRoute, include_in_schema=False)
PER_PAGE = 100
KINDS_NL = {
    "agreement.create": "overeenkomst vastgelegd",
    "audit.run": "controle uitgevoerd",
    "dataset.import": "gegevens ingelezen",
    "hours.register": "uren geregistreerd",
    "key.create": "sleutel uitgegeven",
    "key.revoke": "sleutel ingetrokken",
    "payment.register": "betaling geregistreerd",
    "run.correct": "correctie berekend",
    "run.finalise": "run definitief gemaakt",
    "run.settle": "jaar verrekend",
    "transfer.register": "overdracht geregistreerd",
    "transfer.update": "status overdracht gewijzigd",
}


@router.get("/gebeurtenissen")
def events_page(
    request: Request,
    db: Db,
    viewer: PageViewer,
    na: Annotated[int, Query(ge=0, le=2**62)] = 0,
    soort: Annotated[str, Query(max_length=32)] = "",
) -> HTMLResponse:
    found = trail.list_events(
        db, viewer.principal, kind=soort or None, after=na, limit=PER_PAGE + 1
    )
    return page(
        request,
        "gebeurtenissen.html",
        viewer,
        events=found[:PER_PAGE],
        next_after=found[PER_PAGE - 1].seq if len(found) > PER_PAGE else None,
        kinds=KINDS_NL,
        kind=soort,
        after=na,
    )
