"""Volumes of a year per care type (docs/data-format.md §7), for the parties and bureau of an
alliance."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api import convert, schemas
from api.deps import Caller, Db
from api.errors import RESPONSES
from spreiding.domain.years import FIRST_YEAR, LAST_YEAR
from spreiding.services import volumes

router = APIRouter(responses=RESPONSES, tags=["volumes"])


@router.get("/volumes", response_model=schemas.VolumesPublic)
def get_volumes(
    db: Db,
    caller: Caller,
    year: Annotated[int, Query(ge=FIRST_YEAR, le=LAST_YEAR, description="Four digits")],
) -> schemas.VolumesPublic:
    return convert.volumes(volumes.stored_volumes(db, caller, year=year))
