"""Statements of pairs with hours and cost lines (issue 13 item 1): the view model, the PDF read
back with pypdf and the statements of a stored run (SQLite and PostgreSQL) carry the hours lines
with their VAT per rate and the shared-cost lines, and their totals are the run's pair totals."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from pypdf import PdfReader
from sqlalchemy import Connection

from api import convert
from settlement.statement import CostLine, VatSubtotal, build_statement, pairs_of
from spreiding.contract.reader import read_dataset
from spreiding.domain.access import Principal
from spreiding.domain.runs import StoredRun
from spreiding.render.settlement import settlement_to_dict
from spreiding.render.statement_pdf import render_statement
from spreiding.services import settlement as settlement_service
from spreiding.services import statements
from spreiding.services.access import OPERATOR
from spreiding.services.settlement import settle_dataset
from spreiding.store.datasets import import_dataset
from tests import files as f
from tests import files_v2

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
LUMC, HMC = "06070701", "06070702"  # UKC Leiden/Den Haag: HMC pays LUMC for surgeons' hours
UMCG, MARTINI = "06060600", "06060601"  # HartNet: Martini owes the UMCG its part of a cost
A, B = f.HOSPITAL_A, f.HOSPITAL_B


def run_of() -> StoredRun:
    return StoredRun(7, "settlement", "draft", 2024, "bilateral", "ab" * 32, None, 0)


def text_of(pdf: bytes) -> str:
    return "\n".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages)


def pair_total(run_json: dict[str, Any], debtor: str, creditor: str) -> str:
    """The run's pair total of ``debtor`` owing ``creditor`` (0.00: the run has no such pair)."""
    found = [
        p["total"]
        for p in run_json["pairs"]
        if (p["debtor_agb"], p["creditor_agb"]) == (debtor, creditor)
    ]
    return str(found[0]) if found else "0.00"


def test_the_ukc_statement_shows_the_hours_and_the_runs_total(tmp_path: Path) -> None:
    result = settle_dataset(read_dataset(SAMPLES / "ukc-leiden-denhaag"), year=2024)
    run_json = settlement_to_dict(result)
    assert pairs_of(result) == [(LUMC, HMC)]
    names = {LUMC: "LUMC", HMC: "HMC"}
    statement = build_statement(
        run_of(), result, first=LUMC, second=HMC, hospitals=names, agreements={}
    )
    lumc_for_hmc, hmc_for_lumc = statement.directions
    assert lumc_for_hmc.lines == () and hmc_for_lumc.hours == ()
    # Nine days at 185.00 an hour, VAT 0 %: 3 x 7.25 h = 1341.25, 2 x 6.00 h = 1110.00,
    # 3 x 8.00 h = 1480.00, 1 x 4.50 h = 832.50: 11516.25 in all, owed by HMC to LUMC.
    assert sorted({(h.hours, h.amount_cents) for h in lumc_for_hmc.hours}) == [
        ("4.50", 83250), ("6.00", 111000), ("7.25", 134125), ("8.00", 148000),
    ]  # fmt: skip
    assert lumc_for_hmc.vat == (VatSubtotal("0.00", 9, 1151625, 0),)
    assert lumc_for_hmc.total_cents == 1151625 == statement.net_cents
    assert pair_total(run_json, HMC, LUMC) == "11516.25"
    assert (statement.payer, statement.payee) == (statement.second, statement.first)

    text = text_of(render_statement(statement))
    assert "Uren gedetacheerd personeel" in text and "Btw-overzicht" in text
    assert "UKC-U00003 medisch-specialist 16-05-2024 7,25" in text
    assert "7,25 € 185,00 € 1.341,25 0% € 0,00" in text
    assert "0% 9 € 11.516,25 € 0,00 € 11.516,25" in text  # the VAT summary's rate
    assert "HMC is verschuldigd aan LUMC € 11.516,25" in text
    assert f"Netto: HMC ({HMC}) betaalt LUMC ({LUMC}) € 11.516,25" in text
    assert "Kostenpost" not in text  # no cost line: no section of cost lines

    as_json = convert.statement(statement).model_dump()
    direction = as_json["directions"][0]
    assert (direction["total"], direction["hours_amount"], direction["vat_amount"]) == (
        "11516.25", "11516.25", "0.00",
    )  # fmt: skip
    assert direction["vat"] == [
        {"vat_rate": "0.00", "lines": 9, "amount": "11516.25", "vat": "0.00"}
    ]
    assert as_json["net"] == pair_total(run_json, HMC, LUMC)


