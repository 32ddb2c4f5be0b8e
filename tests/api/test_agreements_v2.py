"""Contract v2 over the API: an agreement's v2 fields created, read back as sent, refused as the
reader refuses them; hours uploaded by a bureau under its own agreements only."""

from __future__ import annotations

import copy
import json
from typing import Any

from tests.api.conftest import ALRIJNE, GROENE_HART, Api
from tests.api.test_rights import AGREEMENT_RULE, as_contract, upload

V2: dict[str, Any] = {
    "agreement_id": "samen-plus-v2",
    "name": "Samen+ v2",
    "category": "uitwisseling",
    "stage": "implementeren",
    "parties": [ALRIJNE, GROENE_HART],
    "valid_from": "2025-01-01",
    "valid_to": None,
    "parent_id": None,
    "care_types": [
        {
            "care_type": "liesbreuk",
            "zorgproduct_codes": ["131999061"],
            "zorgproductgroepen": [],
            "performing_agb": GROENE_HART,
            "settlement": {
                "method": "odv_benchmark", "price_list": "samen-plus-benchmark", "share": "1.00",
                "fee_eur": None, "price_year": "start", "ceiling": {"2025": 40},
                "share_above_ceiling": "0.75", "otherwise": None,
            },
            "parallel_consents": [],
            "planned_volume": {"2025": 40},
            "pathway": [],
            "planned_weekly": 1,
        },
        {
            "care_type": "hernia",
            "zorgproduct_codes": [],
            "zorgproductgroepen": ["131999"],
            "performing_agb": None,
            "settlement": {
                "method": "parallel", "price_list": None, "share": None, "fee_eur": None,
                "price_year": None, "ceiling": None, "share_above_ceiling": None,
                "otherwise": {
                    "method": "fixed_fee", "price_list": None, "share": None,
                    "fee_eur": "410.00", "price_year": None, "ceiling": None,
                    "share_above_ceiling": None, "otherwise": None,
                },
            },
            "parallel_consents": [],
            "planned_volume": {},
            "pathway": [],
            "planned_weekly": None,
        },
    ],
    "secondment_rates": [
        {"role": "chirurg", "rate_eur": "185.00", "vat_rate": "0.00", "valid_from": "2025-01-01",
         "valid_to": None},
    ],
    "payment_term_days": 21,
    "costs": [
        {"cost_id": "bureau-2025", "description": "Alliantiebureau", "year": 2025,
         "amount_eur": "60000.00", "paid_by": ALRIJNE, "key": {ALRIJNE: 1, GROENE_HART: 1}},
    ],
}  # fmt: skip


def test_a_v2_agreement_is_created_and_read_back_as_sent(api: Api) -> None:
    created = api.post("admin", "/agreements", json=V2)
    assert created.status_code == 201, created.text
    assert created.json() == V2
    assert api.get("admin", "/agreements/samen-plus-v2").json() == V2
    # The same agreement again is no conflict: every v2 field was stored as it was sent.
    assert api.post("admin", "/agreements", json=V2).status_code == 201


def test_a_v1_agreement_shows_the_v2_defaults(api: Api) -> None:
    body = api.get("admin", "/agreements/samen-plus-liesbreuk-2024").json()
    assert body["payment_term_days"] == 30
    assert body["secondment_rates"] == []
    assert body["costs"] == []
    assert body["care_types"][0]["planned_weekly"] is None
    assert body["care_types"][0]["settlement"]["price_year"] is None


def test_a_broken_v2_field_is_refused_with_the_readers_message(api: Api) -> None:
    broken = copy.deepcopy(V2) | {"agreement_id": "samen-plus-v2-broken"}
    broken["secondment_rates"].append(
        {"role": "chirurg", "rate_eur": "190.00", "valid_from": "2025-06-01"}
    )
    broken["costs"][0]["key"] = {ALRIJNE: 0, GROENE_HART: 0}
    refused = api.post("admin", "/agreements", json=broken)
    assert refused.status_code == 422
    assert refused.json()["detail"] == [
        "agreements.json:0: costs[0].key: the weights sum to 0; at least one must be more than 0",
        "agreements.json:0: secondment_rates[1].valid_from: the range 2025-06-01 to open "
        "overlaps secondment_rates[0] of role 'chirurg' (2025-01-01 to open)",
    ]


HOURS_HEADER = "hours_id,agreement_id,employer_agb,host_agb,role,work_date,hours"


def test_a_bureau_uploads_hours_under_its_own_agreements_only(api: Api) -> None:
    # The bureau's key holds samen-plus-liesbreuk-2024, not its framework samen-plus-raam.
    raam = as_contract(api.get("admin", "/agreements/samen-plus-raam").json())
    samen = as_contract(api.get("admin", "/agreements/samen-plus-liesbreuk-2024").json())
    own = f"UP-U1,samen-plus-liesbreuk-2024,{ALRIJNE},{GROENE_HART},chirurg,2024-05-02,7.50"
    other = f"UP-U2,samen-plus-raam,{ALRIJNE},{GROENE_HART},chirurg,2024-05-02,4"
    refused = upload(
        api,
        "bureau",
        "samen-plus",
        agreements_json=json.dumps([raam, samen]),
        hours_csv=f"{HOURS_HEADER}\n{own}\n{other}\n",
    )
    assert refused.status_code == 403, refused.text
    assert refused.json()["detail"] == [
        f"agreements.json:0: agreement_id: {AGREEMENT_RULE}",
        "hours.csv:3: hours_id: a bureau may write only hours under its own agreements",
    ]
    # A new agreement of its alliance is the bureau's own, and so are hours under it.
    mine = samen | {"agreement_id": "samen-plus-2026", "parent_id": None}
    allowed = upload(
        api,
        "bureau",
        "samen-plus",
        agreements_json=json.dumps([mine]),
        hours_csv=f"{HOURS_HEADER}\n{own.replace('liesbreuk-2024', '2026')}\n",
    )
    assert allowed.status_code == 201, allowed.text
    assert allowed.json()["added"]["hours"] == 1
