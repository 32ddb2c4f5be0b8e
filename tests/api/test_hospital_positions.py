"""GET /settlement-runs/{run_id}/hospital-positions: each hospital's position over all its
alliances (spreiding.services.positions) over HTTP, on the 2024 run of five samples that share
hospitals: UMCG and Martini (HartNet, Academisch Borstcentrum Groningen), Beatrixziekenhuis
(Rivas) (Erasmus MC's stem-cell aftercare, Oncomid) and Saxenburgh MC (one agreement, nothing
settled). The figures are those tests/test_positions.py computes by hand; amounts are strings
with two decimals, as every other amount of the API."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine

from spreiding.contract.reader import read_dataset
from spreiding.services import settlement
from spreiding.services.access import OPERATOR
from spreiding.store.datasets import import_dataset
from spreiding.store.keys import create_key
from tests.api.conftest import app_joining
from tests.conftest import SAMPLES, outer_transaction, rolled_back

UMCG, MARTINI, BEATRIX, SAXENBURGH = "06060600", "06060601", "06040408", "06050501"
FOLDERS = ("hartnet", "borstcentrum-groningen", "erasmus-stamcel", "oncomid", "saxenburgh-zgt")


@pytest.fixture(scope="module")
def stored(migrated_engine: Engine) -> Iterator[tuple[Connection, dict[str, str], int]]:
    with outer_transaction(migrated_engine) as connection:
        for name in FOLDERS:
            import_dataset(connection, read_dataset(SAMPLES / name))
        run_id = settlement.settle_year(connection, OPERATOR, year=2024).run.run_id
        keys = {
            "admin": create_key(connection, role="admin"),
            "beatrix": create_key(connection, role="hospital", agb=BEATRIX),
            "umcg": create_key(connection, role="hospital", agb=UMCG),
            "saxenburgh": create_key(connection, role="hospital", agb=SAXENBURGH),
            "bureau": create_key(connection, role="bureau", agreements=("hartnet",)),
            "insurer": create_key(connection, role="insurer", uzovi="3311"),
        }
        yield connection, keys, run_id


@pytest.fixture
def get(stored: tuple[Connection, dict[str, str], int]) -> Iterator[Any]:
    """``get(role, path)``: a request with that role's key, in a savepoint rolled back after."""
    connection, keys, _ = stored

    with rolled_back(connection), app_joining(connection) as app, TestClient(app) as client:
        yield lambda role, path: client.get(path, headers={"X-API-Key": keys[role]})


@pytest.fixture
def run_id(stored: tuple[Connection, dict[str, str], int]) -> int:
    return stored[2]


def path(run_id: int | str) -> str:
    return f"/settlement-runs/{run_id}/hospital-positions"


def test_an_admin_gets_every_hospital_with_the_hand_computed_figures(get: Any, run_id: int) -> None:
    """The UMCG is owed HartNet's transformation cost by the four others, 4 × 30,000.00; Martini
    owes its 30,000.00 share; Beatrixziekenhuis is owed 2 × 1,875.35 = 3,750.70 by Erasmus MC
    and owes UMC Utrecht 4,444.44 of Oncomid's MDO portal: net -693.74; Saxenburgh MC settles
    nothing."""
    response = get("admin", path(run_id))
    assert response.status_code == 200, response.text
    rows = {row["agb"]: row for row in response.json()}
    assert list(rows) == sorted(rows)  # by AGB
    # 5 HartNet, 13 Borstcentrum, 9 Erasmus/Oncomid parties, 2 Saxenburgh-ZGT; Beatrix twice.
    assert len(rows) == 5 + 13 + 9 - 1 + 2
    assert rows[UMCG] == {
        "agb": UMCG, "name": rows[UMCG]["name"], "agreements": ["abg-2022", "abg-2024", "hartnet"],
        "receivable": "120000.00", "payable": "0.00", "net": "120000.00",
    }  # fmt: skip
    assert (rows[MARTINI]["receivable"], rows[MARTINI]["payable"]) == ("0.00", "30000.00")
    assert rows[MARTINI]["net"] == "-30000.00"
    assert rows[BEATRIX] == {
        "agb": BEATRIX, "name": "Beatrixziekenhuis (Rivas)",
        "agreements": ["erasmus-stamcel-06040408", "oncomid"],
        "receivable": "3750.70", "payable": "4444.44", "net": "-693.74",
    }  # fmt: skip
    assert rows[SAXENBURGH] == {
        "agb": SAXENBURGH, "name": "Saxenburgh MC", "agreements": ["smc-zgt-2024"],
        "receivable": "0.00", "payable": "0.00", "net": "0.00",
    }  # fmt: skip
    cents = [int(row["net"].replace(".", "")) for row in rows.values()]
    assert sum(cents) == 0


def test_a_hospital_gets_only_its_own_row(get: Any, run_id: int) -> None:
    mine = get("beatrix", path(run_id))
    assert mine.status_code == 200
    assert [(r["agb"], r["receivable"], r["payable"], r["net"]) for r in mine.json()] == [
        (BEATRIX, "3750.70", "4444.44", "-693.74")
    ]
    umcg = get("umcg", path(run_id)).json()
    assert [(r["agb"], r["net"]) for r in umcg] == [(UMCG, "120000.00")]


@pytest.mark.parametrize("role", ["saxenburgh", "bureau"])
def test_a_run_the_key_may_not_see_reads_as_a_run_that_does_not_exist(
    get: Any, run_id: int, role: str
) -> None:
    """Saxenburgh MC has no line in the run, and a bureau key sees no run: the same 404 as
    GET /settlement-runs/{run_id} gives them, and as a run id that does not exist."""
    refused = get(role, path(run_id))
    assert refused.status_code == 404
    assert refused.json() == get(role, f"/settlement-runs/{run_id}").json()
    missing = get(role, path(999_999))
    assert missing.status_code == 404
    assert missing.json()["error"] == refused.json()["error"] == "NotFound"
    assert missing.json()["detail"] == refused.json()["detail"].replace(str(run_id), "999999")
    assert get("admin", path(999_999)).json() == missing.json()


def test_an_insurer_is_refused_whatever_the_run(get: Any, run_id: int) -> None:
    for run in (run_id, 999_999):
        refused = get("insurer", path(run))
        assert refused.status_code == 403
        assert refused.json()["error"] == "Forbidden"
