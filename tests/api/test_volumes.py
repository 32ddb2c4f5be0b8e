"""GET /volumes over HTTP: each key sees the volumes of exactly the care types of the
agreements it may see (a hospital those it is a party to, the bureau its own, an admin all);
an insurer is refused. The numbers are those ``spreiding volumes --data`` gives on the files,
and for two agreements registered here, computed by hand."""

from __future__ import annotations

from typing import Any

import pytest

from spreiding.contract.reader import read_dataset
from spreiding.render.volumes import volumes_to_dict
from spreiding.services.volumes import dataset_volumes
from tests.api.conftest import ALRIJNE, AMC, FLEVO, GROENE_HART, Api
from tests.conftest import V1

ROLES = ("admin", "alrijne", "amc", "bureau")
WEEKS = [f"2024-W{n:02d}" for n in range(1, 53)] + ["2025-W01"]


def agreement(agreement_id: str, parties: list[str], care: dict[str, Any]) -> dict[str, Any]:
    return {
        "agreement_id": agreement_id, "name": agreement_id, "category": "uitwisseling",
        "stage": "verkennen", "parties": parties, "valid_from": "2024-01-01",
        "valid_to": "2024-12-31", "parent_id": None,
        "care_types": [{"zorgproduct_codes": ["099999011"], "zorgproductgroepen": [],
                        "performing_agb": None, "parallel_consents": [], "pathway": []} | care],
    }  # fmt: skip


KNIE = agreement("vol-samen", [ALRIJNE, GROENE_HART], {
    "care_type": "knie", "planned_weekly": 2, "planned_volume": {},
    "settlement": {"method": "odv_benchmark", "price_list": "samen-plus-benchmark",
                   "share": "0.90", "ceiling": {"2024": 3}, "share_above_ceiling": "0.50"},
})  # fmt: skip
HEUP = agreement("vol-amc", [AMC, FLEVO], {
    "care_type": "heup", "planned_volume": {"2024": 7},
    "settlement": {"method": "fixed_fee", "fee_eur": "100.00"},
})  # fmt: skip
KNIE_ROW = {
    "agreement_id": "vol-samen", "care_type": "knie", "planned": None, "ceiling": 3,
    "settled_dbcs": 0, "patients": 0, "above_ceiling": 0, "transfers": 1,
    "weeks": [{"week": w, "transfers": int(w == "2025-W01"), "planned": 2} for w in WEEKS],
}  # fmt: skip
HEUP_ROW = {
    "agreement_id": "vol-amc", "care_type": "heup", "planned": 7, "ceiling": None,
    "settled_dbcs": 0, "patients": 0, "above_ceiling": 0, "transfers": 0,
    "weeks": [{"week": w, "transfers": 0, "planned": None} for w in WEEKS],
}  # fmt: skip
# The agreements registered here that each key sees.
REGISTERED = {"admin": {"vol-samen", "vol-amc"}, "alrijne": {"vol-samen"}, "amc": {"vol-amc"},
              "bureau": set()}  # fmt: skip


def register(api: Api) -> None:
    for body in (KNIE, HEUP):
        assert api.post("admin", "/agreements", json=body).status_code == 201
    transfer = {
        "transfer_id": "VOL-T1", "agreement_id": "vol-samen", "care_type": "knie",
        "patient_ref": "PS-VOL1", "from_agb": ALRIJNE, "to_agb": GROENE_HART,
        "transfer_date": "2024-12-31", "status": "performed", "phase": None,
    }  # fmt: skip
    assert api.post("admin", "/transfers", json=transfer).status_code == 201


def sample_rows() -> list[dict[str, Any]]:
    """The rows of both stored samples, computed from their files."""
    rows: list[dict[str, Any]] = []
    for name in ("samen-plus", "amsterdam-flevo"):
        dataset = read_dataset(V1 / name)
        rows += volumes_to_dict(dataset_volumes(dataset, year=2024))["volumes"]
    return rows


def key(row: dict[str, Any]) -> tuple[str, str]:
    return row["agreement_id"], row["care_type"]


@pytest.mark.parametrize("role", ROLES)
def test_each_key_sees_the_volumes_of_exactly_its_agreements(api: Api, role: str) -> None:
    register(api)
    response = api.get(role, "/volumes", params={"year": 2024})
    assert response.status_code == 200, response.text
    body = response.json()
    visible = {a["agreement_id"] for a in api.get(role, "/agreements").json()}
    every = sorted([*sample_rows(), KNIE_ROW, HEUP_ROW], key=key)
    assert body == {"year": 2024, "volumes": [r for r in every if r["agreement_id"] in visible]}
    assert {r["agreement_id"] for r in body["volumes"]} & {"vol-samen", "vol-amc"} == (
        REGISTERED[role]
    )


def test_an_insurer_is_refused(api: Api) -> None:
    response = api.get("insurer", "/volumes", params={"year": 2024})
    assert response.status_code == 403
    assert response.json()["error"] == "Forbidden"


@pytest.mark.parametrize("year", ["24", "3000", "x"])
def test_a_year_of_other_than_four_digits_is_refused(api: Api, year: str) -> None:
    assert api.get("admin", "/volumes", params={"year": year}).status_code == 422


def test_a_year_with_nothing_planned_has_no_rows(api: Api) -> None:
    assert api.get("admin", "/volumes", params={"year": 2030}).json() == {
        "year": 2030,
        "volumes": [],
    }
