"""Payments and the event log over HTTP: each tenant registers and reads only what is its own.

The ``api`` fixture holds both samples. Settled bilaterally for 2024 and finalised, each
alliance has one netting payment between its two hospitals; which way it goes and how much is
read from the run as the admin sees it, and the amounts below are computed from that."""

from __future__ import annotations

from typing import Any

import pytest

from spreiding.domain.money import format_cents, parse_eur
from tests.api.conftest import ALRIJNE, AMC, FLEVO, GROENE_HART, Api

PAID_ON = "2025-01-10"


def final_run(api: Api) -> tuple[int, dict[str, dict[str, Any]]]:
    """The run id and, per alliance (by its first hospital), its netting payment."""
    run = api.post("admin", "/settlement-runs", json={"year": 2024}).json()["run_id"]
    override = {"override": "no sign-off in this test"}
    assert api.post("admin", f"/settlement-runs/{run}/finalise", json=override).status_code == 200
    netting = api.get("admin", f"/settlement-runs/{run}").json()["payments"]
    by_alliance = {
        first: next(p for p in netting if {p["from_agb"], p["to_agb"]} == {first, second})
        for first, second in ((ALRIJNE, GROENE_HART), (AMC, FLEVO))
    }
    return run, by_alliance


def body(run: int, payment: dict[str, Any], amount: str, reference: str) -> dict[str, Any]:
    return {
        "run_id": run, "from_agb": payment["from_agb"], "to_agb": payment["to_agb"],
        "paid_on": PAID_ON, "amount": amount, "reference": reference,
    }  # fmt: skip


def test_a_payment_registered_by_the_payer_or_payee_and_its_status(api: Api) -> None:
    run, netting = final_run(api)
    samen = netting[ALRIJNE]
    total = parse_eur(samen["amount"])
    payer = "alrijne"  # Alrijne is the payer or the payee of this payment: either may register
    first = api.post(payer, "/payments", json=body(run, samen, "100.00", "BANK-1"))
    assert first.status_code == 201, first.text
    assert first.json() | {"registered_at": None} == {
        "payment_id": first.json()["payment_id"], "run_id": run,
        "from_agb": samen["from_agb"], "to_agb": samen["to_agb"], "paid_on": PAID_ON,
        "amount": "100.00", "reference": "BANK-1", "registered_at": None,
        "registered_by": f"key:{api.keys[payer].split('_')[1]}",
    }  # fmt: skip
    status = api.get(payer, "/netting-payments").json()
    assert [(p["from_agb"], p["to_agb"], p["amount"], p["paid"], p["open"], p["status"])
            for p in status] == [
        (samen["from_agb"], samen["to_agb"], samen["amount"], "100.00",
         format_cents(total - 10000), "partly paid"),
    ]  # fmt: skip
    # Past the due date it is overdue.
    late = api.get(payer, "/netting-payments", params={"as_of": "2099-01-01"}).json()
    assert [p["status"] for p in late] == ["overdue"]
    # More than is open: 422; the same reference again: 409; both {"error", "detail"}.
    over = api.post(
        payer, "/payments", json=body(run, samen, format_cents(total - 10000 + 1), "BANK-2")
    )
    assert (over.status_code, over.json()["error"]) == (422, "PaymentExceedsOpenAmount")
    assert over.json()["detail"] == (
        f"a payment of {format_cents(total - 9999)} is more than the "
        f"{format_cents(total - 10000)} still open of this netting payment of {samen['amount']}; "
        "nothing was registered"
    )
    again = api.post(payer, "/payments", json=body(run, samen, "1.00", "BANK-1"))
    assert (again.status_code, again.json()["error"]) == (409, "PaymentAlreadyRegistered")
    rest = api.post("admin", "/payments", json=body(run, samen, format_cents(total - 10000), "B2"))
    assert rest.status_code == 201
    assert [p["status"] for p in api.get(payer, "/netting-payments").json()] == ["paid"]


def test_a_draft_runs_payment_is_refused(api: Api) -> None:
    run = api.post("admin", "/settlement-runs", json={"year": 2024}).json()["run_id"]
    payment = api.get("admin", f"/settlement-runs/{run}").json()["payments"][0]
    refused = api.post("admin", "/payments", json=body(run, payment, "1.00", "BANK-1"))
    assert (refused.status_code, refused.json()["error"]) == (409, "NettingPaymentNotFinal")


@pytest.mark.parametrize("amount", ["0.00", "1.001", "-1.00", "x"])
def test_an_amount_that_is_no_money_is_422(api: Api, amount: str) -> None:
    run, netting = final_run(api)
    refused = api.post("admin", "/payments", json=body(run, netting[ALRIJNE], amount, "B"))
    assert (refused.status_code, refused.json()["error"]) == (422, "PaymentInvalid")


