"""A dataset with every input element of contract v2, for tests: ``v2_files()`` builds it as
``tests.files.write`` takes it, and ``HEADERS`` are the v2 headers of the files it changes.

Three hospitals, two agreements. ``samen-2024`` (A, B) carries every v2 field: a care type with
``price_year: "start"``, a ceiling and ``planned_weekly``; a parallel care type whose
``otherwise`` terms have their own ceiling; one with ``fixed_fee`` otherwise terms; two
secondment rates of one role that follow each other and one of another role; a payment term of
14 days; two shared costs. ``oncomid-2024`` (A, B, C) is a v1 agreement. DBCs name their
insurer; four hours rows, one with every optional column.
"""

from __future__ import annotations

from typing import Any

from tests import files as f

A, B, C = f.HOSPITAL_A, f.HOSPITAL_B, f.HOSPITAL_C
ZK, VGZ = "3311", "7029"
IBAN_A = "NL91ABNA0417164300"

HEADERS = {
    "hospitals.csv": ["agb", "name", "kind", "iban", "address"],
    "dbcs.csv": [*f.HEADERS["dbcs.csv"], "uzovi"],
    "hours.csv": [
        "hours_id", "agreement_id", "employer_agb", "host_agb", "role", "work_date", "hours",
        "person_ref", "care_type", "specialism",
    ],
}  # fmt: skip


def samen() -> dict[str, Any]:
    """The agreement with every v2 field."""
    agreement = f.agreement(
        agreement_id="samen-2024",
        care_types=[
            f.care_type(care_type="liesbreuk", codes=["131999061"]),
            f.care_type(
                care_type="heup", codes=["131999062"], method="parallel",
                consents=[{"uzovi": ZK, "valid_from": "2024-01-01", "valid_to": "2024-12-31"}],
            ),
            f.care_type(care_type="knie", codes=["131999063"], method="parallel"),
        ],
    )  # fmt: skip
    liesbreuk, heup, knie = agreement["care_types"]
    liesbreuk["settlement"] |= {
        "price_year": "start",
        "ceiling": {"2024": 2, "2025": 3},
        "share_above_ceiling": "0.50",
    }
    liesbreuk["planned_volume"] = {"2024": 120}
    liesbreuk["planned_weekly"] = 3
    liesbreuk["pathway"] = [
        {"phase": "diagnostiek", "at": "home"},
        {"phase": "interventie", "at": B},
    ]
    heup["settlement"]["otherwise"] = {
        "method": "odv_benchmark",
        "price_list": "benchmark",
        "share": "0.8",
        "price_year": "end",
        "ceiling": {"2024": 1},
        "share_above_ceiling": "0.40",
    }
    knie["settlement"]["otherwise"] = {"method": "fixed_fee", "fee_eur": "350.00"}
    agreement["secondment_rates"] = [
        {"role": "medisch-specialist", "rate_eur": "185.00", "vat_rate": "0.00",
         "valid_from": "2024-01-01", "valid_to": "2024-06-30"},
        {"role": "medisch-specialist", "rate_eur": "190.50", "vat_rate": "0.21",
         "valid_from": "2024-07-01", "valid_to": None},
        {"role": "anesthesiemedewerker", "rate_eur": "95", "valid_from": "2024-01-01"},
    ]  # fmt: skip
    agreement["payment_term_days"] = 14
    agreement["costs"] = [
        {"cost_id": "bureau-2024", "description": "Alliantiebureau 2024", "year": 2024,
         "amount_eur": "120000.00", "paid_by": A, "key": {A: 2, B: 1}},
        {"cost_id": "casemanager", "description": "Casemanager liesbreuk", "year": 2025,
         "amount_eur": "0.01", "paid_by": B, "key": {B: 0, A: 1}},
    ]  # fmt: skip
    return agreement


def v2_files() -> dict[str, Any]:
    files = f.base_files()
    files["hospitals.csv"] = [
        f.hospital(agb=A, name="Alrijne") | {"iban": "nl91 abna 0417 1643 00", "address": ""},
        f.hospital(agb=B, name="Groene Hart")
        | {"iban": "", "address": "Bleulandweg 10, 2803 HH Gouda"},
        f.hospital(agb=C, name="Rijnstate") | {"iban": "", "address": ""},
    ]
    files["insurers.csv"] = [
        {"uzovi": ZK, "name": "Zilveren Kruis"},
        {"uzovi": VGZ, "name": "VGZ"},
    ]
    files["agreements.json"] = [
        samen(),
        f.agreement(agreement_id="oncomid-2024", parties=[A, B, C]),
    ]
    files["dbcs.csv"] = [
        f.dbc(dbc_id="H1", agb=A, odv=False, end="2024-04-01") | {"uzovi": ZK},
        f.dbc(dbc_id="D1", primary="H1") | {"uzovi": ZK},
        f.dbc(dbc_id="D2", code="131999062") | {"uzovi": VGZ},
        f.dbc(dbc_id="D3", code="131999063") | {"uzovi": ""},
    ]
    files["hours.csv"] = [
        hours(hours_id="U1"),
        hours(hours_id="U2", hours="0.25", work_date="2024-07-01")
        | {"person_ref": "arts-17", "care_type": "liesbreuk", "specialism": "0303"},
        hours(hours_id="U3", hours="24", role="anesthesiemedewerker"),
        hours(hours_id="U4", employer=B, host=A, hours="7.5", agreement_id="oncomid-2024"),
    ]
    return files


def hours(
    *,
    hours_id: str = "U1",
    agreement_id: str = "samen-2024",
    employer: str = A,
    host: str = B,
    role: str = "medisch-specialist",
    work_date: str = "2024-03-04",
    hours: str = "8.00",
) -> dict[str, str]:
    return {
        "hours_id": hours_id,
        "agreement_id": agreement_id,
        "employer_agb": employer,
        "host_agb": host,
        "role": role,
        "work_date": work_date,
        "hours": hours,
        "person_ref": "",
        "care_type": "",
        "specialism": "",
    }
