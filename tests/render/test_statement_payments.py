"""A statement states the payments of its run (issue 8, item 11): under multilateral netting
the balance between two hospitals is no payment.

Three hospitals, a fixed fee of 100.00 a DBC: Groene Hart (B) performs for Alrijne (A), and
Hospital C performs for B. Pairs: A owes B 100.00, B owes C 100.00. Nets: A -100.00, B 0,
C +100.00, so the multilateral run has one payment, A pays C 100.00; bilaterally A pays B and
B pays C, 100.00 each."""

from __future__ import annotations

from pathlib import Path

from settlement.engine import Netting, settle
from settlement.statement import Party, Payment, Statement, build_statement
from spreiding.contract.reader import read_dataset
from spreiding.domain.runs import StoredRun
from spreiding.render.statement_pdf import render_statement
from tests import files as f
from tests.api.test_statement_pdf import text_of

A, B, C = f.HOSPITAL_A, f.HOSPITAL_B, f.HOSPITAL_C
NAMES = {A: "Alrijne", B: "Groene Hart", C: "Rijnstate"}


def statement(
    tmp_path: Path, netting: Netting, first: str, second: str, *, cycle: bool = False
) -> Statement:
    files = f.base_files()
    files["hospitals.csv"].append(f.hospital(agb=C, name="Rijnstate"))
    files["agreements.json"] = [
        f.agreement(
            parties=[A, B, C],
            care_types=[f.care_type(performing_agb=None, method="fixed_fee", fee_eur="100.00")],
        )
    ]
    files["dbcs.csv"] = [
        f.dbc(dbc_id="D1", agb=B, requesting=A),
        f.dbc(dbc_id="D2", agb=C, requesting=B, patient="P-0002"),
    ]
    if cycle:  # A performs for C too: every net is 0
        files["dbcs.csv"].append(f.dbc(dbc_id="D3", agb=A, requesting=C, patient="P-0003"))
    files["declarations.csv"] = []
    files["transfers.csv"] = []
    dataset = read_dataset(f.write(tmp_path, files))
    result = settle(dataset.dbcs, dataset.prices, dataset.agreements, year=2024, netting=netting)
    run = StoredRun(9, "settlement", "draft", 2024, netting, "cd" * 32, None, 20000)
    return build_statement(run, result, first=first, second=second, hospitals=NAMES, agreements={})


def test_multilateral_statement_states_the_runs_payments_not_the_balance(tmp_path: Path) -> None:
    s = statement(tmp_path, "multilateral", A, B)
    alrijne, groene_hart, rijnstate = (Party(x, NAMES[x]) for x in (A, B, C))
    assert (s.payer, s.payee, s.net_cents) == (alrijne, groene_hart, 10000)
    assert s.payments == (Payment(alrijne, rijnstate, 10000),)
    text = " ".join(text_of(render_statement(s)))
    assert (
        "Saldo: Alrijne is per saldo verschuldigd aan Groene Hart (geen betaling) € 100,00" in text
    )
    assert (
        "Betaling volgens run 9: Alrijne (06010001) betaalt Rijnstate (06010003) € 100,00" in text
    )
    assert "Alrijne (06010001) betaalt Groene Hart" not in text


def test_multilateral_statement_shows_a_payment_to_a_third_hospital(tmp_path: Path) -> None:
    s = statement(tmp_path, "multilateral", B, C)
    groene_hart, rijnstate = Party(B, NAMES[B]), Party(C, NAMES[C])
    assert (s.payer, s.payee, s.net_cents) == (groene_hart, rijnstate, 10000)
    assert s.payments == (Payment(Party(A, NAMES[A]), rijnstate, 10000),)
    text = " ".join(text_of(render_statement(s)))
    assert "Saldo: Groene Hart is per saldo verschuldigd aan Rijnstate (geen betaling)" in text
    assert (
        "Betaling volgens run 9: Alrijne (06010001) betaalt Rijnstate (06010003) € 100,00" in text
    )


def test_multilateral_statement_when_every_net_is_zero(tmp_path: Path) -> None:
    s = statement(tmp_path, "multilateral", A, B, cycle=True)
    assert (s.net_cents, s.payments) == (10000, ())
    text = " ".join(text_of(render_statement(s)))
    assert "Betaling volgens run 9: geen van beide betaalt of ontvangt € 0,00" in text
    assert "betaalt Groene Hart" not in text


def test_bilateral_statement_pays_the_balance(tmp_path: Path) -> None:
    s = statement(tmp_path, "bilateral", A, B)
    alrijne, groene_hart, rijnstate = (Party(x, NAMES[x]) for x in (A, B, C))
    assert s.payments == (
        Payment(alrijne, groene_hart, 10000),
        Payment(groene_hart, rijnstate, 10000),
    )
    text = " ".join(text_of(render_statement(s)))
    assert "Netto: Alrijne (06010001) betaalt Groene Hart (06010002) € 100,00" in text
