"""ZH308 declaration files (Vektis EI v9.0) uploaded as they were received.

Served only by a server that has an alliance key (``SPREIDING_ALLIANCE_KEY_FILE``): without
one it cannot pseudonymise, and the route does not exist (404) rather than fail every call.
A key file that turns out unusable at a request is the operator's fault: 503."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from api.deps import Caller, Db
from api.errors import RESPONSES, ErrorBody
from spreiding.config import Settings
from spreiding.services import formats

router = APIRouter(responses=RESPONSES)


def install(app: FastAPI) -> None:
    """Serve the upload when the server is configured with an alliance key."""
    if Settings().alliance_key_file is not None:
        app.include_router(router)


class Zh308ImportPublic(BaseModel):
    """What the files held and what was stored: ``declarations`` and ``credits`` (lines with
    a 459 link), ``activities`` and ``elsewhere`` (activities with 1616, performed at another
    institution); ``added``/``unchanged`` per table as for a dataset upload."""

    declarations: int
    credits: int
    activities: int
    elsewhere: int
    added: dict[str, int]
    unchanged: dict[str, int]


def _unavailable(detail: str) -> JSONResponse:
    return JSONResponse(
        status_code=503,
        content=ErrorBody(error="AllianceKeyUnavailable", detail=detail).model_dump(),
    )


@router.post(
    "/declarations/zh308",
    response_model=Zh308ImportPublic,
    status_code=201,
    tags=["data"],
    responses={503: {"model": ErrorBody, "description": "The alliance key cannot be used"}},
)
def upload_zh308(files: list[UploadFile], db: Db, caller: Caller) -> JSONResponse:
    """Upload ZH308 v9.0 files: every record checked (errors as ``FILE:LINE: field NNN NAME:
    message``), each BSN pseudonymised with the server's alliance key, the declarations
    stored against the stored hospitals, insurers and DBCs: all or nothing."""
    path = Settings().alliance_key_file
    if path is None:
        return _unavailable("no alliance key is configured (SPREIDING_ALLIANCE_KEY_FILE)")
    try:
        key = formats.load_key(path)
    except formats.KeyFileProblem:
        # The path and the reason are for the server's operator, not for the caller.
        return _unavailable("the server's alliance key file cannot be used")
    contents = {Path(u.filename or "upload").name: u.file.read() for u in files}
    done = formats.store_zh308(db, caller, contents, key)
    assert done.report is not None
    body = Zh308ImportPublic(
        declarations=len(done.content.declarations),
        credits=len(done.content.credits),
        activities=len(done.content.activities),
        elsewhere=sum(1 for a in done.content.activities if a.performed_at),
        added=done.report.added,
        unchanged=done.report.unchanged,
    )
    return JSONResponse(status_code=201, content=body.model_dump())
