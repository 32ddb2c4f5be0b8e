"""journal.csv (docs/data-format.md §8): bookings per invoice and payment, by hand, and the
two invariants for any invoices and payments (hypothesis): per hospital debits equal credits,
and the receivable account's balance is its invoices as creditor less the payments received.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, text

from spreiding.contract.reader import read_dataset
from spreiding.domain.access import Principal
from spreiding.domain.invoices import Invoice, invoice_kind
from spreiding.domain.journal import DEFAULT_ACCOUNTS, accounts_with, journal
from spreiding.domain.payments import PaymentInvalid, RegisteredPayment
from spreiding.render.csvout import CsvDialect
from spreiding.render.invoice import journal_to_csv
from spreiding.services import datasets, invoices, payments, settlement
from spreiding.services.errors import NotFound
from tests import files as f

ADMIN = Principal(key_id="adminkey0001", role="admin")
A_KEY = Principal(key_id="alrijnekey01", role="hospital", agb=f.HOSPITAL_A)
A, B, C = f.HOSPITAL_A, f.HOSPITAL_B, f.HOSPITAL_C
DAY = date(2025, 1, 15)


def test_the_journals_of_both_hospitals_by_hand(connection: Connection, tmp_path: Path) -> None:
    """B invoices A 1799.10 (06010002-2024-0001, no VAT); A pays 1000.00 (BANK-1)."""
    datasets.import_dataset(connection, read_dataset(f.write(tmp_path, f.base_files())))
    run = settlement.settle_year(connection, ADMIN, year=2024).run.run_id
    settlement.finalise_run(connection, ADMIN, run, override="journal test")
    payments.register_payment(
        connection, A_KEY, run_id=run, from_agb=A, to_agb=B, paid_on=date(2025, 1, 10),
        amount="1000.00", reference="BANK-1",
    )  # fmt: skip
    (issued,) = invoices.list_invoices(connection, ADMIN)
    day = issued.invoice_date.isoformat()
    b = journal_to_csv(invoices.hospital_journal(connection, ADMIN, B), CsvDialect.standard)
    assert b.splitlines() == [
        "agb,entry_date,document,account,description,debit,credit",
        f"{B},2025-01-10,BANK-1,1100,betaling van {A} (run {run}),1000.00,0.00",
        f"{B},2025-01-10,BANK-1,1300,betaling van {A} (run {run}),0.00,1000.00",
        f"{B},{day},{B}-2024-0001,1300,factuur aan {A},1799.10,0.00",
        f"{B},{day},{B}-2024-0001,8000,factuur aan {A},0.00,1799.10",
    ]
    a = invoices.hospital_journal(connection, A_KEY, A, {"payable": "1610", "bank": "1120"})
    assert [(x.document, x.account, x.debit_cents, x.credit_cents) for x in a] == [
        ("BANK-1", "1610", 100000, 0), ("BANK-1", "1120", 0, 100000),
        (f"{B}-2024-0001", "4000", 179910, 0), (f"{B}-2024-0001", "1610", 0, 179910),
    ]  # fmt: skip
    nl = journal_to_csv(a, CsvDialect.excel_nl)
    assert nl.startswith("\ufeffagb;entry_date;") and ";1799,10;0,00\r\n" in nl
    with pytest.raises(NotFound):  # a hospital reads its own journal only
        invoices.hospital_journal(connection, A_KEY, B)
    with pytest.raises(PaymentInvalid, match="unknown ledger account"):
        invoices.hospital_journal(connection, ADMIN, A, {"kas": "1000"})


def test_account_codes_are_checked() -> None:
    assert accounts_with({}) == dict(DEFAULT_ACCOUNTS)
    with pytest.raises(ValueError, match="has no code"):
        accounts_with({"bank": " "})


AGBS = st.sampled_from([A, B, C])
CENTS = st.integers(-(10**9), 10**9).filter(lambda c: c != 0)


@st.composite
def an_invoice(draw: st.DrawFn, seq: int) -> Invoice:
    debtor, creditor = draw(st.permutations([A, B, C]))[:2]
    total = draw(CENTS)
    vat = draw(st.integers(0, abs(total))) * (1 if total > 0 else -1) if draw(st.booleans()) else 0
    return Invoice(
        number=f"{creditor}-2024-{seq:04d}", kind=invoice_kind(total), run_id=1, year=2024,
        seq=seq, debtor_agb=debtor, creditor_agb=creditor, invoice_date=DAY, due_date=DAY,
        term_days=30, amount_cents=total - vat, hours_cents=0, costs_cents=0, vat_cents=vat,
        total_cents=total, payment_seq=0, issued_at="x", issued_by="x",
    )  # fmt: skip


@st.composite
def a_payment(draw: st.DrawFn, n: int) -> RegisteredPayment:
    payer, payee = draw(st.permutations([A, B, C]))[:2]
    return RegisteredPayment(
        payment_id=n, run_id=1, from_agb=payer, to_agb=payee, paid_on=DAY,
        amount_cents=draw(st.integers(1, 10**9)), reference=f"P-{n}", registered_at="x",
        registered_by="x",
    )  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(1, 9999), max_size=12, unique=True).flatmap(
        lambda seqs: st.tuples(*[an_invoice(s) for s in seqs])
    ),
    st.lists(st.integers(1, 9999), max_size=12, unique=True).flatmap(
        lambda ns: st.tuples(*[a_payment(n) for n in ns])
    ),
    AGBS,
)
def test_debits_equal_credits_and_the_receivable_is_invoiced_less_received(
    issued: tuple[Invoice, ...], paid: tuple[RegisteredPayment, ...], agb: str
) -> None:
    lines = journal(agb, issued, paid)
    assert sum(x.debit_cents for x in lines) == sum(x.credit_cents for x in lines)
    assert all(min(x.debit_cents, x.credit_cents) == 0 <= max(x.debit_cents, x.credit_cents)
               for x in lines)  # fmt: skip
    receivable = DEFAULT_ACCOUNTS["receivable"]
    balance = sum(x.debit_cents - x.credit_cents for x in lines if x.account == receivable)
    invoiced = sum(i.total_cents for i in issued if i.creditor_agb == agb)
    received = sum(p.amount_cents for p in paid if p.to_agb == agb)
    assert balance == invoiced - received
    assert {x.agb for x in lines} <= {agb}


def test_the_journal_on_the_command_line(
    engine: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import Engine
    from typer.testing import CliRunner

    from spreiding.cli import app as cli

    assert isinstance(engine, Engine)
    monkeypatch.setenv("SPREIDING_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    runner = CliRunner()
    assert (
        runner.invoke(cli, ["import", str(f.write(tmp_path / "d", f.base_files()))]).exit_code == 0
    )
    assert runner.invoke(cli, ["settle", "--year", "2024", "--format", "json"]).exit_code == 0
    with engine.connect() as connection:
        run = connection.execute(text("SELECT max(run_id) FROM settlement_run")).scalar_one()
    finalised = runner.invoke(cli, ["runs", "finalise", str(run), "--yes", "--override", "x"])
    assert finalised.exit_code == 0, finalised.stderr
    codes = tmp_path / "accounts.json"
    codes.write_text('{"revenue": "8100"}', encoding="utf-8")
    result = runner.invoke(
        cli, ["invoices", "journal", "--hospital", B, "--accounts", str(codes),
              "--csv-dialect", "standard"],
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert [line.split(",")[3:] for line in result.stdout.splitlines()[1:]] == [
        ["1300", f"factuur aan {A}", "1799.10", "0.00"],
        ["8100", f"factuur aan {A}", "0.00", "1799.10"],
    ]
    codes.write_text('{"kas": "1000"}', encoding="utf-8")
    refused = runner.invoke(cli, ["invoices", "journal", "--hospital", B, "--accounts", str(codes)])
    assert refused.exit_code == 2 and "unknown ledger account kas" in refused.stderr
