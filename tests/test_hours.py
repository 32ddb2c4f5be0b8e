"""Hours registered one by one (issue 13 item 1, issue 15), over the API (the command line:
tests/test_cli_hours.py), on SQLite and PostgreSQL: the host hospital (which pays) or the agreement's bureau registers;
the employer and another alliance's bureau are refused, the latter as for an unknown agreement;
bad hours are refused naming the field; the hours then settle at the secondment rate.

The dataset is ``tests.files_v2``: ``samen-2024`` between A (Alrijne) and B (Groene Hart), whose
medisch-specialist rate is 185.00 (VAT 0.00) from 2024-01-01 to 2024-06-30."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine

from settlement.engine import settle
from spreiding.contract.reader import read_dataset
from spreiding.render.settlement import settlement_to_dict
from spreiding.services import trail
from spreiding.services.access import OPERATOR
from spreiding.store.datasets import import_dataset, load_dataset
from spreiding.store.keys import create_key
from tests import files as f
from tests.api.conftest import Api, app_joining
from tests.conftest import outer_transaction, rolled_back
from tests.files_v2 import v2_files

A, B, C = f.HOSPITAL_A, f.HOSPITAL_B, f.HOSPITAL_C
SAMEN = "samen-2024"


@pytest.fixture(scope="module")
def stored(
    migrated_engine: Engine, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Connection, dict[str, str]]]:
    folder = f.write(tmp_path_factory.mktemp("hours"), v2_files())
    with outer_transaction(migrated_engine) as connection:
        import_dataset(connection, read_dataset(folder))
        keys = {
            "admin": create_key(connection, role="admin"),
            "host": create_key(connection, role="hospital", agb=B),
            "employer": create_key(connection, role="hospital", agb=A),
            "outsider": create_key(connection, role="hospital", agb=C),
            "bureau": create_key(connection, role="bureau", agreements=(SAMEN,)),
            "other-bureau": create_key(connection, role="bureau", agreements=("oncomid-2024",)),
            "insurer": create_key(connection, role="insurer", uzovi="3311"),
        }
        yield connection, keys


@pytest.fixture
def api(stored: tuple[Connection, dict[str, str]]) -> Iterator[Api]:
    connection, keys = stored

    with rolled_back(connection), app_joining(connection) as app, TestClient(app) as client:
        yield Api(client, keys)


def ids(api: Api, role: str) -> list[str]:
    return [row["hours_id"] for row in api.get(role, "/hours").json()]


def body(**changes: Any) -> dict[str, Any]:
    """N1: 7.25 hours a medisch-specialist of A worked at B on 2024-03-05."""
    return {
        "hours_id": "N1",
        "agreement_id": SAMEN,
        "employer_agb": A,
        "host_agb": B,
        "role": "medisch-specialist",
        "work_date": "2024-03-05",
        "hours": "7.25",
        "person_ref": "arts-9",
        "care_type": "liesbreuk",
        "specialism": "0303",
    } | changes


def test_the_host_registers_hours_that_then_settle_at_the_secondment_rate(
    api: Api, stored: tuple[Connection, dict[str, str]]
) -> None:
    response = api.post("host", "/hours", json=body())
    assert response.status_code == 201, response.text
    assert response.json() == body()
    listed = api.get("host", "/hours", params={"agreement_id": SAMEN}).json()
    assert [row for row in listed if row["hours_id"] == "N1"] == [body()]
    assert "N1" in [row["hours_id"] for row in api.get("employer", "/hours").json()]
    assert "N1" in [row["hours_id"] for row in api.get("bureau", "/hours").json()]
    assert api.get("outsider", "/hours").json() == []
    # The other bureau sees the hours of its agreement (U4 of oncomid-2024), not N1.
    assert [row["hours_id"] for row in api.get("other-bureau", "/hours").json()] == ["U4"]
    # The same row again is no change (201, no second event); other values under N1: 409.
    assert api.post("host", "/hours", json=body()).status_code == 201
    conflict = api.post("host", "/hours", json=body(hours="7.50"))
    assert conflict.status_code == 409
    assert conflict.json()["detail"] == [
        "hours (hours_id=N1) is stored with other values: hours_hundredths: stored 725, dataset 750"
    ]

    connection, _ = stored
    events = trail.list_events(connection, OPERATOR, kind="hours.register")
    assert events[0].actor.startswith("key:")
    assert [
        (e.actor, e.role, e.tenant, e.subject, e.hospitals, dict(e.payload)) for e in events
    ] == [
        (
            events[0].actor,
            "hospital",
            B,
            "hours:N1",
            (A, B),
            {"hours_id": "N1", "agreement_id": SAMEN, "hours": "7.25"},
        )
    ]
    # 7.25 hours x 185.00 = 1341.25, VAT 0.00; A (the employer) is owed it by B (the host).
    dataset = load_dataset(connection)
    result = settlement_to_dict(
        settle(dataset.dbcs, dataset.prices, dataset.agreements, year=2024, hours=dataset.hours)
    )
    [line] = [h for h in result["hours"] if h["hours_id"] == "N1"]
    assert (line["creditor_agb"], line["debtor_agb"]) == (A, B)
    assert (line["hours"], line["rate"], line["amount"], line["vat"]) == (
        "7.25", "185.00", "1341.25", "0.00"
    )  # fmt: skip


def test_the_bureau_of_the_agreement_and_an_admin_register(api: Api) -> None:
    assert api.post("bureau", "/hours", json=body(hours_id="N2")).status_code == 201
    assert api.post("admin", "/hours", json=body(hours_id="N3")).status_code == 201


def test_the_employer_a_stranger_and_an_insurer_are_refused(api: Api) -> None:
    employer = api.post("employer", "/hours", json=body())
    assert employer.status_code == 403
    assert employer.json() == {
        "error": "WriteNotPermitted",
        "detail": [
            "request:1: hours_id: a hospital may write only hours it hosts "
            "(host_agb: the hospital that pays)"
        ],
    }
    # C hosting under an agreement it is no party of reads as an agreement that does not exist.
    stranger = api.post("outsider", "/hours", json=body(employer_agb=A, host_agb=C))
    unknown = api.post(
        "outsider", "/hours", json=body(employer_agb=A, host_agb=C, agreement_id="nope-2024")
    )
    assert stranger.status_code == unknown.status_code == 422
    assert stranger.json() == {
        "error": "DatasetInvalid",
        "detail": [f"request:1: agreement_id: {SAMEN} is not in agreements.json"],
    }
    assert unknown.json()["detail"] == [
        "request:1: agreement_id: nope-2024 is not in agreements.json"
    ]
    assert api.post("insurer", "/hours", json=body()).status_code == 403
    assert "N1" not in ids(api, "admin")


def test_another_alliances_bureau_is_refused_as_for_an_unknown_agreement(api: Api) -> None:
    other = api.post("other-bureau", "/hours", json=body())
    unknown = api.post("other-bureau", "/hours", json=body(agreement_id="nope-2024"))
    assert other.status_code == unknown.status_code == 403
    assert (
        other.json()
        == unknown.json()
        == {
            "error": "WriteNotPermitted",
            "detail": [
                "request:1: hours_id: a bureau may write only hours under its own agreements"
            ],
        }
    )


def test_stored_hours_a_hospital_may_not_see_are_refused_as_hours_it_may_not_write(
    api: Api,
) -> None:
    # U4 (stored: B worked at A under oncomid-2024) is hidden from C, a party of oncomid-2024:
    # C hosting hours under that id is refused as the employer is, telling nothing of U4.
    hidden = api.post(
        "outsider", "/hours", json=body(hours_id="U4", agreement_id="oncomid-2024", host_agb=C)
    )
    employer = api.post("employer", "/hours", json=body())
    assert hidden.status_code == employer.status_code == 403
    assert hidden.json() == employer.json()
    fresh = api.post(
        "outsider", "/hours", json=body(hours_id="N5", agreement_id="oncomid-2024", host_agb=C)
    )
    assert fresh.status_code == 201, fresh.text


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ("0", "request:1: hours: hours 0 must be more than 0 and at most 24"),
        ("24.01", "request:1: hours: hours 24.01 must be more than 0 and at most 24"),
        (
            "7.555",
            "request:1: hours: '7.555' is not a number of hours with '.' and at most two decimals",
        ),
    ],
)
def test_bad_hours_are_refused_naming_the_field(api: Api, hours: str, message: str) -> None:
    response = api.post("host", "/hours", json=body(hours=hours))
    assert response.status_code == 422
    assert response.json() == {"error": "DatasetInvalid", "detail": [message]}
    assert "N1" not in ids(api, "admin")


def test_every_rule_of_hours_csv_holds(api: Api) -> None:
    bad = body(
        hours_id="N9", employer_agb=B, role="", work_date="2024-02-30",
        person_ref="111222333", care_type="heup-x", specialism="33",
    )  # fmt: skip
    detail = api.post("admin", "/hours", json=bad).json()["detail"]
    assert detail == [
        "request:1: care_type: 'heup-x' is not a care type of agreement samen-2024",
        "request:1: host_agb: the host must be another hospital than the employer",
        "request:1: person_ref: looks like a BSN (9 digits passing the 11-check); use the "
        "alliance's pseudonym",
        "request:1: role: a value is required",
        "request:1: specialism: specialism code has 2 digits, must have 4",
        "request:1: work_date: '2024-02-30' is not a date YYYY-MM-DD",
    ]
