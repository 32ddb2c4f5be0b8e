"""Payments against the netting payments of final runs, and what is still open.

A netting payment (``from_agb`` pays ``to_agb`` ``amount_cents`` in final run ``run_id``) is
*paid* once the payments registered against it sum to its amount; before that it is *overdue*
when its due date has passed, else *open* (nothing paid) or *partly paid*. Due date: the day
the run became final plus the payment term, the shortest ``payment_term_days`` of the
agreements between the two hospitals (30 days when none says otherwise). A run finalised
before the event log existed has no known finalisation day: its payments are never overdue.

Example: 1,000.00 due on 2025-01-31; 400.00 registered on 2025-01-10: *partly paid* on
2025-01-31 with 600.00 open, *overdue* from 2025-02-01; another 600.00: *paid*.
A payment past the open amount, or a reference registered before for the same netting
payment, is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from spreiding.domain.money import format_cents

DEFAULT_PAYMENT_TERM_DAYS = 30
STATUSES = ("open", "partly paid", "paid", "overdue")


def due_date(finalised_on: date | None, term_days: int) -> date | None:
    return None if finalised_on is None else finalised_on + timedelta(days=term_days)


def payment_status(*, amount_cents: int, paid_cents: int, due_on: date | None, today: date) -> str:
    if paid_cents >= amount_cents:
        return "paid"
    if due_on is not None and today > due_on:
        return "overdue"
    return "open" if paid_cents == 0 else "partly paid"


@dataclass(frozen=True)
class NettingPayment:
    run_id: int
    seq: int  # its place among the run's payments
    year: int
    from_agb: str
    to_agb: str
    amount_cents: int
    paid_cents: int
    finalised_on: date | None
    term_days: int
    due_on: date | None
    status: str

    @property
    def open_cents(self) -> int:
        return self.amount_cents - self.paid_cents


@dataclass(frozen=True)
class RegisteredPayment:
    payment_id: int
    run_id: int
    from_agb: str
    to_agb: str
    paid_on: date
    amount_cents: int
    reference: str
    registered_at: str
    registered_by: str


@dataclass(frozen=True)
class Balance:
    """What one hospital still has to pay and to receive over the final runs, and how much of
    each is overdue."""

    agb: str
    to_pay_cents: int
    to_receive_cents: int
    overdue_to_pay_cents: int
    overdue_to_receive_cents: int


def balances(payments: list[NettingPayment]) -> list[Balance]:
    """Per hospital in any of ``payments``, by AGB."""
    sums: dict[str, list[int]] = {}
    for payment in payments:
        overdue = payment.status == "overdue"
        payer = sums.setdefault(payment.from_agb, [0, 0, 0, 0])
        payee = sums.setdefault(payment.to_agb, [0, 0, 0, 0])
        payer[0] += payment.open_cents
        payee[1] += payment.open_cents
        if overdue:
            payer[2] += payment.open_cents
            payee[3] += payment.open_cents
    return [Balance(agb, *sums[agb]) for agb in sorted(sums)]


class PaymentError(Exception):
    """A payment registration that the rules refuse."""


class NettingPaymentNotFinal(PaymentError):
    def __init__(self, run_id: int):
        self.run_id = run_id
        super().__init__(
            f"settlement run {run_id} is a draft: payments are registered against the netting "
            "payments of a final run only"
        )


class PaymentExceedsOpenAmount(PaymentError):
    def __init__(self, *, amount_cents: int, open_cents: int, due_cents: int):
        super().__init__(
            f"a payment of {format_cents(amount_cents)} is more than the "
            f"{format_cents(open_cents)} still open of this netting payment of "
            f"{format_cents(due_cents)}; nothing was registered"
        )


class PaymentAlreadyRegistered(PaymentError):
    def __init__(self, reference: str, run_id: int, from_agb: str, to_agb: str):
        super().__init__(
            f"a payment with reference {reference!r} is already registered against the "
            f"payment of {from_agb} to {to_agb} in run {run_id}; nothing was registered"
        )


class PaymentInvalid(PaymentError):
    """An amount that is not positive, a date in the future, an empty reference."""
