"""Hypothesis strategies: valid datasets as files (CONTRACT §1), small but varied."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import strategies as st

from tests import files as f

HOSPITALS = [f"0601{n:04d}" for n in range(1, 7)]
CODES = ["131999061", "131999062", "029899011", "029899012", "099899017"]
GROUPS = ["131999", "029899"]
DAYS = st.dates(min_value=date(2023, 11, 1), max_value=date(2025, 2, 1))
MONEY = st.integers(min_value=0, max_value=5_000_000).map(lambda c: f"{c // 100}.{c % 100:02d}")


def after(day: date) -> st.SearchStrategy[date]:
    """A day on or after ``day`` (built, not filtered: filtering starves hypothesis)."""
    return st.integers(min_value=0, max_value=120).map(lambda n: day + timedelta(days=n))


SHARES = st.sampled_from(["1", "0.9", "0.90", "0.875", "0.5", "0.333", "0.01"])


@st.composite
def care_types(draw: st.DrawFn, parties: list[str], index: int) -> dict[str, Any]:
    method = draw(st.sampled_from(["odv_benchmark", "odv_benchmark", "fixed_fee", "parallel"]))
    codes = draw(st.lists(st.sampled_from(CODES), unique=True, max_size=2))
    groups = draw(st.lists(st.sampled_from(GROUPS), unique=True, max_size=1))
    if not codes and not groups:
        codes = [draw(st.sampled_from(CODES))]
    return f.care_type(
        care_type=f"zorg-{index}",
        codes=codes,
        groups=groups,
        performing_agb=draw(st.none() | st.sampled_from(parties)),
        method=method,
        price_list=draw(st.sampled_from(["benchmark", "nza"])),
        share=draw(SHARES),
        fee_eur=draw(MONEY),
    )


@st.composite
def agreements(draw: st.DrawFn, hospitals: list[str], index: int) -> dict[str, Any]:
    parties = draw(st.lists(st.sampled_from(hospitals), min_size=2, max_size=4, unique=True))
    start = draw(DAYS)
    end = draw(st.none() | after(start))
    count = draw(st.integers(min_value=1, max_value=3))
    return f.agreement(
        agreement_id=f"agr-{index}",
        parties=parties,
        stage=draw(
            st.sampled_from(["verkennen", "formaliseren", "implementeren", "optimaliseren"])
        ),
        valid_from=start.isoformat(),
        valid_to=None if end is None else end.isoformat(),
        care_types=[draw(care_types(parties, i)) for i in range(count)],
    )


@st.composite
def datasets(draw: st.DrawFn, *, max_dbcs: int = 30) -> dict[str, Any]:
    """The rows of a valid dataset (file name -> rows), with every settlement situation."""
    n_hospitals = draw(st.integers(min_value=2, max_value=len(HOSPITALS)))
    hospitals = HOSPITALS[:n_hospitals]
    n_agreements = draw(st.integers(min_value=1, max_value=3))
    agreement_rows = [draw(agreements(hospitals, i)) for i in range(n_agreements)]
    prices = [
        f.price(price_list=name, year=str(year), code=code, eur=draw(MONEY))
        for name in ("benchmark", "nza")
        for year in (2024, 2025)
        for code in CODES
        if draw(st.booleans())
    ]
    if not any(p["price_list"] == "benchmark" for p in prices):
        prices.append(f.price(price_list="benchmark", code=CODES[0]))
    if not any(p["price_list"] == "nza" for p in prices):
        prices.append(f.price(price_list="nza", code=CODES[0]))
    dbcs: list[dict[str, str]] = []
    for i in range(draw(st.integers(min_value=0, max_value=max_dbcs))):
        agb = draw(st.sampled_from(hospitals))
        patient = f"P-{draw(st.integers(min_value=1, max_value=8)):04d}"
        start = draw(DAYS)
        end = draw(st.none() | after(start))
        odv = draw(st.booleans())
        requesting = draw(st.sampled_from([h for h in hospitals if h != agb]))
        own = [d for d in dbcs if d["agb"] == requesting and d["odv"] == "false"]
        primary = ""
        if odv and own and draw(st.booleans()):
            primary = draw(st.sampled_from(own))["dbc_id"]
        dbcs.append(
            f.dbc(
                dbc_id=f"D{i}",
                agb=agb,
                patient=patient,
                code=draw(st.sampled_from([*CODES, "131777011"])),
                start=start.isoformat(),
                end="" if end is None else end.isoformat(),
                odv=odv,
                requesting=requesting,
                primary=primary,
                specialism=draw(st.sampled_from(["", "0303"])),
            )
        )
    return {
        "hospitals.csv": [f.hospital(agb=h, name=f"Ziekenhuis {h[-2:]}") for h in hospitals],
        "insurers.csv": [{"uzovi": f.INSURER, "name": "Zilveren Kruis"}],
        "agreements.json": agreement_rows,
        "prices.csv": prices,
        "dbcs.csv": dbcs,
    }


@st.composite
def audit_datasets(draw: st.DrawFn) -> dict[str, Any]:
    """A valid dataset with declarations and transfers: few patients, overlapping ranges, two
    insurers, duplicates and credit lines, so that every audit rule has something to find."""
    files = draw(datasets(max_dbcs=15))
    files["insurers.csv"].append({"uzovi": "3343", "name": "VGZ"})
    hospitals = [h["agb"] for h in files["hospitals.csv"]]
    dbcs = files["dbcs.csv"]
    declarations: list[dict[str, str]] = []
    for i in range(draw(st.integers(min_value=0, max_value=25))):
        if dbcs and draw(st.booleans()):
            # A declaration of a stored DBC, by id or by its fields.
            d = draw(st.sampled_from(dbcs))
            agb, patient, code, start = (
                d["agb"],
                d["patient_ref"],
                d["zorgproduct_code"],
                d["start_date"],
            )
            end = d["end_date"] or start
            dbc_id = d["dbc_id"] if draw(st.booleans()) else ""
        else:
            agb = draw(st.sampled_from(hospitals))
            patient = f"P-{draw(st.integers(min_value=1, max_value=8)):04d}"
            code = draw(st.sampled_from(CODES))
            start_day = draw(DAYS)
            start = start_day.isoformat()
            end = draw(after(start_day)).isoformat()
            dbc_id = ""
        line = f.declaration(
            declaration_id=f"V{i:03d}",
            agb=agb,
            uzovi=draw(st.sampled_from([f.INSURER, "3343"])),
            patient=patient,
            code=code,
            start=start,
            end=end,
            amount=draw(st.sampled_from(["2100.00", "1999.00", "450.50"])),
            declared_on=draw(DAYS).isoformat(),
            dbc_id=dbc_id,
        )
        declarations.append(line)
        if draw(st.integers(min_value=0, max_value=5)) == 0:
            declarations.append(
                line | {"declaration_id": f"V{i:03d}c", "amount_eur": f"-{line['amount_eur']}"}
            )
        if draw(st.integers(min_value=0, max_value=5)) == 0:
            declarations.append(line | {"declaration_id": f"V{i:03d}d"})
    files["declarations.csv"] = declarations
    transfers = []
    agreements = files["agreements.json"]
    for i in range(draw(st.integers(min_value=0, max_value=5))):
        agreement = draw(st.sampled_from(agreements))
        parties = agreement["parties"]
        from_agb = draw(st.sampled_from(parties))
        to_agb = draw(st.sampled_from([p for p in parties if p != from_agb]))
        transfers.append(
            f.transfer(
                transfer_id=f"T{i}",
                agreement_id=agreement["agreement_id"],
                care_type=agreement["care_types"][0]["care_type"],
                patient=f"P-{draw(st.integers(min_value=1, max_value=8)):04d}",
                from_agb=from_agb,
                to_agb=to_agb,
                date=draw(DAYS).isoformat(),
                status=draw(st.sampled_from(["planned", "performed", "cancelled"])),
            )
        )
    files["transfers.csv"] = transfers
    return files
