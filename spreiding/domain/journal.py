"""The journal of one hospital (docs/data-format.md §8): the bookings of its invoices and of
the payments it made or received, as values without I/O.

Per invoice of which the hospital is the creditor: debit receivable / credit revenue for the
amount without VAT and, when the invoice carries VAT, debit receivable / credit VAT payable
for the VAT (so the receivable is debited the invoice total). As the debtor: debit cost /
credit payable, and debit VAT receivable / credit payable. A registered payment: at the payer
debit payable / credit bank; at the payee debit bank / credit receivable. A negative amount
(a credit note) is booked on the other side, so a debit or credit is never negative and one
of the two is always 0.00. Every booking is a pair of lines of the same amount, so per
hospital debits equal credits, and the receivable account's balance (debits − credits) is
its invoices as creditor less the payments it received.

Example: Groene Hart (06010002) invoices Alrijne 1799.10 (invoice 06010002-2024-0001, no VAT)
and receives 1000.00 (BANK-1): receivable D 1799.10, revenue C 1799.10; bank D 1000.00,
receivable C 1000.00: the receivable's balance is 799.10.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from spreiding.domain.invoices import Invoice
from spreiding.domain.payments import RegisteredPayment

ACCOUNTS = ("receivable", "payable", "revenue", "cost", "vat_payable", "vat_receivable", "bank")
# Defaults in the style of the Dutch "referentiegrootboekschema" (RGS) main groups.
DEFAULT_ACCOUNTS: Mapping[str, str] = {
    "receivable": "1300",
    "payable": "1600",
    "revenue": "8000",
    "cost": "4000",
    "vat_payable": "1520",
    "vat_receivable": "1510",
    "bank": "1100",
}
COLUMNS = ("agb", "entry_date", "document", "account", "description", "debit", "credit")


@dataclass(frozen=True)
class JournalLine:
    agb: str
    entry_date: date
    document: str
    account: str
    description: str
    debit_cents: int
    credit_cents: int


def accounts_with(overrides: Mapping[str, str]) -> dict[str, str]:
    """The default accounts with ``overrides``; an unknown name or an empty code is refused."""
    unknown = sorted(set(overrides) - set(ACCOUNTS))
    if unknown:
        raise ValueError(
            f"unknown ledger account {', '.join(unknown)}; known: {', '.join(ACCOUNTS)}"
        )
    empty = sorted(name for name, code in overrides.items() if not str(code).strip())
    if empty:
        raise ValueError(f"ledger account {', '.join(empty)} has no code")
    return {**DEFAULT_ACCOUNTS, **{k: str(v).strip() for k, v in overrides.items()}}


def _pair(
    agb: str, day: date, document: str, debit: str, credit: str, cents: int, text: str,
    accounts: Mapping[str, str],
) -> list[JournalLine]:  # fmt: skip
    if cents == 0:
        return []
    if cents < 0:  # a credit note, a refund: the other way round
        debit, credit, cents = credit, debit, -cents
    return [
        JournalLine(agb, day, document, accounts[debit], text, cents, 0),
        JournalLine(agb, day, document, accounts[credit], text, 0, cents),
    ]


def journal(
    agb: str,
    invoices: Iterable[Invoice],
    payments: Iterable[RegisteredPayment],
    accounts: Mapping[str, str] = DEFAULT_ACCOUNTS,
) -> list[JournalLine]:
    """The hospital's bookings, by entry date, then invoices before payments, by document."""
    entries: list[tuple[date, int, str, list[JournalLine]]] = []
    for invoice in invoices:
        net = invoice.total_cents - invoice.vat_cents
        vat = invoice.vat_cents
        n, day = invoice.number, invoice.invoice_date
        what = "creditnota" if invoice.total_cents < 0 else "factuur"
        if invoice.creditor_agb == agb:
            text = f"{what} aan {invoice.debtor_agb}"
            lines = _pair(agb, day, n, "receivable", "revenue", net, text, accounts)
            lines += _pair(agb, day, n, "receivable", "vat_payable", vat, f"btw {text}", accounts)
        elif invoice.debtor_agb == agb:
            text = f"{what} van {invoice.creditor_agb}"
            lines = _pair(agb, day, n, "cost", "payable", net, text, accounts)
            lines += _pair(agb, day, n, "vat_receivable", "payable", vat, f"btw {text}", accounts)
        else:
            continue
        entries.append((day, 0, n, lines))
    for payment in payments:
        ref, day = payment.reference, payment.paid_on
        if payment.from_agb == agb:
            text = f"betaling aan {payment.to_agb} (run {payment.run_id})"
            lines = _pair(agb, day, ref, "payable", "bank", payment.amount_cents, text, accounts)
        elif payment.to_agb == agb:
            text = f"betaling van {payment.from_agb} (run {payment.run_id})"
            lines = _pair(agb, day, ref, "bank", "receivable", payment.amount_cents, text, accounts)
        else:
            continue
        entries.append((day, 1, ref, lines))
    entries.sort(key=lambda entry: entry[:3])
    return [line for *_key, lines in entries for line in lines]