def test_each_tenant_sees_only_its_own_payments_and_balances(api: Api) -> None:
    run, netting = final_run(api)
    samen, amsterdam = netting[ALRIJNE], netting[AMC]
    assert api.post("alrijne", "/payments", json=body(run, samen, "1.00", "S-1")).status_code == 201
    assert api.post("amc", "/payments", json=body(run, amsterdam, "2.00", "A-1")).status_code == 201
    # Another alliance's payment reads as none; a bureau or insurer may not register.
    assert api.post("amc", "/payments", json=body(run, samen, "1.00", "X")).status_code == 404
    for role in ("bureau", "insurer"):
        assert api.post(role, "/payments", json=body(run, samen, "1.00", "X")).status_code == 403

    def pairs(role: str, path: str) -> list[tuple[str, str]]:
        return [(p["from_agb"], p["to_agb"]) for p in api.get(role, path).json()]

    samen_pair = (samen["from_agb"], samen["to_agb"])
    amsterdam_pair = (amsterdam["from_agb"], amsterdam["to_agb"])
    for path in ("/payments", "/netting-payments"):
        assert pairs("admin", path) == [samen_pair, amsterdam_pair]
        assert pairs("alrijne", path) == [samen_pair]
        assert pairs("amc", path) == [amsterdam_pair]
        assert pairs("bureau", path) == pairs("insurer", path) == []
    balances = {role: api.get(role, "/payment-balances").json() for role in api.keys}
    assert [b["agb"] for b in balances["admin"]] == sorted([ALRIJNE, GROENE_HART, AMC, FLEVO])
    assert [b["agb"] for b in balances["alrijne"]] == [ALRIJNE]
    assert [b["agb"] for b in balances["amc"]] == [AMC]
    assert balances["bureau"] == balances["insurer"] == []
    own = balances["alrijne"][0]
    open_cents = parse_eur(samen["amount"]) - 100
    paying = samen["from_agb"] == ALRIJNE
    assert (own["to_pay"], own["to_receive"]) == (
        (format_cents(open_cents), "0.00") if paying else ("0.00", format_cents(open_cents))
    )


def test_each_tenant_reads_the_events_about_it(api: Api) -> None:
    run, netting = final_run(api)
    assert api.post(
        "alrijne", "/payments", json=body(run, netting[ALRIJNE], "1.00", "S-1")
    ).status_code == 201  # fmt: skip

    def every(role: str) -> list[dict[str, Any]]:
        response = api.get(role, "/events")
        assert response.status_code == 200
        return list(response.json())

    def seen(role: str) -> list[tuple[str, str, list[str]]]:
        return [
            (e["kind"], e["subject"], e["hospitals"])
            for e in every(role)
            if e["kind"] != "invoice.issue"
        ]

    # Each invoice (one per pair with a total) is about its two hospitals: a hospital reads
    # those it issued or received, and of their hospitals only itself.
    issued = [e for e in every("admin") if e["kind"] == "invoice.issue"]
    assert issued and all(len(e["hospitals"]) == 2 for e in issued)
    for role, agb in (("alrijne", ALRIJNE), ("amc", AMC)):
        own = [e for e in every(role) if e["kind"] == "invoice.issue"]
        assert [e["subject"] for e in own] == [
            e["subject"] for e in issued if agb in e["hospitals"]
        ]
        assert all(e["hospitals"] == [agb] for e in own)

    everyone = sorted([ALRIJNE, GROENE_HART, AMC, FLEVO])
    payment = seen("admin")[3][1]
    assert seen("admin") == [
        ("run.settle", f"run:{run}", everyone),
        ("run.override", f"run:{run}", everyone),
        ("run.finalise", f"run:{run}", everyone),
        ("payment.register", payment, sorted([ALRIJNE, GROENE_HART])),
    ]
    assert seen("alrijne") == [
        ("run.settle", f"run:{run}", [ALRIJNE]),
        ("run.override", f"run:{run}", [ALRIJNE]),
        ("run.finalise", f"run:{run}", [ALRIJNE]),
        ("payment.register", payment, [ALRIJNE]),
    ]
    assert seen("amc") == [
        ("run.settle", f"run:{run}", [AMC]),
        ("run.override", f"run:{run}", [AMC]),
        ("run.finalise", f"run:{run}", [AMC]),
    ]
    assert seen("bureau") == seen("insurer") == []
    events = [e for e in api.get("admin", "/events").json() if e["kind"] != "invoice.issue"]
    assert [e["actor"] for e in events] == [
        f"key:{api.keys['admin'].split('_')[1]}",
        f"key:{api.keys['admin'].split('_')[1]}",
        f"key:{api.keys['admin'].split('_')[1]}",
        f"key:{api.keys['alrijne'].split('_')[1]}",
    ]
    assert events[3]["tenant"] == ALRIJNE and events[3]["role"] == "hospital"
    # Filters and paging.
    only = api.get("admin", "/events", params={"kind": "run.finalise"}).json()
    assert [e["kind"] for e in only] == ["run.finalise"]
    after = api.get("admin", "/events", params={"after": events[0]["seq"], "limit": 1}).json()
    assert [e["seq"] for e in after] == [events[1]["seq"]]
