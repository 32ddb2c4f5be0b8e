"""Audit runs and their findings (JSON, CSV, XLSX)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Header, Query
from fastapi.responses import JSONResponse, Response

from api import convert, schemas
from api.deps import Caller, Db, RunId
from api.errors import RESPONSES
from api.idempotency import respond
from spreiding.render.audit import audit_to_csv, audit_to_xlsx
from spreiding.render.csvout import CsvDialect
from spreiding.services import audit

router = APIRouter(responses=RESPONSES, tags=["audit"])
IdempotencyKey = Annotated[str | None, Header(description="Repeat-safe creation", max_length=200)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/audit-runs", response_model=list[schemas.AuditRunPublic])
def list_audit_runs(db: Db, caller: Caller) -> list[schemas.AuditRunPublic]:
    return [convert.audit_run(run) for run in audit.audit_runs(db, caller)]


@router.post(
    "/audit-runs",
    response_model=schemas.AuditRunPublic,
    status_code=201,
    responses={
        200: {"model": schemas.AuditRunPublic, "description": "The same inputs: the existing run"}
    },
)
def create_audit_run(
    body: schemas.AuditRunCreate, db: Db, caller: Caller, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    audit.check_audit(caller)  # before a kept response is replayed

    def produce() -> tuple[int, schemas.AuditRunPublic]:
        audited = audit.audit_year(db, caller, year=body.year)
        return (201 if audited.created else 200), convert.audit_run(audited.run)

    return respond(db, caller, idempotency_key, body.model_dump_json().encode(), produce)


@router.get("/audit-runs/{run_id}", response_model=schemas.AuditRunPublic)
def get_audit_run(run_id: RunId, db: Db, caller: Caller) -> schemas.AuditRunPublic:
    return convert.audit_run(audit.audit_run(db, caller, run_id))


@router.get(
    "/audit-runs/{run_id}/findings",
    response_model=list[schemas.FindingPublic],
    responses={
        200: {"content": {"text/csv": {}, XLSX: {}}, "description": "Findings the key may see"}
    },
)
def get_findings(
    run_id: RunId,
    db: Db,
    caller: Caller,
    format: Annotated[Literal["json", "csv", "xlsx"], Query()] = "json",
    csv_dialect: Annotated[
        CsvDialect,
        Query(
            description="standard: `,` and a decimal point; excel-nl: `;`, a decimal comma, "
            "a UTF-8 BOM and CRLF, as Dutch Excel opens it"
        ),
    ] = CsvDialect.standard,
) -> Response:
    findings = audit.findings(db, caller, run_id)
    if format == "json":
        return JSONResponse([convert.finding(f).model_dump() for f in findings])
    if format == "csv":
        return Response(audit_to_csv(findings, csv_dialect), media_type="text/csv; charset=utf-8")
    run = audit.audit_run(db, caller, run_id)
    return Response(
        audit_to_xlsx(findings, year=run.year, details=audit.stored_details(db, caller, findings)),
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="audit-run-{run_id}.xlsx"'},
    )
