"""FHIR R4 (R4B models of fhir.resources) export and import: every resource validates, a
round trip gives the same domain values, money stays exact."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.chargeitem import ChargeItem
from fhir.resources.R4B.contract import Contract
from fhir.resources.R4B.invoice import Invoice as FhirInvoice
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Connection

from spreiding.contract.agreements import parse_agreements
from spreiding.contract.reader import read_dataset
from spreiding.domain.access import Principal
from spreiding.domain.agreements import Agreement
from spreiding.domain.invoices import Invoice
from spreiding.domain.money import MAX_CENTS
from spreiding.formats import fhir
from spreiding.services import datasets, invoices, settlement
from spreiding.services import fhir as fhir_service
from tests import files as f

SAMEN_PLUS = Path(__file__).resolve().parents[1] / "data" / "v1" / "samen-plus"
ADMIN = Principal(key_id="adminkey0001", role="admin")
A, B = f.HOSPITAL_A, f.HOSPITAL_B

INVOICE = Invoice(
    number="06010002-2024-0001", kind="invoice", run_id=1, year=2024, seq=1,
    debtor_agb="06010001", creditor_agb="06010002", invoice_date=date(2025, 1, 15),
    due_date=date(2025, 2, 14), term_days=30, amount_cents=179910, hours_cents=134125,
    costs_cents=5000, vat_cents=28166, total_cents=179910 + 134125 + 5000 + 28166,
    payment_seq=1, issued_at="2025-01-15T10:00:00Z", issued_by="admin:adminkey0001",
)  # fmt: skip
LINE = fhir.SettledLine(
    creditor_agb="06010002", debtor_agb="06010001", dbc_id="DBC-0001", patient_ref="p" * 16,
    agreement_id="samen-plus-liesbreuk-2024", care_type="liesbreuk", zorgproduct_code="131999014",
    end_date=date(2024, 3, 2), method="odv_benchmark", unit_price_cents=199900,
    share=Decimal("0.90"), amount_cents=179910,
)  # fmt: skip


def samen_plus_agreements() -> list[Agreement]:
    return list(read_dataset(SAMEN_PLUS).agreements)


def reparse(objects: list[dict[str, Any]]) -> list[Agreement]:
    """The agreements.json objects back through the contract's own parser."""
    dataset = read_dataset(SAMEN_PLUS)
    parsed, errors, _ = parse_agreements(
        json.dumps(objects),
        hospitals=set(dataset.hospitals["agb"]),
        insurers=set(dataset.insurers["uzovi"]),
        price_lists=None,
    )
    assert errors == []
    return parsed


def test_samen_plus_agreements_round_trip_as_contracts() -> None:
    agreements = samen_plus_agreements()
    assert [a.agreement_id for a in agreements] == ["samen-plus-liesbreuk-2024", "samen-plus-raam"]
    text = fhir.dumps(fhir.bundle([fhir.agreement_to_fhir(a) for a in agreements], bundle_id="a"))
    contracts = fhir.entries(fhir.loads(text), "Contract")
    for contract in contracts:
        assert Contract.model_validate(contract).status == "executed"
    assert reparse([fhir.agreement_from_fhir(c) for c in contracts]) == agreements
    liesbreuk = contracts[0]
    assert liesbreuk["subject"] == [
        {"type": "Organization", "identifier": {"system": fhir.AGB, "value": agb}}
        for agb in agreements[0].parties
    ]
    assert liesbreuk["term"][0]["asset"][0]["valuedItem"][0]["factor"] == Decimal("0.90")


def test_a_contract_whose_fields_differ_from_its_rule_is_refused() -> None:
    contract = fhir.agreement_to_fhir(samen_plus_agreements()[0])
    contract["title"] = "Een andere naam"
    with pytest.raises(fhir.FhirInvalid, match="name 'Een andere naam' differs"):
        fhir.agreement_from_fhir(contract)


def test_a_line_validates_and_round_trips_exactly() -> None:
    item = fhir.line_to_fhir(LINE, run_id=7)
    model = ChargeItem.model_validate(item)
    assert model.priceOverride.value == Decimal("1799.10")
    text = fhir.dumps(item)
    assert '"value": 1799.10' in text and '"factorOverride": 0.90' in text
    assert fhir.line_from_fhir(fhir.loads(text)) == LINE
    assert fhir.line_from_fhir(fhir.loads(text)).amount_cents == 179910
    assert item["id"] == "run-7-06010002-DBC-0001"
    odd = replace(LINE, dbc_id="DBC 0001/ä")  # not a FHIR id: a stable UUID, the value kept
    odd_item = fhir.line_to_fhir(odd, run_id=7)
    assert ChargeItem.model_validate(odd_item).id == fhir.line_to_fhir(odd, run_id=7)["id"]
    assert len(odd_item["id"]) == 36 and fhir.line_from_fhir(odd_item) == odd


