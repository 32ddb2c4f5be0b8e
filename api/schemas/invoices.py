"""Invoices and credit notes of runs (contract §8): the list's entries and whole documents."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field


class InvoicePublic(BaseModel):
    """An invoice (or credit note) of a final run, numbered at finalisation (contract §8)."""

    number: str
    kind: Literal["invoice", "credit_note"]
    run_id: int
    year: int
    debtor_agb: str
    creditor_agb: str
    invoice_date: date
    due_date: date
    term_days: int
    amount: str
    hours: str
    costs: str
    vat: str
    total: str
    payment_seq: int | None
    pdf_url: str


class InvoicePartyPublic(BaseModel):
    agb: str
    name: str
    iban: str | None
    address: str | None


class InvoiceDbcLinePublic(BaseModel):
    dbc_id: str
    zorgproduct_code: str
    end_date: str
    care_type: str
    agreement_id: str
    unit_price: str
    share: str
    amount: str


class InvoiceHoursLinePublic(BaseModel):
    hours_id: str
    role: str
    work_date: str
    hours: str
    rate: str
    amount: str
    vat_rate: str
    vat: str


class InvoiceCostLinePublic(BaseModel):
    agreement_id: str
    cost_id: str
    weight: int
    amount: str


class VatRowPublic(BaseModel):
    rate: str = Field(description="'exempt', or the rate as the hours lines give it (0.21)")
    base: str
    vat: str


class InvoiceNettingPublic(BaseModel):
    seq: int | None
    from_agb: str
    to_agb: str
    amount: str


class InvoiceDocumentPublic(BaseModel):
    """A whole invoice: a draft run's has no number and no dates (CONCEPT)."""

    number: str | None
    kind: Literal["invoice", "credit_note"]
    status: str
    run_id: int
    year: int
    invoice_date: date | None
    due_date: date | None
    term_days: int | None
    creditor: InvoicePartyPublic
    debtor: InvoicePartyPublic
    lines: list[InvoiceDbcLinePublic]
    hours: list[InvoiceHoursLinePublic]
    costs: list[InvoiceCostLinePublic]
    vat_summary: list[VatRowPublic]
    amount: str
    hours_amount: str
    costs_amount: str
    vat: str
    total: str
    payment: InvoiceNettingPublic | None
