"""Every endpoint for every role: the status each key gets, reads of another tenant's ids
included (404, never a leak); and every list endpoint for every role: exactly the rows of
that tenant, so a list that leaks another tenant's rows with a 200 fails."""

from __future__ import annotations

import csv
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection

from tests.api.conftest import ALRIJNE, AMC, FLEVO, GROENE_HART, Api, app_joining
from tests.conftest import SAMPLES, V1

ROLES = ("admin", "alrijne", "amc", "bureau", "insurer")
SAMEN = "samen-plus-liesbreuk-2024"


def expect(**by_role: int) -> dict[str, int]:
    """Statuses per role; ``rest`` for the roles not named."""
    rest = by_role.pop("rest", None)
    return {role: by_role.get(role, rest) for role in ROLES}  # type: ignore[misc]


def transfer_body(role: str) -> dict[str, Any]:
    return {
        "transfer_id": f"M-{role}", "agreement_id": SAMEN, "care_type": "liesbreuk",
        "patient_ref": "PS-MATRIX", "from_agb": ALRIJNE, "to_agb": GROENE_HART,
        "transfer_date": "2024-11-01", "status": "planned", "phase": None,
    }  # fmt: skip


def hours_body(role: str) -> dict[str, Any]:
    """Hours of Groene Hart's staff at Alrijne: Alrijne hosts (and pays), so it may register."""
    return {
        "hours_id": f"M-{role}", "agreement_id": SAMEN, "employer_agb": GROENE_HART,
        "host_agb": ALRIJNE, "role": "medisch-specialist", "work_date": "2024-11-01",
        "hours": "7.50",
    }  # fmt: skip


def agreement_body(api: Api, role: str) -> dict[str, Any]:
    body = api.get("admin", f"/agreements/{SAMEN}").json()
    return body | {"agreement_id": f"matrix-{role}", "valid_from": "2026-01-01", "valid_to": None}


