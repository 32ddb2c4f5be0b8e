"""The datasets imported, for the administrator: each ``dataset.import`` event of the log
(``spreiding.services.trail``), with its time, who imported it and how many rows of each file
it added (the event's payload). Other roles get the refusal page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from api.deps import Db
from api.pages.common import PREFIX, PageRoute, page
from api.pages.session import PageViewer
from spreiding.services import trail
from spreiding.services.access import require

router = APIRouter(prefix=PREFIX, route_class=PageRoute, include_in_schema=False)
PER_PAGE = 100
KIND = "dataset.import"


@router.get("/datasets")
def datasets_page(
    request: Request,
    db: Db,
    viewer: PageViewer,
    na: Annotated[int, Query(ge=0, le=2**62)] = 0,
) -> HTMLResponse:
    require(viewer.principal, "admin")
    found = trail.list_events(db, viewer.principal, kind=KIND, after=na, limit=PER_PAGE + 1)
    imports = [
        {"event": event, "added": sorted(dict(event.payload.get("added", {})).items())}
        for event in found[:PER_PAGE]
    ]
    return page(
        request,
        "datasets.html",
        viewer,
        imports=imports,
        next_after=found[PER_PAGE - 1].seq if len(found) > PER_PAGE else None,
        after=na,
    )
