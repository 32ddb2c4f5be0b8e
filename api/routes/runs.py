"""Settlement runs and statements."""

from __future__ import annotations

from collections import OrderedDict
from typing import Annotated

from fastapi import APIRouter, Header
from fastapi.responses import JSONResponse, Response

from api import convert, schemas
from api.deps import Caller, Db, RunId
from api.errors import RESPONSES
from api.idempotency import respond
from api.paths import TextId
from spreiding.render.statement_pdf import render_statement, statement_file_name
from spreiding.services import positions, settlement, statements
from spreiding.services.settlement import SettledYear

router = APIRouter(responses=RESPONSES, tags=["settlement runs"])
IdempotencyKey = Annotated[str | None, Header(description="Repeat-safe creation", max_length=200)]


def _settled(settled: SettledYear) -> tuple[int, schemas.RunPublic]:
    return (201 if settled.created else 200), convert.run(settled.run)


@router.get("/settlement-runs", response_model=list[schemas.RunPublic])
def list_runs(db: Db, caller: Caller) -> list[schemas.RunPublic]:
    return [convert.run(run) for run in settlement.list_runs(db, caller)]


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
    settlement.check_settle(caller)  # before a kept response is replayed
    return respond(
        db,
        caller,
        idempotency_key,
        body.model_dump_json().encode(),
        lambda: _settled(settlement.settle_year(db, caller, year=body.year, netting=body.netting)),
    )


@router.get("/settlement-runs/{run_id}", response_model=schemas.RunDetailPublic)
def get_run(run_id: RunId, db: Db, caller: Caller) -> schemas.RunDetailPublic:
    view = settlement.get_run(db, caller, run_id)
    return convert.run_detail(view.run, view.result)


@router.get(
    "/settlement-runs/{run_id}/hospital-positions",
    response_model=list[schemas.HospitalPositionPublic],
)
def hospital_positions(
    run_id: RunId, db: Db, caller: Caller
) -> list[schemas.HospitalPositionPublic]:
    """Each hospital's position in the run over all its alliances, by AGB: every hospital party
    of a stored agreement (zero where the run has nothing for it). A hospital key gets only its
    own row; an insurer key is refused (403)."""
    return [convert.hospital_position(p) for p in positions.hospital_positions(db, caller, run_id)]


@router.post("/settlement-runs/{run_id}/finalise", response_model=schemas.RunPublic)
def finalise_run(
    run_id: RunId, db: Db, caller: Caller, body: schemas.FinaliseRequest | None = None
) -> schemas.RunPublic:
    """Make a draft final: from then on neither it nor its lines can change, and its pairs
    get their invoices. 409 naming the pairs while not every pair is accepted by both of its
    hospitals, unless the body gives an ``override`` reason (stored in the log)."""
    override = body.override if body is not None else None
    return convert.run(settlement.finalise_run(db, caller, run_id, override=override))


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
    settlement.correctable_run(db, caller, run_id)  # before a kept response is replayed
    return respond(
        db,
        caller,
        idempotency_key,
        str(run_id).encode(),
        lambda: _settled(settlement.correct_run(db, caller, run_id)),
    )


@router.get("/settlement-runs/{run_id}/statements", response_model=list[schemas.StatementRefPublic])
def list_statements(run_id: RunId, db: Db, caller: Caller) -> list[schemas.StatementRefPublic]:
    base = f"/settlement-runs/{run_id}/statements"
    return [
        schemas.StatementRefPublic(
            first_agb=a, second_agb=b, json_url=f"{base}/{a}/{b}", pdf_url=f"{base}/{a}/{b}/pdf"
        )
        for a, b in statements.statement_pairs(db, caller, run_id)
    ]


# Statements are read far more often than runs change: the JSON of a (run, status, pair) is
# kept once made. A run's rows never change (final runs cannot; drafts are not edited), a
# finalised run has another status, hence another key, and the same inputs give the same
# rows. Access is still checked on every request.
# (database, run, status, fingerprint, first, second, viewer)
CacheKey = tuple[str, int, str, str, str, str, str | None]
_STATEMENTS: OrderedDict[CacheKey, bytes] = OrderedDict()
_STATEMENTS_KEPT = 2048


@router.get(
    "/settlement-runs/{run_id}/statements/{first}/{second}", response_model=schemas.StatementPublic
)
def get_statement(run_id: RunId, first: TextId, second: TextId, db: Db, caller: Caller) -> Response:
    ref = statements.locate_statement(db, caller, run_id, first, second)
    # The fingerprint too: a run id that a deleted draft freed may come back for other inputs.
    # A hospital's statement shows only its own payments: the viewer is part of the key.
    pair = (ref.first, ref.second, ref.viewer)
    key: CacheKey = (str(db.engine.url), run_id, ref.run.status, ref.run.fingerprint, *pair)
    body = _STATEMENTS.get(key)
    if body is None:
        body = convert.statement(statements.pair_statement(db, ref)).model_dump_json().encode()
        _STATEMENTS[key] = body
        if len(_STATEMENTS) > _STATEMENTS_KEPT:
            _STATEMENTS.popitem(last=False)
    return Response(body, media_type="application/json")


@router.get(
    "/settlement-runs/{run_id}/statements/{first}/{second}/pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "The statement as PDF"}},
)
def get_statement_pdf(
    run_id: RunId, first: TextId, second: TextId, db: Db, caller: Caller
) -> Response:
    statement = statements.statement(db, caller, run_id, first, second)
    return Response(
        render_statement(statement),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{statement_file_name(statement)}"'},
    )
