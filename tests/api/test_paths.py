"""A path id the database cannot look up (a NUL character, over 1,000 characters) is refused
422 before any query, on SQLite and PostgreSQL alike; never a 500."""

from __future__ import annotations

import pytest

from tests.api.conftest import ALRIJNE, Api

LONG = "T" * 1001


@pytest.mark.parametrize(
    "path",
    [
        "/transfers/T%00",
        f"/transfers/{LONG}",
        "/agreements/samen%00plus",
        "/price-lists/bench%00mark",
        f"/settlement-runs/1/statements/{ALRIJNE}/0601%000102",
        f"/settlement-runs/1/statements/{ALRIJNE}/0601%000102/pdf",
    ],
)
def test_an_unreadable_path_id_is_422(api: Api, path: str) -> None:
    response = api.get("admin", path)
    assert response.status_code == 422, response.text
    assert response.json()["error"] == "RequestInvalid"


def test_patching_an_unreadable_transfer_id_is_422(api: Api) -> None:
    response = api.patch("admin", "/transfers/T%00", json={"status": "performed"})
    assert response.status_code == 422, response.text