# (method, path, body or None, expected statuses)
CASES: list[tuple[str, str, str | None, dict[str, int]]] = [
    ("GET", "/hospitals", None, expect(rest=200)),
    ("GET", "/insurers", None, expect(rest=200)),
    ("GET", "/price-lists", None, expect(rest=200)),
    ("GET", "/price-lists/samen-plus-benchmark", None, expect(rest=200)),
    ("GET", "/agreements", None, expect(rest=200)),
    ("GET", f"/agreements/{SAMEN}", None, expect(admin=200, alrijne=200, bureau=200, rest=404)),
    ("GET", "/agreements/amc-flevo-2024", None, expect(admin=200, amc=200, insurer=200, rest=404)),
    ("POST", "/agreements", "agreement", expect(admin=201, bureau=201, rest=403)),
    ("POST", f"/agreements/{SAMEN}/versions", "agreement", expect(admin=201, bureau=201, rest=403)),
    ("GET", "/dbcs", None, expect(rest=200)),
    ("GET", "/declarations", None, expect(rest=200)),
    ("GET", "/transfers", None, expect(rest=200)),
    ("GET", "/transfers/{transfer}", None, expect(admin=200, alrijne=200, bureau=200, rest=404)),
    ("POST", "/transfers", "transfer", expect(admin=201, bureau=201, rest=403)),
    ("PATCH", "/transfers/{transfer}", "status", expect(admin=200, bureau=200, rest=403)),
    ("GET", "/hours", None, expect(rest=200)),
    ("POST", "/hours", "hours", expect(admin=201, alrijne=201, bureau=201, rest=403)),
    ("POST", "/datasets", "dataset", expect(admin=201, rest=403)),  # hartnet: not the bureau's
    ("GET", "/settlement-runs", None, expect(rest=200)),
    ("POST", "/settlement-runs", "run", expect(admin=200, alrijne=200, amc=200, rest=403)),
    ("GET", "/settlement-runs/{run}", None, expect(admin=200, alrijne=200, amc=200, rest=404)),
    ("GET", "/settlement-runs/999999", None, expect(rest=404)),
    ("POST", "/settlement-runs/{run}/corrections", None, expect(admin=200, alrijne=200, amc=200, rest=403)),
    ("GET", "/settlement-runs/{run}/statements", None, expect(admin=200, alrijne=200, amc=200, rest=404)),
    ("GET", f"/settlement-runs/{{run}}/statements/{ALRIJNE}/{GROENE_HART}", None, expect(admin=200, alrijne=200, rest=404)),
    ("GET", f"/settlement-runs/{{run}}/statements/{AMC}/{FLEVO}", None, expect(admin=200, amc=200, rest=404)),
    ("GET", f"/settlement-runs/{{run}}/statements/{AMC}/{FLEVO}/pdf", None, expect(admin=200, amc=200, rest=404)),
    ("POST", "/settlement-runs/{run}/finalise", None, expect(admin=409, rest=403)),  # not signed off
    ("POST", "/settlement-runs/{run}/finalise", "override", expect(admin=200, rest=403)),
    ("GET", "/settlement-runs/{run}/pairs", None, expect(admin=200, alrijne=200, amc=200, rest=404)),
    ("POST", "/settlement-runs/{run}/pairs/{debtor}/{creditor}/accept", None, expect(alrijne=200, amc=404, rest=403)),
    ("POST", "/settlement-runs/{run}/pairs/{debtor}/{creditor}/dispute", "dispute", expect(alrijne=200, amc=404, rest=403)),
    ("GET", "/audit-runs", None, expect(rest=200)),
    ("POST", "/audit-runs", "audit", expect(admin=200, insurer=200, rest=403)),
    ("GET", "/audit-runs/{audit}", None, expect(bureau=404, rest=200)),
    ("GET", "/audit-runs/{audit}/findings", None, expect(bureau=404, rest=200)),
    ("GET", "/audit-runs/{audit}/findings?format=csv", None, expect(bureau=404, rest=200)),
    ("GET", "/volumes?year=2024", None, expect(insurer=403, rest=200)),
    ("POST", "/simulations", "simulation", expect(admin=200, alrijne=200, bureau=200, amc=404, insurer=403)),
    ("POST", "/simulations", "simulation-draft", expect(admin=200, alrijne=200, bureau=200, amc=403, insurer=403)),
    ("POST", "/simulations/pdf", "simulation", expect(admin=200, alrijne=200, bureau=200, amc=404, insurer=403)),
    ("GET", "/events", None, expect(rest=200)),
    ("GET", "/netting-payments", None, expect(rest=200)),
    ("GET", "/payments", None, expect(rest=200)),
    ("GET", "/payment-balances", None, expect(rest=200)),
    ("POST", "/payments", "payment", expect(admin=201, alrijne=201, amc=404, rest=403)),  # Alrijne's
    ("GET", "/invoices", None, expect(rest=200)),
    ("GET", "/invoices/{invoice}", None, expect(admin=200, alrijne=200, rest=404)),  # Alrijne's
    ("GET", "/invoices/{invoice}/pdf", None, expect(admin=200, alrijne=200, rest=404)),
    ("GET", "/invoices/00000000-2024-0001", None, expect(rest=404)),
    ("GET", f"/journal?agb={ALRIJNE}", None, expect(admin=200, alrijne=200, amc=404, rest=403)),
    ("GET", "/settlement-runs/{run}/export", None, expect(admin=200, alrijne=200, amc=200, rest=404)),
    ("GET", "/settlement-runs/{run}/export?format=csv&table=lines", None, expect(admin=200, alrijne=200, amc=200, rest=404)),
    ("GET", "/settlement-runs/{run}/invoices/{debtor}/{creditor}", None, expect(admin=200, alrijne=200, rest=404)),
    ("GET", "/settlement-runs/{run}/invoices/{debtor}/{creditor}/pdf", None, expect(admin=200, alrijne=200, rest=404)),
]  # fmt: skip


