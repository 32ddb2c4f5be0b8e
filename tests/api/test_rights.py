"""Writes within a tenant's rights, refusals that show nothing stored, totals of one's own part
(issue 8 items 1, 2 and 3).

The database holds the samen-plus and amsterdam-flevo samples; the bureau key holds
``samen-plus-liesbreuk-2024`` (parties Alrijne and Groene Hart: its alliance). Every refusal of
a write past the caller's rights is ``403 WriteNotPermitted`` naming each refused row as
``FILE:LINE: COLUMN: message``; the message states the rule, never a stored value, so a row of
another tenant reads exactly as a row the caller may not add."""

from __future__ import annotations

import json
from typing import Any

from tests.api.conftest import ALRIJNE, AMC, FLEVO, GROENE_HART, Api
from tests.conftest import V1

SAMEN = "samen-plus-liesbreuk-2024"
DBC_HEADER = (
    "dbc_id,agb,patient_ref,zorgproduct_code,start_date,end_date,odv,requesting_agb,"
    "primary_dbc_id,specialism,diagnosis,zorgtype"
)
DECLARATION_HEADER = (
    "declaration_id,agb,uzovi,patient_ref,zorgproduct_code,start_date,end_date,amount_eur,"
    "declared_on,dbc_id,declaratiecode"
)
TRANSFER_HEADER = (
    "transfer_id,agreement_id,care_type,patient_ref,from_agb,to_agb,transfer_date,status,phase"
)
DBC_RULE = "a bureau may not upload DBCs"
DECLARATION_RULE = "a bureau may not upload declarations"
TRANSFER_RULE = "a bureau may write only transfers under its own agreements"
AGREEMENT_RULE = (
    "a bureau may write only its own agreements, and new ones between hospitals that are "
    "parties of its agreements"
)
HOSPITAL_RULE = "a bureau may not add or change hospitals, only send stored ones again"


KNO = {
    "care_type": "kno", "zorgproduct_codes": ["039899013"], "zorgproductgroepen": [],
    "performing_agb": None, "settlement": {"method": "fixed_fee", "fee_eur": "850.00"},
    "parallel_consents": [], "planned_volume": {}, "pathway": [],
}  # fmt: skip


def hospitals_of(sample: str) -> str:
    return (V1 / sample / "hospitals.csv").read_text(encoding="utf-8")


def upload(api: Api, role: str, sample: str = "amsterdam-flevo", **files: str | None) -> Any:
    """POST /datasets: the sample's hospitals, insurers and prices, no agreements, no DBCs,
    and then ``files`` (``dbcs_csv="..."``; None leaves a file out)."""
    folder = V1 / sample
    contents: dict[str, bytes | None] = {
        "hospitals.csv": (folder / "hospitals.csv").read_bytes(),
        "insurers.csv": (folder / "insurers.csv").read_bytes(),
        "agreements.json": b"[]",
        "prices.csv": (folder / "prices.csv").read_bytes(),
        "dbcs.csv": (DBC_HEADER + "\n").encode(),
    }
    for name, text in files.items():
        contents[name.replace("_", ".")] = None if text is None else text.encode()
    sent = [("files", (n, c)) for n, c in contents.items() if c is not None]
    return api.post(role, "/datasets", files=sent)


def as_contract(body: dict[str, Any]) -> dict[str, Any]:
    """An agreement read from the API in the form of ``agreements.json``: settlement terms
    carry only the fields they have."""
    care_types = [
        care | {"settlement": {k: v for k, v in care["settlement"].items() if v is not None}}
        for care in body["care_types"]
    ]
    return body | {"care_types": care_types}


AMC_FLEVO_JSON = (V1 / "amsterdam-flevo" / "agreements.json").read_text(encoding="utf-8")


def refused(*lines: str) -> dict[str, Any]:
    return {"error": "WriteNotPermitted", "detail": list(lines)}


