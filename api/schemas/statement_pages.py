"""A statement in parts: its summary (every total and count, no lines) and its lines a page
at a time (``spreiding.services.statement_pages``)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from api.schemas.statements import (
    PartyPublic,
    StatementCostLinePublic,
    StatementHoursLinePublic,
    StatementLinePublic,
    StatementPaymentPublic,
    SubtotalPublic,
    VatSubtotalPublic,
)


class DirectionSummaryPublic(BaseModel):
    """What ``debtor`` owes ``creditor``: the amounts of the full statement's direction, and
    how many lines of each kind it has (read them with ``/lines``, ``/hours``, ``/costs``)."""

    creditor: PartyPublic
    debtor: PartyPublic
    lines: int
    hours: int
    costs: int
    subtotals: list[SubtotalPublic]
    vat: list[VatSubtotalPublic]
    total: str
    lines_amount: str
    hours_amount: str
    vat_amount: str
    costs_amount: str


class StatementSummaryPublic(BaseModel):
    run_id: int
    kind: str
    status: str
    year: int
    netting: str
    fingerprint: str
    corrects_run_id: int | None
    first: PartyPublic
    second: PartyPublic
    agreements: list[list[str]]
    directions: list[DirectionSummaryPublic]
    net: str
    payer: PartyPublic | None
    payee: PartyPublic | None
    excluded: int = Field(description="How many DBCs were excluded (the full statement lists them)")
    payments: list[StatementPaymentPublic]


class _Paged(BaseModel):
    creditor_agb: str
    debtor_agb: str


class PagedStatementLinePublic(_Paged, StatementLinePublic):
    pass


class PagedHoursLinePublic(_Paged, StatementHoursLinePublic):
    pass


class PagedCostLinePublic(_Paged, StatementCostLinePublic):
    pass


class _Page(BaseModel):
    run_id: int
    first_agb: str
    second_agb: str
    next: str | None = Field(
        description="Give it as ``cursor`` for the next page; null after the last"
    )


class StatementLinesPage(_Page):
    items: list[PagedStatementLinePublic]


class StatementHoursPage(_Page):
    items: list[PagedHoursLinePublic]


class StatementCostsPage(_Page):
    items: list[PagedCostLinePublic]
