"""Invoices of final runs (issue 14 item 1, docs/data-format.md §8), on SQLite and PostgreSQL,
with amounts computed by hand.

The dataset: contract v2's ``samen-2024`` (A, B; payment term 14 days) with one DBC that
Groene Hart (B) performed for Alrijne (A), benchmark 1999.00 × 0.90 = 1799.10, and A's hours
and shared cost that B owes:
  8 h × 185.00 = 1480.00 (VAT 0%), 24 h × 95.00 = 2280.00 (0%),
  0.25 h × 190.50 = 47.625 → 47.63 (21%: 10.0023 → 10.00),
  one third of 120,000.00 = 40,000.00 (cost line, exempt):
  B owes A 1480.00 + 2280.00 + 47.63 (3,807.63) + 10.00 + 40,000.00 = 43,817.63.
Bilateral netting: B pays A 43,817.63 − 1,799.10 = 42,018.53 (the run's netting payment 0);
both invoices belong to it.
"""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

from spreiding.contract.reader import read_dataset
from spreiding.domain.access import Principal
from spreiding.domain.invoices import Invoice, VatRow, invoice_kind, invoice_number
from spreiding.render.web import vat_nl
from spreiding.services import datasets, invoices, settlement, trail
from spreiding.services.errors import NotFound
from spreiding.services.settlement import settle_dataset
from spreiding.store.runs import RunStore
from tests import files as f
from tests import files_v2 as v

ADMIN = Principal(key_id="adminkey0001", role="admin")
A_KEY = Principal(key_id="alrijnekey01", role="hospital", agb=f.HOSPITAL_A)
C_KEY = Principal(key_id="rijnstkey001", role="hospital", agb=f.HOSPITAL_C)
INSURER = Principal(key_id="insurerkey01", role="insurer", uzovi=f.INSURER)
A, B = f.HOSPITAL_A, f.HOSPITAL_B


def dataset(price: str = "1999.00", extra_dbcs: int = 0) -> dict[str, Any]:
    files = v.v2_files()
    files["dbcs.csv"] = [
        f.dbc(dbc_id="H1", agb=A, odv=False, end="2024-04-01") | {"uzovi": v.ZK},
        f.dbc() | {"uzovi": v.ZK},
    ] + [
        f.dbc(dbc_id=f"E{n}", patient=f"P-1{n:03d}", end="2024-05-01") | {"uzovi": v.ZK}
        for n in range(extra_dbcs)
    ]
    files["prices.csv"] = [f.price(eur=price)]
    # oncomid-2024 would cover D1 too (AMBIGUOUS_AGREEMENT): it covers another product here.
    files["agreements.json"][1]["care_types"] = [f.care_type(codes=["131999099"])]
    return files


def load(connection: Connection, folder: Path, files: dict[str, Any]) -> None:
    datasets.import_dataset(connection, read_dataset(f.write(folder, files)))


def final_run(connection: Connection, folder: Path, **kwargs: Any) -> int:
    load(connection, folder, dataset(**kwargs))
    run = settlement.settle_year(connection, ADMIN, year=2024).run
    settlement.finalise_run(connection, ADMIN, run.run_id, override="no sign-off in this test")
    return run.run_id


def summary(found: list[Invoice]) -> list[tuple[Any, ...]]:
    return [
        (i.number, i.kind, i.debtor_agb, i.creditor_agb, i.term_days, i.amount_cents,
         i.hours_cents, i.costs_cents, i.vat_cents, i.total_cents, i.payment_seq)
        for i in found
    ]  # fmt: skip


def test_numbers_kinds_and_labels() -> None:
    assert invoice_number("06010002", 2024, 1) == "06010002-2024-0001"
    assert invoice_number("06010002", 2024, 12345) == "06010002-2024-12345"
    assert (invoice_kind(1), invoice_kind(-1)) == ("invoice", "credit_note")
    with pytest.raises(ValueError):
        invoice_kind(0)
    with pytest.raises(ValueError):
        invoice_number("06010002", 2024, 0)
    assert [vat_nl(r) for r in ("exempt", "0.00", "0.21", "0.055")] == [
        "vrijgesteld", "0%", "21%", "5,5%",
    ]  # fmt: skip


