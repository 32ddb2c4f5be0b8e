"""Audit runs and their findings (JSON, CSV, XLSX)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Header, Query
from fastapi.responses import JSONResponse, Response

from api import convert, schemas
from api.deps import Caller, Db, RunId, require
from api.errors import RESPONSES, NotFound
from api.idempotency import respond
from spreiding.render.audit import audit_to_csv, audit_to_xlsx
from spreiding.services.audits import finding_from_row, run_audit
from spreiding.store import visibility as queries
from spreiding.store.audits import AuditStore
from spreiding.store.datasets import load_dataset

router = APIRouter(responses=RESPONSES, tags=["audit"])
IdempotencyKey = Annotated[str | None, Header(description="Repeat-safe creation", max_length=200)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/audit-runs", response_model=list[schemas.AuditRunPublic])
def list_audit_runs(db: Db, caller: Caller) -> list[schemas.AuditRunPublic]:
    return [schemas.AuditRunPublic(**row) for row in queries.audit_runs(db, caller)]


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
    require(caller, "admin", "insurer")

    def produce() -> tuple[int, schemas.AuditRunPublic]:
        dataset = load_dataset(db)
        run, _, created = run_audit(
            AuditStore(db),
            dbcs=dataset.dbcs,
            agreements=dataset.agreements,
            declarations=dataset.declarations,
            transfers=dataset.transfers,
            year=body.year,
        )
        return (201 if created else 200), schemas.AuditRunPublic(
            run_id=run.run_id, year=run.year, fingerprint=run.fingerprint, findings=run.findings
        )

    return respond(db, caller, idempotency_key, body.model_dump_json().encode(), produce)


@router.get("/audit-runs/{run_id}", response_model=schemas.AuditRunPublic)
def get_audit_run(run_id: RunId, db: Db, caller: Caller) -> schemas.AuditRunPublic:
    row = queries.audit_run(db, caller, run_id)
    if row is None:
        raise NotFound(f"there is no audit run {run_id}")
    return schemas.AuditRunPublic(**row)


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
) -> Response:
    if queries.audit_run(db, caller, run_id) is None:
        raise NotFound(f"there is no audit run {run_id}")
    rows = queries.findings(db, caller, run_id)
    if format == "json":
        return JSONResponse([convert.finding(r).model_dump() for r in rows])
    findings = [finding_from_row(r) for r in rows]
    if format == "csv":
        return Response(audit_to_csv(findings), media_type="text/csv")
    return Response(
        audit_to_xlsx(findings),
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="audit-run-{run_id}.xlsx"'},
    )
