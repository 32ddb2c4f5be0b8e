"""Domain errors to HTTP statuses, in one place, with one body: ``{"error", "detail"}``."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from spreiding.domain.access import InvalidKeyRequest, TooManyFailedAttempts
from spreiding.domain.errors import DatasetConflict, DatasetInvalid
from spreiding.domain.payments import (
    NettingPaymentNotFinal,
    PaymentAlreadyRegistered,
    PaymentExceedsOpenAmount,
    PaymentInvalid,
)
from spreiding.domain.run_errors import (
    CorrectionOutdated,
    NothingToSettle,
    RunAlreadyFinal,
    RunNotFound,
    RunNotSignedOff,
    SettlementAlreadyFinal,
    SignoffInvalid,
)
from spreiding.services.errors import CursorInvalid, Forbidden, NotFound, WriteNotPermitted
from spreiding.store.runs import FinalRunConflict


class ErrorBody(BaseModel):
    error: str
    detail: str | list[str]


class Unauthenticated(Exception):
    """No API key, or one that is not known."""


class IdempotencyConflict(Exception):
    """An Idempotency-Key used before with another request body."""


STATUS: dict[type[Exception], int] = {
    Unauthenticated: 401,
    Forbidden: 403,
    WriteNotPermitted: 403,
    NotFound: 404,
    RunNotFound: 404,
    DatasetConflict: 409,
    SettlementAlreadyFinal: 409,
    RunAlreadyFinal: 409,
    CorrectionOutdated: 409,
    RunNotSignedOff: 409,
    SignoffInvalid: 422,
    FinalRunConflict: 409,
    IdempotencyConflict: 409,
    DatasetInvalid: 422,
    InvalidKeyRequest: 422,
    CursorInvalid: 422,
    NothingToSettle: 422,
    PaymentAlreadyRegistered: 409,
    NettingPaymentNotFinal: 409,
    PaymentExceedsOpenAmount: 422,
    PaymentInvalid: 422,
    TooManyFailedAttempts: 429,
}

# Declared on every route, so the OpenAPI document names each error body.
RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": description}
    for status, description in (
        (400, "The request body cannot be read"),
        (401, "No API key, or an unknown one"),
        (403, "The key's role may not do this"),
        (404, "Not found, or not visible to this key"),
        (409, "In conflict with stored data"),
        (422, "The request or its data breaks the contract"),
        (429, "Too many failed authentications; Retry-After gives the seconds to wait"),
    )
}


def body_of(exc: Exception) -> ErrorBody:
    if isinstance(exc, DatasetInvalid):
        return ErrorBody(error="DatasetInvalid", detail=[str(e) for e in exc.errors])
    if isinstance(exc, WriteNotPermitted):
        return ErrorBody(error="WriteNotPermitted", detail=[str(e) for e in exc.errors])
    if isinstance(exc, DatasetConflict):
        return ErrorBody(error="DatasetConflict", detail=list(exc.conflicts))
    return ErrorBody(error=type(exc).__name__, detail=str(exc))


def install(app: FastAPI) -> None:
    async def domain_error(_request: Request, exc: Exception) -> JSONResponse:
        headers = (
            {"Retry-After": str(exc.retry_after)}
            if isinstance(exc, TooManyFailedAttempts)
            else None
        )
        return JSONResponse(
            status_code=STATUS[type(exc)], content=body_of(exc).model_dump(), headers=headers
        )

    for error in STATUS:
        app.add_exception_handler(error, domain_error)

    async def invalid_request(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        detail = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
        return JSONResponse(status_code=422, content={"error": "RequestInvalid", "detail": detail})

    app.add_exception_handler(RequestValidationError, invalid_request)

    async def http_error(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        name = {400: "BodyUnreadable", 404: "NotFound", 405: "MethodNotAllowed"}.get(
            exc.status_code, "HTTPError"
        )
        return JSONResponse(
            status_code=exc.status_code,
            content={"error": name, "detail": str(exc.detail)},
            headers=getattr(exc, "headers", None),
        )

    app.add_exception_handler(StarletteHTTPException, http_error)
