"""The samples: valid, what samples/build.py writes, and covering the contract between them."""

from __future__ import annotations

import csv
import filecmp
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from samples.build import build
from spreiding.contract.reader import SPECS, read_dataset
from tests.conftest import SAMPLES, V1

FOLDERS = sorted(p for p in SAMPLES.iterdir() if (p / "hospitals.csv").is_file())


def test_there_is_one_sample_per_alliance() -> None:
    assert [p.name for p in FOLDERS] == [
        "amsterdam-flevo", "borstcentrum-groningen", "erasmus-stamcel", "hartnet", "oncomid",
        "samen-plus", "saxenburgh-zgt", "ukc-leiden-denhaag", "vaatnetwerk-utrecht",
    ]  # fmt: skip


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda p: p.name)
def test_each_sample_is_valid(folder: Path) -> None:
    read_dataset(folder)


def test_committed_samples_are_what_the_builder_writes(tmp_path: Path) -> None:
    for written in build(tmp_path):
        committed = SAMPLES / written.name
        names = sorted(p.name for p in written.iterdir())
        assert names == sorted(p.name for p in committed.iterdir() if p.is_file())
        _match, mismatch, errors = filecmp.cmpfiles(written, committed, names, shallow=False)
        assert (mismatch, errors) == ([], []), written.name


def test_the_v1_test_datasets_are_what_their_builder_writes(tmp_path: Path) -> None:
    """tests/data/v1 holds the contract-v1 samen-plus and amsterdam-flevo, test material that
    many tests pin figures on: ``python -m tests.data.build_v1`` writes them."""
    from tests.data.build_v1 import build as build_v1

    for written in build_v1(tmp_path):
        committed = V1 / written.name
        names = sorted(p.name for p in written.iterdir())
        assert names == sorted(p.name for p in committed.iterdir() if p.is_file())
        _match, mismatch, errors = filecmp.cmpfiles(written, committed, names, shallow=False)
        assert (mismatch, errors) == ([], []), written.name


def test_the_samples_exercise_every_column_and_every_method() -> None:
    filled: set[tuple[str, str]] = set()
    methods: set[str] = set()
    agreement_fields: set[str] = set()
    for folder in FOLDERS:
        for spec in SPECS.values():
            path = folder / spec.name
            if not path.exists():
                continue
            with path.open(encoding="utf-8") as handle:
                for row in csv.DictReader(handle):
                    filled |= {(spec.name, column) for column, value in row.items() if value}
        for agreement in json.loads((folder / "agreements.json").read_text()):
            agreement_fields |= {k for k, v in agreement.items() if v not in (None, [], {})}
            for care in agreement["care_types"]:
                methods.add(care["settlement"]["method"])
                if "otherwise" in care["settlement"]:  # the terms a line may be settled by
                    methods.add(care["settlement"]["otherwise"]["method"])
                agreement_fields |= {
                    f"care.{k}" for k, v in care.items() if v not in (None, [], {})
                }
    expected = {(s.name, c) for s in SPECS.values() for c in s.required + s.optional}
    assert expected - filled == set()
    assert methods == {"odv_benchmark", "fixed_fee", "parallel"}
    assert {"parent_id", "valid_to", "care.parallel_consents", "care.planned_volume",
            "care.pathway", "care.zorgproduct_codes", "care.zorgproductgroepen",
            "care.performing_agb"} <= agreement_fields  # fmt: skip


def test_the_samples_show_every_audit_rule() -> None:
    from settlement.audit.rules import CATALOGUE, audit

    fired = set()
    for folder in FOLDERS:
        dataset = read_dataset(folder)
        found = audit(
            dataset.dbcs, dataset.agreements, dataset.declarations, dataset.transfers, year=2024
        )
        fired |= {x.rule for x in found}
    assert fired == set(CATALOGUE)


# --- each alliance's mechanism, as the practice guide describes it (samples/README.md) -------


def settled(name: str) -> dict[str, Any]:
    from spreiding.render.settlement import settlement_to_dict
    from spreiding.services.settlement import settle_dataset

    return settlement_to_dict(settle_dataset(read_dataset(SAMPLES / name), year=2024))


