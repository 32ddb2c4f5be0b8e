"""Settlement runs and statements."""

from __future__ import annotations

from collections import OrderedDict
from typing import Annotated

from fastapi import APIRouter, Header
from fastapi.responses import JSONResponse, Response
from sqlalchemy import Connection

from api import convert, schemas
from api.deps import Caller, Db, RunId, require
from api.errors import RESPONSES, NotFound
from api.idempotency import respond
from settlement.engine import Settlement
from settlement.statement import Statement, build_pair_statement, pairs_of
from settlement.visibility import visible_part
from spreiding.domain.access import Principal
from spreiding.domain.runs import StoredRun
from spreiding.render.statement_pdf import render_statement, statement_file_name
from spreiding.services.runs import finalise, load_run, run_year
from spreiding.store import visibility as queries
from spreiding.store.datasets import load_dataset
from spreiding.store.runs import RunStore

router = APIRouter(responses=RESPONSES, tags=["settlement runs"])
IdempotencyKey = Annotated[str | None, Header(description="Repeat-safe creation", max_length=200)]


def _load(db: Connection, caller: Principal, run_id: int) -> tuple[StoredRun, Settlement]:
    if not queries.run_visible(db, caller, run_id):
        raise NotFound(f"there is no settlement run {run_id}")
    return load_run(RunStore(db), run_id)


def _settle(db: Connection, year: int, netting: str) -> tuple[int, schemas.RunPublic]:
    dataset = load_dataset(db)
    run, created = run_year(
        RunStore(db),
        dbcs=dataset.dbcs,
        prices=dataset.prices,
        agreements=dataset.agreements,
        year=year,
        netting="multilateral" if netting == "multilateral" else "bilateral",
    )
    return (201 if created else 200), convert.run(run)


@router.get("/settlement-runs", response_model=list[schemas.RunPublic])
def list_runs(db: Db, caller: Caller) -> list[schemas.RunPublic]:
    store = RunStore(db)
    runs = [store.get(run_id) for run_id in queries.visible_run_ids(db, caller)]
    return [convert.run(run) for run in runs if run is not None]


@router.post(
    "/settlement-runs",
    response_model=schemas.RunPublic,
    status_code=201,
    responses={
        200: {"model": schemas.RunPublic, "description": "The same inputs: the existing run"}
    },
)
def create_run(
    body: schemas.RunCreate, db: Db, caller: Caller, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    """Settle a year: a draft run; once the year has a final run, a correction of it; the same
    inputs give the existing run (200)."""
    require(caller, "admin", "hospital")
    return respond(
        db,
        caller,
        idempotency_key,
        body.model_dump_json().encode(),
        lambda: _settle(db, body.year, body.netting),
    )


@router.get("/settlement-runs/{run_id}", response_model=schemas.RunDetailPublic)
def get_run(run_id: RunId, db: Db, caller: Caller) -> schemas.RunDetailPublic:
    run, result = _load(db, caller, run_id)
    return convert.run_detail(run, visible_part(result, caller))


@router.post("/settlement-runs/{run_id}/finalise", response_model=schemas.RunPublic)
def finalise_run(run_id: RunId, db: Db, caller: Caller) -> schemas.RunPublic:
    """Make a draft final: from then on neither it nor its lines can change."""
    require(caller, "admin")
    if not queries.run_visible(db, caller, run_id):
        raise NotFound(f"there is no settlement run {run_id}")
    return convert.run(finalise(RunStore(db), run_id))


@router.post(
    "/settlement-runs/{run_id}/corrections",
    response_model=schemas.RunPublic,
    status_code=201,
    responses={
        200: {"model": schemas.RunPublic, "description": "Nothing changed: the existing run"}
    },
)
def correct_run(
    run_id: RunId, db: Db, caller: Caller, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    """Settle the run's year again on the current data: a correction when anything changed."""
    require(caller, "admin", "hospital")
    run, _ = _load(db, caller, run_id)
    return respond(
        db,
        caller,
        idempotency_key,
        str(run_id).encode(),
        lambda: _settle(db, run.year, run.netting),
    )


def _statement(
    db: Connection, caller: Principal, run_id: int, first: str, second: str
) -> Statement:
    if not queries.run_visible(db, caller, run_id):
        raise NotFound(f"there is no settlement run {run_id}")
    first, second = sorted((first, second))
    if not caller.is_admin and caller.agb not in (first, second):
        raise NotFound(f"there is no statement {first}-{second} in run {run_id}")
    store = RunStore(db)
    run = store.get(run_id)
    assert run is not None
    frames = store.pair_frames(run_id, first, second)
    if frames["lines"].empty and frames["excluded"].empty:
        raise NotFound(f"there is no statement {first}-{second} in run {run_id}")
    names = {h["agb"]: h["name"] for h in queries.hospitals(db)}
    agreements = {row["agreement_id"]: row["name"] for row in queries.agreement_names(db)}
    return build_pair_statement(
        run,
        frames["lines"],
        frames["excluded"],
        first=first,
        second=second,
        hospitals=names,
        agreements=agreements,
        payments=frames["payments"],
    )


@router.get("/settlement-runs/{run_id}/statements", response_model=list[schemas.StatementRefPublic])
def list_statements(run_id: RunId, db: Db, caller: Caller) -> list[schemas.StatementRefPublic]:
    _, result = _load(db, caller, run_id)
    pairs = [p for p in pairs_of(result) if caller.is_admin or caller.agb in p]
    base = f"/settlement-runs/{run_id}/statements"
    return [
        schemas.StatementRefPublic(
            first_agb=a, second_agb=b, json_url=f"{base}/{a}/{b}", pdf_url=f"{base}/{a}/{b}/pdf"
        )
        for a, b in pairs
    ]


# Statements are read far more often than runs change: the JSON of a (run, status, pair) is
# kept once made. A run's rows never change (final runs cannot; drafts are not edited), a
# finalised run has another status, hence another key, and the same inputs give the same
# rows. Access is still checked on every request.
_STATEMENTS: OrderedDict[tuple[str, int, str, str, str, str], bytes] = OrderedDict()
_STATEMENTS_KEPT = 2048


@router.get(
    "/settlement-runs/{run_id}/statements/{first}/{second}", response_model=schemas.StatementPublic
)
def get_statement(run_id: RunId, first: str, second: str, db: Db, caller: Caller) -> Response:
    if not queries.run_visible(db, caller, run_id):
        raise NotFound(f"there is no settlement run {run_id}")
    first, second = sorted((first, second))
    if not caller.is_admin and caller.agb not in (first, second):
        raise NotFound(f"there is no statement {first}-{second} in run {run_id}")
    run = RunStore(db).get(run_id)
    assert run is not None
    # The fingerprint too: a run id that a deleted draft freed may come back for other inputs.
    key = (str(db.engine.url), run_id, run.status, run.fingerprint, first, second)
    body = _STATEMENTS.get(key)
    if body is None:
        statement = _statement(db, caller, run_id, first, second)
        body = convert.statement(statement).model_dump_json().encode()
        _STATEMENTS[key] = body
        if len(_STATEMENTS) > _STATEMENTS_KEPT:
            _STATEMENTS.popitem(last=False)
    return Response(body, media_type="application/json")


@router.get(
    "/settlement-runs/{run_id}/statements/{first}/{second}/pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "The statement as PDF"}},
)
def get_statement_pdf(run_id: RunId, first: str, second: str, db: Db, caller: Caller) -> Response:
    statement = _statement(db, caller, run_id, first, second)
    return Response(
        render_statement(statement),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{statement_file_name(statement)}"'},
    )