def test_a_final_run_issues_one_invoice_per_pair(connection: Connection, tmp_path: Path) -> None:
    run_id = final_run(connection, tmp_path)
    today = trail.finalised_on(connection, run_id)
    assert today == datetime.now(UTC).date()
    found = invoices.list_invoices(connection, ADMIN)
    assert summary(found) == [
        ("06010001-2024-0001", "invoice", B, A, 14, 0, 380763, 4000000, 1000, 4381763, 0),
        ("06010002-2024-0001", "invoice", A, B, 14, 179910, 0, 0, 0, 179910, 0),
    ]
    assert {(i.invoice_date, i.due_date) for i in found} == {(today, today + timedelta(days=14))}
    # The issue events, one per invoice, after the run's own, in the order of the debtors.
    issued = trail.list_events(connection, ADMIN, kind="invoice.issue")
    assert [(e.subject, e.payload["total"]) for e in issued] == [
        ("invoice:06010002-2024-0001", "1799.10"),
        ("invoice:06010001-2024-0001", "43817.63"),
    ]
    # Who sees which: a party both, another hospital and an insurer none.
    assert [i.number for i in invoices.list_invoices(connection, A_KEY)] == [
        "06010001-2024-0001", "06010002-2024-0001",
    ]  # fmt: skip
    assert invoices.list_invoices(connection, C_KEY) == []
    assert invoices.list_invoices(connection, INSURER) == []
    with pytest.raises(NotFound):
        invoices.invoice_document(connection, C_KEY, "06010001-2024-0001")


def test_the_document_has_the_lines_the_vat_summary_and_the_payment(
    connection: Connection, tmp_path: Path
) -> None:
    final_run(connection, tmp_path)
    doc = invoices.invoice_document(connection, A_KEY, "06010001-2024-0001")
    assert (doc.creditor.agb, doc.creditor.iban, doc.debtor.address) == (
        A, v.IBAN_A, "Bleulandweg 10, 2803 HH Gouda",
    )  # fmt: skip
    assert [(h.hours_id, h.amount_cents, h.vat_cents) for h in doc.hours_lines] == [
        ("U1", 148000, 0), ("U3", 228000, 0), ("U2", 4763, 1000),
    ]  # fmt: skip
    assert [(c.cost_id, c.amount_cents) for c in doc.cost_lines] == [("bureau-2024", 4000000)]
    assert doc.vat == (
        VatRow("exempt", 4000000, 0), VatRow("0.00", 376000, 0), VatRow("0.21", 4763, 1000),
    )  # fmt: skip
    assert sum(r.base_cents + r.vat_cents for r in doc.vat) == doc.total_cents == 4381763
    assert doc.payment is not None
    assert (doc.payment.seq, doc.payment.from_agb, doc.payment.to_agb) == (0, B, A)
    assert doc.payment.amount_cents == 4381763 - 179910 == 4201853
    other = invoices.invoice_document(connection, ADMIN, "06010002-2024-0001")
    assert [(d.dbc_id, d.amount_cents) for d in other.dbc_lines] == [("D1", 179910)]
    assert other.vat == (VatRow("exempt", 179910, 0),)
    assert other.creditor.iban is None  # B gave none


def test_a_draft_has_a_concept_without_a_number(connection: Connection, tmp_path: Path) -> None:
    load(connection, tmp_path, dataset())
    run = settlement.settle_year(connection, ADMIN, year=2024).run
    assert invoices.list_invoices(connection, ADMIN) == []
    doc = invoices.pair_invoice(connection, A_KEY, run.run_id, A, B)
    assert doc.is_draft and doc.invoice is None and doc.total_cents == 179910
    with pytest.raises(NotFound):
        invoices.pair_invoice(connection, C_KEY, run.run_id, A, B)
    # The database itself refuses an invoice of a run that is not final.
    with pytest.raises(DBAPIError, match="not final"), connection.begin_nested():
        connection.execute(
            text(
                "INSERT INTO invoice (creditor_agb, year, seq, number, kind, run_id, debtor_agb, "
                "invoice_date, due_date, term_days, amount_cents, hours_cents, costs_cents, "
                "vat_cents, total_cents, issued_at, issued_by) VALUES ('06010002', 2024, 1, "
                "'06010002-2024-0001', 'invoice', :run, '06010001', '2025-01-01', "
                "'2025-01-31', 30, 1, 0, 0, 0, 1, 'x', 'x')"
            ),
            {"run": run.run_id},
        )


def test_a_correction_continues_the_sequence_and_a_refund_is_a_credit_note(
    connection: Connection, tmp_path: Path
) -> None:
    final_run(connection, tmp_path)
    # One more DBC: +1799.10 for B (the ceiling of 2 lines at 0.90 is not reached).
    correction = final_run(connection, tmp_path / "more", extra_dbcs=1)
    assert summary(invoices.list_invoices(connection, ADMIN, run_id=correction)) == [
        ("06010002-2024-0002", "invoice", A, B, 14, 179910, 0, 0, 0, 179910, 0),
    ]
    # A lower price: both lines at 999.00 × 0.90 = 899.10, each 900.00 less: a credit note.
    # (An import adds, it never changes a row: the stored price is changed first.)
    connection.execute(text("UPDATE price SET price_cents = 99900"))
    again = final_run(connection, tmp_path / "lower", price="999.00", extra_dbcs=1)
    assert summary(invoices.list_invoices(connection, ADMIN, run_id=again)) == [
        ("06010002-2024-0003", "credit_note", A, B, 14, -180000, 0, 0, 0, -180000, 0),
    ]
    numbers = [i.number for i in invoices.list_invoices(connection, ADMIN, agb=B)]
    assert numbers == [
        "06010001-2024-0001", "06010002-2024-0001", "06010002-2024-0002", "06010002-2024-0003",
    ]  # fmt: skip