def findings(name: str) -> list[str]:
    from settlement.audit.rules import audit

    d = read_dataset(SAMPLES / name)
    return [x.rule for x in audit(d.dbcs, d.agreements, d.declarations, d.transfers, year=2024)]


def volume_rows(name: str) -> list[dict[str, Any]]:
    from spreiding.render.volumes import volumes_to_dict
    from spreiding.services.volumes import dataset_volumes

    rows = volumes_to_dict(dataset_volumes(read_dataset(SAMPLES / name), year=2024))["volumes"]
    return list(rows)


def nothing_settles(result: dict[str, Any]) -> bool:
    parts = ("lines", "hours", "costs", "excluded", "excluded_hours", "pairs", "payments")
    return all(result[part] == [] for part in parts) and result["total"] == "0.00"


def test_saxenburgh_zgt_both_declare_and_nothing_settles() -> None:
    """'SMC en ZGT declareren apart de geleverde zorg': no DBC is ODV, both hospitals declare
    their own (parallel, with Menzis's and Zilveren Kruis's consent, so no PAR-001), and the
    agreed patients a week from ZGT to SMC are the care types' planned_weekly."""
    dataset = read_dataset(SAMPLES / "saxenburgh-zgt")
    assert not dataset.dbcs["odv"].any()
    assert set(dataset.declarations["agb"]) == {"06050501", "06050502"}
    assert nothing_settles(settled("saxenburgh-zgt"))
    assert findings("saxenburgh-zgt") == []
    rows = volume_rows("saxenburgh-zgt")
    assert [(r["care_type"], r["planned"], r["settled_dbcs"]) for r in rows] == [
        ("galblaas", None, 0),
        ("liesbreuk", None, 0),
    ]
    # 2024 holds a day of 53 ISO weeks (2024-W01 .. 2024-W52 and 2025-W01, which starts on
    # Monday 30 December); every one carries the agreed 2 gallbladder and 3 hernia patients.
    assert [len(r["weeks"]) for r in rows] == [53, 53]
    assert {w["planned"] for w in rows[0]["weeks"]} == {2}
    assert {w["planned"] for w in rows[1]["weeks"]} == {3}
    assert rows[1]["weeks"][-1]["week"] == "2025-W01"


def test_ukc_pays_lumc_surgeons_hours_and_settles_no_dbc() -> None:
    """'LUMC-chirurgen opereren zowel in LUMC als HMC': HMC declares its operations and pays
    LUMC €185.00 an hour (VAT 0%) for nine operating days of LUMC surgeons:
    3 × 7.25 h = €1,341.25 each (€4,023.75), 2 × 6.00 h = €1,110.00 each (€2,220.00),
    3 × 8.00 h = €1,480.00 each (€4,440.00), 1 × 4.50 h = €832.50; together 62.25 h and
    €11,516.25, one payment from HMC to LUMC."""
    result = settled("ukc-leiden-denhaag")
    assert result["lines"] == [] and result["costs"] == [] and result["excluded_hours"] == []
    assert len(result["hours"]) == 9
    assert {(h["debtor_agb"], h["creditor_agb"], h["rate"]) for h in result["hours"]} == {
        ("06070702", "06070701", "185.00")
    }
    assert sum(Decimal(h["hours"]) for h in result["hours"]) == Decimal("62.25")
    assert [(p["hours"], p["vat"], p["total"]) for p in result["pairs"]] == [
        ("11516.25", "0.00", "11516.25")
    ]
    assert result["payments"] == [
        {"from_agb": "06070702", "to_agb": "06070701", "amount": "11516.25"}
    ]
    assert findings("ukc-leiden-denhaag") == []


