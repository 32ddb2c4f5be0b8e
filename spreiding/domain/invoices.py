"""Invoices of final runs (docs/data-format.md §8): their numbers, their kind and what they
say, as values without I/O.

Example: the first invoice Groene Hart (06010002) issues in 2024 is ``06010002-2024-0001``;
a pair whose total is negative (a correction that takes money back) gets a credit note
(*creditnota*) numbered in the same sequence. An invoice of 1799.10 without hours has one
VAT row: exempt (*vrijgesteld*), base 1799.10, VAT 0.00.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

INVOICE = "invoice"
CREDIT_NOTE = "credit_note"
EXEMPT = "exempt"  # DBC lines and cost lines: medical care, no VAT
SEQ_DIGITS = 4


def invoice_number(creditor_agb: str, year: int, seq: int) -> str:
    """``AGB-YYYY-NNNN``: the creditor's AGB, the run's year, the sequence (at least 4 digits)."""
    if seq < 1:
        raise ValueError(f"an invoice sequence starts at 1, not {seq}")
    return f"{creditor_agb}-{year:04d}-{seq:0{SEQ_DIGITS}d}"


def invoice_kind(total_cents: int) -> str:
    """A negative total is a credit note; zero gets no invoice at all."""
    if total_cents == 0:
        raise ValueError("a pair with a total of 0.00 gets no invoice")
    return CREDIT_NOTE if total_cents < 0 else INVOICE


@dataclass(frozen=True)
class Invoice:
    """One issued invoice (or credit note): a pair of a final run, numbered at finalisation."""

    number: str
    kind: str
    run_id: int
    year: int
    seq: int
    debtor_agb: str
    creditor_agb: str
    invoice_date: date
    due_date: date
    term_days: int
    amount_cents: int  # DBC lines
    hours_cents: int  # hours lines, without VAT
    costs_cents: int  # cost lines
    vat_cents: int  # the hours lines' VAT
    total_cents: int
    payment_seq: int | None  # the run's netting payment between the two, if any
    issued_at: str
    issued_by: str


@dataclass(frozen=True)
class VatRow:
    """One rate of an invoice's VAT summary: ``rate`` is ``exempt`` or a rate as the hours
    lines write it (``0.21``)."""

    rate: str
    base_cents: int
    vat_cents: int