@pytest.mark.parametrize(
    "change",
    ["UPDATE invoice SET total_cents = 1", "DELETE FROM invoice"],
)
def test_an_issued_invoice_cannot_change(
    connection: Connection, tmp_path: Path, change: str
) -> None:
    final_run(connection, tmp_path)
    with pytest.raises(DBAPIError, match="cannot be changed"), connection.begin_nested():
        connection.execute(text(change))
    assert len(invoices.list_invoices(connection, ADMIN)) == 2


# --- gap-free under concurrent finalisation ---------------------------------------------------


def test_parallel_numbering_is_gap_free(engine: Engine, tmp_path: Path) -> None:
    """Eight final runs of 2024 (a settlement and a chain of corrections, made final in the
    store, so none has its invoices yet) are invoiced at once, each in its own transaction:
    A's and B's invoices are each numbered 0001 to 0008, none twice, none skipped."""
    with engine.begin() as connection:
        load(connection, tmp_path, dataset())
        computed = settle_dataset(read_dataset(f.write(tmp_path / "d", dataset())), year=2024)
        frames = {
            "lines": computed.lines, "excluded": computed.excluded, "pairs": computed.pairs,
            "positions": computed.positions, "payments": computed.payments,
        }  # fmt: skip
        store = RunStore(connection)
        made, corrects = [], None
        for n in range(8):
            lines = computed.lines.assign(change="new") if corrects else computed.lines
            run = store.add(
                kind="correction" if corrects else "settlement", year=2024,
                netting="bilateral", fingerprint=f"fp{n}", corrects_run_id=corrects,
                total_cents=computed.total_cents, frames=frames | {"lines": lines},
            )  # fmt: skip
            made.append(store.finalise(run.run_id))
            corrects = run.run_id
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(made))

    def issue(run: Any) -> None:
        try:
            barrier.wait()
            with engine.begin() as connection:
                invoices.issue_invoices(connection, ADMIN, run, invoice_date=date(2025, 1, 15))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=issue, args=(run,)) for run in made]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with engine.connect() as connection:
        every = invoices.list_invoices(connection, ADMIN)
        for creditor in (A, B):
            found = [i for i in every if i.creditor_agb == creditor]
            assert sorted(i.seq for i in found) == list(range(1, 9))
            assert {i.run_id for i in found} == {run.run_id for run in made}
            assert {i.number for i in found} == {f"{creditor}-2024-{n:04d}" for n in range(1, 9)}
        assert trail.verify_log(connection, ADMIN) == (1 + 16, None)  # the import, 16 invoices


# --- the PDF, read back -----------------------------------------------------------------------


def dutch(amount: str) -> str:
    """``43817.63`` → ``€ 43.817,63``, written out here rather than through the renderer."""
    whole, cents = amount.lstrip("-").split(".")
    groups = f"{int(whole):,}".replace(",", ".")
    return f"€ {'-' if amount.startswith('-') else ''}{groups},{cents}"


def pdf_text(data: bytes) -> str:
    import io

    import pypdf

    pages = pypdf.PdfReader(io.BytesIO(data)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).replace("\xa0", " ").split())


def test_the_pdf_shows_what_the_json_says(connection: Connection, tmp_path: Path) -> None:
    from spreiding.render.invoice import document_to_dict, render_invoice

    final_run(connection, tmp_path)
    doc = invoices.invoice_document(connection, A_KEY, "06010001-2024-0001")
    as_json = document_to_dict(doc)
    pdf = render_invoice(doc)
    assert render_invoice(doc) == pdf  # the same bytes every time
    text = pdf_text(pdf)
    day = date.fromisoformat(as_json["invoice_date"])
    due = date.fromisoformat(as_json["due_date"])
    assert due - day == timedelta(days=14)
    assert as_json["creditor"]["iban"] == "NL91ABNA0417164300"
    assert as_json["total"] == "43817.63" and as_json["vat"] == "10.00"
    assert as_json["vat_summary"] == [
        {"rate": "exempt", "base": "40000.00", "vat": "0.00"},
        {"rate": "0.00", "base": "3760.00", "vat": "0.00"},
        {"rate": "0.21", "base": "47.63", "vat": "10.00"},
    ]
    assert "Factuur 06010001-2024-0001" in text
    assert f"Factuurdatum {day:%d-%m-%Y}" in text and f"Vervaldatum {due:%d-%m-%Y}" in text
    assert "IBAN NL91ABNA0417164300" in text
    for row, label in zip(as_json["vat_summary"], ["vrijgesteld", "0%", "21%"], strict=True):
        assert f"{label} {dutch(row['base'])} {dutch(row['vat'])}" in text
    assert f"Totaal {dutch('43807.63')} {dutch(as_json['vat'])}" in text  # bases, VAT
    assert dutch(as_json["total"]) == "€ 43.817,63"
    assert f"Totaal te betalen {dutch(as_json['total'])}" in text
    assert "06010002 betaalt 06010001 € 42.018,53" in text  # the netting payment
    assert "CONCEPT" not in text


