"""Invoices (docs/data-format.md §8): issued when a run becomes final, listed, and read as a
document for the PDF and the JSON.

Example: ``spreiding runs finalise 1`` on 2025-01-15 makes run 1 (2024) final; in the same
transaction ``issue_invoices`` gives Groene Hart's (06010002) invoice to Alrijne (06010001) for
1799.10 the number ``06010002-2024-0001``, invoice date 2025-01-15 and due date 2025-02-14
(the pair's shortest ``payment_term_days``, 30 by default: ``payments.term_days``, the rule the
netting payment's due date follows too), and appends ``invoice.issue``. A later correction
run of 2024 continues at ``06010002-2024-0002``; a negative pair total is a credit note in the
same sequence; a pair with 0.00 gets nothing.

Who: an admin sees every invoice; a hospital the invoices it issued or received; any other
key none. A draft run's invoice can be read (without a number, marked CONCEPT) by whoever may
read the pair's statement.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from sqlalchemy import Connection

from settlement.engine import Settlement
from settlement.invoice import InvoiceDocument, InvoiceParty, build_invoice
from spreiding.domain.access import Principal
from spreiding.domain.invoices import Invoice, invoice_kind, invoice_number
from spreiding.domain.journal import JournalLine, accounts_with, journal
from spreiding.domain.money import format_cents
from spreiding.domain.payments import PaymentInvalid, due_date
from spreiding.domain.runs import StoredRun
from spreiding.services import payments, trail
from spreiding.services.access import require
from spreiding.services.errors import NotFound
from spreiding.store import invoices as store
from spreiding.store import payments as payments_store
from spreiding.store import visibility
from spreiding.store.runs import RunStore


def issue_invoices(
    connection: Connection,
    principal: Principal,
    run: StoredRun,
    *,
    invoice_date: date,
    now: datetime | None = None,
) -> list[Invoice]:
    """Number and store the invoices of ``run``, just made final, in the caller's
    transaction: per creditor in the order of the debtor's AGB, continuing the creditor's
    sequence of the run's year. One ``invoice.issue`` event per invoice."""
    store.lock_numbering(connection, run.year)
    pairs = [p for p in store.run_pairs(connection, run.run_id) if p["total_cents"] != 0]
    last = store.last_numbers(connection, run.year, sorted({p["creditor_agb"] for p in pairs}))
    issued_at, issued_by = trail.timestamp(now), trail.actor_of(principal)
    issued = []
    for pair in pairs:  # by (debtor, creditor): each creditor's in the order of its debtors
        debtor, creditor = str(pair["debtor_agb"]), str(pair["creditor_agb"])
        last[creditor] += 1
        term = payments.term_days(connection, run.run_id, debtor, creditor)
        due = due_date(invoice_date, term)
        assert due is not None
        issued.append(
            Invoice(
                number=invoice_number(creditor, run.year, last[creditor]),
                kind=invoice_kind(pair["total_cents"]),
                run_id=run.run_id,
                year=run.year,
                seq=last[creditor],
                debtor_agb=debtor,
                creditor_agb=creditor,
                invoice_date=invoice_date,
                due_date=due,
                term_days=term,
                amount_cents=pair["amount_cents"],
                hours_cents=pair["hours_cents"],
                costs_cents=pair["costs_cents"],
                vat_cents=pair["vat_cents"],
                total_cents=pair["total_cents"],
                payment_seq=store.netting_seq(connection, run.run_id, debtor, creditor),
                issued_at=issued_at,
                issued_by=issued_by,
            )
        )
    store.add(connection, issued)
    for invoice in issued:
        trail.record(
            connection,
            principal,
            kind="invoice.issue",
            subject=f"invoice:{invoice.number}",
            hospitals=(invoice.creditor_agb, invoice.debtor_agb),
            payload={
                "number": invoice.number,
                "kind": invoice.kind,
                "run_id": invoice.run_id,
                "debtor_agb": invoice.debtor_agb,
                "creditor_agb": invoice.creditor_agb,
                "invoice_date": invoice.invoice_date.isoformat(),
                "due_date": invoice.due_date.isoformat(),
                "total": format_cents(invoice.total_cents),
            },
            now=now,
        )
    return issued