@pytest.fixture(scope="module")
def made(stored: tuple[Connection, dict[str, str]]) -> dict[str, Any]:
    """The admin's draft run and audit of 2024, made through the API once for the module
    (every test's own changes are rolled back to here), and the bureau's transfer: what the
    paths name. Settling and auditing in every one of the 560 cases was most of this file's
    time."""
    connection, keys = stored
    with app_joining(connection) as app, TestClient(app) as client:
        api = Api(client, keys)
        settled = api.post("admin", "/settlement-runs", json={"year": 2024})
        audited = api.post("admin", "/audit-runs", json={"year": 2024})
        assert (settled.status_code, audited.status_code) == (201, 201)
        transfer = next(
            t["transfer_id"]
            for t in api.get("admin", "/transfers").json()
            if t["agreement_id"] == SAMEN
        )
    return {
        "run": settled.json()["run_id"],
        "audit": audited.json()["run_id"],
        "transfer": transfer,
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("method", "path", "body", "expected"), CASES, ids=[f"{m} {p}" for m, p, _, _ in CASES]
)
def test_every_endpoint_for_every_role(
    made: dict[str, Any],
    api: Api,
    role: str,
    method: str,
    path: str,
    body: str | None,
    expected: dict[str, int],
) -> None:
    found = dict(made)
    run = found["run"]
    samen_pair = {ALRIJNE, GROENE_HART}
    if "{debtor}" in path:  # the draft's CONCEPT invoice of Alrijne and Groene Hart
        pairs = api.get("admin", f"/settlement-runs/{run}").json()["pairs"]
        pair = next(p for p in pairs if {p["debtor_agb"], p["creditor_agb"]} == samen_pair)
        found |= {"debtor": pair["debtor_agb"], "creditor": pair["creditor_agb"]}
    if "{invoice}" in path:  # an issued invoice between them
        override = {"override": "matrix: no sign-off"}
        assert (
            api.post("admin", f"/settlement-runs/{run}/finalise", json=override).status_code == 200
        )
        found["invoice"] = next(
            i["number"]
            for i in api.get("admin", "/invoices").json()
            if {i["debtor_agb"], i["creditor_agb"]} == samen_pair
        )
    url = path.format(**found)
    kwargs: dict[str, Any] = {}
    if body == "agreement":
        kwargs["json"] = agreement_body(api, role)
    elif body == "transfer":
        kwargs["json"] = transfer_body(role)
    elif body == "hours":
        kwargs["json"] = hours_body(role)
    elif body == "status":
        kwargs["json"] = {"status": "cancelled"}
    elif body == "simulation":
        kwargs["json"] = {"year": 2024, "agreement_id": SAMEN, "replay": True, "shares": ["0.9"]}
    elif body == "simulation-draft":
        kwargs["json"] = {"year": 2024, "agreement": agreement_body(api, role), "replay": True}
    elif body == "override":
        kwargs["json"] = {"override": "matrix: signed on paper"}
    elif body == "dispute":
        kwargs["json"] = {"reason": "not our patient", "lines": []}
    elif body == "run" or body == "audit":
        kwargs["json"] = {"year": 2024}
    elif body == "payment":
        # A final run's netting payment between Alrijne and Groene Hart.
        override = {"override": "matrix: no sign-off"}
        assert (
            api.post("admin", f"/settlement-runs/{run}/finalise", json=override).status_code == 200
        )
        netting = api.get("admin", f"/settlement-runs/{run}").json()["payments"]
        samen = next(p for p in netting if ALRIJNE in (p["from_agb"], p["to_agb"]))
        kwargs["json"] = {
            "run_id": run, "from_agb": samen["from_agb"], "to_agb": samen["to_agb"],
            "paid_on": "2025-01-10", "amount": "1.00", "reference": f"M-{role}",
        }  # fmt: skip
    elif body == "dataset":
        folder = SAMPLES / "hartnet"
        kwargs["files"] = [("files", (p.name, p.read_bytes())) for p in sorted(folder.iterdir())]
    headers = {"X-API-Key": api.keys[role]}
    response = api.client.request(method, url, headers=headers, **kwargs)
    assert response.status_code == expected[role], response.text
    if response.status_code >= 400:
        assert set(response.json()) == {"error", "detail"}
    if response.status_code == 404:
        # Another tenant's id reads exactly like an id that does not exist.
        assert response.json()["error"] == "NotFound"


# --- What each key sees in every list ----------------------------------------------------

LISTED = ("samen-plus", "amsterdam-flevo")  # the samples the ``api`` fixture stores


def sample_rows(file: str) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for name in LISTED:
        with (V1 / name / file).open(encoding="utf-8", newline="") as handle:
            rows += csv.DictReader(handle)
    return rows


def seen_in_files(role: str) -> dict[str, Any]:
    """The rows a key of ``role`` may see, read from the sample files with the tenant rules:
    a hospital its own DBCs and those it requested, its own declarations, the transfers from or
    to it; the bureau the transfers of its agreement; the insurer the declarations sent to it."""
    agb = {"alrijne": ALRIJNE, "amc": AMC}.get(role)
    admin = role == "admin"
    dbcs = [r for r in sample_rows("dbcs.csv") if admin or agb in (r["agb"], r["requesting_agb"])]
    declarations = [
        r
        for r in sample_rows("declarations.csv")
        if admin
        or (agb is not None and r["agb"] == agb)
        or (role == "insurer" and r["uzovi"] == "3358")
    ]
    transfers = [
        r
        for r in sample_rows("transfers.csv")
        if admin
        or agb in (r["from_agb"], r["to_agb"])
        or (role == "bureau" and r["agreement_id"] == SAMEN)
    ]
    return {
        "/dbcs": sorted((r["agb"], r["dbc_id"]) for r in dbcs),
        "/declarations": sorted(r["declaration_id"] for r in declarations),
        "/transfers": sorted(r["transfer_id"] for r in transfers),
    }


