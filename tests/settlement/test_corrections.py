"""Corrections against a final settlement, computed by hand (no database)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from settlement.corrections import correct, settled_state
from settlement.engine import Settlement, settle
from spreiding.contract.reader import read_dataset
from spreiding.render.settlement import settlement_to_dict
from tests import files as f

A, B = f.HOSPITAL_A, f.HOSPITAL_B


def settled(tmp_path: Path, files: dict[str, Any]) -> Settlement:
    dataset = read_dataset(f.write(tmp_path, files))
    return settle(dataset.dbcs, dataset.prices, dataset.agreements, year=2024)


def base() -> dict[str, Any]:
    files = f.base_files()
    files["agreements.json"][0]["care_types"][0]["zorgproduct_codes"] = ["131999061", "131999062"]
    files["prices.csv"] = [f.price(eur="1999.00"), f.price(code="131999062", eur="500.00")]
    files["dbcs.csv"].append(f.dbc(dbc_id="D3", code="131999062", end="2024-05-01"))
    return files


def test_changed_new_and_withdrawn(tmp_path: Path) -> None:
    final = settled(tmp_path / "final", base())
    assert final.lines["amount_cents"].tolist() == [179910, 45000]  # D1 1799.10, D3 450.00
    later = base()
    later["prices.csv"][0]["price_eur"] = "2000.00"  # D1: 1800.00
    later["dbcs.csv"].append(f.dbc(dbc_id="D2", end="2024-06-01"))  # new: 1800.00
    later["dbcs.csv"][-2]["odv"] = "false"  # D3 turned out not to be ODV
    later["dbcs.csv"][-2]["requesting_agb"] = ""
    now = settled(tmp_path / "now", later)
    correction = settlement_to_dict(correct(settled_state([final.lines]), now, netting="bilateral"))
    assert [
        (x["dbc_id"], x["change"], x["amount"], x["unit_price"]) for x in correction["lines"]
    ] == [
        ("D1", "changed", "0.90", "2000.00"),
        ("D3", "withdrawn", "-450.00", "500.00"),
        ("D2", "new", "1800.00", "2000.00"),
    ]
    assert correction["pairs"] == [
        {"debtor_agb": A, "creditor_agb": B, "lines": 3, "amount": "1350.90", "hours": "0.00",
         "costs": "0.00", "vat": "0.00", "total": "1350.90"}
    ]  # fmt: skip
    assert correction["payments"] == [{"from_agb": A, "to_agb": B, "amount": "1350.90"}]
    assert correction["total"] == "1350.90"


def test_a_refund_reverses_the_payment(tmp_path: Path) -> None:
    final = settled(tmp_path / "final", base())
    later = base()
    later["agreements.json"][0]["care_types"][0]["settlement"]["share"] = "0.50"
    now = settled(tmp_path / "now", later)
    correction = correct(settled_state([final.lines]), now, netting="bilateral")
    # D1: 999.50 - 1799.10 = -799.60; D3: 250.00 - 450.00 = -200.00: B pays A back 999.60.
    assert correction.lines["amount_cents"].tolist() == [-79960, -20000]
    assert correction.payments.to_dict("records") == [
        {"from_agb": B, "to_agb": A, "amount_cents": 99960}
    ]
    assert correction.positions["net_cents"].tolist() == [99960, -99960]


def test_unchanged_inputs_correct_nothing(tmp_path: Path) -> None:
    final = settled(tmp_path / "final", base())
    correction = correct(settled_state([final.lines]), final, netting="multilateral")
    assert correction.lines.empty
    assert correction.payments.empty
    assert correction.total_cents == 0


def test_settled_state_adds_up_a_chain(tmp_path: Path) -> None:
    final = settled(tmp_path / "final", base())
    later = base()
    later["prices.csv"][0]["price_eur"] = "2000.00"
    first = correct(
        settled_state([final.lines]), settled(tmp_path / "c1", later), netting="bilateral"
    )
    state = settled_state([final.lines, first.lines])
    assert dict(zip(state["dbc_id"], state["amount_cents"], strict=True)) == {
        "D1": 180000,
        "D3": 45000,
    }
    again = correct(state, settled(tmp_path / "c2", later), netting="bilateral")
    assert again.lines.empty


def test_a_chain_describes_a_dbc_as_its_latest_run_does(tmp_path: Path) -> None:
    final = settled(tmp_path / "final", base())  # D1 at 1999.00: 1799.10
    later = base()
    later["prices.csv"][0]["price_eur"] = "2000.00"  # D1 at 2000.00: 1800.00, +0.90
    first = correct(
        settled_state([final.lines]), settled(tmp_path / "c1", later), netting="bilateral"
    )
    state = settled_state([final.lines, first.lines])
    d1 = state.loc[state["dbc_id"] == "D1"].to_dict("records")
    assert [(x["unit_price_cents"], x["amount_cents"]) for x in d1] == [(200000, 180000)]
    # D1 then turns out not to be ODV: it is withdrawn as last settled, at 2000.00, not the
    # final run's 1999.00, for the whole 1800.00 settled so far.
    gone = base()
    gone["dbcs.csv"][1] |= {"odv": "false", "requesting_agb": "", "primary_dbc_id": ""}
    withdrawal = settlement_to_dict(
        correct(state, settled(tmp_path / "c2", gone), netting="bilateral")
    )
    assert [
        (x["dbc_id"], x["change"], x["unit_price"], x["amount"]) for x in withdrawal["lines"]
    ] == [("D1", "withdrawn", "2000.00", "-1800.00")]


def test_nothing_settled_yet_is_an_empty_state_with_the_line_columns() -> None:
    from settlement.engine import LINE_COLUMNS

    state = settled_state([])
    assert (list(state.columns), len(state)) == (LINE_COLUMNS, 0)


def test_a_correction_keeps_the_year_and_nets_as_asked(tmp_path: Path) -> None:
    final = settled(tmp_path / "final", base())
    later = base()
    later["prices.csv"][0]["price_eur"] = "2000.00"
    now = settled(tmp_path / "now", later)
    for netting in ("bilateral", "multilateral"):
        correction = correct(settled_state([final.lines]), now, netting=netting)
        assert (correction.year, correction.netting) == (2024, netting)