def injected_odv_dbcs(count: int) -> str:
    """ODV DBCs of Flevoziekenhuis requested by Amsterdam UMC, each settled at EUR 1,947.50
    under amc-flevo-2024 (chirurgie: 0.95 of nza-open-dis 2,050.00)."""
    rows = [
        f"INJ-{n},{FLEVO},PS-INJ{n},131999061,2024-02-14,2024-02-20,true,{AMC},,0306,,"
        for n in range(1, count + 1)
    ]
    return "\n".join([DBC_HEADER, *rows]) + "\n"


def settled_total(api: Api) -> str:
    run: str = api.post("admin", "/settlement-runs", json={"year": 2024}).json()["total"]
    return run


# --- 1. Writes past a tenant's rights ------------------------------------------------------


def test_a_bureau_cannot_add_dbcs_of_another_alliance(api: Api) -> None:
    """The issue's reproduction: 5 ODV DBCs of amsterdam-flevo uploaded with the samen-plus
    bureau's key were stored (201) and settled (+EUR 9,737.50 charged to Amsterdam UMC)."""
    total = settled_total(api)
    dbcs = len(api.get("admin", "/dbcs", params={"limit": 10_000}).json())
    response = upload(api, "bureau", dbcs_csv=injected_odv_dbcs(5))
    assert (response.status_code, response.json()) == (
        403,
        refused(*(f"dbcs.csv:{line}: dbc_id: {DBC_RULE}" for line in range(2, 7))),
    )
    assert len(api.get("admin", "/dbcs", params={"limit": 10_000}).json()) == dbcs
    assert settled_total(api) == total == "145275.72"
    # The same upload by the admin is stored and settled: what the bureau's would have done.
    assert upload(api, "admin", dbcs_csv=injected_odv_dbcs(5)).status_code == 201
    assert settled_total(api) == "155013.22"


def test_a_bureau_cannot_create_an_agreement_between_hospitals_outside_its_alliance(
    api: Api,
) -> None:
    outside = api.get("admin", "/agreements/amc-flevo-2024").json() | {
        "agreement_id": "amc-flevo-2026",
        "valid_from": "2026-01-01",
        "valid_to": None,
    }
    response = api.post("bureau", "/agreements", json=outside)
    assert (response.status_code, response.json()) == (
        403,
        refused(f"agreements.json:0: agreement_id: {AGREEMENT_RULE}"),
    )
    version = api.post("bureau", f"/agreements/{SAMEN}/versions", json=outside)
    assert (version.status_code, version.json()) == (403, response.json())
    # Not stored, and the bureau's key is not linked to it.
    assert api.get("admin", "/agreements/amc-flevo-2026").status_code == 404
    assert [a["agreement_id"] for a in api.get("bureau", "/agreements").json()] == [SAMEN]
    # One hospital of its alliance and one outside it is outside too.
    mixed = outside | {"parties": [ALRIJNE, FLEVO]}
    assert api.post("bureau", "/agreements", json=mixed).json() == response.json()
    # The admin may.
    assert api.post("admin", "/agreements", json=outside).status_code == 201


def test_a_bureau_writes_within_its_alliance(api: Api) -> None:
    """Stored rows sent again are harmless; a new agreement between its hospitals and a
    transfer under it are the bureau's to write, and the agreement becomes its own."""
    mine = api.get("admin", f"/agreements/{SAMEN}").json() | {
        "agreement_id": "samen-plus-liesbreuk-2026",
        "valid_from": "2026-01-01",
        "valid_to": None,
        "parent_id": None,
    }
    transfer = (
        f"UP-T1,samen-plus-liesbreuk-2026,liesbreuk,PS-UP1,{ALRIJNE},{GROENE_HART},"
        "2026-02-01,planned,"
    )
    response = upload(
        api,
        "bureau",
        "samen-plus",
        agreements_json=json.dumps([as_contract(mine)]),
        transfers_csv=f"{TRANSFER_HEADER}\n{transfer}\n",
    )
    assert response.status_code == 201, response.text
    assert response.json() == {
        "added": {"hospitals": 0, "insurers": 0, "agreements": 1, "prices": 0, "dbcs": 0,
                  "transfers": 1},
        "unchanged": {"hospitals": 2, "insurers": 4, "agreements": 0, "prices": 5, "dbcs": 0,
                      "transfers": 0},
    }  # fmt: skip
    assert [a["agreement_id"] for a in api.get("bureau", "/agreements").json()] == [
        SAMEN,
        "samen-plus-liesbreuk-2026",
    ]
    assert api.get("bureau", "/transfers/UP-T1").json()["agreement_id"] == (
        "samen-plus-liesbreuk-2026"
    )


