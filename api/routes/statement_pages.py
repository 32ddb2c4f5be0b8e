"""A statement in parts: its summary and its lines a page at a time, with ETags.

Access is that of the full statement (``statements.locate_statement``: another tenant's run or
pair reads as not found) and is checked on every request, before any 304.

ETags are strong and made without reading a line: from the run's header (id, kind, status,
year, netting, fingerprint, corrected run), the pair and what is asked. A run's rows never
change (a final run cannot; a draft is not edited, and a finalised one has another status and
so other ETags), and the reference data a summary names (hospitals, agreements) is only added
to (a stored row with other values is refused as a conflict), so the same request on the same
run is the same body. A summary shows the viewer only its own payments: the viewer is part of
its ETag. A page of lines is the same for every viewer allowed to read it. A final run's parts
may be kept by the client (``max-age``); a draft's are revalidated.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import astuple
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy import Connection

from api import bodies, convert, schemas
from api.deps import Checked, Reads, RunId, run_read
from api.errors import RESPONSES
from api.paths import TextId
from spreiding.domain.money import format_cents
from spreiding.services import statement_pages, statement_summary, statements
from spreiding.services.statement_pages import DEFAULT_LIMIT, MAX_LIMIT, Section
from spreiding.services.statement_summary import DirectionSummary, StatementSummary
from spreiding.services.statements import StatementRef

router = APIRouter(responses=RESPONSES, tags=["settlement runs"])
BASE = "/settlement-runs/{run_id}/statements/{first}/{second}"
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"Lines a page, 1 to {MAX_LIMIT}")]
Cursor = Annotated[str | None, Query(max_length=400, description="The ``next`` of the page before")]
IfNoneMatch = Annotated[str | None, Header(description="ETags of copies the client holds")]
NOT_MODIFIED: dict[int | str, dict[str, Any]] = {
    304: {"description": "The copy the client holds (If-None-Match) is current"}
}
_PAGE_MODELS: dict[str, type[BaseModel]] = {
    "lines": schemas.StatementLinesPage,
    "hours": schemas.StatementHoursPage,
    "costs": schemas.StatementCostsPage,
}
_ITEM_FIELDS: dict[str, Callable[[Any], dict[str, Any]]] = {
    "lines": convert.statement_line,
    "hours": convert.hours_line,
    "costs": convert.cost_line,
}

# Summaries and pages are read far more often than runs change: the body of an ETag is kept
# once made (plain and gzipped), per database and process, after the caller was let in
# (``api.bodies``). 64 MiB hold about 2,000 pages of 100 DBC lines.
_BODIES = bodies.Bodies(64 * 1024 * 1024)


def _etag(*parts: object) -> str:
    return '"' + hashlib.sha256(repr(parts).encode()).hexdigest()[:32] + '"'


def _run_etag(what: str, ref: StatementRef, *parts: object) -> str:
    """The ETag of ``what`` of a located statement: the run's header and the pair, and
    ``parts`` (the viewer, the page asked)."""
    return _etag(what, *astuple(ref.run), ref.first, ref.second, *parts)


def _tags(if_none_match: str | None) -> set[str]:
    """The ETags of the copies the client holds (If-None-Match; ``*``: any copy)."""
    return {tag.strip().removeprefix("W/") for tag in (if_none_match or "").split(",")}


def _answer(request: Request, body: bodies.Body | None, etag: str, final: bool) -> Response:
    """The body with its ETag; ``body`` None: 304, the client's copy is current."""
    headers = {
        "ETag": etag,
        # A final run's pages do not change; a draft's may go (deleted, or finalised).
        "Cache-Control": "private, max-age=86400" if final else "private, no-cache",
    }
    if body is None:
        return Response(status_code=304, headers=headers)
    return bodies.response(request, body, headers)


def _direction_summary(value: DirectionSummary) -> schemas.DirectionSummaryPublic:
    creditor, debtor = convert.party(value.creditor), convert.party(value.debtor)
    assert creditor is not None and debtor is not None
    return schemas.DirectionSummaryPublic(
        creditor=creditor,
        debtor=debtor,
        lines=value.lines,
        hours=len(value.hours),
        costs=len(value.costs),
        subtotals=[
            schemas.SubtotalPublic(
                care_type=s.care_type, lines=s.lines, amount=format_cents(s.amount_cents)
            )
            for s in value.subtotals
        ],
        vat=[
            schemas.VatSubtotalPublic(
                vat_rate=v.vat_rate,
                lines=v.lines,
                amount=format_cents(v.base_cents),
                vat=format_cents(v.vat_cents),
            )
            for v in value.vat
        ],
        total=format_cents(value.total_cents),
        lines_amount=format_cents(value.lines_cents),
        hours_amount=format_cents(value.hours_cents),
        vat_amount=format_cents(value.vat_cents),
        costs_amount=format_cents(value.costs_cents),
    )


def summary_of(value: StatementSummary) -> schemas.StatementSummaryPublic:
    run = value.run
    first, second = convert.party(value.first), convert.party(value.second)
    assert first is not None and second is not None
    return schemas.StatementSummaryPublic(
        run_id=run.run_id,
        kind=run.kind,
        status=run.status,
        year=run.year,
        netting=run.netting,
        fingerprint=run.fingerprint,
        corrects_run_id=run.corrects_run_id,
        first=first,
        second=second,
        agreements=[[i, n] for i, n in value.agreements],
        directions=[_direction_summary(d) for d in value.directions],
        net=format_cents(value.net_cents),
        payer=convert.party(value.payer),
        payee=convert.party(value.payee),
        excluded=value.excluded,
        payments=[
            schemas.StatementPaymentPublic(
                payer=schemas.PartyPublic(agb=p.payer.agb, name=p.payer.name),
                payee=schemas.PartyPublic(agb=p.payee.agb, name=p.payee.name),
                amount=format_cents(p.amount_cents),
            )
            for p in value.payments
        ],
    )