def list_invoices(
    connection: Connection,
    principal: Principal,
    *,
    run_id: int | None = None,
    agb: str | None = None,
) -> list[Invoice]:
    """The invoices ``principal`` may see, by creditor, year and number."""
    return store.visible(connection, principal, run_id=run_id, agb=agb)


def _parties(connection: Connection) -> dict[str, InvoiceParty]:
    return {
        str(row["agb"]): InvoiceParty(
            str(row["agb"]), str(row["name"]), row.get("iban"), row.get("address")
        )
        for row in visibility.hospitals(connection)
    }


def invoice_document(connection: Connection, principal: Principal, number: str) -> InvoiceDocument:
    """An issued invoice with its lines, if ``principal`` may see it."""
    found = store.visible(connection, principal, number=number)
    if not found:
        raise NotFound(f"there is no invoice {number}")
    invoice = found[0]
    run = RunStore(connection).get(invoice.run_id)
    assert run is not None
    frames = RunStore(connection).pair_frames(run.run_id, invoice.debtor_agb, invoice.creditor_agb)
    return build_invoice(
        run,
        frames,
        debtor=invoice.debtor_agb,
        creditor=invoice.creditor_agb,
        parties=_parties(connection),
        invoice=invoice,
    )


def pair_invoice(
    connection: Connection, principal: Principal, run_id: int, debtor: str, creditor: str
) -> InvoiceDocument:
    """The invoice of ``creditor`` to ``debtor`` in run ``run_id``: the issued one of a final
    run, or for a draft the CONCEPT (no number, no dates) that finalising would number."""
    run = visibility.visible_run(connection, principal, run_id)
    if run is None:
        raise NotFound(f"there is no settlement run {run_id}")
    if not principal.is_admin and principal.agb not in (debtor, creditor):
        raise NotFound(f"there is no invoice of {creditor} to {debtor} in run {run_id}")
    invoice = None
    if run.status == "final":
        found = [
            i
            for i in store.visible(connection, principal, run_id=run_id)
            if (i.debtor_agb, i.creditor_agb) == (debtor, creditor)
        ]
        if not found:
            raise NotFound(f"there is no invoice of {creditor} to {debtor} in run {run_id}")
        invoice = found[0]
    frames = RunStore(connection).pair_frames(run_id, debtor, creditor)
    document = build_invoice(
        run, frames, debtor=debtor, creditor=creditor, parties=_parties(connection),
        invoice=invoice,
    )  # fmt: skip
    if document.total_cents == 0:
        raise NotFound(f"there is no invoice of {creditor} to {debtor} in run {run_id}")
    return document


def hospital_journal(
    connection: Connection,
    principal: Principal,
    agb: str,
    accounts: Mapping[str, str] | None = None,
) -> list[JournalLine]:
    """The journal of hospital ``agb`` (docs/data-format.md §8): its invoices and the payments
    it made or received, booked on ``accounts`` (the defaults, with these codes instead). A
    hospital key reads its own journal only; an admin any."""
    require(principal, "admin", "hospital")
    if not principal.is_admin and principal.agb != agb:
        raise NotFound(f"there is no journal of {agb}")
    try:
        booked_on = accounts_with(accounts or {})
    except ValueError as exc:
        raise PaymentInvalid(str(exc)) from None
    return journal(
        agb,
        store.visible(connection, principal, agb=agb),
        payments_store.registered(connection, principal, from_agb=agb)
        + payments_store.registered(connection, principal, to_agb=agb),
        booked_on,
    )


def run_export(
    connection: Connection, principal: Principal, run_id: int
) -> tuple[Settlement, list[Invoice]]:
    """What the exports of run ``run_id`` hold for ``principal``: the part of the run it may
    see and the run's invoices it may see."""
    from spreiding.services.settlement import get_run  # settlement imports this module

    view = get_run(connection, principal, run_id)
    return view.result, store.visible(connection, principal, run_id=run_id)
