"""Hand-computed settlements (docs/data-format.md §3): every exclusion reason, every method, rounding at
.xx5, both nettings, and the Erasmus MC model of 13 hospitals."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from settlement.engine import settle
from spreiding.contract.reader import read_dataset
from spreiding.render.settlement import settlement_to_dict
from tests import files as f

A, B, C = f.HOSPITAL_A, f.HOSPITAL_B, f.HOSPITAL_C


def run(
    tmp_path: Path, files: dict[str, Any], *, year: int = 2024, netting: str = "bilateral"
) -> dict[str, Any]:
    dataset = read_dataset(f.write(tmp_path, files))
    result = settle(dataset.dbcs, dataset.prices, dataset.agreements, year=year, netting=netting)  # type: ignore[arg-type]
    return settlement_to_dict(result)


def three_hospitals() -> dict[str, Any]:
    files = f.base_files()
    files["hospitals.csv"].append(f.hospital(agb=C, name="Ziekenhuis C"))
    files["agreements.json"] = [
        f.agreement(parties=[A, B, C], care_types=[f.care_type(performing_agb=None)])
    ]
    files["declarations.csv"] = None
    files["transfers.csv"] = None
    files["dbcs.csv"] = []
    return files


def reasons(result: dict[str, Any]) -> dict[str, str]:
    return {e["dbc_id"]: e["reason"] for e in result["excluded"]}


def test_the_worked_example(tmp_path: Path) -> None:
    result = run(tmp_path, f.base_files())
    assert result == {
        "year": 2024,
        "netting": "bilateral",
        "lines": [
            {
                "creditor_agb": B, "debtor_agb": A, "dbc_id": "D1", "patient_ref": "P-0001",
                "agreement_id": "samen-2024", "care_type": "liesbreuk",
                "zorgproduct_code": "131999061", "end_date": "2024-03-02",
                "method": "odv_benchmark", "unit_price": "1999.00", "share": "0.90",
                "amount": "1799.10",
            }
        ],
        "hours": [],
        "costs": [],
        "excluded": [],
        "excluded_hours": [],
        "pairs": [
            {"debtor_agb": A, "creditor_agb": B, "lines": 1, "amount": "1799.10", "hours": "0.00",
             "costs": "0.00", "vat": "0.00", "total": "1799.10"},
        ],
        "positions": [
            {"agb": A, "receivable": "0.00", "payable": "1799.10", "net": "-1799.10"},
            {"agb": B, "receivable": "1799.10", "payable": "0.00", "net": "1799.10"},
        ],
        "payments": [{"from_agb": A, "to_agb": B, "amount": "1799.10"}],
        "total": "1799.10",
    }  # fmt: skip


def test_open_and_other_years(tmp_path: Path) -> None:
    files = three_hospitals()
    files["dbcs.csv"] = [
        f.dbc(dbc_id="open-2024", start="2024-12-31", end=""),  # OPEN
        f.dbc(dbc_id="open-2023", start="2023-06-01", end=""),  # open and started before: OPEN
        f.dbc(dbc_id="open-2025", start="2025-01-01", end=""),  # starts after Y: not part of Y
        f.dbc(dbc_id="ends-2025", start="2024-12-30", end="2025-01-02"),  # not part of Y
        f.dbc(dbc_id="ends-2023", start="2023-12-30", end="2023-12-31"),  # not part of Y
        f.dbc(dbc_id="own-care", odv=False, end=""),  # not ODV: never a candidate
        f.dbc(dbc_id="settled", start="2024-12-30", end="2024-12-31"),
    ]
    result = run(tmp_path, files)
    assert reasons(result) == {"open-2023": "OPEN", "open-2024": "OPEN"}
    assert [line["dbc_id"] for line in result["lines"]] == ["settled"]


def test_the_first_and_last_day_of_the_year_belong_to_it(tmp_path: Path) -> None:
    files = three_hospitals()
    files["dbcs.csv"] = [
        f.dbc(dbc_id="new-year", start="2023-12-30", end="2024-01-01"),
        f.dbc(dbc_id="new-years-eve", start="2024-12-30", end="2024-12-31"),
        f.dbc(dbc_id="a-day-early", start="2023-12-30", end="2023-12-31"),
        f.dbc(dbc_id="a-day-late", start="2024-12-30", end="2025-01-01"),
    ]
    files["agreements.json"][0]["valid_to"] = None
    files["prices.csv"].append(f.price(year="2025"))
    # 1999.00 x 0.90 = 1799.10 each, in the year each ends in.
    lines = {
        year: [(x["dbc_id"], x["end_date"], x["amount"]) for x in run(tmp_path / str(year), files, year=year)["lines"]]
        for year in (2024, 2025)
    }  # fmt: skip
    assert lines == {
        2024: [("new-year", "2024-01-01", "1799.10"), ("new-years-eve", "2024-12-31", "1799.10")],
        2025: [("a-day-late", "2025-01-01", "1799.10")],
    }


def test_no_agreement_in_every_way(tmp_path: Path) -> None:
    files = three_hospitals()
    files["hospitals.csv"].append(f.hospital(agb="06010004", name="Buiten"))
    files["agreements.json"] = [
        f.agreement(parties=[A, B, C], valid_from="2024-02-01", valid_to="2024-11-30",
                    care_types=[f.care_type(performing_agb=B)]),
        f.agreement(agreement_id="verkenning", parties=[A, C], stage="verkennen",
                    care_types=[f.care_type(performing_agb=None)]),
    ]  # fmt: skip
    files["dbcs.csv"] = [
        f.dbc(dbc_id="before", start="2024-01-10", end="2024-01-31"),  # before valid_from
        f.dbc(dbc_id="after", start="2024-11-20", end="2024-12-01"),  # after valid_to
        f.dbc(dbc_id="code", code="131999062"),  # code not covered
        f.dbc(dbc_id="performer", agb=C),  # C is a party but not the performer
        f.dbc(dbc_id="outsider", requesting="06010004"),  # requester is no party
        f.dbc(dbc_id="exploring", agb=C, requesting=A, code="131999061"),  # verkennen
        f.dbc(dbc_id="edge-from", start="2024-01-20", end="2024-02-01"),
        f.dbc(dbc_id="edge-to", start="2024-11-01", end="2024-11-30"),
    ]
    result = run(tmp_path, files)
    assert reasons(result) == {
        "before": "NO_AGREEMENT", "after": "NO_AGREEMENT", "code": "NO_AGREEMENT",
        "performer": "NO_AGREEMENT", "outsider": "NO_AGREEMENT", "exploring": "NO_AGREEMENT",
    }  # fmt: skip
    assert [line["dbc_id"] for line in result["lines"]] == ["edge-from", "edge-to"]


def test_ambiguous_agreement_comes_before_later_reasons(tmp_path: Path) -> None:
    files = three_hospitals()
    files["agreements.json"].append(
        f.agreement(
            agreement_id="pilot",
            care_types=[f.care_type(care_type="pilot", groups=["131999"], codes=[])],
        )
    )
    files["dbcs.csv"] = [
        f.dbc(dbc_id="H2", agb=A, odv=False, patient="P-0002"),
        f.dbc(dbc_id="both", primary="H2"),  # ambiguous (step 2) before primary mismatch (3)
        f.dbc(dbc_id="only-main", agb=C),  # pilot has no C: main agreement only
    ]
    result = run(tmp_path, files)
    assert reasons(result) == {"both": "AMBIGUOUS_AGREEMENT"}
    assert [(line["dbc_id"], line["agreement_id"]) for line in result["lines"]] == [
        ("only-main", "samen-2024")
    ]


def test_one_care_type_covering_by_code_and_group_is_one_match(tmp_path: Path) -> None:
    files = three_hospitals()
    files["agreements.json"] = [
        f.agreement(parties=[A, B, C], care_types=[f.care_type(groups=["131999"])])
    ]
    files["dbcs.csv"] = [f.dbc()]
    assert reasons(run(tmp_path, files)) == {}


def test_primary_mismatch(tmp_path: Path) -> None:
    files = three_hospitals()
    files["dbcs.csv"] = [
        f.dbc(dbc_id="H1", agb=A, odv=False),
        f.dbc(dbc_id="H2", agb=A, odv=False, patient="P-0002"),
        f.dbc(dbc_id="H3", agb=C, odv=False),
        f.dbc(dbc_id="HB", agb=B, odv=True, requesting=C),
        f.dbc(dbc_id="ok", primary="H1"),
        f.dbc(dbc_id="other-patient", primary="H2"),
        f.dbc(dbc_id="odv-primary", agb=C, requesting=B, primary="HB"),  # named DBC is ODV
    ]
    result = run(tmp_path, files)
    assert reasons(result) == {
        "other-patient": "PRIMARY_MISMATCH",
        "odv-primary": "PRIMARY_MISMATCH",
    }
    assert [line["dbc_id"] for line in result["lines"]] == ["ok", "HB"]  # by (debtor, creditor)


def test_parallel_care_type_and_no_price(tmp_path: Path) -> None:
    files = three_hospitals()
    files["agreements.json"] = [
        f.agreement(parties=[A, B, C], care_types=[
            f.care_type(care_type="par", codes=["131999062"], performing_agb=None, method="parallel"),
            f.care_type(care_type="odv", codes=["131999061", "131999063"], performing_agb=None),
        ])
    ]  # fmt: skip
    files["prices.csv"] = [f.price(), f.price(code="131999063", year="2023")]
    files["dbcs.csv"] = [
        f.dbc(dbc_id="H2", agb=A, odv=False, patient="P-0002"),
        f.dbc(dbc_id="par-mismatch", code="131999062", primary="H2"),  # step 3 before step 4
        f.dbc(dbc_id="par", code="131999062"),
        f.dbc(dbc_id="price-2023-only", code="131999063"),
        f.dbc(dbc_id="priced"),
    ]
    result = run(tmp_path, files)
    assert reasons(result) == {
        "par-mismatch": "PRIMARY_MISMATCH", "par": "PARALLEL_CARE_TYPE", "price-2023-only": "NO_PRICE",
    }  # fmt: skip
    assert [line["dbc_id"] for line in result["lines"]] == ["priced"]


def test_fixed_fee_line(tmp_path: Path) -> None:
    files = three_hospitals()
    files["agreements.json"] = [
        f.agreement(
            parties=[A, B, C],
            care_types=[f.care_type(method="fixed_fee", fee_eur="850.5", performing_agb=None)],
        )
    ]
    files["dbcs.csv"] = [f.dbc(code="131999061")]
    files["prices.csv"] = [f.price(code="131999062")]  # a fee needs no price
    (line,) = run(tmp_path, files)["lines"]
    assert (line["method"], line["unit_price"], line["share"], line["amount"]) == (
        "fixed_fee",
        "850.50",
        "1.00",
        "850.50",
    )


def test_rounding_half_up_at_xx5(tmp_path: Path) -> None:
    files = three_hospitals()
    files["agreements.json"] = [
        f.agreement(parties=[A, B, C], care_types=[
            f.care_type(care_type="half", codes=["131999061", "131999062"], share="0.5", performing_agb=None),
            f.care_type(care_type="odd", codes=["131999063"], share="0.875", performing_agb=None),
        ])
    ]  # fmt: skip
    files["prices.csv"] = [
        f.price(code="131999061", eur="0.17"),  # 0.085 -> 0.09
        f.price(code="131999062", eur="100.15"),  # 50.075 -> 50.08
        f.price(code="131999063", eur="3021.17"),  # 2643.52375 -> 2643.52
    ]
    files["dbcs.csv"] = [
        f.dbc(dbc_id="a", code="131999061"),
        f.dbc(dbc_id="b", code="131999062"),
        f.dbc(dbc_id="c", code="131999063"),
        f.dbc(dbc_id="d", code="131999064"),  # a fee, no price: the prices column has a gap
    ]
    result = run(tmp_path, files)
    assert [(line["dbc_id"], line["share"], line["amount"]) for line in result["lines"]] == [
        ("a", "0.50", "0.09"), ("b", "0.50", "50.08"), ("c", "0.875", "2643.52"),
    ]  # fmt: skip
    assert result["total"] == "2693.69"


def cross_owing(tmp_path: Path, netting: str) -> dict[str, Any]:
    """A owes B 100.00 and C 50.00; B owes A 30.00 and C 20.00; C owes A 70.00."""
    files = three_hospitals()
    files["agreements.json"] = [
        f.agreement(
            parties=[A, B, C],
            care_types=[f.care_type(performing_agb=None, method="fixed_fee", fee_eur="10.00")],
        )
    ]
    owed = [(A, B, 10), (A, C, 5), (B, A, 3), (B, C, 2), (C, A, 7)]
    files["dbcs.csv"] = [
        f.dbc(dbc_id=f"{debtor[-1]}{creditor[-1]}{i}", agb=creditor, requesting=debtor)
        for debtor, creditor, n in owed
        for i in range(n)
    ]
    return run(tmp_path, files, netting=netting)


def test_bilateral_netting(tmp_path: Path) -> None:
    result = cross_owing(tmp_path, "bilateral")
    assert [(p["debtor_agb"], p["creditor_agb"], p["lines"], p["amount"]) for p in result["pairs"]] == [
        (A, B, 10, "100.00"), (A, C, 5, "50.00"), (B, A, 3, "30.00"), (B, C, 2, "20.00"),
        (C, A, 7, "70.00"),
    ]  # fmt: skip
    assert {(p["hours"], p["costs"], p["vat"]) for p in result["pairs"]} == {("0.00",) * 3}
    assert [p["total"] for p in result["pairs"]] == [p["amount"] for p in result["pairs"]]
    assert result["positions"] == [
        {"agb": A, "receivable": "100.00", "payable": "150.00", "net": "-50.00"},
        {"agb": B, "receivable": "100.00", "payable": "50.00", "net": "50.00"},
        {"agb": C, "receivable": "70.00", "payable": "70.00", "net": "0.00"},
    ]
    assert result["payments"] == [
        {"from_agb": A, "to_agb": B, "amount": "70.00"},
        {"from_agb": B, "to_agb": C, "amount": "20.00"},
        {"from_agb": C, "to_agb": A, "amount": "20.00"},
    ]
    assert result["total"] == "270.00"


def test_multilateral_netting(tmp_path: Path) -> None:
    result = cross_owing(tmp_path, "multilateral")
    assert result["payments"] == [{"from_agb": A, "to_agb": B, "amount": "50.00"}]


def test_erasmus_model_of_thirteen_hospitals(tmp_path: Path) -> None:
    """Erasmus MC asks twelve partners for aftercare; partner k performs k DBCs at 100.00 × 0.5,
    and Erasmus performs one stem-cell voortraject at 1000.00 for partner 1."""
    erasmus = "06030300"
    partners = [f"060303{k:02d}" for k in range(1, 13)]
    files = {
        "hospitals.csv": [f.hospital(agb=erasmus, name="Erasmus MC", kind="umc")]
        + [f.hospital(agb=p, name=f"Partner {p[-2:]}") for p in partners],
        "insurers.csv": [{"uzovi": f.INSURER, "name": "Zilveren Kruis"}],
        "agreements.json": [
            f.agreement(parties=[erasmus, *partners], care_types=[
                f.care_type(care_type="nazorg", codes=["028899041"], performing_agb=None, share="0.5"),
                f.care_type(care_type="voortraject", codes=["028899042"], performing_agb=erasmus, share="1"),
            ])
        ],
        "prices.csv": [f.price(code="028899041", eur="100.00"), f.price(code="028899042", eur="1000.00")],
        "dbcs.csv": [
            f.dbc(dbc_id=f"N{p[-2:]}-{i}", agb=p, requesting=erasmus, code="028899041")
            for k, p in enumerate(partners, start=1)
            for i in range(k)
        ] + [f.dbc(dbc_id="V1", agb=erasmus, requesting=partners[0], code="028899042")],
    }  # fmt: skip
    bilateral = run(tmp_path / "b", files)
    assert len(bilateral["lines"]) == 79  # 1 + 2 + ... + 12 = 78 aftercare lines, 1 voortraject
    assert bilateral["total"] == "4900.00"  # 78 × 50.00 + 1000.00
    assert bilateral["payments"][0] == {
        "from_agb": erasmus,
        "to_agb": partners[1],
        "amount": "100.00",
    }
    assert {"from_agb": partners[0], "to_agb": erasmus, "amount": "950.00"} in bilateral["payments"]
    assert len(bilateral["payments"]) == 12
    multilateral = run(tmp_path / "m", files, netting="multilateral")
    erasmus_net = next(p for p in multilateral["positions"] if p["agb"] == erasmus)["net"]
    assert erasmus_net == "-2900.00"  # receives 1000.00, owes 3900.00
    # Erasmus pays every partner but the first, who pays Erasmus: 12 payments at most.
    assert multilateral["payments"][0] == {
        "from_agb": erasmus,
        "to_agb": partners[11],
        "amount": "600.00",
    }
    assert len(multilateral["payments"]) == 12


def test_the_largest_price_the_reader_accepts_settles_to_the_cent(tmp_path: Path) -> None:
    files = three_hospitals()
    files["agreements.json"] = [
        f.agreement(parties=[A, B, C], care_types=[
            f.care_type(care_type="ninety", codes=["131999061", "131999063"], share="0.90", performing_agb=None),
            f.care_type(care_type="odd", codes=["131999062"], share="0.875", performing_agb=None),
            f.care_type(care_type="fee", codes=["131999064"], method="fixed_fee", fee_eur="100.00", performing_agb=None),
        ])
    ]  # fmt: skip
    files["prices.csv"] = [
        f.price(code="131999061", eur="9999999999999.99"),
        f.price(code="131999062", eur="9999999999999.99"),
        f.price(code="131999063", eur="2776143128413.25"),
    ]
    files["dbcs.csv"] = [
        f.dbc(dbc_id="a", code="131999061"),
        f.dbc(dbc_id="b", code="131999062"),
        f.dbc(dbc_id="c", code="131999063"),
        f.dbc(dbc_id="d", code="131999064"),  # a fee, no price: the prices column has a gap
    ]
    # 999999999999999 cents x 0.90 = 899999999999999.1; x 0.875 = 874999999999999.125;
    # 277614312841325 x 0.90 = 249852881557192.5 -> half up 249852881557193 (in floating
    # point, 2 x unit x 90 is past 2**53 and this one comes out a cent short).
    assert [(x["dbc_id"], x["amount"]) for x in run(tmp_path, files)["lines"]] == [
        ("a", "8999999999999.99"),
        ("b", "8749999999999.99"),
        ("c", "2498528815571.93"),
        ("d", "100.00"),
    ]


@pytest.mark.xfail(
    strict=True,
    reason="int64 overflow: 2 x unit x share numerator exceeds 2**63 for a price over "
    "EUR 46 billion with a six-decimal share, both of which the reader accepts (reported)",
)
def test_a_six_decimal_share_of_a_huge_price_is_exact(tmp_path: Path) -> None:
    files = three_hospitals()
    files["agreements.json"] = [
        f.agreement(
            parties=[A, B, C], care_types=[f.care_type(share="0.123457", performing_agb=None)]
        )
    ]
    files["prices.csv"] = [f.price(eur="9999999999999.99")]
    files["dbcs.csv"] = [f.dbc()]
    # 999999999999999 cents x 0.123457 = 123456999999999.876543 -> 123457000000000 cents
    (line,) = run(tmp_path, files)["lines"]
    assert line["amount"] == "1234570000000.00"


def test_an_unknown_netting_is_refused_by_name(tmp_path: Path) -> None:
    dataset = read_dataset(f.write(tmp_path, f.base_files()))
    with pytest.raises(ValueError) as caught:
        settle(dataset.dbcs, dataset.prices, dataset.agreements, year=2024, netting="both")  # type: ignore[arg-type]
    assert str(caught.value) == "netting must be one of bilateral, multilateral, not 'both'"