AGREEMENTS = {
    "admin": ["amc-flevo-2024", SAMEN, "samen-plus-raam"],
    "alrijne": [SAMEN, "samen-plus-raam"],
    "amc": ["amc-flevo-2024"],
    "bureau": [SAMEN],
    "insurer": ["amc-flevo-2024"],  # its consent to parallel declaration is in it
}
# The 2024 audit of both samples, checked by hand against the files (rule, agb, subject):
FINDINGS = [
    ("ODV-001", GROENE_HART, "SAME-V00103"),  # declares SAME-D00102, ODV for Alrijne
    ("ODV-002", GROENE_HART, "SAME-D00096"),  # Alrijne's own SAME-D00095 never declared
    ("PAR-001", GROENE_HART, "SAME-V00103"),  # overlaps Alrijne's SAME-V00101, same patient
    ("PAR-001", FLEVO, "AMST-V00034"),  # each overlaps an AMC line; Flevo performs
    ("PAR-001", FLEVO, "AMST-V00038"),
    ("PAR-001", FLEVO, "AMST-V00042"),
    ("PAR-002", ALRIJNE, "SAME-V00115"),  # repeats SAME-V00113
    ("PAR-003", FLEVO, "AMST-V00106"),  # overlaps AMST-V00104, no agreement covers both
    ("TRF-001", GROENE_HART, "SAME-T00121"),  # performed, no ODV DBC at Groene Hart
]
FINDING_UZOVI = {"SAME-V00115": "3358", "AMST-V00038": "3358"}  # the ones sent to CZ


def expected_lists(role: str, run: int, audit: int) -> dict[str, Any]:
    agb = {"alrijne": ALRIJNE, "amc": AMC}.get(role)
    admin = role == "admin"
    pairs = [(ALRIJNE, GROENE_HART), (AMC, FLEVO)]
    findings = [
        (rule, subject)
        for rule, finding_agb, subject in FINDINGS
        if admin
        or finding_agb == agb
        or (role == "insurer" and FINDING_UZOVI.get(subject) == "3358")
    ]
    return {
        "/hospitals": [ALRIJNE, GROENE_HART, AMC, FLEVO],
        "/insurers": ["3311", "3343", "3358", "7029"],
        "/price-lists": [("nza-open-dis", 2024), ("samen-plus-benchmark", 2024)],
        "/price-lists/samen-plus-benchmark": ["029899011", "099899017", "131998011", "131999061", "131999062"],
        "/agreements": AGREEMENTS[role],
        **seen_in_files(role),
        "/settlement-runs": [run] if role in ("admin", "alrijne", "amc") else [],
        "/settlement-runs/{run}/statements": (
            pairs if admin else [p for p in pairs if agb in p] if agb else 404
        ),
        "/audit-runs": [] if role == "bureau" else [audit],
        "/audit-runs/{audit}/findings": 404 if role == "bureau" else findings,
        # The admin's settle and audit: about every hospital of the run, and about the
        # hospitals with a finding (Alrijne, Groene Hart, Flevo; not the AMC).
        "/events": (
            [("run.settle", f"run:{run}"), ("audit.run", f"audit:{audit}")]
            if role in ("admin", "alrijne")
            else [("run.settle", f"run:{run}")] if role == "amc" else []
        ),
    }  # fmt: skip


def ids(path: str, rows: list[dict[str, Any]]) -> list[Any]:
    """The identity of each row of a list, in the order the API gives them."""
    key = {
        "/hospitals": lambda r: r["agb"],
        "/insurers": lambda r: r["uzovi"],
        "/price-lists": lambda r: (r["price_list"], r["year"]),
        "/price-lists/samen-plus-benchmark": lambda r: r["zorgproduct_code"],
        "/agreements": lambda r: r["agreement_id"],
        "/dbcs": lambda r: (r["agb"], r["dbc_id"]),
        "/declarations": lambda r: r["declaration_id"],
        "/transfers": lambda r: r["transfer_id"],
        "/settlement-runs": lambda r: r["run_id"],
        "/settlement-runs/{run}/statements": lambda r: (r["first_agb"], r["second_agb"]),
        "/audit-runs": lambda r: r["run_id"],
        "/events": lambda r: (r["kind"], r["subject"]),
        "/audit-runs/{audit}/findings": lambda r: (
            r["rule"],
            r["declaration_id"] or r["dbc_id"] or r["transfer_id"],
        ),
    }[path]
    return [key(row) for row in rows]


@pytest.mark.parametrize("role", ROLES)
def test_every_list_shows_a_key_exactly_its_tenants_rows(
    made: dict[str, Any], api: Api, role: str
) -> None:
    run, audit = made["run"], made["audit"]
    expected = expected_lists(role, run, audit)
    seen: dict[str, Any] = {}
    for path in expected:
        response = api.get(role, path.format(run=run, audit=audit))
        seen[path] = (
            ids(path, response.json()) if response.status_code == 200 else response.status_code
        )
    assert seen == expected
