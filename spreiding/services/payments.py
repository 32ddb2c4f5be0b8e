"""Payments: registering one against a netting payment of a final run, the status of each
netting payment, and what every hospital still has to pay and receive.

Example: run 1 of the v1 samen-plus data, final since 2025-01-15, has Alrijne (06010001) pay
Groene Hart (06010002) 116,373.32, due 2025-02-14 (30 days). ``register_payment(connection,
alrijne_key, run_id=1, from_agb="06010001", to_agb="06010002", paid_on=date(2025, 2, 1),
amount=Decimal("16373.32"), reference="BANK-001")`` leaves it *partly paid*, 100,000.00 open;
on 2025-02-15 it is *overdue*; 100,000.00 more and it is *paid*. The same reference again is
``PaymentAlreadyRegistered``; 0.01 more than is open ``PaymentExceedsOpenAmount``.

Who: an admin registers and sees every netting payment; a hospital only those it pays or
receives (as payer or as payee); a bureau or insurer key none. Each registration appends a
``payment.register`` event in the same transaction (``spreiding.services.trail``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import Connection

from spreiding.domain.access import Principal
from spreiding.domain.money import CENT, MAX_CENTS, format_cents
from spreiding.domain.payments import (
    DEFAULT_PAYMENT_TERM_DAYS,
    STATUSES,
    Balance,
    NettingPayment,
    NettingPaymentNotFinal,
    PaymentAlreadyRegistered,
    PaymentExceedsOpenAmount,
    PaymentInvalid,
    RegisteredPayment,
    balances,
    due_date,
    payment_status,
)
from spreiding.services import trail
from spreiding.services.access import require
from spreiding.services.errors import NotFound
from spreiding.store import payments as store
from spreiding.store.agreements import stored_agreements

REFERENCE_LENGTH = 200


def amount_to_cents(amount: Decimal | str) -> int:
    """A positive amount in euros with at most two decimals, as cents; else ``PaymentInvalid``."""
    try:
        value = Decimal(str(amount).strip())
    except InvalidOperation:
        raise PaymentInvalid(f"amount {str(amount)!r} is not a number of euros") from None
    if not value.is_finite():
        raise PaymentInvalid(f"amount {str(amount)!r} is not a number of euros")
    if abs(value) >= Decimal(MAX_CENTS).scaleb(-2):
        raise PaymentInvalid(f"amount {str(amount)!r} is out of range")
    if value != value.quantize(CENT):  # in range: exact at 28 digits
        raise PaymentInvalid(f"amount {str(amount)!r} has more than two decimals")
    cents = int(value.scaleb(2))
    if cents <= 0:
        raise PaymentInvalid(f"amount {str(amount)!r} is not more than 0.00")
    return cents


def register_payment(
    connection: Connection,
    principal: Principal,
    *,
    run_id: int,
    from_agb: str,
    to_agb: str,
    paid_on: date,
    amount: Decimal | str,
    reference: str,
    now: datetime | None = None,
) -> RegisteredPayment:
    """Register a payment of ``from_agb`` to ``to_agb`` against their netting payment in
    final run ``run_id``, or say why it cannot be (nothing is stored then)."""
    require(principal, "admin", "hospital")
    now = now or datetime.now(UTC)
    cents = amount_to_cents(amount)
    reference = reference.strip()
    if not reference:
        raise PaymentInvalid("the reference is empty")
    if len(reference) > REFERENCE_LENGTH:
        raise PaymentInvalid(f"the reference is longer than {REFERENCE_LENGTH} characters")
    if paid_on > now.astimezone(UTC).date():
        raise PaymentInvalid(f"the payment date {paid_on.isoformat()} is in the future")
    row = _netting_row(connection, principal, run_id, from_agb, to_agb)
    if row["status"] != "final":
        raise NettingPaymentNotFinal(run_id)
    store.lock_netting_payment(connection, run_id, row["seq"])
    # Read again under the lock: what another registration committed meanwhile counts.
    row = _netting_row(connection, principal, run_id, from_agb, to_agb)
    if store.reference_taken(connection, run_id, row["seq"], reference):
        raise PaymentAlreadyRegistered(reference, run_id, from_agb, to_agb)
    still_open = row["amount_cents"] - row["paid_cents"]
    if cents > still_open:
        raise PaymentExceedsOpenAmount(
            amount_cents=cents, open_cents=still_open, due_cents=row["amount_cents"]
        )
    payment = store.add(
        connection,
        run_id=run_id,
        seq=row["seq"],
        from_agb=from_agb,
        to_agb=to_agb,
        paid_on=paid_on,
        amount_cents=cents,
        reference=reference,
        registered_at=trail.timestamp(now),
        registered_by=trail.actor_of(principal),
    )
    trail.record(
        connection,
        principal,
        kind="payment.register",
        subject=f"payment:{payment.payment_id}",
        hospitals=(from_agb, to_agb),
        payload={
            "run_id": run_id,
            "from_agb": from_agb,
            "to_agb": to_agb,
            "paid_on": paid_on.isoformat(),
            "amount": format_cents(cents),
            "reference": reference,
        },
        now=now,
    )
    return payment


def _netting_row(
    connection: Connection, principal: Principal, run_id: int, from_agb: str, to_agb: str
) -> dict[str, Any]:
    rows = store.netting_rows(
        connection, principal, run_id=run_id, from_agb=from_agb, to_agb=to_agb, final_only=False
    )
    if not rows:
        raise NotFound(f"run {run_id} has no payment of {from_agb} to {to_agb}")
    return rows[0]


def netting_payments(
    connection: Connection,
    principal: Principal,
    *,
    today: date,
    run_id: int | None = None,
    status: str | None = None,
) -> list[NettingPayment]:
    """The netting payments of final runs ``principal`` may see, with what was paid against
    each and its status on ``today``, by run and place in the run."""
    if status is not None and status not in STATUSES:
        raise PaymentInvalid(f"status must be one of {', '.join(STATUSES)}, not {status!r}")
    finalised: dict[int, date | None] = {}
    terms: dict[tuple[int, str, str], int] = {}
    found = []
    for row in store.netting_rows(connection, principal, run_id=run_id):
        run = int(row["run_id"])
        if run not in finalised:
            finalised[run] = trail.finalised_on(connection, run)
        pair = (run, str(row["from_agb"]), str(row["to_agb"]))
        if pair not in terms:
            terms[pair] = term_days(connection, *pair)
        due = due_date(finalised[run], terms[pair])
        payment = NettingPayment(
            run_id=run,
            seq=int(row["seq"]),
            year=int(row["year"]),
            from_agb=pair[1],
            to_agb=pair[2],
            amount_cents=int(row["amount_cents"]),
            paid_cents=int(row["paid_cents"]),
            finalised_on=finalised[run],
            term_days=terms[pair],
            due_on=due,
            status=payment_status(
                amount_cents=int(row["amount_cents"]),
                paid_cents=int(row["paid_cents"]),
                due_on=due,
                today=today,
            ),
        )
        if status is None or payment.status == status:
            found.append(payment)
    return found


def term_days(connection: Connection, run_id: int, first: str, second: str) -> int:
    """The shortest payment term of the agreements between the two hospitals in run
    ``run_id`` (docs/data-format §8); 30 days when none is stored or none names one. The one
    rule for a netting payment's due date and an invoice's."""
    ids = store.pair_agreement_ids(connection, run_id, first, second)
    terms = _terms(stored_agreements(connection, ids)) if ids else []
    return min(terms, default=DEFAULT_PAYMENT_TERM_DAYS)


def _terms(agreements: Iterable[object]) -> list[int]:
    return [
        int(getattr(agreement, "payment_term_days", DEFAULT_PAYMENT_TERM_DAYS))
        for agreement in agreements
    ]


def list_payments(
    connection: Connection, principal: Principal, *, run_id: int | None = None
) -> list[RegisteredPayment]:
    """The payments registered that ``principal`` may see, in the order registered."""
    return store.registered(connection, principal, run_id=run_id)


def hospital_balances(
    connection: Connection, principal: Principal, *, today: date
) -> list[Balance]:
    """Per hospital, what it still has to pay and to receive over every final run, and how
    much of it is overdue on ``today``; a hospital key sees its own line only."""
    every = balances(netting_payments(connection, principal, today=today))
    if principal.is_admin:
        return every
    return [balance for balance in every if balance.agb == principal.agb]
