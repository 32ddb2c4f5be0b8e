"""An API over a database holding two alliances, with a key for every role."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api.app import create_app
from spreiding.contract.reader import read_dataset
from spreiding.store.datasets import import_dataset
from spreiding.store.keys import create_key
from tests.conftest import SAMPLES

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


@pytest.fixture
def api(engine: Engine) -> Iterator[Api]:
    with engine.begin() as connection:
        for name in ("samen-plus", "amsterdam-flevo"):
            import_dataset(connection, read_dataset(SAMPLES / name))
        keys = {
            "admin": create_key(connection, role="admin"),
            "alrijne": create_key(connection, role="hospital", agb=ALRIJNE),
            "amc": create_key(connection, role="hospital", agb=AMC),
            "bureau": create_key(
                connection, role="bureau", agreements=("samen-plus-liesbreuk-2024",)
            ),
            "insurer": create_key(connection, role="insurer", uzovi="3358"),
        }
    with TestClient(create_app(engine)) as client:
        yield Api(client, keys)
