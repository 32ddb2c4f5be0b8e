"""``payments``: register a payment against a netting payment of a final run, list the netting
payments with their status, the registered payments, and what each hospital still has to pay
and receive."""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Annotated

import typer

from spreiding.cli.common import database, fail, out
from spreiding.domain.money import format_cents
from spreiding.domain.payments import PaymentError
from spreiding.render.ledger import (
    balance_to_dict,
    balances_table,
    netting_payment_to_dict,
    netting_payments_table,
    registered_payment_to_dict,
    registered_payments_table,
    to_json,
)
from spreiding.services import payments
from spreiding.services.access import OPERATOR
from spreiding.services.errors import NotFound

payments_app = typer.Typer(
    no_args_is_help=True, help="Payments against the netting payments of final runs."
)


class Shown(StrEnum):
    table = "table"
    json = "json"


def _day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise fail(ValueError(f"{option}: {text!r} is not a date (YYYY-MM-DD)")) from None


def _today() -> date:
    return datetime.now(UTC).date()


FormatOption = Annotated[Shown, typer.Option("--format", help="table or json.")]
AsOf = Annotated[
    str | None, typer.Option("--as-of", help="The day the status is for (default: today, UTC).")
]
RunOption = Annotated[int | None, typer.Option("--run", min=1, help="Only this run.")]


@payments_app.command("add")
def payments_add(
    run: Annotated[int, typer.Option("--run", min=1, help="The final run.")],
    from_agb: Annotated[str, typer.Option("--from", help="The paying hospital's AGB.")],
    to_agb: Annotated[str, typer.Option("--to", help="The receiving hospital's AGB.")],
    paid_on: Annotated[str, typer.Option("--date", help="The day it was paid (YYYY-MM-DD).")],
    amount: Annotated[str, typer.Option("--amount", help="Euros, e.g. 1234.50.")],
    reference: Annotated[str, typer.Option("--reference", help="The bank's reference.")],
) -> None:
    """Register a payment; exit 2 with the reason when it is refused (more than is open, a
    reference registered before, a draft run, no such netting payment)."""
    day = _day(paid_on, "--date")
    try:
        with database() as engine, engine.begin() as connection:
            payment = payments.register_payment(
                connection,
                OPERATOR,
                run_id=run,
                from_agb=from_agb,
                to_agb=to_agb,
                paid_on=day,
                amount=amount,
                reference=reference,
            )
            status = payments.netting_payments(connection, OPERATOR, today=_today(), run_id=run)
    except (PaymentError, NotFound) as exc:
        raise fail(exc) from None
    now = next(p for p in status if (p.from_agb, p.to_agb) == (from_agb, to_agb))
    out.print(
        f"registered payment {payment.payment_id}: {from_agb} paid {to_agb} "
        f"{format_cents(payment.amount_cents)} on {day.isoformat()} ({payment.reference}); "
        f"run {run}: {now.status}, {format_cents(now.open_cents)} open",
        markup=False,
    )


@payments_app.command("list")
def payments_list(
    run: RunOption = None,
    status: Annotated[str | None, typer.Option(help="open, partly paid, paid or overdue.")] = None,
    as_of: AsOf = None,
    format_: FormatOption = Shown.table,
) -> None:
    """The netting payments of final runs with what was paid and their status."""
    today = _today() if as_of is None else _day(as_of, "--as-of")
    try:
        with database() as engine, engine.connect() as connection:
            found = payments.netting_payments(
                connection, OPERATOR, today=today, run_id=run, status=status
            )
    except PaymentError as exc:
        raise fail(exc) from None
    if format_ is Shown.json:
        typer.echo(to_json([netting_payment_to_dict(p) for p in found]), nl=False)
    else:
        typer.echo(netting_payments_table(found), nl=False)


@payments_app.command("registered")
def payments_registered(run: RunOption = None, format_: FormatOption = Shown.table) -> None:
    """Every registered payment, in the order registered."""
    with database() as engine, engine.connect() as connection:
        found = payments.list_payments(connection, OPERATOR, run_id=run)
    if format_ is Shown.json:
        typer.echo(to_json([registered_payment_to_dict(p) for p in found]), nl=False)
    else:
        typer.echo(registered_payments_table(found), nl=False)


@payments_app.command("balances")
def payments_balances(as_of: AsOf = None, format_: FormatOption = Shown.table) -> None:
    """What each hospital still has to pay and to receive, and how much of it is overdue."""
    today = _today() if as_of is None else _day(as_of, "--as-of")
    with database() as engine, engine.connect() as connection:
        found = payments.hospital_balances(connection, OPERATOR, today=today)
    if format_ is Shown.json:
        typer.echo(to_json([balance_to_dict(b) for b in found]), nl=False)
    else:
        typer.echo(balances_table(found), nl=False)
