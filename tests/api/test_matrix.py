"""Every endpoint for every role: the status each key gets, reads of another tenant's ids
included (404, never a leak)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.conftest import ALRIJNE, AMC, FLEVO, GROENE_HART, Api
from tests.conftest import SAMPLES

ROLES = ("admin", "alrijne", "amc", "bureau", "insurer")
SAMEN = "samen-plus-liesbreuk-2024"


def expect(**by_role: int) -> dict[str, int]:
    """Statuses per role; ``rest`` for the roles not named."""
    rest = by_role.pop("rest", None)
    return {role: by_role.get(role, rest) for role in ROLES}  # type: ignore[misc]


def transfer_body(role: str) -> dict[str, Any]:
    return {
        "transfer_id": f"M-{role}", "agreement_id": SAMEN, "care_type": "liesbreuk",
        "patient_ref": "PS-MATRIX", "from_agb": ALRIJNE, "to_agb": GROENE_HART,
        "transfer_date": "2024-11-01", "status": "planned", "phase": None,
    }  # fmt: skip


def agreement_body(api: Api, role: str) -> dict[str, Any]:
    body = api.get("admin", f"/agreements/{SAMEN}").json()
    return body | {"agreement_id": f"matrix-{role}", "valid_from": "2026-01-01", "valid_to": None}


# (method, path, body or None, expected statuses)
CASES: list[tuple[str, str, str | None, dict[str, int]]] = [
    ("GET", "/hospitals", None, expect(rest=200)),
    ("GET", "/insurers", None, expect(rest=200)),
    ("GET", "/price-lists", None, expect(rest=200)),
    ("GET", "/price-lists/samen-plus-benchmark", None, expect(rest=200)),
    ("GET", "/agreements", None, expect(rest=200)),
    ("GET", f"/agreements/{SAMEN}", None, expect(admin=200, alrijne=200, bureau=200, rest=404)),
    ("GET", "/agreements/amc-flevo-2024", None, expect(admin=200, amc=200, insurer=200, rest=404)),
    ("POST", "/agreements", "agreement", expect(admin=201, bureau=201, rest=403)),
    ("POST", f"/agreements/{SAMEN}/versions", "agreement", expect(admin=201, bureau=201, rest=403)),
    ("GET", "/dbcs", None, expect(rest=200)),
    ("GET", "/declarations", None, expect(rest=200)),
    ("GET", "/transfers", None, expect(rest=200)),
    ("GET", "/transfers/{transfer}", None, expect(admin=200, alrijne=200, bureau=200, rest=404)),
    ("POST", "/transfers", "transfer", expect(admin=201, bureau=201, rest=403)),
    ("PATCH", "/transfers/{transfer}", "status", expect(admin=200, bureau=200, rest=403)),
    ("POST", "/datasets", "dataset", expect(admin=201, bureau=201, rest=403)),
    ("GET", "/settlement-runs", None, expect(rest=200)),
    ("POST", "/settlement-runs", "run", expect(admin=200, alrijne=200, amc=200, rest=403)),
    ("GET", "/settlement-runs/{run}", None, expect(admin=200, alrijne=200, amc=200, rest=404)),
    ("GET", "/settlement-runs/999999", None, expect(rest=404)),
    ("POST", "/settlement-runs/{run}/corrections", None, expect(admin=200, alrijne=200, amc=200, rest=403)),
    ("GET", "/settlement-runs/{run}/statements", None, expect(admin=200, alrijne=200, amc=200, rest=404)),
    ("GET", f"/settlement-runs/{{run}}/statements/{ALRIJNE}/{GROENE_HART}", None, expect(admin=200, alrijne=200, rest=404)),
    ("GET", f"/settlement-runs/{{run}}/statements/{AMC}/{FLEVO}", None, expect(admin=200, amc=200, rest=404)),
    ("GET", f"/settlement-runs/{{run}}/statements/{AMC}/{FLEVO}/pdf", None, expect(admin=200, amc=200, rest=404)),
    ("POST", "/settlement-runs/{run}/finalise", None, expect(admin=200, rest=403)),
    ("GET", "/audit-runs", None, expect(rest=200)),
    ("POST", "/audit-runs", "audit", expect(admin=200, insurer=200, rest=403)),
    ("GET", "/audit-runs/{audit}", None, expect(bureau=404, rest=200)),
    ("GET", "/audit-runs/{audit}/findings", None, expect(bureau=404, rest=200)),
    ("GET", "/audit-runs/{audit}/findings?format=csv", None, expect(bureau=404, rest=200)),
]  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("method", "path", "body", "expected"), CASES, ids=[f"{m} {p}" for m, p, _, _ in CASES]
)
def test_every_endpoint_for_every_role(
    api: Api, role: str, method: str, path: str, body: str | None, expected: dict[str, int]
) -> None:
    run = api.post("admin", "/settlement-runs", json={"year": 2024}).json()["run_id"]
    audit = api.post("admin", "/audit-runs", json={"year": 2024}).json()["run_id"]
    transfer = next(
        t["transfer_id"]
        for t in api.get("admin", "/transfers").json()
        if t["agreement_id"] == SAMEN
    )
    url = path.format(run=run, audit=audit, transfer=transfer)
    kwargs: dict[str, Any] = {}
    if body == "agreement":
        kwargs["json"] = agreement_body(api, role)
    elif body == "transfer":
        kwargs["json"] = transfer_body(role)
    elif body == "status":
        kwargs["json"] = {"status": "cancelled"}
    elif body == "run" or body == "audit":
        kwargs["json"] = {"year": 2024}
    elif body == "dataset":
        folder = SAMPLES / "hartnet"
        kwargs["files"] = [("files", (p.name, p.read_bytes())) for p in sorted(folder.iterdir())]
    headers = {"X-API-Key": api.keys[role]}
    response = api.client.request(method, url, headers=headers, **kwargs)
    assert response.status_code == expected[role], response.text
    if response.status_code >= 400:
        assert set(response.json()) == {"error", "detail"}
    if response.status_code == 404:
        # Another tenant's id reads exactly like an id that does not exist.
        assert response.json()["error"] == "NotFound"
