"""Small keyword-only builders of dataset files with domain defaults, for tests."""

from __future__ import annotations

import copy
import csv
import json
import random
from pathlib import Path
from typing import Any

HOSPITAL_A = "06010001"
HOSPITAL_B = "06010002"
HOSPITAL_C = "06010003"
INSURER = "3311"

HEADERS = {
    "hospitals.csv": ["agb", "name", "kind"],
    "insurers.csv": ["uzovi", "name"],
    "prices.csv": ["price_list", "year", "zorgproduct_code", "price_eur"],
    "dbcs.csv": [
        "dbc_id", "agb", "patient_ref", "zorgproduct_code", "start_date", "end_date", "odv",
        "requesting_agb", "primary_dbc_id", "specialism", "diagnosis", "zorgtype",
    ],
    "declarations.csv": [
        "declaration_id", "agb", "uzovi", "patient_ref", "zorgproduct_code", "start_date",
        "end_date", "amount_eur", "declared_on", "dbc_id", "declaratiecode",
    ],
    "transfers.csv": [
        "transfer_id", "agreement_id", "care_type", "patient_ref", "from_agb", "to_agb",
        "transfer_date", "status", "phase",
    ],
}  # fmt: skip


def hospital(
    *, agb: str = HOSPITAL_A, name: str = "Ziekenhuis A", kind: str = "algemeen"
) -> dict[str, str]:
    return {"agb": agb, "name": name, "kind": kind}


def care_type(
    *,
    care_type: str = "liesbreuk",
    codes: list[str] | None = None,
    groups: list[str] | None = None,
    performing_agb: str | None = HOSPITAL_B,
    method: str = "odv_benchmark",
    price_list: str = "benchmark",
    share: str = "0.90",
    fee_eur: str = "500.00",
    consents: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    settlement: dict[str, Any] = {"method": method}
    if method == "odv_benchmark":
        settlement |= {"price_list": price_list, "share": share}
    elif method == "fixed_fee":
        settlement |= {"fee_eur": fee_eur}
    return {
        "care_type": care_type,
        "zorgproduct_codes": ["131999061"] if codes is None else codes,
        "zorgproductgroepen": [] if groups is None else groups,
        "performing_agb": performing_agb,
        "settlement": settlement,
        "parallel_consents": consents or [],
    }


def agreement(
    *,
    agreement_id: str = "samen-2024",
    parties: list[str] | None = None,
    stage: str = "implementeren",
    valid_from: str = "2024-01-01",
    valid_to: str | None = "2024-12-31",
    parent_id: str | None = None,
    care_types: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "agreement_id": agreement_id,
        "name": f"Overeenkomst {agreement_id}",
        "category": "uitwisseling",
        "stage": stage,
        "parties": parties or [HOSPITAL_A, HOSPITAL_B],
        "valid_from": valid_from,
        "valid_to": valid_to,
        "parent_id": parent_id,
        "care_types": [care_type()] if care_types is None else care_types,
    }


def price(
    *,
    price_list: str = "benchmark",
    year: str = "2024",
    code: str = "131999061",
    eur: str = "1999.00",
) -> dict[str, str]:
    return {"price_list": price_list, "year": year, "zorgproduct_code": code, "price_eur": eur}


def dbc(
    *,
    dbc_id: str = "D1",
    agb: str = HOSPITAL_B,
    patient: str = "P-0001",
    code: str = "131999061",
    start: str = "2024-03-01",
    end: str = "2024-03-02",
    odv: bool = True,
    requesting: str = HOSPITAL_A,
    primary: str = "",
    **optional: str,
) -> dict[str, str]:
    return {
        "dbc_id": dbc_id,
        "agb": agb,
        "patient_ref": patient,
        "zorgproduct_code": code,
        "start_date": start,
        "end_date": end,
        "odv": "true" if odv else "false",
        "requesting_agb": requesting if odv else "",
        "primary_dbc_id": primary,
        "specialism": optional.get("specialism", ""),
        "diagnosis": optional.get("diagnosis", ""),
        "zorgtype": optional.get("zorgtype", ""),
    }


def declaration(
    *,
    declaration_id: str = "V1",
    agb: str = HOSPITAL_A,
    uzovi: str = INSURER,
    patient: str = "P-0001",
    code: str = "131999061",
    start: str = "2024-03-01",
    end: str = "2024-04-01",
    amount: str = "2100.00",
    declared_on: str = "2024-04-10",
    dbc_id: str = "",
    declaratiecode: str = "",
) -> dict[str, str]:
    return {
        "declaration_id": declaration_id,
        "agb": agb,
        "uzovi": uzovi,
        "patient_ref": patient,
        "zorgproduct_code": code,
        "start_date": start,
        "end_date": end,
        "amount_eur": amount,
        "declared_on": declared_on,
        "dbc_id": dbc_id,
        "declaratiecode": declaratiecode,
    }


def transfer(
    *,
    transfer_id: str = "T1",
    agreement_id: str = "samen-2024",
    care_type: str = "liesbreuk",
    patient: str = "P-0001",
    from_agb: str = HOSPITAL_A,
    to_agb: str = HOSPITAL_B,
    date: str = "2024-03-01",
    status: str = "performed",
    phase: str = "interventie",
) -> dict[str, str]:
    return {
        "transfer_id": transfer_id,
        "agreement_id": agreement_id,
        "care_type": care_type,
        "patient_ref": patient,
        "from_agb": from_agb,
        "to_agb": to_agb,
        "transfer_date": date,
        "status": status,
        "phase": phase,
    }


def base_files() -> dict[str, Any]:
    """A small valid dataset: Groene Hart (B) operated for A; one ODV DBC and its primary."""
    return {
        "hospitals.csv": [
            hospital(agb=HOSPITAL_A, name="Alrijne"),
            hospital(agb=HOSPITAL_B, name="Groene Hart"),
        ],
        "insurers.csv": [{"uzovi": INSURER, "name": "Zilveren Kruis"}],
        "agreements.json": [agreement()],
        "prices.csv": [price()],
        "dbcs.csv": [
            dbc(dbc_id="H1", agb=HOSPITAL_A, odv=False, end="2024-04-01"),
            dbc(dbc_id="D1", primary="H1"),
        ],
        "declarations.csv": [declaration(dbc_id="H1")],
        "transfers.csv": [transfer()],
    }


def shuffled(files: dict[str, Any], seed: int) -> dict[str, Any]:
    """A copy of ``files`` with each file's rows in another order, drawn from ``seed``."""
    copied = copy.deepcopy(files)
    rng = random.Random(seed)
    for rows in copied.values():
        rng.shuffle(rows)
    return copied


def write(folder: Path, files: dict[str, Any]) -> Path:
    """Write ``files`` (file name -> rows, or raw text) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        path = folder / name
        if content is None:
            continue
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        elif name.endswith(".json"):
            path.write_text(json.dumps(content, indent=1), encoding="utf-8")
        else:
            header = list(content[0]) if content else HEADERS[name]
            with path.open("w", newline="", encoding="utf-8") as handle:
                writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
                writer.writeheader()
                writer.writerows(content)
    return folder
