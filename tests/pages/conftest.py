"""Pages over the database of ``tests/api/conftest.py`` (two alliances, a key per role), one
HTTP client per signed-in role: each keeps its own session cookie."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection

from spreiding.services import access, audit, settlement
from tests.api.conftest import (
    app_joining,
    stored,  # noqa: F401  (the module's database fixture)
)
from tests.conftest import rolled_back

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


@dataclass
class Pages:
    app: FastAPI
    keys: dict[str, str]
    run: int
    audit: int
    clients: dict[str, TestClient] = field(default_factory=dict)

    def client(self, **kwargs: Any) -> TestClient:
        return TestClient(self.app, **kwargs)

    def sign_in(self, role: str) -> TestClient:
        """A client signed in with ``role``'s key (kept per role)."""
        if role not in self.clients:
            client = self.client()
            form = client.get("/portaal/inloggen")
            response = client.post(
                "/portaal/inloggen",
                data={"sleutel": self.keys[role], "csrf": csrf_of(form.text)},
                follow_redirects=False,
            )
            assert response.status_code == 303, response.text
            self.clients[role] = client
        return self.clients[role]

    def get(self, role: str, path: str, **kwargs: Any) -> Any:
        return self.sign_in(role).get(path, follow_redirects=False, **kwargs)


@pytest.fixture(scope="module")
def settled(
    stored: tuple[Connection, dict[str, str]],  # noqa: F811
) -> tuple[Connection, dict[str, str], int, int]:
    """The module's database with the 2024 run and audit run stored once (in the module's
    outer transaction, rolled back when the module ends)."""
    connection, keys = stored
    run = settlement.settle_year(connection, access.OPERATOR, year=2024).run.run_id
    audited = audit.audit_year(connection, access.OPERATOR, year=2024).run.run_id
    return connection, keys, run, audited


@pytest.fixture
def pages(settled: tuple[Connection, dict[str, str], int, int]) -> Iterator[Pages]:
    connection, keys, run, audited = settled

    with rolled_back(connection), app_joining(connection) as app:
        found = Pages(app, keys, run, audited)
        yield found
        for client in found.clients.values():
            client.close()
