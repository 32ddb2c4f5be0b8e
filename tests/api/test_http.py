"""The API over HTTP: every endpoint for every role, tenant isolation, idempotency, errors."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from tests.api.conftest import ALRIJNE, AMC, FLEVO, GROENE_HART, Api
from tests.settlement.test_audit import f  # the builders of test rows

ROLES = ["admin", "alrijne", "amc", "bureau", "insurer"]


def settle(api: Api) -> int:
    response = api.post("admin", "/settlement-runs", json={"year": 2024})
    assert response.status_code == 201, response.text
    return int(response.json()["run_id"])


def audit_run(api: Api) -> int:
    response = api.post("admin", "/audit-runs", json={"year": 2024})
    assert response.status_code == 201, response.text
    return int(response.json()["run_id"])


def test_no_key_or_a_wrong_key_is_401(api: Api) -> None:
    assert api.client.get("/hospitals").json() == {
        "error": "Unauthenticated",
        "detail": "send an API key in the X-API-Key header",
    }
    wrong = api.client.get("/hospitals", headers={"X-API-Key": api.keys["admin"][:-2] + "xx"})
    assert wrong.status_code == 401


@pytest.mark.parametrize("role", ROLES)
def test_reference_data_is_readable_by_every_key(api: Api, role: str) -> None:
    hospitals = api.get(role, "/hospitals").json()
    assert [h["agb"] for h in hospitals] == [ALRIJNE, GROENE_HART, AMC, FLEVO]
    assert api.get(role, "/insurers").status_code == 200
    lists = api.get(role, "/price-lists").json()
    assert {x["price_list"] for x in lists} == {"samen-plus-benchmark", "nza-open-dis"}
    prices = api.get(role, "/price-lists/nza-open-dis").json()
    assert prices[0] == {
        "price_list": "nza-open-dis",
        "year": 2024,
        "zorgproduct_code": "079899011",
        "price_eur": "2810.40",
    }
    assert api.get(role, "/price-lists/unknown").status_code == 404


@pytest.mark.parametrize(
    ("role", "visible"),
    [
        ("admin", ["amc-flevo-2024", "samen-plus-liesbreuk-2024", "samen-plus-raam"]),
        ("alrijne", ["samen-plus-liesbreuk-2024", "samen-plus-raam"]),
        ("amc", ["amc-flevo-2024"]),
        ("bureau", ["samen-plus-liesbreuk-2024"]),
        ("insurer", ["amc-flevo-2024"]),  # its consent to parallel declaration is in it
    ],
)
def test_agreements_by_role(api: Api, role: str, visible: list[str]) -> None:
    assert [a["agreement_id"] for a in api.get(role, "/agreements").json()] == visible
    for agreement_id in ["amc-flevo-2024", "samen-plus-liesbreuk-2024", "samen-plus-raam"]:
        response = api.get(role, f"/agreements/{agreement_id}")
        assert response.status_code == (200 if agreement_id in visible else 404)
        if response.status_code == 404:
            assert response.json()["error"] == "NotFound"


ALL = {ALRIJNE, GROENE_HART, AMC, FLEVO}


# (how many rows, of which hospitals): a hospital sees its DBCs and the ones it requested (of
# 121), its own declarations (of 74); the insurer the 18 declarations sent to it (CZ).
@pytest.mark.parametrize(
    ("role", "dbcs", "declarations"),
    [
        ("admin", (121, ALL), (74, ALL)),
        ("alrijne", (55, {ALRIJNE, GROENE_HART}), (22, {ALRIJNE})),
        ("amc", (45, {AMC, FLEVO}), (28, {AMC})),
        ("bureau", (0, set()), (0, set())),
        ("insurer", (0, set()), (18, ALL)),
    ],
)
def test_dbcs_and_declarations_by_role(
    api: Api, role: str, dbcs: tuple[int, set[str]], declarations: tuple[int, set[str]]
) -> None:
    rows = api.get(role, "/dbcs", params={"limit": 10000}).json()
    assert (len(rows), {r["agb"] for r in rows}) == dbcs
    lines = api.get(role, "/declarations", params={"limit": 10000}).json()
    assert (len(lines), {r["agb"] for r in lines}) == declarations


def test_transfers_by_role_and_the_bureau_registers_them(api: Api) -> None:
    # Every transfer of samen-plus is under the bureau's agreement: SAME-T00004 to -T00092
    # every fourth, then -T00121, -T00125, -T00126, -T00127. AMC: AMST-T00046 to -T00102.
    samen = [f"SAME-T{n:05d}" for n in [*range(4, 93, 4), 121, 125, 126, 127]]
    bureau = api.get("bureau", "/transfers").json()
    assert [t["transfer_id"] for t in bureau] == samen
    assert {t["agreement_id"] for t in bureau} == {"samen-plus-liesbreuk-2024"}
    assert api.get("insurer", "/transfers").json() == []
    assert [t["transfer_id"] for t in api.get("amc", "/transfers").json()] == [
        f"AMST-T{n:05d}" for n in range(46, 103, 4)
    ]
    new = f.transfer(transfer_id="API-T1", agreement_id="samen-plus-liesbreuk-2024", from_agb=ALRIJNE,
                     to_agb=GROENE_HART, patient="PS-NEW", date="2024-11-01", status="planned")  # fmt: skip
    new = {k: v for k, v in new.items() if k != "patient"} | {"patient_ref": "PS-NEW"}
    created = api.post("bureau", "/transfers", json=new)
    assert created.status_code == 201, created.text
    assert created.json()["status"] == "planned"
    updated = api.patch("bureau", "/transfers/API-T1", json={"status": "performed"})
    assert updated.json()["status"] == "performed"
    assert api.patch("amc", "/transfers/API-T1", json={"status": "cancelled"}).status_code == 403
    assert api.get("amc", "/transfers/API-T1").status_code == 404
    # A transfer that breaks the contract is refused with the contract's error lines.
    bad = new | {"transfer_id": "API-T2", "to_agb": ALRIJNE}
    refused = api.post("bureau", "/transfers", json=bad)
    assert refused.status_code == 422
    assert refused.json() == {
        "error": "DatasetInvalid",
        "detail": ["request:1: to_agb: a transfer must go to another hospital than it comes from"],
    }
    # Another bureau's agreement is not this bureau's to write under (tests/api/test_rights.py).
    other = new | {"transfer_id": "API-T3", "agreement_id": "amc-flevo-2024", "care_type": "kno"}
    assert api.post("bureau", "/transfers", json=other).status_code == 403


def test_runs_are_seen_by_the_hospitals_they_concern(api: Api) -> None:
    run_id = settle(api)
    assert [r["run_id"] for r in api.get("alrijne", "/settlement-runs").json()] == [run_id]
    assert api.get("bureau", "/settlement-runs").json() == []
    assert api.get("insurer", f"/settlement-runs/{run_id}").status_code == 404
    alrijne = api.get("alrijne", f"/settlement-runs/{run_id}").json()
    assert {(x["debtor_agb"], x["creditor_agb"]) for x in alrijne["pairs"]} == {
        (ALRIJNE, GROENE_HART),
        (GROENE_HART, ALRIJNE),
    }
    assert all(ALRIJNE in (x["creditor_agb"], x["debtor_agb"]) for x in alrijne["lines"])
    assert [p["agb"] for p in alrijne["positions"]] == [ALRIJNE]
    everything = api.get("admin", f"/settlement-runs/{run_id}").json()
    # samen-plus: 32 ODV DBCs end in 2024, 3 excluded (no agreement, primary mismatch, no
    # price): 29 lines, all with Alrijne; amsterdam-flevo: 17, 2 parallel: 15 lines.
    assert (len(everything["lines"]), len(alrijne["lines"])) == (44, 29)
    # Another tenant's statement reads as not found, never as forbidden: no leak.
    assert (
        api.get("alrijne", f"/settlement-runs/{run_id}/statements/{AMC}/{FLEVO}").status_code == 404
    )
    assert [
        s["first_agb"] for s in api.get("amc", f"/settlement-runs/{run_id}/statements").json()
    ] == [AMC]


def test_statement_json_and_pdf_agree_with_the_run(api: Api) -> None:
    run_id = settle(api)
    run = api.get("admin", f"/settlement-runs/{run_id}").json()
    statement = api.get(
        "alrijne", f"/settlement-runs/{run_id}/statements/{ALRIJNE}/{GROENE_HART}"
    ).json()
    pairs = {(p["debtor_agb"], p["creditor_agb"]): p["amount"] for p in run["pairs"]}
    a_for_b, b_for_a = statement["directions"]
    assert a_for_b["total"] == pairs[(GROENE_HART, ALRIJNE)]
    assert b_for_a["total"] == pairs[(ALRIJNE, GROENE_HART)]
    (payment,) = [
        p for p in run["payments"] if {p["from_agb"], p["to_agb"]} == {ALRIJNE, GROENE_HART}
    ]
    assert (statement["payer"]["agb"], statement["payee"]["agb"], statement["net"]) == (
        payment["from_agb"], payment["to_agb"], payment["amount"],
    )  # fmt: skip
    pdf = api.get("alrijne", f"/settlement-runs/{run_id}/statements/{GROENE_HART}/{ALRIJNE}/pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = " ".join(
        " ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf.content)).pages
    )
    whole, cents = payment["amount"].split(".")
    assert f"€ {int(whole):,}".replace(",", ".") + f",{cents}" in text
    assert "CONCEPT" in text


def test_finalise_and_correct(api: Api) -> None:
    run_id = settle(api)
    statement = f"/settlement-runs/{run_id}/statements/{ALRIJNE}/{GROENE_HART}"
    assert api.get("alrijne", statement).json()["status"] == "draft"
    assert api.post("alrijne", f"/settlement-runs/{run_id}/finalise").status_code == 403
    # No hospital accepted its pairs: refused, naming them, until the admin gives a reason.
    unsigned = api.post("admin", f"/settlement-runs/{run_id}/finalise")
    assert (unsigned.status_code, unsigned.json()["error"]) == (409, "RunNotSignedOff")
    assert f"{ALRIJNE}→{GROENE_HART}" in unsigned.json()["detail"] or (
        f"{GROENE_HART}→{ALRIJNE}" in unsigned.json()["detail"]
    )
    blank = api.post("admin", f"/settlement-runs/{run_id}/finalise", json={"override": "  "})
    assert blank.status_code == 422
    final = api.post(
        "admin", f"/settlement-runs/{run_id}/finalise", json={"override": "signed on paper"}
    )
    assert final.json()["status"] == "final"
    assert api.get("alrijne", statement).json()["status"] == "final"  # not a kept draft
    again = api.post("admin", f"/settlement-runs/{run_id}/finalise")
    assert again.status_code == 409 and again.json()["error"] == "RunAlreadyFinal"
    same = api.post("alrijne", f"/settlement-runs/{run_id}/corrections")
    assert (same.status_code, same.json()["run_id"]) == (200, run_id)  # nothing changed
    assert api.post("admin", "/settlement-runs/999999/finalise").status_code == 404


def test_idempotency_key(api: Api) -> None:
    headers = {"Idempotency-Key": "run-2024-a"}
    first = api.post("admin", "/settlement-runs", json={"year": 2024}, headers=headers)
    again = api.post("admin", "/settlement-runs", json={"year": 2024}, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    other = api.post("admin", "/settlement-runs", json={"year": 2025}, headers=headers)
    assert other.status_code == 409 and other.json()["error"] == "IdempotencyConflict"
    # Keys are per API key: another caller may use the same Idempotency-Key.
    assert (
        api.post("alrijne", "/settlement-runs", json={"year": 2024}, headers=headers).status_code
        == 200
    )


def test_audit_findings_by_role_and_format(api: Api) -> None:
    run_id = audit_run(api)

    def found(role: str) -> list[tuple[str, str, str]]:
        findings = api.get(role, f"/audit-runs/{run_id}/findings").json()
        return [
            (x["rule"], x["agb"], x["declaration_id"] or x["dbc_id"] or x["transfer_id"])
            for x in findings
        ]

    # Checked by hand against the two samples' files (see tests/api/test_matrix.py).
    assert found("admin") == [
        ("ODV-001", GROENE_HART, "SAME-V00103"), ("ODV-002", GROENE_HART, "SAME-D00096"),
        ("PAR-001", GROENE_HART, "SAME-V00103"), ("PAR-001", FLEVO, "AMST-V00034"),
        ("PAR-001", FLEVO, "AMST-V00038"), ("PAR-001", FLEVO, "AMST-V00042"),
        ("PAR-002", ALRIJNE, "SAME-V00115"), ("PAR-003", FLEVO, "AMST-V00106"),
        ("TRF-001", GROENE_HART, "SAME-T00121"),
    ]  # fmt: skip
    # The insurer (CZ, 3358) sees the two lines declared to it; Alrijne its own one.
    insurer = api.get("insurer", f"/audit-runs/{run_id}/findings").json()
    assert [(x["uzovi"], x["declaration_id"]) for x in insurer] == [
        ("3358", "AMST-V00038"),
        ("3358", "SAME-V00115"),
    ]
    assert found("alrijne") == [("PAR-002", ALRIJNE, "SAME-V00115")]
    assert api.get("bureau", f"/audit-runs/{run_id}").status_code == 404
    csv = api.get("insurer", f"/audit-runs/{run_id}/findings", params={"format": "csv"})
    assert csv.headers["content-type"].startswith("text/csv")
    assert len(csv.text.splitlines()) == 3  # the header and the insurer's two findings
    xlsx = api.get("admin", f"/audit-runs/{run_id}/findings", params={"format": "xlsx"})
    assert xlsx.content[:2] == b"PK"
    assert api.post("bureau", "/audit-runs", json={"year": 2024}).status_code == 403


def test_dataset_upload_is_all_or_nothing(api: Api) -> None:
    from tests.conftest import SAMPLES

    folder = SAMPLES / "hartnet"
    files = [("files", (p.name, p.read_bytes())) for p in sorted(folder.iterdir())]
    created = api.post("admin", "/datasets", files=files)
    assert created.status_code == 201, created.text
    assert created.json()["added"]["hospitals"] == 5
    broken = [
        (n, (name, content.replace(b"06060601,Martini", b"0606060,Martini")))
        for n, (name, content) in files
    ]
    refused = api.post("bureau", "/datasets", files=broken)
    assert refused.status_code == 422
    assert refused.json()["detail"][0].startswith("hospitals.csv:3: agb:")
    assert api.post("amc", "/datasets", files=files).status_code == 403


def test_an_agreement_is_created_and_versioned(api: Api) -> None:
    body = api.get("admin", "/agreements/samen-plus-liesbreuk-2024").json()
    new = body | {
        "agreement_id": "samen-plus-liesbreuk-2026",
        "valid_from": "2026-01-01",
        "valid_to": "2027-12-31",
    }
    created = api.post("bureau", "/agreements/samen-plus-liesbreuk-2024/versions", json=new)
    assert created.status_code == 201, created.text
    assert "samen-plus-liesbreuk-2026" in [
        a["agreement_id"] for a in api.get("bureau", "/agreements").json()
    ]
    clash = new | {"stage": "verkennen"}
    assert api.post("admin", "/agreements", json=clash).status_code == 409
    invalid = new | {"agreement_id": "x", "parties": [ALRIJNE]}
    refused = api.post("admin", "/agreements", json=invalid)
    assert refused.status_code == 422
    assert refused.json()["detail"] == [
        "agreements.json:0: parties: an agreement needs at least 2 parties, has 1"
    ]
    assert api.post("insurer", "/agreements", json=new).status_code == 403
