"""Sign-off of a draft run's pairs by their hospitals: accept, dispute, and who did what."""

from __future__ import annotations

from fastapi import APIRouter

from api import schemas
from api.deps import Caller, Db, RunId
from api.errors import RESPONSES
from api.paths import TextId
from spreiding.services import signoff
from spreiding.services.signoff import Decision, PairState

router = APIRouter(responses=RESPONSES, tags=["sign-off"])
PAIR = "/settlement-runs/{run_id}/pairs/{debtor}/{creditor}"


def _decision(decision: Decision | None) -> schemas.SignoffDecisionPublic | None:
    if decision is None:
        return None
    return schemas.SignoffDecisionPublic(
        agb=decision.agb, decision=decision.decision,
        reason=decision.reason, lines=list(decision.lines), at=decision.at, actor=decision.actor,
    )  # fmt: skip


def _pair(state: PairState) -> schemas.PairSignoffPublic:
    return schemas.PairSignoffPublic(
        debtor_agb=state.debtor_agb,
        creditor_agb=state.creditor_agb,
        status=state.status,
        debtor=_decision(state.debtor),
        creditor=_decision(state.creditor),
    )


@router.get("/settlement-runs/{run_id}/pairs", response_model=list[schemas.PairSignoffPublic])
def list_pairs(run_id: RunId, db: Db, caller: Caller) -> list[schemas.PairSignoffPublic]:
    """The run's pairs (a hospital: its own) with each hospital's latest decision."""
    return [_pair(state) for state in signoff.pair_states(db, caller, run_id)]


@router.post(f"{PAIR}/accept", response_model=schemas.PairSignoffPublic)
def accept_pair(
    run_id: RunId, debtor: TextId, creditor: TextId, db: Db, caller: Caller
) -> schemas.PairSignoffPublic:
    """The key's hospital (the debtor or the creditor) accepts the pair of a draft run."""
    return _pair(signoff.sign(db, caller, run_id, debtor, creditor, decision="accept"))


@router.post(f"{PAIR}/dispute", response_model=schemas.PairSignoffPublic)
def dispute_pair(
    run_id: RunId,
    debtor: TextId,
    creditor: TextId,
    body: schemas.DisputeRequest,
    db: Db,
    caller: Caller,
) -> schemas.PairSignoffPublic:
    """The key's hospital disputes the pair, with a reason and the lines it is about."""
    state = signoff.sign(
        db, caller, run_id, debtor, creditor, decision="dispute", reason=body.reason,
        lines=body.lines,
    )  # fmt: skip
    return _pair(state)