def test_an_invoice_validates_and_round_trips_exactly() -> None:
    resource = fhir.invoice_to_fhir(INVOICE)
    model = FhirInvoice.model_validate(resource)
    assert model.totalGross.value == Decimal("3472.01")
    assert model.totalNet.value == Decimal("3190.35")
    text = fhir.dumps(resource)
    assert '"value": 3472.01' in text and '"value": 281.66' in text
    assert fhir.invoice_from_fhir(fhir.loads(text)) == INVOICE
    credit = replace(INVOICE, kind="credit_note", amount_cents=-179910, hours_cents=0,
                     costs_cents=0, vat_cents=0, total_cents=-179910, payment_seq=None)  # fmt: skip
    assert fhir.invoice_from_fhir(fhir.loads(fhir.dumps(fhir.invoice_to_fhir(credit)))) == credit


def test_an_invoice_whose_totals_do_not_add_up_is_refused() -> None:
    resource = fhir.invoice_to_fhir(INVOICE)
    resource["totalGross"] = fhir.money(INVOICE.total_cents + 1)
    with pytest.raises(fhir.FhirInvalid, match="do not add up"):
        fhir.invoice_from_fhir(resource)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"value": Decimal("1.001"), "currency": "EUR"}, "more than two decimals"),
        ({"value": 1.5, "currency": "EUR"}, "not an exact decimal"),
        ({"value": Decimal("1.50"), "currency": "USD"}, "not Money in EUR"),
    ],
)
def test_money_that_is_not_exact_euros_is_refused(value: dict[str, Any], message: str) -> None:
    with pytest.raises(fhir.FhirInvalid, match=message):
        fhir.cents(value, "x")


@given(st.integers(min_value=-MAX_CENTS + 1, max_value=MAX_CENTS - 1))
def test_money_round_trips_through_the_json_text(amount: int) -> None:
    text = fhir.dumps(fhir.money(amount))
    value = fhir.loads(text)
    assert fhir.cents(value, "x") == amount
    assert str(value["value"]) == f"{Decimal(amount).scaleb(-2):.2f}"  # two places, kept


def test_a_final_runs_lines_and_invoices_as_bundles(connection: Connection, tmp_path: Path) -> None:
    datasets.import_dataset(connection, read_dataset(f.write(tmp_path, f.base_files())))
    run = settlement.settle_year(connection, ADMIN, year=2024).run.run_id
    settlement.finalise_run(connection, ADMIN, run, override="fhir test")
    bundles = fhir_service.run_bundles(connection, ADMIN, run)
    assert sorted(bundles) == ["chargeitems", "invoices"]
    result, issued = invoices.run_export(connection, ADMIN, run)
    items = fhir.entries(fhir.loads(fhir.dumps(bundles["chargeitems"])), "ChargeItem")
    lines = [fhir.line_from_fhir(i) for i in items]
    assert [(ln.debtor_agb, ln.creditor_agb, ln.amount_cents, ln.unit_price_cents, ln.share)
            for ln in lines] == [(A, B, 179910, 199900, Decimal("0.90"))]  # fmt: skip
    assert [ln.dbc_id for ln in lines] == list(result.lines["dbc_id"])
    found = fhir.entries(fhir.loads(fhir.dumps(bundles["invoices"])), "Invoice")
    assert [fhir.invoice_from_fhir(r) for r in found] == issued
    assert issued[0].number == f"{B}-2024-0001" and issued[0].total_cents == 179910
    # The same run gives the same bytes.
    again = fhir_service.run_bundles(connection, ADMIN, run)
    assert fhir.dumps(again["chargeitems"]) == fhir.dumps(bundles["chargeitems"])


def test_fhir_on_the_command_line(
    engine: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import Engine, text
    from typer.testing import CliRunner

    from spreiding.cli import app as cli

    assert isinstance(engine, Engine)
    monkeypatch.setenv("SPREIDING_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    runner = CliRunner()
    assert runner.invoke(cli, ["import", str(SAMEN_PLUS)]).exit_code == 0
    assert runner.invoke(cli, ["settle", "--year", "2024", "--format", "json"]).exit_code == 0
    with engine.connect() as connection:
        run = str(connection.execute(text("SELECT max(run_id) FROM settlement_run")).scalar_one())
    written = runner.invoke(cli, ["fhir", "export", "--run", run, "--out", str(tmp_path / "x")])
    assert written.exit_code == 0, written.stderr
    assert sorted(p.name for p in (tmp_path / "x").iterdir()) == [
        "chargeitems.json",
        "invoices.json",
    ]
    items = fhir.entries(
        fhir.loads((tmp_path / "x" / "chargeitems.json").read_text()), "ChargeItem"
    )
    assert items and all(ChargeItem.model_validate(i) for i in items)
    out_file = tmp_path / "agreements.json"
    written = runner.invoke(cli, ["fhir", "agreements", "--out", str(out_file)])
    assert written.exit_code == 0, written.stderr
    contracts = fhir.entries(fhir.loads(out_file.read_text()), "Contract")
    assert reparse([fhir.agreement_from_fhir(c) for c in contracts]) == samen_plus_agreements()
    missing = runner.invoke(cli, ["fhir", "export", "--run", "999", "--out", str(tmp_path / "y")])
    assert missing.exit_code == 2 and not (tmp_path / "y").exists()
