"""Hand-computed settlements of contract v2 (docs/data-format.md §3 step 4 v2, §5, §6): the
``otherwise`` terms and NO_CONSENT, ``price_year: "start"``, ceilings by rank, hours lines with
VAT and their exclusions, shared costs by the largest remainder, and pairs over all of them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from settlement.costs import split
from settlement.engine import settle
from spreiding.contract.reader import read_dataset
from spreiding.render.settlement import settlement_to_dict
from tests import files as f

A, B, C = f.HOSPITAL_A, f.HOSPITAL_B, f.HOSPITAL_C
ZK, VGZ = "3311", "7029"


def run(
    tmp_path: Path, files: dict[str, Any], *, year: int = 2024, netting: str = "bilateral"
) -> dict[str, Any]:
    dataset = read_dataset(f.write(tmp_path, files))
    result = settle(
        dataset.dbcs,
        dataset.prices,
        dataset.agreements,
        year=year,
        netting=netting,  # type: ignore[arg-type]
        hours=dataset.hours,
    )
    return settlement_to_dict(result)


def three_hospitals() -> dict[str, Any]:
    files = f.base_files()
    files["hospitals.csv"].append(f.hospital(agb=C, name="Ziekenhuis C"))
    files["insurers.csv"].append({"uzovi": VGZ, "name": "VGZ"})
    files["agreements.json"] = [
        f.agreement(parties=[A, B, C], care_types=[f.care_type(performing_agb=None)])
    ]
    files["declarations.csv"] = None
    files["transfers.csv"] = None
    files["dbcs.csv"] = []
    return files


def dbc(*, uzovi: str = "", **fields: Any) -> dict[str, str]:
    return f.dbc(**fields) | {"uzovi": uzovi}


def hours(
    hours_id: str,
    *,
    agreement_id: str = "samen-2024",
    employer: str = B,
    host: str = A,
    role: str = "medisch-specialist",
    day: str = "2024-03-04",
    worked: str = "7.50",
) -> dict[str, str]:
    return {
        "hours_id": hours_id, "agreement_id": agreement_id, "employer_agb": employer,
        "host_agb": host, "role": role, "work_date": day, "hours": worked,
    }  # fmt: skip


def rate(
    role: str, eur: str, vat: str, start: str = "2024-01-01", end: str | None = None
) -> dict[str, Any]:
    return {"role": role, "rate_eur": eur, "vat_rate": vat, "valid_from": start, "valid_to": end}


def reasons(result: dict[str, Any]) -> dict[str, str]:
    return {e["dbc_id"]: e["reason"] for e in result["excluded"]}


def test_otherwise_terms_settle_the_patients_of_insurers_without_consent(tmp_path: Path) -> None:
    files = three_hospitals()
    heup = f.care_type(
        care_type="heup", codes=["131999062", "131999064"], performing_agb=None, method="parallel",
        consents=[{"uzovi": ZK, "valid_from": "2024-01-01", "valid_to": "2024-06-30"}],
    )  # fmt: skip
    heup["settlement"]["otherwise"] = {
        "method": "odv_benchmark",
        "price_list": "benchmark",
        "share": "0.8",
    }
    knie = f.care_type(
        care_type="knie", codes=["131999063"], performing_agb=None, method="parallel"
    )
    files["agreements.json"] = [f.agreement(parties=[A, B, C], care_types=[heup, knie])]
    files["prices.csv"] = [f.price(code="131999062", eur="1000.00")]
    files["dbcs.csv"] = [
        dbc(dbc_id="consented", code="131999062", uzovi=ZK),
        dbc(dbc_id="last-day", code="131999062", uzovi=ZK, start="2024-06-29", end="2024-06-30"),
        dbc(dbc_id="consent-ended", code="131999062", uzovi=ZK, start="2024-06-30", end="2024-07-01"),
        dbc(dbc_id="other-insurer", code="131999062", uzovi=VGZ),
        dbc(dbc_id="no-insurer", code="131999062"),
        dbc(dbc_id="otherwise-no-price", code="131999064", uzovi=VGZ),
        dbc(dbc_id="knie-other", code="131999063", uzovi=VGZ),
        dbc(dbc_id="knie-none", code="131999063"),
        dbc(dbc_id="H9", agb=A, odv=False, patient="P-0009"),
        dbc(dbc_id="mismatch", code="131999063", uzovi=VGZ, primary="H9"),  # step 3 first
    ]  # fmt: skip
    result = run(tmp_path, files)
    assert reasons(result) == {
        "consented": "PARALLEL_CARE_TYPE", "last-day": "PARALLEL_CARE_TYPE",
        "no-insurer": "PARALLEL_CARE_TYPE", "knie-none": "PARALLEL_CARE_TYPE",
        "otherwise-no-price": "NO_PRICE", "knie-other": "NO_CONSENT",
        "mismatch": "PRIMARY_MISMATCH",
    }  # fmt: skip
    # 1000.00 x 0.8 = 800.00, the line's method that of the otherwise terms.
    assert [
        (x["dbc_id"], x["care_type"], x["method"], x["unit_price"], x["share"], x["amount"])
        for x in result["lines"]
    ] == [
        ("other-insurer", "heup", "odv_benchmark", "1000.00", "0.80", "800.00"),
        ("consent-ended", "heup", "odv_benchmark", "1000.00", "0.80", "800.00"),
    ]  # fmt: skip


def test_otherwise_fixed_fee(tmp_path: Path) -> None:
    files = three_hospitals()
    knie = f.care_type(
        care_type="knie", codes=["131999063"], performing_agb=None, method="parallel"
    )
    knie["settlement"]["otherwise"] = {"method": "fixed_fee", "fee_eur": "350.00"}
    files["agreements.json"] = [f.agreement(parties=[A, B, C], care_types=[knie])]
    files["dbcs.csv"] = [dbc(dbc_id="k", code="131999063", uzovi=VGZ)]
    (line,) = run(tmp_path, files)["lines"]
    assert (line["method"], line["unit_price"], line["share"], line["amount"]) == (
        "fixed_fee", "350.00", "1.00", "350.00",
    )  # fmt: skip


def test_price_year_start_prices_in_the_year_the_dbc_started(tmp_path: Path) -> None:
    files = three_hospitals()
    files["agreements.json"][0]["care_types"][0]["settlement"]["price_year"] = "start"
    files["prices.csv"] = [f.price(year="2023", eur="1000.00"), f.price(year="2024", eur="2000.00")]
    files["dbcs.csv"] = [
        dbc(dbc_id="started-2023", start="2023-12-31", end="2024-01-01"),
        dbc(dbc_id="started-2024", start="2024-01-01", end="2024-02-03"),
        dbc(dbc_id="started-2022", start="2022-12-01", end="2024-01-05"),  # no 2022 price
    ]
    result = run(tmp_path, files)
    assert reasons(result) == {"started-2022": "NO_PRICE"}
    assert [(x["dbc_id"], x["unit_price"], x["amount"]) for x in result["lines"]] == [
        ("started-2023", "1000.00", "900.00"),
        ("started-2024", "2000.00", "1800.00"),
    ]


def ceiling_files() -> dict[str, Any]:
    files = three_hospitals()
    capped = f.care_type(care_type="capped", codes=["131999061"], performing_agb=None)
    capped["settlement"] |= {"ceiling": {"2024": 2, "2025": 0}, "share_above_ceiling": "0.5"}
    free = f.care_type(care_type="free", codes=["131999062"], performing_agb=None)
    files["agreements.json"] = [
        f.agreement(parties=[A, B, C], valid_to=None, care_types=[capped, free])
    ]
    files["prices.csv"] = [
        f.price(eur="100.00"), f.price(code="131999062", eur="100.00"),
        f.price(year="2025", eur="100.00"),
    ]  # fmt: skip
    files["dbcs.csv"] = [
        dbc(dbc_id="H9", agb=A, odv=False, patient="P-0009"),
        dbc(dbc_id="mismatch", agb=B, start="2024-01-01", end="2024-01-01", primary="H9"),
        dbc(dbc_id="x", agb=C, end="2024-05-01"),
        dbc(dbc_id="a2", agb=B, end="2024-05-01"),
        dbc(dbc_id="a1", agb=B, end="2024-05-01"),
        dbc(dbc_id="early", agb=C, start="2024-01-02", end="2024-01-10"),
        dbc(dbc_id="free-1", agb=B, code="131999062", start="2024-01-01", end="2024-01-01"),
        dbc(dbc_id="free-2", agb=B, code="131999062", start="2024-01-01", end="2024-01-02"),
        dbc(dbc_id="free-3", agb=B, code="131999062", start="2024-01-01", end="2024-01-03"),
        dbc(dbc_id="next-year", agb=B, start="2025-01-01", end="2025-01-01"),
    ]
    return files


def test_a_ceiling_takes_share_for_the_first_lines_by_end_date_agb_and_dbc_id(
    tmp_path: Path,
) -> None:
    result = run(tmp_path, ceiling_files())
    assert reasons(result) == {"mismatch": "PRIMARY_MISMATCH"}  # excluded: never counted
    # Ranked: early (C, 01-10), a1 (B, 05-01), a2 (B, 05-01), x (C, 05-01): two at 0.90.
    shares = {x["dbc_id"]: (x["share"], x["amount"]) for x in result["lines"]}
    assert shares == {
        "early": ("0.90", "90.00"), "a1": ("0.90", "90.00"),
        "a2": ("0.50", "50.00"), "x": ("0.50", "50.00"),
        "free-1": ("0.90", "90.00"), "free-2": ("0.90", "90.00"), "free-3": ("0.90", "90.00"),
    }  # fmt: skip
    # A ceiling of 0 puts every line of its year past it.
    (line,) = run(tmp_path / "2025", ceiling_files(), year=2025)["lines"]
    assert (line["dbc_id"], line["share"], line["amount"]) == ("next-year", "0.50", "50.00")


def hours_files() -> dict[str, Any]:
    files = f.base_files()
    files["declarations.csv"] = None
    files["transfers.csv"] = None
    main = files["agreements.json"][0]
    main["secondment_rates"] = [
        rate("medisch-specialist", "185.00", "0.00", end="2024-06-30"),
        rate("assistent", "12.34", "0.21"),
        rate("secretaris", "1.50", "0.21"),
    ]
    files["agreements.json"] += [
        f.agreement(agreement_id="verkenning", stage="verkennen", care_types=[]),
        f.agreement(agreement_id="later", valid_from="2024-06-01", care_types=[]),
    ]
    for extra in files["agreements.json"][1:]:
        extra["secondment_rates"] = [rate("medisch-specialist", "185.00", "0.00")]
    files["hours.csv"] = [
        hours("H1"),  # 7.50 x 185.00 = 1387.50, VAT 0
        hours("H2", role="assistent", day="2024-03-05", worked="7.25"),  # 89.465 -> 89.47
        hours("H3", employer=A, host=B, role="secretaris", worked="1"),  # 1.50, VAT 0.315 -> 0.32
        hours("H4", role="verpleegkundige"),  # no rate of this role
        hours("H5", day="2024-07-01"),  # the rate ended 2024-06-30
        hours("H6", agreement_id="verkenning"),  # exploring: nothing binds
        hours("H7", agreement_id="later", day="2024-05-31"),  # before the agreement
        hours("H8", agreement_id="later", day="2024-06-01"),  # its first day: 1387.50
        hours("H9", day="2023-12-31"),  # another year
    ]
    return files


def test_hours_lines_with_vat_and_their_exclusions(tmp_path: Path) -> None:
    result = run(tmp_path, hours_files())
    assert result["excluded_hours"] == [
        {"hours_id": "H4", "reason": "NO_RATE"},
        {"hours_id": "H5", "reason": "NO_RATE"},
        {"hours_id": "H6", "reason": "NO_AGREEMENT"},
        {"hours_id": "H7", "reason": "NO_AGREEMENT"},
    ]
    assert result["hours"] == [
        {"creditor_agb": B, "debtor_agb": A, "hours_id": "H1", "agreement_id": "samen-2024",
         "role": "medisch-specialist", "work_date": "2024-03-04", "hours": "7.50",
         "rate": "185.00", "amount": "1387.50", "vat_rate": "0.00", "vat": "0.00"},
        {"creditor_agb": B, "debtor_agb": A, "hours_id": "H2", "agreement_id": "samen-2024",
         "role": "assistent", "work_date": "2024-03-05", "hours": "7.25", "rate": "12.34",
         "amount": "89.47", "vat_rate": "0.21", "vat": "18.79"},
        {"creditor_agb": B, "debtor_agb": A, "hours_id": "H8", "agreement_id": "later",
         "role": "medisch-specialist", "work_date": "2024-06-01", "hours": "7.50",
         "rate": "185.00", "amount": "1387.50", "vat_rate": "0.00", "vat": "0.00"},
        {"creditor_agb": A, "debtor_agb": B, "hours_id": "H3", "agreement_id": "samen-2024",
         "role": "secretaris", "work_date": "2024-03-04", "hours": "1.00", "rate": "1.50",
         "amount": "1.50", "vat_rate": "0.21", "vat": "0.32"},
    ]  # fmt: skip
    # A owes B the DBC line 1799.10, hours 2864.47 and VAT 18.79; B owes A 1.50 and 0.32.
    assert result["pairs"] == [
        {"debtor_agb": A, "creditor_agb": B, "lines": 1, "amount": "1799.10",
         "hours": "2864.47", "costs": "0.00", "vat": "18.79", "total": "4682.36"},
        {"debtor_agb": B, "creditor_agb": A, "lines": 0, "amount": "0.00",
         "hours": "1.50", "costs": "0.00", "vat": "0.32", "total": "1.82"},
    ]  # fmt: skip
    assert result["positions"] == [
        {"agb": A, "receivable": "1.82", "payable": "4682.36", "net": "-4680.54"},
        {"agb": B, "receivable": "4682.36", "payable": "1.82", "net": "4680.54"},
    ]
    assert result["payments"] == [{"from_agb": A, "to_agb": B, "amount": "4680.54"}]
    assert result["total"] == "4684.18"


def test_split_by_the_largest_remainder_ties_to_the_lower_agb() -> None:
    # 100.00 by 1:1:1: 3333 each, remainders equal: the one cent left to the lowest AGB.
    assert split(10000, ((C, 1), (A, 1), (B, 1))) == [(A, 1, 3334), (B, 1, 3333), (C, 1, 3333)]
    # 1.00 by 1:2: 33 r1 and 66 r2: the larger remainder (B) takes the cent, not the lower AGB.
    assert split(100, ((A, 1), (B, 2))) == [(A, 1, 33), (B, 2, 67)]
    # 0.02 by 1:1:1: nothing each, two cents left: to A and B.
    assert split(2, ((A, 1), (B, 1), (C, 1))) == [(A, 1, 1), (B, 1, 1), (C, 1, 0)]
    # A weight of 0 gets nothing.
    assert split(101, ((A, 1), (B, 0), (C, 1))) == [(A, 1, 51), (B, 0, 0), (C, 1, 50)]


def test_cost_lines_owe_the_party_that_paid(tmp_path: Path) -> None:
    files = three_hospitals()
    main = files["agreements.json"][0]
    main["costs"] = [
        {"cost_id": "bureau", "description": "Bureau", "year": 2024, "amount_eur": "100.00",
         "paid_by": A, "key": {C: 1, B: 1, A: 1}},
        {"cost_id": "casemanager", "description": "Casemanager", "year": 2024,
         "amount_eur": "1.00", "paid_by": B, "key": {A: 1, B: 2, C: 0}},
        {"cost_id": "volgend-jaar", "description": "2025", "year": 2025, "amount_eur": "9.00",
         "paid_by": A, "key": {B: 1}},
    ]  # fmt: skip
    files["agreements.json"].append(
        f.agreement(agreement_id="verkenning", stage="verkennen", parties=[A, C], care_types=[])
    )
    files["agreements.json"][1]["costs"] = [
        {"cost_id": "verkenning", "description": "Verkenning", "year": 2024,
         "amount_eur": "0.02", "paid_by": C, "key": {A: 1, C: 1}},
    ]  # fmt: skip
    result = run(tmp_path, files)
    assert result["costs"] == [
        {"creditor_agb": B, "debtor_agb": A, "agreement_id": "samen-2024",
         "cost_id": "casemanager", "weight": 1, "amount": "0.33"},
        {"creditor_agb": C, "debtor_agb": A, "agreement_id": "verkenning",
         "cost_id": "verkenning", "weight": 1, "amount": "0.01"},
        {"creditor_agb": A, "debtor_agb": B, "agreement_id": "samen-2024", "cost_id": "bureau",
         "weight": 1, "amount": "33.33"},
        {"creditor_agb": A, "debtor_agb": C, "agreement_id": "samen-2024", "cost_id": "bureau",
         "weight": 1, "amount": "33.33"},
    ]  # fmt: skip
    assert [(p["debtor_agb"], p["creditor_agb"], p["costs"], p["total"]) for p in result["pairs"]] == [
        (A, B, "0.33", "0.33"), (A, C, "0.01", "0.01"), (B, A, "33.33", "33.33"),
        (C, A, "33.33", "33.33"),
    ]  # fmt: skip
    assert result["total"] == "67.00"


def test_the_fingerprint_sees_hours_of_the_year_and_start_year_prices(tmp_path: Path) -> None:
    from settlement.fingerprint import fingerprint

    def print_of(files: dict[str, Any], folder: str) -> str:
        dataset = read_dataset(f.write(tmp_path / folder, files))
        return fingerprint(
            dataset.dbcs, dataset.prices, dataset.agreements, year=2024, netting="bilateral",
            hours=dataset.hours,
        )  # fmt: skip

    plain = f.base_files()
    base = print_of(plain, "plain")
    no_hours = hours_files()
    del no_hours["hours.csv"]
    with_hours = hours_files()
    assert print_of(with_hours, "hours") != print_of(no_hours, "no-hours")
    other_year = hours_files()
    other_year["hours.csv"] = [h for h in other_year["hours.csv"] if h["hours_id"] == "H9"]
    assert print_of(other_year, "other-year") == print_of(no_hours, "no-hours-2")  # 2023 only
    changed = hours_files()
    changed["hours.csv"][0]["hours"] = "7.75"
    assert print_of(changed, "changed") != print_of(with_hours, "hours-2")
    # A price of another year counts only once a care type prices by the start year.
    older = f.base_files()
    older["prices.csv"].append(f.price(year="2023", eur="5.00"))
    assert print_of(older, "older") == base
    older["agreements.json"][0]["care_types"][0]["settlement"]["price_year"] = "start"
    start = print_of(older, "start")
    older["prices.csv"][-1]["price_eur"] = "6.00"
    assert print_of(older, "start-changed") != start