@router.get(
    f"{BASE}/summary", response_model=schemas.StatementSummaryPublic, responses=NOT_MODIFIED
)
async def get_statement_summary(
    request: Request,
    run_id: RunId,
    first: TextId,
    second: TextId,
    reads: Reads,
    check: Checked,
    if_none_match: IfNoneMatch = None,
) -> Response:
    """The statement's totals and counts without its lines: per direction what is owed by kind
    (DBC lines per care type, hours with VAT per rate, costs), the net, the payments."""
    return await run_read(reads, _summary, request, check, run_id, first, second, if_none_match)


def _summary(
    db: Connection,
    request: Request,
    check: Checked,
    run_id: int,
    first: str,
    second: str,
    if_none_match: str | None,
) -> Response:
    """The summary, on a thread of the statement reads (``api.deps.run_read``): the key
    checked, then the statement located, then the kept body or a new one."""
    ref = statements.locate_statement(db, check.principal(db), run_id, first, second)
    final = ref.run.status == "final"
    # A hospital's statement shows only its own payments: the viewer is part of the ETag.
    etag, tags = _run_etag("summary-2", ref, ref.viewer), _tags(if_none_match)
    if etag in tags:  # an ETag of this summary is only ever given for one that exists
        return _answer(request, None, etag, final)
    key = (str(db.engine.url), etag)
    body = _BODIES.get(key)
    if body is None:
        made = summary_of(statement_summary.summary(db, ref)).model_dump_json().encode()
        body = _BODIES.put(key, bodies.made(made))
    return _answer(request, None if "*" in tags else body, etag, final)


def _page(
    request: Request,
    section: Section,
    ref: StatementRef,
    db: Connection,
    limit: int,
    cursor: str | None,
    if_none_match: str | None,
) -> Response:
    run = ref.run
    etag, tags = _run_etag("page-2", ref, section, limit, cursor), _tags(if_none_match)
    final = run.status == "final"
    if etag in tags:  # the page is not read
        if cursor:  # an altered cursor is refused, held or not
            statement_pages.decode_cursor(cursor, ref, section)
        return _answer(request, None, etag, final)
    # A page kept under its ETag was made for this run header, pair, section, limit and
    # cursor (the cursor then checked), after the caller was let in, as this one was above.
    key = (str(db.engine.url), etag)
    kept = _BODIES.get(key)
    if kept is not None:
        return _answer(request, None if "*" in tags else kept, etag, final)
    found = statement_pages.page(db, ref, section, limit=limit, cursor=cursor)
    if "*" in tags:  # any copy: this page exists (or it was not found above)
        return _answer(request, None, etag, final)
    fields = _ITEM_FIELDS[section]
    # One validation of the page (in pydantic's core), not one model built per line.
    body = _PAGE_MODELS[section].model_validate(
        {
            "run_id": run.run_id,
            "first_agb": ref.first,
            "second_agb": ref.second,
            "items": [
                {"creditor_agb": x.creditor_agb, "debtor_agb": x.debtor_agb, **fields(x.line)}
                for x in found.lines
            ],
            "next": found.next,
        }
    )
    made = _BODIES.put(key, bodies.made(body.model_dump_json().encode()))
    return _answer(request, made, etag, final)


def _checked_page(
    db: Connection,
    request: Request,
    section: Section,
    check: Checked,
    path: tuple[int, str, str],
    limit: int,
    cursor: str | None,
    if_none_match: str | None,
) -> Response:
    """A page, on a thread of the statement reads: the key checked (every request: a revoked
    key is refused at once), the statement located for the caller, then the page."""
    ref = statements.locate_statement(db, check.principal(db), *path)
    return _page(request, section, ref, db, limit, cursor, if_none_match)


@router.get(f"{BASE}/lines", response_model=schemas.StatementLinesPage, responses=NOT_MODIFIED)
async def get_statement_lines(
    request: Request,
    run_id: RunId,
    first: TextId,
    second: TextId,
    reads: Reads,
    check: Checked,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
    if_none_match: IfNoneMatch = None,
) -> Response:
    """The statement's DBC lines, a page at a time: those ``first`` is owed by ``second`` in
    the run's order, then the reverse (``creditor_agb``, ``debtor_agb`` on each)."""
    path = (run_id, first, second)
    return await run_read(
        reads, _checked_page, request, "lines", check, path, limit, cursor, if_none_match
    )


@router.get(f"{BASE}/hours", response_model=schemas.StatementHoursPage, responses=NOT_MODIFIED)
async def get_statement_hours(
    request: Request,
    run_id: RunId,
    first: TextId,
    second: TextId,
    reads: Reads,
    check: Checked,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
    if_none_match: IfNoneMatch = None,
) -> Response:
    """The statement's hours lines, a page at a time, in the order of ``/lines``."""
    path = (run_id, first, second)
    return await run_read(
        reads, _checked_page, request, "hours", check, path, limit, cursor, if_none_match
    )


@router.get(f"{BASE}/costs", response_model=schemas.StatementCostsPage, responses=NOT_MODIFIED)
async def get_statement_costs(
    request: Request,
    run_id: RunId,
    first: TextId,
    second: TextId,
    reads: Reads,
    check: Checked,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
    if_none_match: IfNoneMatch = None,
) -> Response:
    """The statement's shared-cost lines, a page at a time, in the order of ``/lines``."""
    path = (run_id, first, second)
    return await run_read(
        reads, _checked_page, request, "costs", check, path, limit, cursor, if_none_match
    )