def test_borstcentrum_martini_declares_and_nothing_settles() -> None:
    """No joint budget, each contributes 'vanuit hun eigen bedrijfsvoering': Martini declares the
    treatment of nine in ten patients, nothing is ODV, nothing settles; the two-year agreement
    from September 2022 was renewed in September 2024."""
    dataset = read_dataset(SAMPLES / "borstcentrum-groningen")
    assert not dataset.dbcs["odv"].any()
    treated = dataset.dbcs[dataset.dbcs["zorgproduct_code"] == "029699021"]
    assert list(treated["agb"].value_counts().items()) == [("06060601", 18), ("06060600", 2)]
    spans = [(a.agreement_id, str(a.valid_from), str(a.valid_to)) for a in dataset.agreements]
    assert spans == [
        ("abg-2022", "2022-09-01", "2024-08-31"),
        ("abg-2024", "2024-09-01", "2026-08-31"),
    ]
    assert all(a.costs == () and a.secondment_rates == () for a in dataset.agreements)
    assert nothing_settles(settled("borstcentrum-groningen"))
    assert findings("borstcentrum-groningen") == []


def test_vaatnetwerk_explores_and_nothing_settles() -> None:
    """'Tot op heden zijn nog geen harde afspraken gemaakt': both agreements are verkennen, no
    DBC is ODV, no cost is shared; the one patient declared by two hospitals is only a PAR-003
    warning, as no agreement in force covers the care."""
    dataset = read_dataset(SAMPLES / "vaatnetwerk-utrecht")
    assert {a.stage for a in dataset.agreements} == {"verkennen"}
    assert not dataset.dbcs["odv"].any()
    assert all(a.costs == () for a in dataset.agreements)
    assert nothing_settles(settled("vaatnetwerk-utrecht"))
    assert findings("vaatnetwerk-utrecht") == ["PAR-003"]


def test_erasmus_declares_each_phase_and_pays_each_partner_for_aftercare() -> None:
    """'Het Erasmus MC declareert aparte dbc's (voortraject, opname en nazorg) en verrekent dit
    vervolgens met de andere ziekenhuizen': 24 patients, each with three DBCs of Erasmus MC and
    one ODV aftercare DBC of the referring partner (two patients for each of the twelve), under
    that partner's own bilateral agreement. Each aftercare DBC settles at the benchmark
    €1,875.35 × 1.00: €3,750.70 a partner, €45,008.40 in all, all owed by Erasmus MC."""
    dataset = read_dataset(SAMPLES / "erasmus-stamcel")
    own = dataset.dbcs[~dataset.dbcs["odv"]]
    assert set(own["agb"]) == {"06030300"}
    assert own["diagnosis"].value_counts().to_dict() == {
        "voortraject": 24, "opname": 24, "nazorg": 24,
    }  # fmt: skip
    starts = {a.parties[1]: str(a.valid_from) for a in dataset.agreements}
    assert len(dataset.agreements) == 12
    assert (starts["06030301"], starts["06030303"], starts["06030304"]) == (
        "2006-01-01", "2011-01-01", "2014-01-01",
    )  # fmt: skip
    assert (starts["06030302"], starts["06030305"], starts["06030306"]) == (
        "2015-01-01", "2016-01-01", "2020-01-01",
    )  # fmt: skip
    result = settled("erasmus-stamcel")
    assert len(result["lines"]) == 24 and result["excluded"] == []
    assert {p["debtor_agb"] for p in result["pairs"]} == {"06030300"}
    assert {(p["lines"], p["total"]) for p in result["pairs"]} == {(2, "3750.70")}
    assert len(result["pairs"]) == 12
    assert result["total"] == "45008.40"
    # Every aftercare transfer goes where the pathway says but the last, recorded as 'opname'
    # (a phase at Erasmus MC) to a partner: one TRF-002 warning on that partner.
    assert findings("erasmus-stamcel") == ["TRF-002"]


def test_one_hospital_has_one_code_and_one_name_across_the_samples() -> None:
    seen: dict[str, set[tuple[str, str]]] = {}
    for folder in FOLDERS:
        with (folder / "hospitals.csv").open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                seen.setdefault(row["agb"], set()).add((row["name"], row["kind"]))
    assert {agb: names for agb, names in seen.items() if len(names) > 1} == {}
    by_name: dict[str, set[str]] = {}
    for agb, names in seen.items():
        for name, _kind in names:
            by_name.setdefault(name, set()).add(agb)
    assert {name: agbs for name, agbs in by_name.items() if len(agbs) > 1} == {}
    assert seen["06060600"] == {("UMCG", "umc")}


