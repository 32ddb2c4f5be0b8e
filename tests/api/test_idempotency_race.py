"""Requests at the same time, each in a transaction of its own (issue 8 item 9, and the race of
two settles or audits of the same inputs): ten real threads against the application on a
database with committed data, as a server runs them.

With one ``Idempotency-Key`` every answer is the first one (same status, same body) or a 409
that says the first is still in progress, never a 500, and one run is created. Without a key
the same inputs still give one run: one request answers 201 (created), the others 200."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from api.app import create_app
from spreiding.contract.reader import read_dataset
from spreiding.store import tables
from spreiding.store.audits import AuditStore
from spreiding.store.datasets import import_dataset
from spreiding.store.keys import create_key
from spreiding.store.runs import RunStore
from tests.conftest import V1

Response = Any  # what ``TestClient`` returns
PARALLEL = 10
SAMEN = "samen-plus-liesbreuk-2024"


@pytest.fixture
def served(engine: Engine) -> Iterator[tuple[FastAPI, dict[str, str]]]:
    """The application over committed data: the two samples and a key per role (the
    ``engine`` fixture empties every table before and after)."""
    with engine.begin() as connection:
        for name in ("samen-plus", "amsterdam-flevo"):
            import_dataset(connection, read_dataset(V1 / name))
        keys = {
            "admin": create_key(connection, role="admin"),
            "bureau": create_key(connection, role="bureau", agreements=(SAMEN,)),
            "insurer": create_key(connection, role="insurer", uzovi="3358"),
        }
    yield create_app(engine), keys


def at_once(app: FastAPI, method: str, path: str, **kwargs: Any) -> list[Response]:
    """``PARALLEL`` identical requests, released together from as many threads, each with a
    client of its own; a server error comes back as a 500 response, not as an exception."""
    start = threading.Barrier(PARALLEL)

    def one(_: int) -> Response:
        client = TestClient(app, raise_server_exceptions=False)
        start.wait()
        return client.request(method, path, **kwargs)

    with ThreadPoolExecutor(PARALLEL) as pool:
        return list(pool.map(one, range(PARALLEL)))


def outcomes(responses: list[Response]) -> Counter[str]:
    """Each response as ``first`` (the status and body of the first 2xx answer), ``in
    progress`` (409 naming it), or its status and error."""
    first = next((r for r in responses if r.status_code < 300), None)
    counted: Counter[str] = Counter()
    for response in responses:
        if first is not None and (response.status_code, response.text) == (
            first.status_code,
            first.text,
        ):
            counted["first"] += 1
        elif response.status_code == 409 and "in progress" in response.text:
            counted["in progress"] += 1
        else:
            counted[f"{response.status_code} {response.text[:120]}"] += 1
    return counted


def count(engine: Engine, model: type) -> int:
    with engine.connect() as connection:
        table = tables.table_of(model)
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


def test_one_idempotency_key_settles_once(
    engine: Engine, served: tuple[FastAPI, dict[str, str]]
) -> None:
    app, keys = served
    headers = {"X-API-Key": keys["admin"], "Idempotency-Key": "settle-2024"}
    responses = at_once(app, "POST", "/settlement-runs", json={"year": 2024}, headers=headers)
    assert outcomes(responses) == Counter({"first": PARALLEL})
    assert {r.status_code for r in responses} == {201}
    assert count(engine, tables.SettlementRun) == 1


def test_one_idempotency_key_stores_an_agreement_once(
    engine: Engine, served: tuple[FastAPI, dict[str, str]]
) -> None:
    app, keys = served
    body = TestClient(app).get(f"/agreements/{SAMEN}", headers={"X-API-Key": keys["admin"]})
    agreement = body.json() | {"agreement_id": "samen-plus-liesbreuk-2026", "valid_to": None}
    headers = {"X-API-Key": keys["bureau"], "Idempotency-Key": "agreement-2026"}
    responses = at_once(app, "POST", "/agreements", json=agreement, headers=headers)
    assert outcomes(responses) == Counter({"first": PARALLEL})
    assert {r.status_code for r in responses} == {201}
    assert count(engine, tables.Agreement) == 4  # samen-plus 2, amsterdam-flevo 1, and this


def test_settles_of_the_same_inputs_create_one_run_and_say_so(
    engine: Engine, served: tuple[FastAPI, dict[str, str]]
) -> None:
    app, keys = served
    headers = {"X-API-Key": keys["admin"]}
    responses = at_once(app, "POST", "/settlement-runs", json={"year": 2024}, headers=headers)
    assert Counter(r.status_code for r in responses) == Counter({201: 1, 200: PARALLEL - 1})
    assert len({r.json()["run_id"] for r in responses}) == 1
    audits = at_once(app, "POST", "/audit-runs", json={"year": 2024}, headers=headers)
    assert Counter(r.status_code for r in audits) == Counter({201: 1, 200: PARALLEL - 1})
    assert (count(engine, tables.SettlementRun), count(engine, tables.AuditRun)) == (1, 1)


def test_the_caller_that_loses_the_race_is_told_the_run_was_there(
    served: tuple[FastAPI, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race, step by step: the run is stored between this caller's look for it and its
    insert (its look finds nothing), so the insert finds the stored run: 200, not 201."""
    app, keys = served
    client = TestClient(app)
    headers = {"X-API-Key": keys["admin"]}
    first = client.post("/settlement-runs", json={"year": 2024}, headers=headers)
    audited = client.post("/audit-runs", json={"year": 2024}, headers=headers)
    monkeypatch.setattr(RunStore, "by_fingerprint", lambda self, fingerprint: [])
    looked: list[str] = []
    real = AuditStore.by_fingerprint

    def first_look_finds_nothing(self: AuditStore, fingerprint: str) -> Any:
        looked.append(fingerprint)
        return None if len(looked) == 1 else real(self, fingerprint)

    monkeypatch.setattr(AuditStore, "by_fingerprint", first_look_finds_nothing)
    second = client.post("/settlement-runs", json={"year": 2024}, headers=headers)
    again = client.post("/audit-runs", json={"year": 2024}, headers=headers)
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json() == first.json()
    assert (audited.status_code, again.status_code) == (201, 200)
    assert again.json() == audited.json()