def test_every_refused_row_of_an_upload_is_named_and_nothing_is_stored(api: Api) -> None:
    hospitals = (V1 / "amsterdam-flevo" / "hospitals.csv").read_text(encoding="utf-8")
    renamed = hospitals.replace("Flevoziekenhuis", "Flevo")
    transfers = "\n".join(
        [
            TRANSFER_HEADER,
            # within the alliance: allowed
            f"UP-T2,samen-plus-kno,kno,PS-UP2,{ALRIJNE},{GROENE_HART},2024-11-01,planned,",
            # under another alliance's agreement: refused
            f"UP-T3,amc-flevo-2024,kno,PS-UP3,{AMC},{FLEVO},2024-11-01,planned,",
        ]
    )
    # A new agreement within the alliance (allowed), then another alliance's agreement as it
    # is stored (refused: the bureau may not see it, so a copy that is accepted would confirm
    # what is stored).
    kno = as_contract(api.get("admin", "/agreements/amc-flevo-2024").json()) | {
        "agreement_id": "samen-plus-kno",
        "parties": [ALRIJNE, GROENE_HART],
        "care_types": [KNO],
    }
    agreements = [kno, *json.loads(AMC_FLEVO_JSON)]
    both = hospitals_of("samen-plus") + renamed.split("\n", 1)[1] + "06099999,Nieuw,algemeen\n"
    response = upload(
        api,
        "bureau",
        hospitals_csv=both,
        agreements_json=json.dumps(agreements),
        dbcs_csv=injected_odv_dbcs(1),
        transfers_csv=transfers + "\n",
    )
    assert (response.status_code, response.json()) == (
        403,
        refused(
            f"hospitals.csv:5: agb: {HOSPITAL_RULE}",
            f"hospitals.csv:6: agb: {HOSPITAL_RULE}",
            f"agreements.json:1: agreement_id: {AGREEMENT_RULE}",
            f"dbcs.csv:2: dbc_id: {DBC_RULE}",
            f"transfers.csv:3: transfer_id: {TRANSFER_RULE}",
        ),
    ), response.text
    assert api.get("admin", "/transfers/UP-T2").status_code == 404
    assert api.get("admin", "/agreements/samen-plus-kno").status_code == 404
    assert [h["name"] for h in api.get("admin", "/hospitals").json()].count("Nieuw") == 0


def test_only_the_admin_and_a_bureau_write(api: Api) -> None:
    body = api.get("admin", f"/agreements/{SAMEN}").json() | {"agreement_id": "no-rights"}
    transfer = {
        "transfer_id": "NO-T1", "agreement_id": SAMEN, "care_type": "liesbreuk",
        "patient_ref": "PS-NO", "from_agb": ALRIJNE, "to_agb": GROENE_HART,
        "transfer_date": "2024-11-01", "status": "planned", "phase": None,
    }  # fmt: skip
    for role in ("alrijne", "amc", "insurer"):
        assert upload(api, role).status_code == 403
        assert api.post(role, "/agreements", json=body).status_code == 403
        assert api.post(role, "/transfers", json=transfer).status_code == 403


# --- 2. Refusals that show nothing stored -----------------------------------------------------