def test_hartnet_settles_no_dbc_and_shares_the_pre_financed_transformation_cost() -> None:
    """'moeten zij de transformatiegelden eerst zelf voorschieten': the UMCG pre-financed
    €150,000.00 for 2024's eight new pathways, shared equally by the five hospitals (key 1 each,
    15,000,000 cents / 5 = 3,000,000 cents, no cent left over): each of the four others owes
    the UMCG €30,000.00, €120,000.00 in all. Each hospital declares its own part of the
    pathway, so no DBC is ODV and no DBC line is settled."""
    dataset = read_dataset(SAMPLES / "hartnet")
    assert not dataset.dbcs["odv"].any()
    result = settled("hartnet")
    assert result["lines"] == [] and result["hours"] == [] and result["excluded"] == []
    assert [
        (c["debtor_agb"], c["creditor_agb"], c["weight"], c["amount"]) for c in result["costs"]
    ] == [
        ("06060601", "06060600", 1, "30000.00"),
        ("06060602", "06060600", 1, "30000.00"),
        ("06060603", "06060600", 1, "30000.00"),
        ("06060604", "06060600", 1, "30000.00"),
    ]
    assert {(p["amount"], p["hours"], p["costs"]) for p in result["pairs"]} == {
        ("0.00", "0.00", "30000.00")
    }
    assert result["total"] == "120000.00"
    assert findings("hartnet") == []


def test_oncomid_charges_doctors_hours_both_ways_and_shares_the_mdo_portal() -> None:
    """'Er is nog geen manier om tussen ziekenhuizen te factureren voor de geleverde zorg door
    artsen': ten hours rows at €170.00 (VAT 0%). UMC Utrecht surgeons at Diakonessenhuis
    3.50 + 5.00 = 8.50 h (€1,445.00), at Meander 3.50 + 6.25 = 9.75 h (€1,657.50), at Antonius
    5.00 h (€850.00), at Alexander Monro 6.25 h (€1,062.50); and the other way, surgeons
    travelling with their patients to UMC Utrecht: Diakonessenhuis 6.25 h (€1,062.50), Tergooi
    and Gelderse Vallei 8.00 h each (€1,360.00), Alexander Monro 5.00 h (€850.00); hours lines
    €9,647.50 in all. The MDO portal, €40,000.00 paid by UMC Utrecht and keyed 1 for each of
    the nine: 4,000,000 cents / 9 = 444,444 remainder 4 each, the 4 cents left over go to the
    four lowest AGBs (equal remainders), so 06040401..06040404 owe €4,444.45 and the others
    €4,444.44: €35,555.56 in cost lines. No DBC is ODV: nothing settles per DBC."""
    dataset = read_dataset(SAMPLES / "oncomid")
    assert sorted(dataset.hospitals["name"]) == [
        "Alexander Monro Ziekenhuis", "Antonius Ziekenhuis", "Beatrixziekenhuis (Rivas)",
        "Diakonessenhuis", "Meander Medisch Centrum", "Tergooi MC", "UMC Utrecht",
        "Ziekenhuis Gelderse Vallei", "Ziekenhuis Rivierenland",
    ]  # fmt: skip
    assert not dataset.dbcs["odv"].any()
    result = settled("oncomid")
    assert result["lines"] == [] and result["excluded_hours"] == []
    hours = {(p["debtor_agb"], p["creditor_agb"]): p["hours"] for p in result["pairs"]}
    assert {k: v for k, v in hours.items() if v != "0.00"} == {
        ("06040401", "06040409"): "850.00",
        ("06040402", "06040409"): "1445.00",
        ("06040403", "06040409"): "1657.50",
        ("22040410", "06040409"): "1062.50",
        ("06040409", "06040402"): "1062.50",
        ("06040409", "06040404"): "1360.00",
        ("06040409", "06040406"): "1360.00",
        ("06040409", "22040410"): "850.00",
    }
    costs = {c["debtor_agb"]: c["amount"] for c in result["costs"]}
    assert costs == {
        "06040401": "4444.45", "06040402": "4444.45", "06040403": "4444.45",
        "06040404": "4444.45", "06040405": "4444.44", "06040406": "4444.44",
        "06040408": "4444.44", "22040410": "4444.44",
    }  # fmt: skip
    assert result["total"] == "45203.06"  # 9,647.50 + 35,555.56
    # UMC Utrecht: receivable 5,015.00 hours + 35,555.56 costs, payable 4,632.50 hours.
    umcu = next(p for p in result["positions"] if p["agb"] == "06040409")
    assert (umcu["receivable"], umcu["payable"], umcu["net"]) == (
        "40570.56", "4632.50", "35938.06",
    )  # fmt: skip
    assert findings("oncomid") == []


