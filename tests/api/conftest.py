"""An API over a database holding two alliances, with a key for every role.

The two samples and the keys are stored once per test module, in an outer transaction that is
rolled back when the module ends; each test runs in a savepoint of its own, rolled back after
it, and every request joins that connection (``get_connection`` overridden) in a savepoint
of its own, as it would otherwise have a transaction of its own."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine

from api.deps import ReadTransaction, get_connection, get_read_transaction
from spreiding.contract.reader import read_dataset
from spreiding.store.datasets import import_dataset
from spreiding.store.keys import create_key
from tests.conftest import V1, app_for, outer_transaction, rolled_back

ALRIJNE, GROENE_HART = "06010101", "06010102"
AMC, FLEVO = "06020201", "06020202"


@dataclass
class Api:
    client: TestClient
    keys: dict[str, str]

    def get(self, role: str, path: str, **kwargs: Any) -> Any:
        return self.client.get(path, headers={"X-API-Key": self.keys[role]}, **kwargs)

    def post(
        self, role: str, path: str, *, headers: dict[str, str] | None = None, **kwargs: Any
    ) -> Any:
        return self.client.post(
            path, headers={"X-API-Key": self.keys[role], **(headers or {})}, **kwargs
        )

    def patch(self, role: str, path: str, **kwargs: Any) -> Any:
        return self.client.patch(path, headers={"X-API-Key": self.keys[role]}, **kwargs)


@pytest.fixture(scope="module")
def stored(migrated_engine: Engine) -> Iterator[tuple[Connection, dict[str, str]]]:
    with outer_transaction(migrated_engine) as connection:
        for name in ("samen-plus", "amsterdam-flevo"):
            import_dataset(connection, read_dataset(V1 / name))
        keys = {
            "admin": create_key(connection, role="admin"),
            "alrijne": create_key(connection, role="hospital", agb=ALRIJNE),
            "amc": create_key(connection, role="hospital", agb=AMC),
            "bureau": create_key(
                connection, role="bureau", agreements=("samen-plus-liesbreuk-2024",)
            ),
            "insurer": create_key(connection, role="insurer", uzovi="3358"),
        }
        yield connection, keys


@contextmanager
def app_joining(connection: Connection) -> Iterator[FastAPI]:
    """The app on ``connection``'s database (``tests.conftest.app_for``), every request
    joining ``connection`` in a savepoint released when the handler returns and rolled back if
    it raises (what ``get_connection``'s transaction and a statement read's do); its
    overrides cleared after."""

    @contextmanager
    def joined() -> Iterator[Connection]:
        with connection.begin_nested():
            yield connection

    def request_connection() -> Iterator[Connection]:
        with joined():
            yield connection

    async def read_transaction() -> ReadTransaction:
        return joined

    overrides = {get_connection: request_connection, get_read_transaction: read_transaction}
    app = app_for(connection.engine, overrides)
    try:
        yield app
    finally:
        app.dependency_overrides = {}


@pytest.fixture
def api(stored: tuple[Connection, dict[str, str]]) -> Iterator[Api]:
    connection, keys = stored
    with rolled_back(connection), app_joining(connection) as app, TestClient(app) as client:
        yield Api(client, keys)