def test_another_alliances_transfer_id_reads_as_any_refused_transfer(api: Api) -> None:
    mine = {
        "agreement_id": SAMEN, "care_type": "liesbreuk", "patient_ref": "PS-MINE",
        "from_agb": ALRIJNE, "to_agb": GROENE_HART, "transfer_date": "2024-11-01",
        "status": "planned", "phase": None,
    }  # fmt: skip
    taken = api.post("bureau", "/transfers", json=mine | {"transfer_id": "AMST-T00046"})
    theirs = mine | {"agreement_id": "amc-flevo-2024", "care_type": "kno", "from_agb": AMC,
                     "to_agb": FLEVO}  # fmt: skip
    foreign = api.post("bureau", "/transfers", json=theirs | {"transfer_id": "NEW-T1"})
    unknown = api.post(
        "bureau", "/transfers", json=mine | {"transfer_id": "NEW-T2", "agreement_id": "none"}
    )
    expected = refused(f"request:1: transfer_id: {TRANSFER_RULE}")
    assert (taken.status_code, taken.json()) == (403, expected)
    assert (foreign.status_code, foreign.json()) == (403, expected)
    assert (unknown.status_code, unknown.json()) == (403, expected)
    # In an upload too: another alliance's transfer sent as stored, or changed, reads as a
    # new transfer under an agreement that is not the bureau's.
    stored = (V1 / "amsterdam-flevo" / "transfers.csv").read_text(encoding="utf-8")
    row = stored.splitlines()[1]
    changed = row.replace("PS-58BE5F24E5F5", "PS-GUESS")
    new = row.replace("AMST-T00046", "NEW-T3")
    bodies = [
        upload(
            api,
            "bureau",
            agreements_json=AMC_FLEVO_JSON,
            transfers_csv=f"{TRANSFER_HEADER}\n{line}\n",
        )
        for line in (row, changed, new)
    ]
    assert [(b.status_code, b.json()) for b in bodies] == [
        (
            403,
            refused(
                f"agreements.json:0: agreement_id: {AGREEMENT_RULE}",
                f"transfers.csv:2: transfer_id: {TRANSFER_RULE}",
            ),
        )
    ] * 3
    assert "PS-58BE5F24E5F5" not in "".join(b.text for b in [taken, *bodies])


def test_another_bureaus_agreement_id_reads_as_any_refused_agreement(api: Api) -> None:
    mine = api.get("admin", f"/agreements/{SAMEN}").json()
    taken = api.post("bureau", "/agreements", json=mine | {"agreement_id": "amc-flevo-2024"})
    outside = api.get("admin", "/agreements/amc-flevo-2024").json() | {
        "agreement_id": "amc-flevo-2027"
    }
    foreign = api.post("bureau", "/agreements", json=outside)
    expected = refused(f"agreements.json:0: agreement_id: {AGREEMENT_RULE}")
    assert (taken.status_code, taken.json()) == (403, expected)
    assert (foreign.status_code, foreign.json()) == (403, expected)
    assert "Amsterdam" not in taken.text and "2025-12-31" not in taken.text
    # Another alliance's agreement sent again unchanged in an upload is refused as well: an
    # accepted copy would confirm what is stored.
    stored = upload(api, "bureau", agreements_json=AMC_FLEVO_JSON)
    assert (stored.status_code, stored.json()) == (
        403,
        refused(f"agreements.json:0: agreement_id: {AGREEMENT_RULE}"),
    )


def test_guessed_dbc_and_declaration_ids_read_as_any_refused_row(api: Api) -> None:
    stored_dbc = (
        f"AMST-D00001,{AMC},PS-CC93E4714AFB,109899011,2024-01-14,2024-03-14,false,,,0306,"
        "urologie,11"
    )
    guessed = stored_dbc.replace("PS-CC93E4714AFB", "PS-GUESS")
    new = stored_dbc.replace("AMST-D00001", "NEW-D1")
    dbcs = [
        upload(api, "bureau", dbcs_csv=f"{DBC_HEADER}\n{r}\n") for r in (stored_dbc, guessed, new)
    ]
    assert [(r.status_code, r.json()) for r in dbcs] == [
        (403, refused(f"dbcs.csv:2: dbc_id: {DBC_RULE}"))
    ] * 3
    declaration = (
        f"AMST-V00002,{AMC},3343,PS-CC93E4714AFB,109899011,2024-01-14,2024-03-14,1000.00,"
        "2024-03-28,,899011"
    )
    rows = (declaration, declaration.replace("1000.00", "1.00"),
            declaration.replace("AMST-V00002", "NEW-V1"))  # fmt: skip
    declarations = [
        upload(api, "bureau", declarations_csv=f"{DECLARATION_HEADER}\n{r}\n") for r in rows
    ]
    assert [(r.status_code, r.json()) for r in declarations] == [
        (403, refused(f"declarations.csv:2: declaration_id: {DECLARATION_RULE}"))
    ] * 3
    for text in ("PS-CC93E4714AFB", "urologie", "3343", "1000.00"):
        assert text not in "".join(r.text for r in [*dbcs[1:], *declarations[1:]])