def test_samen_plus_settles_background_dbcs_at_the_benchmark_and_the_travelling_surgeon() -> None:
    """'Verrekening vindt één keer per jaar plaats op basis van benchmarkprijzen van de
    zorgproducten'; 'Arts van 'eigen' ziekenhuis gaat mee met patiënt'. Alrijne operates rectal
    cancer and hernia, Groene Hart (para)thyroid and diaphragmatic hernia; every background
    (ODV) DBC settles at 1.00 × the benchmark price:
    Groene Hart owes Alrijne 6 × 11,234.55 (rectum) = 67,407.30, 5 × 1,999.00 + 5 × 2,485.15
    (hernia) = 9,995.00 + 12,425.75 = 22,420.75: 16 lines, 89,828.05 (the eleventh hernia
    patient, operated on 23 December, has a background DBC still open: OPEN);
    Alrijne owes Groene Hart 4 × 4,310.10 (thyroid) = 17,240.40 and 4 × 3,021.17 (diaphragm)
    = 12,084.68: 8 lines, 29,325.08.
    The own hospital's surgeon's hours at €160.00 plus 21% VAT (the agreement's terms):
    Groene Hart surgeons at Alrijne 6 × 6.50 h + 11 × 2.00 h = 61.00 h = 9,760.00, VAT
    6 × 218.40 + 11 × 67.20 = 2,049.60, owed by Alrijne; Alrijne surgeons at Groene Hart
    4 × 3.25 h + 4 × 4.00 h = 29.00 h = 4,640.00, VAT 4 × 109.20 + 4 × 134.40 = 974.40, owed
    by Groene Hart. Pairs: Groene Hart → Alrijne 89,828.05 + 4,640.00 + 974.40 = 95,442.45;
    Alrijne → Groene Hart 29,325.08 + 9,760.00 + 2,049.60 = 41,134.68; total 136,577.13;
    bilateral: Groene Hart pays Alrijne 95,442.45 − 41,134.68 = 54,307.77."""
    alr, ghz = "06010101", "06010102"
    dataset = read_dataset(SAMPLES / "samen-plus")
    assert sorted(dataset.insurers["name"]) == ["VGZ", "Zorg & Zekerheid"]
    assert [str(c.settlement.share) for c in dataset.agreements[0].care_types] == ["1.00"] * 4
    result = settled("samen-plus")
    assert {(x["reason"], x["agb"]) for x in result["excluded"]} == {("OPEN", alr)}
    assert {(line["share"], line["unit_price"] == line["amount"]) for line in result["lines"]} == {
        ("1.00", True)
    }
    assert [
        (p["debtor_agb"], p["creditor_agb"], p["lines"], p["amount"], p["hours"], p["vat"],
         p["total"])
        for p in result["pairs"]
    ] == [
        (alr, ghz, 8, "29325.08", "9760.00", "2049.60", "41134.68"),
        (ghz, alr, 16, "89828.05", "4640.00", "974.40", "95442.45"),
    ]  # fmt: skip
    assert {(h["rate"], h["vat_rate"]) for h in result["hours"]} == {("160.00", "0.21")}
    assert sum(Decimal(h["hours"]) for h in result["hours"]) == Decimal("90.00")  # 61 + 29
    assert result["total"] == "136577.13"
    assert result["payments"] == [{"from_agb": ghz, "to_agb": alr, "amount": "54307.77"}]
    # The year's slips: Groene Hart declared a background DBC too (ODV-001, and so a double
    # declaration with Alrijne's: PAR-001), declared a hernia DBC twice (PAR-002); Alrijne never
    # declared a thyroid patient's own DBC (ODV-002 on Groene Hart's background DBC); an
    # operation recorded as done at Groene Hart was postponed to 2025 (TRF-001).
    assert findings("samen-plus") == ["ODV-001", "ODV-002", "PAR-001", "PAR-002", "TRF-001"]


