"""No two routes of the API match one path: the order in which ``api.app`` includes its
routers (the statement reads first, issue 10) then decides nothing but speed."""

from __future__ import annotations

import re

from sqlalchemy import create_engine
from starlette.routing import compile_path

from api.app import create_app


def _operations() -> list[tuple[str, str]]:
    """Every (method, path template) of the API, as its OpenAPI document lists them."""
    document = create_app(create_engine("sqlite://")).openapi()
    return [
        (method.upper(), path)
        for path, operations in document["paths"].items()
        for method in operations
    ]


def _overlaps(operations: list[tuple[str, str]]) -> list[tuple[str, str, list[str]]]:
    """Each operation whose example path (every parameter "1", a segment as the routes declare
    them) another route of its method matches too, with every template that matches it."""
    compiled = [(method, template, compile_path(template)[0]) for method, template in operations]
    found = []
    for method, template in operations:
        path = re.sub(r"{[^}]+}", "1", template)
        matching = [t for m, t, regex in compiled if m == method and regex.fullmatch(path)]
        if matching != [template]:
            found.append((method, template, matching))
    return found


def test_every_path_of_the_api_is_matched_by_its_own_route_alone() -> None:
    operations = _operations()
    assert ("GET", "/settlement-runs/{run_id}/statements/{first}/{second}/summary") in operations
    assert len(operations) > 40
    assert _overlaps(operations) == []


def test_a_route_another_one_shadows_is_found() -> None:
    # "/runs/1" is matched by both: which one answers depends on the order.
    operations = [("GET", "/runs/{run_id}"), ("GET", "/runs/1"), ("POST", "/runs/{run_id}/x")]
    assert _overlaps(operations) == [
        ("GET", "/runs/{run_id}", ["/runs/{run_id}", "/runs/1"]),
        ("GET", "/runs/1", ["/runs/{run_id}", "/runs/1"]),
    ]
