"""GET /volumes over HTTP: each key sees the volumes of exactly the care types of the
agreements it may see (a hospital those it is a party to, the bureau its own, an admin all);
an insurer is refused. The numbers are those ``spreiding volumes --data`` gives on the files."""

from __future__ import annotations

from typing import Any

import pytest

from spreiding.contract.reader import read_dataset
from spreiding.render.volumes import volumes_to_dict
from spreiding.services.volumes import dataset_volumes
from tests.api.conftest import Api
from tests.conftest import SAMPLES

SAMEN = "samen-plus-liesbreuk-2024"
# The care types of the two stored samples with a planned volume for 2024 (none has a weekly
# number or a ceiling).
SEEN = {
    "admin": [("amc-flevo-2024", "gynaecologie"), (SAMEN, "liesbreuk"), (SAMEN, "rectumcarcinoom")],
    "alrijne": [(SAMEN, "liesbreuk"), (SAMEN, "rectumcarcinoom")],
    "amc": [("amc-flevo-2024", "gynaecologie")],
    "bureau": [(SAMEN, "liesbreuk"), (SAMEN, "rectumcarcinoom")],
}  # fmt: skip


def from_files(year: int) -> list[dict[str, Any]]:
    """The rows of both samples computed from their files, by (agreement, care type)."""
    rows: list[dict[str, Any]] = []
    for name in ("samen-plus", "amsterdam-flevo"):
        rows += volumes_to_dict(dataset_volumes(read_dataset(SAMPLES / name), year=year))["volumes"]
    return sorted(rows, key=lambda r: (r["agreement_id"], r["care_type"]))


@pytest.mark.parametrize("role", sorted(SEEN))
def test_each_key_sees_the_volumes_of_its_agreements(api: Api, role: str) -> None:
    response = api.get(role, "/volumes", params={"year": 2024})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["year"] == 2024
    assert [(r["agreement_id"], r["care_type"]) for r in body["volumes"]] == SEEN[role]
    expected = [r for r in from_files(2024) if (r["agreement_id"], r["care_type"]) in SEEN[role]]
    assert body["volumes"] == expected


def test_the_admin_sees_the_hand_checked_counts(api: Api) -> None:
    body = api.get("admin", "/volumes", params={"year": 2024}).json()
    (liesbreuk,) = [r for r in body["volumes"] if r["care_type"] == "liesbreuk"]
    assert (liesbreuk["planned"], liesbreuk["ceiling"]) == (120, None)
    assert len(liesbreuk["weeks"]) == 53 and liesbreuk["weeks"][-1]["week"] == "2025-W01"
    assert liesbreuk["transfers"] == sum(w["transfers"] for w in liesbreuk["weeks"])


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