def test_amsterdam_flevo_declares_in_parallel_with_consent_and_settles_the_others() -> None:
    """'Het ziekenhuis waar de zorg geleverd wordt, declareert deze bij de zorgverzekeraar'
    (Zilveren Kruis consents); 'Voor het werk dat artsen buiten hun eigen ziekenhuis op de
    andere locatie uitvoeren worden zij gedetacheerd vanuit hun eigen ziekenhuis'. Patients in
    turn Zilveren Kruis, VGZ, Zilveren Kruis, CZ, Zilveren Kruis, Menzis: the Flevoziekenhuis
    declares its operations of Zilveren Kruis patients itself (nothing settles); for the others
    it opens an ODV DBC with the insurer and Amsterdam UMC pays it by the otherwise terms:
    surgery 3 × 9,874.20 = 29,622.60; orthopaedics 2 × 6,840.50 = 13,681.00 (the VGZ patient's
    operation was declared by the Flevoziekenhuis: PAR-001, not settled); gynaecology
    3 × 2,810.40 = 8,431.20; plastic surgery 2 × 3,395.75 = 6,791.50 (Open DIS prices × 1.00);
    oral and maxillofacial surgery 2 × the fixed fee 1,150.00 = 2,300.00: 12 lines,
    60,826.30. Seconded Amsterdam UMC doctors at €175.00 (VAT 0%), three operations in four:
    5 × 3.00 + 5 × 2.50 + 5 × 2.75 + 3 × 3.50 + 3 × 1.75 = 57.00 h = 9,975.00, owed by the
    Flevoziekenhuis. Total 70,801.30; Amsterdam UMC pays 60,826.30 − 9,975.00 = 50,851.30."""
    amc, flz = "06020201", "06020202"
    dataset = read_dataset(SAMPLES / "amsterdam-flevo")
    cares = {c.care_type: c for a in dataset.agreements for c in a.care_types}
    assert sorted(cares) == [
        "chirurgie", "gynaecologie", "mond-kaakchirurgie", "orthopedie", "plastische-chirurgie",
    ]  # fmt: skip
    assert {tuple(x.uzovi for x in c.parallel_consents) for c in cares.values()} == {("3311",)}
    assert {a.parent_id for a in dataset.agreements} == {None, "amc-flevo-raam"}
    odv = dataset.dbcs[dataset.dbcs["odv"]]
    assert "3311" not in set(odv["uzovi"]) and len(odv) == 12
    result = settled("amsterdam-flevo")
    assert result["excluded"] == []
    by_care: dict[str, Decimal] = {}
    for line in result["lines"]:
        by_care[line["care_type"]] = by_care.get(line["care_type"], Decimal(0)) + Decimal(
            line["amount"]
        )
    assert {k: str(v) for k, v in by_care.items()} == {
        "chirurgie": "29622.60", "orthopedie": "13681.00", "gynaecologie": "8431.20",
        "plastische-chirurgie": "6791.50", "mond-kaakchirurgie": "2300.00",
    }  # fmt: skip
    assert {line["method"] for line in result["lines"]} == {"odv_benchmark", "fixed_fee"}
    assert [
        (p["debtor_agb"], p["creditor_agb"], p["lines"], p["total"]) for p in result["pairs"]
    ] == [
        (amc, flz, 12, "60826.30"),
        (flz, amc, 0, "9975.00"),
    ]
    assert sum(Decimal(h["hours"]) for h in result["hours"]) == Decimal("57.00")
    assert result["total"] == "70801.30"
    assert result["payments"] == [{"from_agb": amc, "to_agb": flz, "amount": "50851.30"}]
    assert findings("amsterdam-flevo") == ["PAR-001"]
