"""A statement in parts: its lines a page at a time, behind an opaque cursor.

A statement of a large run holds thousands of lines; a client reads its summary (the totals,
``spreiding.services.statements.pair_statement`` without the lines) and then its lines in pages
of at most ``MAX_LIMIT``. A section's lines (DBC lines, hours lines or cost lines) come in the
statement's own order: the lines ``first`` is owed by ``second`` in the run's order, then the
reverse, so the pages of a section put together are exactly that section of the full statement.

Example: Alrijne and Groene Hart's 23 DBC lines with ``limit=10``: a page of 10 lines with a
``next`` cursor, a second of 10, a third of 3 and no cursor. Each page is read through the
(run, debtor, creditor) index by keyset (``seq`` after the cursor's), so a page costs the same
wherever it is in the statement, and no more than one page is held in memory.

The cursor names the section, run, run fingerprint, pair, direction and last ``seq`` with a
check digest: one that was altered, or given by another run, pair or section, is refused
(``CursorInvalid``). It grants nothing: access is checked on every request as for the full
statement, and a cursor only says where in a statement the caller may read to go on.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from sqlalchemy import Connection

from settlement.statement import (
    CostLine,
    HoursLine,
    StatementLine,
    cost_line,
    hours_line,
    statement_line,
)
from spreiding.services.errors import CursorInvalid, NotFound
from spreiding.services.statements import StatementRef
from spreiding.store.runs import RunStore

Section = Literal["lines", "hours", "costs"]
MAX_LIMIT = 500
DEFAULT_LIMIT = 100


def stored_line(r: Mapping[Any, Any]) -> StatementLine:
    """``settlement.statement.statement_line`` of a row as the store gives it (typed values: a
    ``date``, integers, None for no change): the same line without a pandas Timestamp per row,
    which was a third of a page's time (``tests/api/test_statement_pages.py`` holds the pages
    put together equal to the full statement's lines)."""
    if type(r["end_date"]) is date and r["change"] in (None, "new", "withdrawn", "changed"):
        return StatementLine(
            dbc_id=str(r["dbc_id"]),
            patient_ref=str(r["patient_ref"]),
            zorgproduct_code=str(r["zorgproduct_code"]),
            end_date=r["end_date"].isoformat(),
            care_type=str(r["care_type"]),
            agreement_id=str(r["agreement_id"]),
            unit_price_cents=int(r["unit_price_cents"]),
            share=str(r["share"]),
            amount_cents=int(r["amount_cents"]),
            change=r["change"],
        )
    return statement_line(r)


_BUILD: dict[str, Callable[[Mapping[Any, Any]], StatementLine | HoursLine | CostLine]] = {
    "lines": stored_line,
    "hours": hours_line,
    "costs": cost_line,
}


@dataclass(frozen=True)
class PageLine:
    """A line of a page and its direction: ``creditor`` is owed by ``debtor``."""

    creditor_agb: str
    debtor_agb: str
    line: StatementLine | HoursLine | CostLine


@dataclass(frozen=True)
class Page:
    ref: StatementRef
    section: Section
    lines: tuple[PageLine, ...]
    next: str | None  # the cursor of the next page; None after the last


def _digest(payload: str) -> str:
    return hashlib.sha256(f"spreiding-statement-cursor:{payload}".encode()).hexdigest()[:16]


def _payload(ref: StatementRef, section: Section, direction: int, seq: int) -> str:
    run = ref.run
    where = f"{run.run_id}:{run.fingerprint[:16]}:{ref.first}:{ref.second}"
    return f"1:{section}:{where}:{direction}:{seq}"


def encode_cursor(ref: StatementRef, section: Section, direction: int, seq: int) -> str:
    payload = _payload(ref, section, direction, seq)
    return base64.urlsafe_b64encode(f"{payload}|{_digest(payload)}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str, ref: StatementRef, section: Section) -> tuple[int, int]:
    """The (direction, seq) a cursor of this statement's ``section`` points after."""
    refused = CursorInvalid(
        f"the cursor is not one that the {section} of statement {ref.first}-{ref.second} in "
        f"run {ref.run.run_id} gave (altered, or of another run, pair or section): "
        "start again without a cursor"
    )
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
        payload, digest = text.rsplit("|", 1)
        direction, seq = (int(part) for part in payload.rsplit(":", 2)[1:])
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise refused from None
    if digest != _digest(payload) or payload != _payload(ref, section, direction, seq):
        raise refused
    if direction not in (0, 1) or seq < 0:
        raise refused
    return direction, seq


def page(
    connection: Connection,
    ref: StatementRef,
    section: Section,
    *,
    limit: int = DEFAULT_LIMIT,
    cursor: str | None = None,
) -> Page:
    """The page of ``section`` after ``cursor`` (the first without), at most ``limit`` lines."""
    if not 1 <= limit <= MAX_LIMIT:
        raise ValueError(f"limit must be 1 to {MAX_LIMIT}")
    if ref.first == ref.second:
        raise NotFound(f"there is no statement {ref.first}-{ref.second} in run {ref.run.run_id}")
    start, after = decode_cursor(cursor, ref, section) if cursor else (0, -1)
    store = RunStore(connection)
    build = _BUILD[section]
    taken: list[PageLine] = []
    last = (start, after)
    more = False
    for direction in range(start, 2):
        creditor, debtor = (ref.first, ref.second) if direction == 0 else (ref.second, ref.first)
        rows = store.direction_page(
            section,
            ref.run.run_id,
            creditor,
            debtor,
            after=after if direction == start else -1,
            limit=limit - len(taken) + 1,  # one more: is there a next page?
        )
        for row in rows:
            if len(taken) == limit:
                more = True
                break
            taken.append(PageLine(creditor, debtor, build(row)))
            last = (direction, int(row["seq"]))
        if more:
            break
    if not taken and cursor is None and not store.pair_has_rows(ref.run.run_id, *_pair(ref)):
        raise NotFound(f"there is no statement {ref.first}-{ref.second} in run {ref.run.run_id}")
    return Page(ref, section, tuple(taken), encode_cursor(ref, section, *last) if more else None)


def _pair(ref: StatementRef) -> tuple[str, str]:
    return ref.first, ref.second