def test_dbc_hours_vat_and_costs_both_ways_add_up_to_the_run(tmp_path: Path) -> None:
    """files_v2: A's staff at B 8.00 h x 185.00 = 1480.00 (VAT 0 %), 0.25 h x 190.50 = 47.625
    -> 47.63 with VAT 21 %: 10.0023 -> 10.00, 24 h x 95.00 = 2280.00 (VAT 0 %); A paid the
    bureau's 120000.00 keyed A 2, B 1: B owes A 40000.00."""
    result = settle_dataset(read_dataset(f.write(tmp_path, files_v2.v2_files())), year=2024)
    run_json = settlement_to_dict(result)
    names = {A: "Alrijne", B: "Groene Hart"}
    statement = build_statement(run_of(), result, first=A, second=B, hospitals=names, agreements={})
    a_for_b, b_for_a = statement.directions
    assert [(h.hours_id, h.hours, h.amount_cents, h.vat_rate, h.vat_cents) for h in a_for_b.hours] == [
        ("U1", "8.00", 148000, "0.00", 0),
        ("U3", "24.00", 228000, "0.00", 0),
        ("U2", "0.25", 4763, "0.21", 1000),
    ]  # fmt: skip
    assert a_for_b.vat == (VatSubtotal("0.00", 2, 376000, 0), VatSubtotal("0.21", 1, 4763, 1000))
    assert a_for_b.costs == (CostLine("samen-2024", "bureau-2024", 1, 4_000_000, None),)
    assert (a_for_b.hours_cents, a_for_b.vat_cents, a_for_b.costs_cents) == (
        380763,
        1000,
        4_000_000,
    )
    # Each direction's total is the run's pair total; the net is the difference of the two.
    for direction in (a_for_b, b_for_a):
        expected = pair_total(run_json, direction.debtor.agb, direction.creditor.agb)
        assert f"{direction.total_cents / 100:.2f}" == expected
    assert statement.net_cents == abs(a_for_b.total_cents - b_for_a.total_cents)
    assert a_for_b.total_cents == a_for_b.lines_cents + 380763 + 1000 + 4_000_000

    text = text_of(render_statement(statement))
    assert "U2 medisch-specialist 01-07-2024 0,25 € 190,50 € 47,63 21% € 10,00" in text
    assert "21% 1 € 47,63 € 10,00 € 57,63" in text
    assert "samen-2024 bureau-2024 1 € 40.000,00" in text
    assert "Btw over uren € 10,00" in text


def test_a_cost_only_pair_gets_a_statement_from_the_database(connection: Connection) -> None:
    """HartNet's pairs have cost lines only; Saxenburgh and ZGT (imported too) settle nothing
    and get no statement."""
    for sample in ("hartnet", "saxenburgh-zgt"):
        with connection.begin_nested():
            import_dataset(connection, read_dataset(SAMPLES / sample))
    run_id = settlement_service.settle_year(connection, OPERATOR, year=2024).run.run_id
    # The UMCG paid 150000.00 for all five: each of the four others owes it 30000.00.
    pairs = statements.statement_pairs(connection, OPERATOR, run_id)
    assert pairs == [(UMCG, other) for other in ("06060601", "06060602", "06060603", "06060604")]
    martini = Principal(key_id="k", role="hospital", agb=MARTINI)
    assert statements.statement_pairs(connection, martini, run_id) == [(UMCG, MARTINI)]
    statement = statements.statement(connection, martini, run_id, MARTINI, UMCG)
    umcg_for_martini, martini_for_umcg = statement.directions
    assert [(c.cost_id, c.weight, c.amount_cents) for c in umcg_for_martini.costs] == [
        ("transformatie-2024", 1, 3_000_000)
    ]
    assert umcg_for_martini.total_cents == 3_000_000 == statement.net_cents
    assert martini_for_umcg.total_cents == 0
    assert statement.payer is not None and statement.payer.agb == MARTINI
    text = text_of(render_statement(statement))
    assert "Gedeelde kosten Overeenkomst Kostenpost" in text
    assert "Uren gedetacheerd personeel" not in text
    assert "€ 30.000,00" in text
    # The statements of the run (as the demo and `spreiding runs statements` write them).
    every = statements.non_empty(statements.run_statements(connection, OPERATOR, run_id))
    assert len(every) == 4
    assert {s.net_cents for s in every} == {3_000_000}
