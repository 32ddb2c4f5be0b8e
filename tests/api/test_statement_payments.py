"""Over HTTP, a statement of a multilateral run states the run's payments (issue 8, item 11).

samen-plus, 2024, multilateral: Alrijne performed for Groene Hart 77,907.00 (10 lines) and
Groene Hart for Alrijne 38,466.32 (19 lines); their nets are +39,440.68 and -39,440.68, so the
run's one payment between them is Groene Hart -> Alrijne 77,907.00 - 38,466.32 = 39,440.68."""

from __future__ import annotations

import io

from pypdf import PdfReader

from tests.api.conftest import ALRIJNE, GROENE_HART, Api


def test_multilateral_statement_json_and_pdf_state_the_runs_payment(api: Api) -> None:
    created = api.post("admin", "/settlement-runs", json={"year": 2024, "netting": "multilateral"})
    assert created.status_code == 201, created.text
    base = f"/settlement-runs/{created.json()['run_id']}/statements/{ALRIJNE}/{GROENE_HART}"
    statement = api.get("alrijne", base).json()
    alrijne = {"agb": ALRIJNE, "name": "Alrijne Ziekenhuis"}
    groene_hart = {"agb": GROENE_HART, "name": "Groene Hart Ziekenhuis"}
    assert (statement["payer"], statement["payee"], statement["net"]) == (
        groene_hart, alrijne, "39440.68",
    )  # fmt: skip
    assert statement["payments"] == [{"payer": groene_hart, "payee": alrijne, "amount": "39440.68"}]
    pdf = api.get("alrijne", f"{base}/pdf")
    text = " ".join(
        " ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf.content)).pages
    )
    run_id = created.json()["run_id"]
    assert (
        "Saldo: Groene Hart Ziekenhuis is per saldo verschuldigd aan Alrijne Ziekenhuis "
        "(geen betaling) € 39.440,68"
    ) in text
    assert (
        f"Betaling volgens run {run_id}: Groene Hart Ziekenhuis (06010102) betaalt "
        "Alrijne Ziekenhuis (06010101) € 39.440,68"
    ) in text
