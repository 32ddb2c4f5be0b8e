"""The event log, netting payments, registered payments and balances as plain dicts (the JSON
of the CLI; the API converts the same values to its schemas) and as terminal tables.

Money as strings with two decimals (``format_cents``), dates ISO, the same bytes for the same
values: ``payments_to_json([...])`` is sorted as given and ends in a newline.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from spreiding.domain.events import Event, canonical_json
from spreiding.domain.money import format_cents
from spreiding.domain.payments import Balance, NettingPayment, RegisteredPayment


def event_to_dict(event: Event) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "at": event.at,
        "actor": event.actor,
        "role": event.role,
        "tenant": event.tenant,
        "kind": event.kind,
        "subject": event.subject,
        "hospitals": list(event.hospitals),
        "payload": dict(event.payload),
        "hash": event.hash,
    }


def netting_payment_to_dict(payment: NettingPayment) -> dict[str, Any]:
    return {
        "run_id": payment.run_id,
        "year": payment.year,
        "from_agb": payment.from_agb,
        "to_agb": payment.to_agb,
        "amount": format_cents(payment.amount_cents),
        "paid": format_cents(payment.paid_cents),
        "open": format_cents(payment.open_cents),
        "finalised_on": None if payment.finalised_on is None else payment.finalised_on.isoformat(),
        "payment_term_days": payment.term_days,
        "due_on": None if payment.due_on is None else payment.due_on.isoformat(),
        "status": payment.status,
    }


def registered_payment_to_dict(payment: RegisteredPayment) -> dict[str, Any]:
    return {
        "payment_id": payment.payment_id,
        "run_id": payment.run_id,
        "from_agb": payment.from_agb,
        "to_agb": payment.to_agb,
        "paid_on": payment.paid_on.isoformat(),
        "amount": format_cents(payment.amount_cents),
        "reference": payment.reference,
        "registered_at": payment.registered_at,
        "registered_by": payment.registered_by,
    }


def balance_to_dict(balance: Balance) -> dict[str, Any]:
    return {
        "agb": balance.agb,
        "to_pay": format_cents(balance.to_pay_cents),
        "to_receive": format_cents(balance.to_receive_cents),
        "overdue_to_pay": format_cents(balance.overdue_to_pay_cents),
        "overdue_to_receive": format_cents(balance.overdue_to_receive_cents),
    }


def to_json(rows: Sequence[dict[str, Any]]) -> str:
    return json.dumps(list(rows), indent=2, ensure_ascii=False) + "\n"


def table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Columns padded to their widest cell; numbers (money) right-aligned."""
    cells = [[str(c) for c in header]] + [[("" if c is None else str(c)) for c in r] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    numeric = [
        all(_is_number(row[i]) for row in cells[1:]) and len(cells) > 1 for i in range(len(header))
    ]
    lines = [
        "  ".join(
            cell.rjust(widths[i]) if numeric[i] else cell.ljust(widths[i])
            for i, cell in enumerate(row)
        ).rstrip()
        for row in cells
    ]
    return "\n".join(lines) + "\n"


def _is_number(text: str) -> bool:
    return text.replace("-", "", 1).replace(".", "", 1).isdigit()


def events_table(events: Sequence[Event]) -> str:
    return table(
        ("seq", "at", "actor", "role", "kind", "subject", "payload"),
        [
            (e.seq, e.at, e.actor, e.role, e.kind, e.subject, canonical_json(dict(e.payload)))
            for e in events
        ],
    )


def netting_payments_table(payments: Sequence[NettingPayment]) -> str:
    return table(
        ("run", "year", "from", "to", "amount", "paid", "open", "due", "status"),
        [
            (
                p.run_id,
                p.year,
                p.from_agb,
                p.to_agb,
                format_cents(p.amount_cents),
                format_cents(p.paid_cents),
                format_cents(p.open_cents),
                "-" if p.due_on is None else p.due_on.isoformat(),
                p.status,
            )
            for p in payments
        ],
    )


def registered_payments_table(payments: Sequence[RegisteredPayment]) -> str:
    return table(
        ("id", "run", "from", "to", "paid on", "amount", "reference", "registered by"),
        [
            (
                p.payment_id,
                p.run_id,
                p.from_agb,
                p.to_agb,
                p.paid_on.isoformat(),
                format_cents(p.amount_cents),
                p.reference,
                p.registered_by,
            )
            for p in payments
        ],
    )


def balances_table(balances: Sequence[Balance]) -> str:
    return table(
        ("agb", "to pay", "to receive", "overdue to pay", "overdue to receive"),
        [
            (
                b.agb,
                format_cents(b.to_pay_cents),
                format_cents(b.to_receive_cents),
                format_cents(b.overdue_to_pay_cents),
                format_cents(b.overdue_to_receive_cents),
            )
            for b in balances
        ],
    )