def test_a_drafts_pdf_is_a_concept_without_a_number(connection: Connection, tmp_path: Path) -> None:
    from spreiding.render.invoice import render_invoice

    load(connection, tmp_path, dataset())
    run = settlement.settle_year(connection, ADMIN, year=2024).run
    text = pdf_text(render_invoice(invoices.pair_invoice(connection, ADMIN, run.run_id, A, B)))
    assert "Factuur (concept, nog geen nummer)" in text and "CONCEPT" in text
    assert "Factuurnummer" not in text and "Totaal te betalen € 1.799,10" in text


# --- the command line ------------------------------------------------------------------------


def test_invoices_on_the_command_line(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    from typer.testing import CliRunner

    from spreiding.cli import app as cli

    monkeypatch.setenv("SPREIDING_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    runner = CliRunner()
    assert runner.invoke(cli, ["import", str(f.write(tmp_path / "d", dataset()))]).exit_code == 0
    assert runner.invoke(cli, ["settle", "--year", "2024", "--format", "json"]).exit_code == 0
    with engine.connect() as connection:
        run = connection.execute(text("SELECT max(run_id) FROM settlement_run")).scalar_one()
    assert (
        runner.invoke(cli, ["runs", "finalise", str(run), "--yes", "--override", "test"]).exit_code
        == 0
    )
    listed = json.loads(runner.invoke(cli, ["invoices", "list", "--format", "json"]).stdout)
    assert [(i["number"], i["debtor_agb"], i["total"]) for i in listed] == [
        ("06010001-2024-0001", B, "43817.63"), ("06010002-2024-0001", A, "1799.10"),
    ]  # fmt: skip
    shown = json.loads(runner.invoke(cli, ["invoices", "show", "06010002-2024-0001"]).stdout)
    assert (shown["total"], shown["lines"][0]["amount"]) == ("1799.10", "1799.10")
    written = runner.invoke(cli, ["invoices", "pdf", "--run", str(run), "--out", str(tmp_path)])
    assert written.exit_code == 0
    assert sorted(p.name for p in tmp_path.glob("factuur-*.pdf")) == [
        "factuur-06010001-2024-0001.pdf", "factuur-06010002-2024-0001.pdf",
    ]  # fmt: skip
    assert "Factuur 06010002-2024-0001" in pdf_text(
        (tmp_path / "factuur-06010002-2024-0001.pdf").read_bytes()
    )
    missing = runner.invoke(cli, ["invoices", "show", "06010002-2024-0009"])
    assert missing.exit_code != 0 and "no invoice 06010002-2024-0009" in missing.stderr


def test_the_demo_signs_off_finalises_invoices_and_pays(tmp_path: Path) -> None:
    """The demo's year is final through both hospitals' acceptance of every pair (no
    override), every invoice is written as PDF, and one payment is registered."""
    from sqlalchemy import create_engine
    from typer.testing import CliRunner

    from spreiding.cli import app as cli

    result = CliRunner().invoke(cli, ["--lang", "en", "demo", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.stderr
    engine = create_engine(f"sqlite:///{tmp_path / 'demo.db'}")
    with engine.connect() as connection:
        kinds = [e.kind for e in trail.list_events(connection, ADMIN, subject="run:1")]
        issued = invoices.list_invoices(connection, ADMIN, run_id=1)
        pairs = connection.execute(text("SELECT count(*) FROM settlement_pair")).scalar_one()
    engine.dispose()
    assert "run.override" not in kinds and kinds.count("run.accept") == 2 * pairs
    assert kinds[-1] == "run.finalise"
    written = sorted(p.name for p in (tmp_path / "facturen").iterdir())
    assert written == sorted(f"factuur-{i.number}.pdf" for i in issued) and written
    assert f"{pairs} pairs accepted by both hospitals; run 1 final" in result.stdout
    assert "payment DEMO-1 registered: " in result.stdout
    assert (tmp_path / "export.xlsx").is_file()
    journals = sorted(p.name for p in (tmp_path / "journaal").iterdir())
    agbs = sorted({i.creditor_agb for i in issued} | {i.debtor_agb for i in issued})
    assert journals == [f"journal-{agb}.csv" for agb in agbs]