def test_a_conflict_on_a_row_the_caller_may_see_names_both_versions(api: Api) -> None:
    transfer = {
        "transfer_id": "SAME-T00004", "agreement_id": SAMEN, "care_type": "rectumcarcinoom",
        "patient_ref": "PS-FD43AE3863E5", "from_agb": GROENE_HART, "to_agb": ALRIJNE,
        "transfer_date": "2024-09-24", "status": "planned", "phase": "interventie",
    }  # fmt: skip
    response = api.post("bureau", "/transfers", json=transfer)
    assert (response.status_code, response.json()) == (
        409,
        {
            "error": "DatasetConflict",
            "detail": [
                "transfers (transfer_id=SAME-T00004) is stored with other values: "
                "status: stored performed, dataset planned"
            ],
        },
    )
    guessed = f"AMST-D00001,{AMC},PS-GUESS,109899011,2024-01-14,2024-03-14,false,,,0306,urologie,11"
    admin = upload(api, "admin", dbcs_csv=f"{DBC_HEADER}\n{guessed}\n")
    assert (admin.status_code, admin.json()["detail"]) == (
        409,
        ["dbcs.csv:2: patient_ref: stored PS-CC93E4714AFB, dataset PS-GUESS"],
    )


# --- 3. Totals of one's own part --------------------------------------------------------------


def test_a_run_total_is_the_total_of_the_lines_the_caller_sees(api: Api) -> None:
    created = api.post("admin", "/settlement-runs", json={"year": 2024}).json()
    run_id = created["run_id"]
    totals = {}
    for role in ("admin", "alrijne", "amc"):
        listed = {r["run_id"]: r["total"] for r in api.get(role, "/settlement-runs").json()}
        detail = api.get(role, f"/settlement-runs/{run_id}").json()
        assert listed[run_id] == detail["total"]
        cents = sum(round(float(line["amount"]) * 100) for line in detail["lines"])
        assert int(detail["total"].replace(".", "")) == cents
        totals[role] = detail["total"]
    assert totals == {"admin": "145275.72", "alrijne": "116373.32", "amc": "28902.40"}
    assert created["total"] == "145275.72"
    # A hospital that settles sees the total of its part in the answer too.
    again = api.post("amc", "/settlement-runs", json={"year": 2024})
    assert (again.status_code, again.json()["total"]) == (200, "28902.40")


def test_an_audit_runs_count_is_the_count_of_the_findings_the_caller_sees(api: Api) -> None:
    created = api.post("admin", "/audit-runs", json={"year": 2024}).json()
    run_id = created["run_id"]
    counts = {}
    for role in ("admin", "alrijne", "amc", "insurer"):
        seen = len(api.get(role, f"/audit-runs/{run_id}/findings").json())
        listed = {r["run_id"]: r["findings"] for r in api.get(role, "/audit-runs").json()}
        assert listed[run_id] == api.get(role, f"/audit-runs/{run_id}").json()["findings"] == seen
        counts[role] = seen
    # Of the 9 findings: 4 on Groene Hart, 4 on Flevoziekenhuis, 1 on Alrijne; 2 on
    # declarations sent to CZ (3358).
    assert counts == {"admin": 9, "alrijne": 1, "amc": 0, "insurer": 2}
    assert created["findings"] == 9
    again = api.post("insurer", "/audit-runs", json={"year": 2024})
    assert (again.status_code, again.json()["findings"]) == (200, 2)
