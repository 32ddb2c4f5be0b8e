"""The statement of a pair of hospitals of a run: per direction its lines, hours, costs and
VAT, and the net between the two."""

from __future__ import annotations

from pydantic import BaseModel

from api.schemas.runs import ExclusionPublic


class PartyPublic(BaseModel):
    agb: str
    name: str


class StatementLinePublic(BaseModel):
    dbc_id: str
    patient_ref: str
    zorgproduct_code: str
    end_date: str
    care_type: str
    agreement_id: str
    unit_price: str
    share: str
    amount: str
    change: str | None


class SubtotalPublic(BaseModel):
    care_type: str
    lines: int
    amount: str


class StatementHoursLinePublic(BaseModel):
    hours_id: str
    agreement_id: str
    role: str
    work_date: str
    hours: str
    rate: str
    amount: str
    vat_rate: str
    vat: str
    change: str | None


class StatementCostLinePublic(BaseModel):
    agreement_id: str
    cost_id: str
    weight: int
    amount: str
    change: str | None


class VatSubtotalPublic(BaseModel):
    vat_rate: str
    lines: int
    amount: str  # the hours lines of the rate without VAT
    vat: str


class DirectionPublic(BaseModel):
    creditor: PartyPublic
    debtor: PartyPublic
    lines: list[StatementLinePublic]
    subtotals: list[SubtotalPublic]
    # Every amount the debtor owes the creditor: DBC lines, hours with VAT, shared costs (the
    # run's pair ``total``); the parts below, as the run's pair has them.
    total: str
    hours: list[StatementHoursLinePublic] = []
    costs: list[StatementCostLinePublic] = []
    vat: list[VatSubtotalPublic] = []  # per VAT rate of the hours lines
    lines_amount: str = "0.00"
    hours_amount: str = "0.00"
    vat_amount: str = "0.00"
    costs_amount: str = "0.00"


class StatementPaymentPublic(BaseModel):
    payer: PartyPublic
    payee: PartyPublic
    amount: str


class StatementPublic(BaseModel):
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
    directions: list[DirectionPublic]
    # The balance of the lines both ways (``payer`` owes ``payee`` ``net``); with multilateral
    # netting that is no payment: ``payments`` are the run's own payments of either hospital.
    net: str
    payer: PartyPublic | None
    payee: PartyPublic | None
    excluded: list[ExclusionPublic]
    payments: list[StatementPaymentPublic]


class StatementRefPublic(BaseModel):
    first_agb: str
    second_agb: str
    json_url: str
    pdf_url: str
