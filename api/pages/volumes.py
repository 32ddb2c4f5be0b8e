"""Volumes against the plan, per care type and per week, for the bureau and the parties of
an alliance (the service of ``GET /volumes``)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from api.deps import Db
from api.pages.common import PREFIX, PageRoute, page
from api.pages.session import PageViewer
from spreiding.domain.years import FIRST_YEAR, LAST_YEAR
from spreiding.render import web
from spreiding.services import volumes

router = APIRouter(prefix=PREFIX, route_class=PageRoute, include_in_schema=False)


@router.get("/volumes")
def volumes_page(
    request: Request,
    db: Db,
    viewer: PageViewer,
    jaar: Annotated[int | None, Query(ge=FIRST_YEAR, le=LAST_YEAR)] = None,
) -> HTMLResponse:
    year = jaar or date.today().year
    found = volumes.stored_volumes(db, viewer.principal, year=year)
    rows = [
        {
            "row": row,
            "mark": web.plan_mark(row.patients, row.planned),
            "chart": web.weeks_svg(
                [web.Week(w.week, w.transfers, w.planned) for w in row.weeks],
                title=f"Overdrachten per week, {row.care_type} {year}",
            )
            if any(w.planned is not None for w in row.weeks) or row.transfers
            else "",
        }
        for row in found.rows
    ]
    return page(request, "volumes.html", viewer, year=year, rows=rows)
