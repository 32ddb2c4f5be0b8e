"""Payments against netting payments (issue 14 item 3), through the service on SQLite and
PostgreSQL, with amounts computed by hand.

The base dataset (tests/files.py) settles one line: Groene Hart (B) operated for Alrijne (A),
benchmark 1999.00 × 0.90 = 1799.10, so in the final run A pays B 1799.10, due 30 days after
the day the run became final (the agreement names no other term).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection

from spreiding.contract.reader import read_dataset
from spreiding.domain.access import Principal
from spreiding.domain.money import format_cents
from spreiding.domain.payments import (
    Balance,
    NettingPayment,
    NettingPaymentNotFinal,
    PaymentAlreadyRegistered,
    PaymentExceedsOpenAmount,
    PaymentInvalid,
    balances,
    payment_status,
)
from spreiding.services import datasets, payments, settlement, trail
from spreiding.services.errors import Forbidden, NotFound
from tests import files as f
from tests.conftest import rolled_back

ADMIN = Principal(key_id="adminkey0001", role="admin")
A = Principal(key_id="alrijnekey01", role="hospital", agb=f.HOSPITAL_A)
B = Principal(key_id="groenekey001", role="hospital", agb=f.HOSPITAL_B)
OTHER = Principal(key_id="otherkey0001", role="hospital", agb="06099999")
INSURER = Principal(key_id="insurerkey01", role="insurer", uzovi=f.INSURER)
BUREAU = Principal(key_id="bureaukey001", role="bureau", agreements=frozenset({"samen-2024"}))
PAID_ON = date(2025, 1, 10)


def final_run(connection: Connection, folder: Path, **agreement: Any) -> int:
    files = f.base_files()
    files["agreements.json"][0].update(agreement)
    datasets.import_dataset(connection, read_dataset(f.write(folder, files)))
    run = settlement.settle_year(connection, ADMIN, year=2024).run
    settlement.finalise_run(connection, ADMIN, run.run_id, override="no sign-off in this test")
    return run.run_id


def pay(
    connection: Connection, run_id: int, amount: str, reference: str, who: Principal = A
) -> None:
    payments.register_payment(
        connection, who, run_id=run_id, from_agb=f.HOSPITAL_A, to_agb=f.HOSPITAL_B,
        paid_on=PAID_ON, amount=amount, reference=reference,
    )  # fmt: skip


def state(connection: Connection, today: date, who: Principal = ADMIN) -> list[tuple[Any, ...]]:
    return [
        (p.from_agb, p.to_agb, p.amount_cents, p.paid_cents, p.open_cents, p.status)
        for p in payments.netting_payments(connection, who, today=today)
    ]


def due_of(connection: Connection, run_id: int) -> date:
    finalised = trail.finalised_on(connection, run_id)
    assert finalised == datetime.now(UTC).date()
    return finalised + timedelta(days=30)


def test_open_then_partly_paid_then_paid_and_overdue_by_date(
    connection: Connection, tmp_path: Path
) -> None:
    run_id = final_run(connection, tmp_path)
    due = due_of(connection, run_id)
    [netting] = payments.netting_payments(connection, ADMIN, today=due)
    assert (netting.due_on, netting.term_days, netting.year) == (due, 30, 2024)
    AB = (f.HOSPITAL_A, f.HOSPITAL_B)
    assert state(connection, due) == [(*AB, 179910, 0, 179910, "open")]
    assert state(connection, due + timedelta(days=1)) == [(*AB, 179910, 0, 179910, "overdue")]
    pay(connection, run_id, "799.10", "BANK-1")
    assert state(connection, due) == [(*AB, 179910, 79910, 100000, "partly paid")]
    # Due on the due date itself; overdue from the day after.
    assert state(connection, due + timedelta(days=1)) == [(*AB, 179910, 79910, 100000, "overdue")]
    pay(connection, run_id, "1000.00", "BANK-2", who=B)  # the payee registers it
    assert state(connection, due + timedelta(days=365)) == [(*AB, 179910, 179910, 0, "paid")]
    registered = payments.list_payments(connection, ADMIN)
    assert [(p.reference, p.amount_cents, p.paid_on, p.registered_by) for p in registered] == [
        ("BANK-1", 79910, PAID_ON, "key:alrijnekey01"),
        ("BANK-2", 100000, PAID_ON, "key:groenekey001"),
    ]


def test_more_than_is_open_is_refused_and_nothing_is_stored(
    connection: Connection, tmp_path: Path
) -> None:
    run_id = final_run(connection, tmp_path)
    with pytest.raises(PaymentExceedsOpenAmount) as refused:
        pay(connection, run_id, "1799.11", "BANK-1")
    assert str(refused.value) == (
        "a payment of 1799.11 is more than the 1799.10 still open of this netting payment of "
        "1799.10; nothing was registered"
    )
    pay(connection, run_id, "1000.00", "BANK-1")
    with pytest.raises(PaymentExceedsOpenAmount, match=r"more than the 799\.10 still open"):
        pay(connection, run_id, "799.11", "BANK-2")
    pay(connection, run_id, "799.10", "BANK-2")  # exactly what is open
    with pytest.raises(PaymentExceedsOpenAmount, match=r"more than the 0\.00 still open"):
        pay(connection, run_id, "0.01", "BANK-3")
    assert [p.reference for p in payments.list_payments(connection, ADMIN)] == [
        "BANK-1",
        "BANK-2",
    ]
    kinds = [e.kind for e in trail.list_events(connection, ADMIN)]
    assert kinds.count("payment.register") == 2


def test_the_same_reference_twice_is_refused(connection: Connection, tmp_path: Path) -> None:
    run_id = final_run(connection, tmp_path)
    pay(connection, run_id, "100.00", "BANK-1")
    with pytest.raises(PaymentAlreadyRegistered, match="'BANK-1' is already registered"):
        pay(connection, run_id, "100.00", "BANK-1", who=B)
    with pytest.raises(PaymentAlreadyRegistered):
        pay(connection, run_id, "5.00", "  BANK-1 ")  # the same once trimmed
    assert len(payments.list_payments(connection, ADMIN)) == 1


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("0.00", "not more than 0.00"),
        ("-5.00", "not more than 0.00"),
        ("1.001", "more than two decimals"),
        ("abc", "not a number"),
        ("NaN", "not a number"),
        ("1e20", "out of range"),
    ],
)
def test_an_amount_that_is_no_positive_money_is_refused(
    connection: Connection, tmp_path: Path, amount: str, message: str
) -> None:
    run_id = final_run(connection, tmp_path)
    with pytest.raises(PaymentInvalid, match=message):
        pay(connection, run_id, amount, "BANK-1")


def test_a_payment_of_a_draft_a_future_day_or_another_pair_is_refused(
    connection: Connection, tmp_path: Path
) -> None:
    datasets.import_dataset(connection, read_dataset(f.write(tmp_path, f.base_files())))
    draft = settlement.settle_year(connection, ADMIN, year=2024).run.run_id
    with pytest.raises(NettingPaymentNotFinal, match="is a draft"):
        pay(connection, draft, "1.00", "BANK-1")
    settlement.finalise_run(connection, ADMIN, draft, override="no sign-off in this test")
    tomorrow = datetime.now(UTC).date() + timedelta(days=1)
    with pytest.raises(PaymentInvalid, match="in the future"):
        payments.register_payment(
            connection, A, run_id=draft, from_agb=f.HOSPITAL_A, to_agb=f.HOSPITAL_B,
            paid_on=tomorrow, amount="1.00", reference="BANK-1",
        )  # fmt: skip
    with pytest.raises(NotFound):  # B does not pay A
        payments.register_payment(
            connection, ADMIN, run_id=draft, from_agb=f.HOSPITAL_B, to_agb=f.HOSPITAL_A,
            paid_on=PAID_ON, amount="1.00", reference="BANK-1",
        )  # fmt: skip


def test_only_the_payer_the_payee_and_an_admin_register_and_see(
    connection: Connection, tmp_path: Path
) -> None:
    run_id = final_run(connection, tmp_path)
    with pytest.raises(NotFound):  # another hospital's payment reads as no payment
        pay(connection, run_id, "1.00", "BANK-1", who=OTHER)
    for role in (INSURER, BUREAU):
        with pytest.raises(Forbidden):
            pay(connection, run_id, "1.00", "BANK-1", who=role)
    pay(connection, run_id, "1.00", "BANK-1")
    today = datetime.now(UTC).date()
    assert len(state(connection, today, A)) == len(state(connection, today, B)) == 1
    for who in (OTHER, INSURER, BUREAU):
        assert state(connection, today, who) == []
        assert payments.list_payments(connection, who) == []
        assert payments.hospital_balances(connection, who, today=today) == []


def test_what_each_hospital_still_has_to_pay_and_receive(
    connection: Connection, tmp_path: Path
) -> None:
    run_id = final_run(connection, tmp_path)
    due = due_of(connection, run_id)
    pay(connection, run_id, "799.10", "BANK-1")
    assert payments.hospital_balances(connection, ADMIN, today=due) == [
        Balance(f.HOSPITAL_A, 100000, 0, 0, 0),
        Balance(f.HOSPITAL_B, 0, 100000, 0, 0),
    ]
    late = due + timedelta(days=1)
    assert payments.hospital_balances(connection, ADMIN, today=late) == [
        Balance(f.HOSPITAL_A, 100000, 0, 100000, 0),
        Balance(f.HOSPITAL_B, 0, 100000, 0, 100000),
    ]
    assert payments.hospital_balances(connection, B, today=late) == [
        Balance(f.HOSPITAL_B, 0, 100000, 0, 100000)
    ]


def test_the_agreements_payment_term_sets_the_due_date(
    connection: Connection, tmp_path: Path
) -> None:
    run_id = final_run(connection, tmp_path, payment_term_days=14)
    [netting] = payments.netting_payments(connection, ADMIN, today=date(2000, 1, 1))
    finalised = trail.finalised_on(connection, run_id)
    assert finalised is not None
    assert (netting.term_days, netting.due_on) == (14, finalised + timedelta(days=14))


@pytest.mark.parametrize(
    ("paid", "due_offset", "status"),
    [(0, 0, "open"), (1, 0, "partly paid"), (100, 0, "paid"), (0, 1, "overdue"),
     (99, 1, "overdue"), (100, 1, "paid"), (0, -1, "open")],
)  # fmt: skip
def test_status_at_its_edges(paid: int, due_offset: int, status: str) -> None:
    due = date(2025, 2, 14)
    today = due + timedelta(days=due_offset)
    assert payment_status(amount_cents=100, paid_cents=paid, due_on=due, today=today) == status
    # A run finalised before the log existed has no known due date: never overdue.
    if status == "overdue":
        unknown = payment_status(amount_cents=100, paid_cents=paid, due_on=None, today=today)
        assert unknown == ("open" if paid == 0 else "partly paid")


def test_parallel_payments_never_pay_more_than_is_open(engine: Any, tmp_path: Path) -> None:
    """Eight registrations of 500.00 at once against 1799.10: three are registered, five
    refused; 1500.00 paid, and the log holds one chain."""
    import threading

    with engine.begin() as connection:
        run_id = final_run(connection, tmp_path)
    start = threading.Barrier(8)
    outcomes: list[str] = []

    def register(n: int) -> None:
        start.wait()
        try:
            with engine.begin() as connection:
                pay(connection, run_id, "500.00", f"BANK-{n}")
            outcomes.append("registered")
        except PaymentExceedsOpenAmount:
            outcomes.append("refused")

    threads = [threading.Thread(target=register, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused"] * 5 + ["registered"] * 3
    with engine.connect() as connection:
        assert state(connection, date(2000, 1, 1)) == [
            (f.HOSPITAL_A, f.HOSPITAL_B, 179910, 150000, 29910, "partly paid")
        ]
        # import, settle, override, finalise, its invoice and the three payments, one chain
        assert trail.verify_log(connection, ADMIN) == (8, None)


def test_payments_on_the_command_line(
    engine: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    from sqlalchemy import text
    from typer.testing import CliRunner

    from spreiding.cli import app as cli

    monkeypatch.setenv("SPREIDING_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("LOGNAME", "tester")
    runner = CliRunner()
    folder = f.write(tmp_path / "data", f.base_files())
    assert runner.invoke(cli, ["import", str(folder)]).exit_code == 0
    assert runner.invoke(cli, ["settle", "--year", "2024", "--format", "json"]).exit_code == 0
    with engine.connect() as connection:
        run = connection.execute(text("SELECT max(run_id) FROM settlement_run")).scalar_one()
    add = ["payments", "add", "--run", str(run), "--from", f.HOSPITAL_A, "--to", f.HOSPITAL_B]
    paid = ["--date", "2025-01-10"]
    draft = runner.invoke(cli, [*add, *paid, "--amount", "1.00", "--reference", "B-1"])
    assert (draft.exit_code, "is a draft" in draft.stderr) == (2, True)
    assert (
        runner.invoke(cli, ["runs", "finalise", str(run), "--yes", "--override", "test"]).exit_code
        == 0
    )
    first = runner.invoke(cli, [*add, *paid, "--amount", "799.10", "--reference", "B-1"])
    assert first.exit_code == 0, first.stderr
    assert first.stdout == (
        f"registered payment {first.stdout.split()[2]} {f.HOSPITAL_A} paid {f.HOSPITAL_B} "
        f"799.10 on 2025-01-10 (B-1); run {run}: partly paid, 1000.00 open\n"
    )
    over = runner.invoke(cli, [*add, *paid, "--amount", "1000.01", "--reference", "B-2"])
    assert (over.exit_code, over.stderr) == (
        2,
        "a payment of 1000.01 is more than the 1000.00 still open of this netting payment of "
        "1799.10; nothing was registered\n",
    )
    twice = runner.invoke(cli, [*add, *paid, "--amount", "1.00", "--reference", "B-1"])
    assert twice.exit_code == 2 and "'B-1' is already registered" in twice.stderr
    bad_day = runner.invoke(
        cli, [*add, "--date", "10-01-2025", "--amount", "1", "--reference", "X"]
    )
    assert (bad_day.exit_code, bad_day.stderr) == (
        2,
        "--date: '10-01-2025' is not a date (YYYY-MM-DD)\n",
    )
    listed = json.loads(runner.invoke(cli, ["payments", "list", "--format", "json"]).stdout)
    assert [(p["amount"], p["paid"], p["open"], p["status"]) for p in listed] == [
        ("1799.10", "799.10", "1000.00", "partly paid")
    ]
    late = runner.invoke(cli, ["payments", "list", "--as-of", "2099-01-01", "--format", "json"])
    assert [p["status"] for p in json.loads(late.stdout)] == ["overdue"]
    balances = runner.invoke(cli, ["payments", "balances", "--format", "json"])
    assert json.loads(balances.stdout) == [
        {"agb": f.HOSPITAL_A, "to_pay": "1000.00", "to_receive": "0.00",
         "overdue_to_pay": "0.00", "overdue_to_receive": "0.00"},
        {"agb": f.HOSPITAL_B, "to_pay": "0.00", "to_receive": "1000.00",
         "overdue_to_pay": "0.00", "overdue_to_receive": "0.00"},
    ]  # fmt: skip
    registered = runner.invoke(cli, ["payments", "registered", "--format", "json"])
    assert [(p["reference"], p["registered_by"]) for p in json.loads(registered.stdout)] == [
        ("B-1", "cli:tester")
    ]
    table = runner.invoke(cli, ["payments", "list"]).stdout.splitlines()
    assert table[0].split() == [
        "run",
        "year",
        "from",
        "to",
        "amount",
        "paid",
        "open",
        "due",
        "status",
    ]
    assert table[1].split()[4:7] == ["1799.10", "799.10", "1000.00"]
    # import, settle, override, finalise, invoice, payment
    assert runner.invoke(cli, ["log", "verify"]).stdout == "6 events, chain intact\n"


# --- properties --------------------------------------------------------------------------------


HOSPITALS = ("06010001", "06010002", "06010003", "06010004")


@st.composite
def netting_payments(draw: st.DrawFn) -> NettingPayment:
    payer, payee = draw(st.permutations(HOSPITALS))[:2]
    amount = draw(st.integers(1, 10**12))
    paid = draw(st.one_of(st.just(0), st.just(amount), st.integers(0, amount)))
    due = date(2025, 2, 14)
    today = draw(st.sampled_from([due - timedelta(days=1), due, due + timedelta(days=1)]))
    status = payment_status(amount_cents=amount, paid_cents=paid, due_on=due, today=today)
    event(status)
    return NettingPayment(
        run_id=1, seq=0, year=2024, from_agb=payer, to_agb=payee, amount_cents=amount,
        paid_cents=paid, finalised_on=date(2025, 1, 15), term_days=30, due_on=due, status=status,
    )  # fmt: skip


@given(st.lists(netting_payments(), max_size=12))
def test_what_all_still_have_to_pay_is_what_all_still_have_to_receive(
    payments_: list[NettingPayment],
) -> None:
    found = balances(payments_)
    open_total = sum(p.open_cents for p in payments_)
    overdue = sum(p.open_cents for p in payments_ if p.status == "overdue")
    assert sum(b.to_pay_cents for b in found) == sum(b.to_receive_cents for b in found)
    assert sum(b.to_pay_cents for b in found) == open_total
    assert sum(b.overdue_to_pay_cents for b in found) == overdue
    assert sum(b.overdue_to_receive_cents for b in found) == overdue
    for balance in found:
        assert balance.to_pay_cents == sum(
            p.open_cents for p in payments_ if p.from_agb == balance.agb
        )
    assert [b.agb for b in found] == sorted({h for p in payments_ for h in (p.from_agb, p.to_agb)})


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(attempts=st.lists(st.integers(1, 179910), min_size=1, max_size=6))
def test_registrations_never_pay_more_than_the_netting_payment(
    connection: Connection, tmp_path_factory: pytest.TempPathFactory, attempts: list[int]
) -> None:
    """Whatever amounts are offered in whatever order: one is registered exactly when it fits
    in what is still open, and what is paid plus what is open is always 1799.10."""
    with rolled_back(connection):
        run_id = final_run(connection, tmp_path_factory.mktemp("data"))
        paid = 0
        for n, cents in enumerate(attempts):
            fits = paid + cents <= 179910
            event("fits" if fits else "refused")
            try:
                pay(connection, run_id, format_cents(cents), f"BANK-{n}")
            except PaymentExceedsOpenAmount:
                assert not fits
            else:
                assert fits
                paid += cents
        [netting] = payments.netting_payments(connection, ADMIN, today=date(2000, 1, 1))
        assert (netting.paid_cents, netting.open_cents) == (paid, 179910 - paid)
        assert netting.status == ("paid" if paid == 179910 else "partly paid" if paid else "open")
