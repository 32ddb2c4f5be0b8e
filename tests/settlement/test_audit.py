"""The audit rules (docs/data-format.md §4), each with a case that fires, near misses that must not, and
the exact fields of the finding."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from settlement.audit.rules import CATALOGUE, audit
from spreiding.contract.reader import read_dataset
from spreiding.render.audit import audit_to_json
from tests import files as f

A, B, C = f.HOSPITAL_A, f.HOSPITAL_B, f.HOSPITAL_C
OTHER_INSURER = "3343"


def run(tmp_path: Path, files: dict[str, Any], *, year: int = 2024) -> list[dict[str, Any]]:
    import json

    dataset = read_dataset(f.write(tmp_path, files))
    found = audit(
        dataset.dbcs, dataset.agreements, dataset.declarations, dataset.transfers, year=year
    )
    return list(json.loads(audit_to_json(year, found))["findings"])


def without_message(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in x.items() if k != "message"} for x in findings]


def rules(findings: list[dict[str, Any]]) -> list[tuple[str, str | None]]:
    return [(x["rule"], x["declaration_id"] or x["dbc_id"] or x["transfer_id"]) for x in findings]


def dataset(*, declarations: list[dict[str, str]], care_types: list[dict[str, Any]] | None = None,
            stage: str = "implementeren", transfers: list[dict[str, str]] | None = None,
            dbcs: list[dict[str, str]] | None = None) -> dict[str, Any]:  # fmt: skip
    """A (Alrijne) sent its patient to B (Groene Hart) for a hernia operation: A's own DBC H1,
    B's ODV DBC D1 naming H1."""
    files = f.base_files()
    files["hospitals.csv"].append(f.hospital(agb=C, name="Ziekenhuis C"))
    files["insurers.csv"].append({"uzovi": OTHER_INSURER, "name": "VGZ"})
    files["agreements.json"] = [f.agreement(stage=stage, care_types=care_types or [f.care_type()])]
    files["dbcs.csv"] = (
        dbcs
        if dbcs is not None
        else [
            f.dbc(dbc_id="H1", agb=A, odv=False, start="2024-03-01", end="2024-04-01"),
            f.dbc(dbc_id="D1", agb=B, start="2024-03-05", end="2024-03-06", primary="H1"),
        ]
    )
    files["declarations.csv"] = declarations
    files["transfers.csv"] = transfers if transfers is not None else []
    return files


HOME = f.declaration(declaration_id="V-A", agb=A, dbc_id="H1")  # 2024-03-01..04-01, 2100.00


def test_odv_001_fires_on_a_declared_odv_dbc(tmp_path: Path) -> None:
    odv_line = f.declaration(declaration_id="V-B", agb=B, start="2024-03-05", end="2024-03-06",
                             amount="1999.00", declared_on="2024-03-20", dbc_id="D1")  # fmt: skip
    findings = run(tmp_path, dataset(declarations=[HOME, odv_line]))
    odv = [x for x in findings if x["rule"] == "ODV-001"]
    assert without_message(odv) == [
        {"rule": "ODV-001", "severity": "error", "agb": B, "uzovi": f.INSURER, "declaration_id": "V-B",
         "dbc_id": "D1", "transfer_id": None, "related": [], "amount_at_stake": "1999.00"}
    ]  # fmt: skip
    assert "06010001" in odv[0]["message"] and "never to the insurer" in odv[0]["message"]


def test_odv_001_matches_by_fields_without_dbc_id(tmp_path: Path) -> None:
    odv_line = f.declaration(declaration_id="V-B", agb=B, start="2024-03-05", end="2024-03-06")
    assert ("ODV-001", "V-B") in rules(run(tmp_path, dataset(declarations=[HOME, odv_line])))


def test_odv_001_near_misses(tmp_path: Path) -> None:
    credited = [
        f.declaration(declaration_id="V-B1", agb=B, start="2024-03-05", end="2024-03-06", amount="1999.00", dbc_id="D1"),
        f.declaration(declaration_id="V-B2", agb=B, start="2024-03-05", end="2024-03-06", amount="-1999.00",
                      declared_on="2024-05-01", dbc_id="D1"),
    ]  # fmt: skip
    other_code = f.declaration(
        declaration_id="V-B3", agb=B, code="131999062", start="2024-03-05", end="2024-03-06"
    )
    found = run(tmp_path, dataset(declarations=[HOME, *credited, other_code]))
    assert [x for x in found if x["rule"] == "ODV-001"] == []


def test_odv_001_is_reported_in_the_year_the_declaration_ends(tmp_path: Path) -> None:
    odv_line = f.declaration(
        declaration_id="V-B", agb=B, start="2024-03-05", end="2024-03-06", dbc_id="D1"
    )
    files = dataset(declarations=[HOME, odv_line])
    assert ("ODV-001", "V-B") not in rules(run(tmp_path / "y2025", files, year=2025))


def test_odv_001_a_declaration_over_new_year_counts_in_the_year_it_ends(tmp_path: Path) -> None:
    dbcs = [
        f.dbc(dbc_id="H1", agb=A, odv=False, start="2024-03-01", end="2024-04-01"),
        f.dbc(dbc_id="D1", agb=B, start="2023-12-30", end="2024-01-02", primary="H1"),
    ]
    odv_line = f.declaration(declaration_id="V-B", agb=B, start="2023-12-30", end="2024-01-02",
                             amount="1999.00", declared_on="2024-01-15", dbc_id="D1")  # fmt: skip
    files = dataset(declarations=[HOME, odv_line], dbcs=dbcs)
    assert rules(run(tmp_path / "y2023", files, year=2023)) == []
    found = run(tmp_path / "y2024", files, year=2024)
    assert [(x["rule"], x["declaration_id"], x["amount_at_stake"]) for x in found] == [
        ("ODV-001", "V-B", "1999.00")
    ]


def test_odv_002_fires_when_the_primary_dbc_is_not_declared(tmp_path: Path) -> None:
    findings = run(
        tmp_path,
        dataset(declarations=[f.declaration(declaration_id="V-X", agb=C, patient="P-0009")]),
    )
    assert without_message(findings) == [
        {"rule": "ODV-002", "severity": "warning", "agb": B, "uzovi": None, "declaration_id": None,
         "dbc_id": "D1", "transfer_id": None, "related": ["H1"], "amount_at_stake": None}
    ]  # fmt: skip


def test_odv_002_near_miss_primary_declared_by_fields(tmp_path: Path) -> None:
    by_fields = f.declaration(declaration_id="V-A", agb=A)  # no dbc_id: same patient, code, start
    assert run(tmp_path, dataset(declarations=[by_fields])) == []


def test_odv_002_a_cancelled_declaration_does_not_declare(tmp_path: Path) -> None:
    credit = f.declaration(
        declaration_id="V-A2", agb=A, amount="-2100.00", declared_on="2024-05-01", dbc_id="H1"
    )
    assert rules(run(tmp_path, dataset(declarations=[HOME, credit]))) == [("ODV-002", "D1")]


def test_rules_on_declarations_need_the_file(tmp_path: Path) -> None:
    files = dataset(declarations=[])
    files["declarations.csv"] = None
    assert run(tmp_path, files) == []  # no ODV-002 without declarations.csv


# --- PAR-001 ---------------------------------------------------------------------------------

OWN_PART = f.declaration(declaration_id="V-B", agb=B, start="2024-03-05", end="2024-03-06",
                         amount="1999.00", declared_on="2024-03-10")  # fmt: skip


def par(findings: list[dict[str, Any]], rule: str = "PAR-001") -> list[tuple[str, str, list[str]]]:
    return [(x["agb"], x["declaration_id"], x["related"]) for x in findings if x["rule"] == rule]


def no_odv_dbcs() -> list[dict[str, str]]:
    return [f.dbc(dbc_id="H1", agb=A, odv=False, start="2024-03-01", end="2024-04-01")]


def test_par_001_flags_the_performer(tmp_path: Path) -> None:
    # B performs the covered care type; its line is flagged although A declared later.
    home_late = HOME | {"declared_on": "2024-06-01"}
    findings = run(tmp_path, dataset(declarations=[home_late, OWN_PART], dbcs=no_odv_dbcs()))
    assert without_message([x for x in findings if x["rule"] == "PAR-001"]) == [
        {"rule": "PAR-001", "severity": "error", "agb": B, "uzovi": f.INSURER, "declaration_id": "V-B",
         "dbc_id": None, "transfer_id": None, "related": ["V-A"], "amount_at_stake": "1999.00"}
    ]  # fmt: skip
    assert "samen-2024" in findings[0]["message"]


def test_par_001_flags_the_later_line_when_no_single_performer(tmp_path: Path) -> None:
    care = [f.care_type(performing_agb=None)]
    files = dataset(
        declarations=[HOME | {"declared_on": "2024-06-01"}, OWN_PART],
        care_types=care,
        dbcs=no_odv_dbcs(),
    )
    assert par(run(tmp_path / "later", files)) == [(A, "V-A", ["V-B"])]
    tie = dataset(
        declarations=[HOME | {"declared_on": "2024-03-10"}, OWN_PART],
        care_types=care,
        dbcs=no_odv_dbcs(),
    )
    assert par(run(tmp_path / "tie", tie)) == [(B, "V-B", ["V-A"])]  # same day: higher id
    # The same day again, but the line that started first has the higher id: it is the later.
    first_higher = dataset(
        declarations=[HOME | {"declaration_id": "V-Z", "declared_on": "2024-03-10"}, OWN_PART],
        care_types=care,
        dbcs=no_odv_dbcs(),
    )
    assert par(run(tmp_path / "tie-z", first_higher)) == [(A, "V-Z", ["V-B"])]


def consent(
    uzovi: str = f.INSURER, valid_from: str = "2024-01-01", valid_to: str | None = "2024-12-31"
) -> dict[str, Any]:
    return {"uzovi": uzovi, "valid_from": valid_from, "valid_to": valid_to}


def test_par_001_near_miss_parallel_with_the_insurers_consent(tmp_path: Path) -> None:
    care = [f.care_type(method="parallel", consents=[consent()])]
    assert (
        run(tmp_path, dataset(declarations=[HOME, OWN_PART], care_types=care, dbcs=no_odv_dbcs()))
        == []
    )


def test_par_001_consent_covering_only_one_of_the_two_ranges(tmp_path: Path) -> None:
    # The consent starts on 2024-03-05: it covers B's line but not A's (from 2024-03-01).
    care = [f.care_type(method="parallel", consents=[consent(valid_from="2024-03-05")])]
    found = run(
        tmp_path, dataset(declarations=[HOME, OWN_PART], care_types=care, dbcs=no_odv_dbcs())
    )
    assert par(found) == [(B, "V-B", ["V-A"])]


def test_par_001_consent_of_another_insurer(tmp_path: Path) -> None:
    care = [f.care_type(method="parallel", consents=[consent(uzovi=OTHER_INSURER)])]
    found = run(
        tmp_path, dataset(declarations=[HOME, OWN_PART], care_types=care, dbcs=no_odv_dbcs())
    )
    assert par(found) == [(B, "V-B", ["V-A"])]


def test_par_001_near_miss_agreement_still_exploring(tmp_path: Path) -> None:
    found = run(
        tmp_path, dataset(declarations=[HOME, OWN_PART], stage="verkennen", dbcs=no_odv_dbcs())
    )
    assert par(found) == []
    # Same zorgproductgroep and no agreement in force: PAR-003 warns on the later line (A's).
    assert par(found, "PAR-003") == [(A, "V-A", ["V-B"])]


def test_par_001_near_misses_other_insurer_no_overlap_same_hospital(tmp_path: Path) -> None:
    declarations = [
        HOME,
        OWN_PART | {"declaration_id": "V-B1", "uzovi": OTHER_INSURER},
        OWN_PART | {"declaration_id": "V-B2", "start_date": "2024-04-02", "end_date": "2024-04-03"},
        OWN_PART | {"declaration_id": "V-A2", "agb": A, "zorgproduct_code": "131999062"},
    ]
    assert par(run(tmp_path, dataset(declarations=declarations, dbcs=no_odv_dbcs()))) == []


def test_par_001_two_lines_sharing_exactly_one_day_overlap(tmp_path: Path) -> None:
    home = f.declaration(declaration_id="V-A", agb=A, start="2024-03-01", end="2024-03-05")
    shares_the_5th = OWN_PART | {"start_date": "2024-03-05", "end_date": "2024-03-06"}
    found = run(
        tmp_path / "one-day", dataset(declarations=[home, shares_the_5th], dbcs=no_odv_dbcs())
    )
    assert par(found) == [(B, "V-B", ["V-A"])]
    starts_the_6th = OWN_PART | {"start_date": "2024-03-06", "end_date": "2024-03-07"}
    apart = run(
        tmp_path / "apart", dataset(declarations=[home, starts_the_6th], dbcs=no_odv_dbcs())
    )
    assert apart == []


def test_par_001_validity_must_cover_both_start_dates(tmp_path: Path) -> None:
    files = dataset(declarations=[HOME, OWN_PART], dbcs=no_odv_dbcs())
    files["agreements.json"][0]["valid_from"] = "2024-03-02"  # after A's start
    assert par(run(tmp_path, files)) == []


def test_a_line_paired_twice_gives_one_finding(tmp_path: Path) -> None:
    second_home = HOME | {
        "declaration_id": "V-A2",
        "zorgproduct_code": "131999062",
        "start_date": "2024-03-02",
    }
    care = [f.care_type(codes=["131999061", "131999062"])]
    found = run(
        tmp_path,
        dataset(declarations=[HOME, second_home, OWN_PART], care_types=care, dbcs=no_odv_dbcs()),
    )
    assert par(found) == [(B, "V-B", ["V-A", "V-A2"])]


def test_par_001_two_patients_two_findings_each_with_its_own_partner(tmp_path: Path) -> None:
    second = {"patient_ref": "P-0002"}
    declarations = [
        HOME,
        OWN_PART,
        HOME | {"declaration_id": "V-A2", "dbc_id": ""} | second,
        OWN_PART | {"declaration_id": "V-B2"} | second,
    ]
    found = run(tmp_path, dataset(declarations=declarations, dbcs=no_odv_dbcs()))
    assert par(found) == [(B, "V-B", ["V-A"]), (B, "V-B2", ["V-A2"])]


# --- PAR-002 ---------------------------------------------------------------------------------


def test_par_002_flags_every_extra_line(tmp_path: Path) -> None:
    lines = [
        HOME | {"declaration_id": "V-3", "declared_on": "2024-04-10"},
        HOME | {"declaration_id": "V-1", "declared_on": "2024-04-12"},
        HOME | {"declaration_id": "V-2", "declared_on": "2024-04-10"},
    ]
    found = [x for x in run(tmp_path, dataset(declarations=lines)) if x["rule"] == "PAR-002"]
    assert without_message(found) == [
        {"rule": "PAR-002", "severity": "error", "agb": A, "uzovi": f.INSURER, "declaration_id": "V-1",
         "dbc_id": None, "transfer_id": None, "related": ["V-2", "V-3"], "amount_at_stake": "2100.00"},
        {"rule": "PAR-002", "severity": "error", "agb": A, "uzovi": f.INSURER, "declaration_id": "V-3",
         "dbc_id": None, "transfer_id": None, "related": ["V-1", "V-2"], "amount_at_stake": "2100.00"},
    ]  # fmt: skip


def test_par_002_and_trf_001_messages_name_the_day(tmp_path: Path) -> None:
    lines = [HOME | {"declaration_id": "V-1"}, HOME | {"declaration_id": "V-2"}]
    transfers = [f.transfer(date="2024-07-01")]
    found = run(tmp_path, dataset(declarations=lines, transfers=transfers))
    assert [x["message"] for x in found] == [
        "Declaration V-2 repeats V-1: the same zorgproduct 131999061 for the same patient from "
        "2024-03-01, declared to insurer 3311 more than once (N0927). Credit the extra line.",
        "Transfer T1 of a patient from 06010001 to 06010002 (samen-2024, liesbreuk) was "
        "performed on 2024-07-01, but 06010002 has no ODV DBC for this patient at the request "
        "of 06010001 covering that date. Open and close the ODV DBC so the care is settled.",
    ]


def test_par_002_near_miss_credit_then_rebill(tmp_path: Path) -> None:
    lines = [
        HOME,
        HOME | {"declaration_id": "V-C", "amount_eur": "-2100.00", "declared_on": "2024-05-01"},
        HOME | {"declaration_id": "V-R", "amount_eur": "2050.00", "declared_on": "2024-05-02"},
    ]
    assert run(tmp_path, dataset(declarations=lines)) == []


def test_a_credit_cancels_the_earliest_matching_debit_only(tmp_path: Path) -> None:
    lines = [
        HOME | {"declaration_id": "V-1", "declared_on": "2024-04-10"},
        HOME | {"declaration_id": "V-2", "declared_on": "2024-04-11"},
        HOME | {"declaration_id": "V-3", "declared_on": "2024-04-12", "amount_eur": "999.00"},
        HOME | {"declaration_id": "V-C", "declared_on": "2024-05-01", "amount_eur": "-2100.00"},
    ]
    found = [x for x in run(tmp_path, dataset(declarations=lines)) if x["rule"] == "PAR-002"]
    # V-C cancels V-1 (earliest with the opposite amount); V-2 and V-3 stay live.
    assert [(x["declaration_id"], x["related"]) for x in found] == [("V-3", ["V-2"])]


# --- PAR-003 ---------------------------------------------------------------------------------


def test_par_003_flags_the_later_line_of_an_uncovered_group(tmp_path: Path) -> None:
    lines = [
        HOME | {"zorgproduct_code": "131999077", "dbc_id": "", "declared_on": "2024-04-01"},
        OWN_PART | {"zorgproduct_code": "131999078", "declared_on": "2024-03-10"},
        OWN_PART
        | {"declaration_id": "V-C", "agb": C, "zorgproduct_code": "099899017"},  # other group
    ]
    found = run(tmp_path, dataset(declarations=lines, dbcs=no_odv_dbcs()))
    assert without_message(found) == [
        {"rule": "PAR-003", "severity": "warning", "agb": A, "uzovi": f.INSURER, "declaration_id": "V-A",
         "dbc_id": None, "transfer_id": None, "related": ["V-B"], "amount_at_stake": "2100.00"},
    ]  # fmt: skip


# --- TRF-001 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("transfer", "fires"),
    [
        (f.transfer(date="2024-03-06"), False),  # the last day of D1: near miss
        (f.transfer(date="2024-03-05"), False),  # the first day
        (f.transfer(date="2024-03-07"), True),  # the day after
        (f.transfer(date="2024-03-05", status="planned"), False),
        # Not performed: nothing to settle yet, or ever, even on a day no ODV DBC covers.
        (f.transfer(date="2024-03-07", status="planned"), False),
        (f.transfer(date="2024-03-07", status="cancelled"), False),
        (f.transfer(date="2024-03-05", patient="P-0002"), True),  # another patient
        (f.transfer(date="2024-03-05", from_agb=B, to_agb=A), True),  # the other direction
        (f.transfer(date="2023-03-05"), False),  # another year
    ],
)
def test_trf_001(tmp_path: Path, transfer: dict[str, str], fires: bool) -> None:
    found = run(tmp_path, dataset(declarations=[HOME], transfers=[transfer]))
    expected = [("TRF-001", "T1")] if fires else []
    assert rules(found) == expected
    if fires:
        assert found[0]["agb"] == transfer["to_agb"]


def test_trf_001_open_odv_dbc_covers_any_later_date(tmp_path: Path) -> None:
    dbcs = [
        f.dbc(dbc_id="H1", agb=A, odv=False, start="2024-03-01", end="2024-04-01"),
        f.dbc(dbc_id="D1", agb=B, start="2024-03-05", end="", primary="H1"),
    ]
    found = run(
        tmp_path, dataset(declarations=[HOME], dbcs=dbcs, transfers=[f.transfer(date="2024-11-30")])
    )
    assert found == []


def test_the_catalogue_is_immutable_and_complete() -> None:
    assert list(CATALOGUE) == [
        "ODV-001", "ODV-002", "PAR-001", "PAR-002", "PAR-003", "TRF-001", "TRF-002"
    ]  # fmt: skip
    with pytest.raises(TypeError):
        CATALOGUE["X"] = CATALOGUE["ODV-001"]  # type: ignore[index]


def test_findings_are_ordered_by_rule_agb_and_subject(tmp_path: Path) -> None:
    lines = [
        HOME | {"declaration_id": "V-2"},
        HOME | {"declaration_id": "V-1", "declared_on": "2024-04-11"},
    ]
    transfers = [
        f.transfer(transfer_id="T9", date="2024-06-01"),
        f.transfer(transfer_id="T2", date="2024-06-01"),
    ]
    found = run(tmp_path, dataset(declarations=lines, transfers=transfers))
    assert rules(found) == [("PAR-002", "V-1"), ("TRF-001", "T2"), ("TRF-001", "T9")]


# --- TRF-002 ---------------------------------------------------------------------------------

PATHWAY = [{"phase": "diagnostiek", "at": "home"}, {"phase": "interventie", "at": B},
           {"phase": "nazorg", "at": "home"}]  # fmt: skip


def pathway_findings(
    tmp_path: Path, transfers: list[dict[str, str]], *, pathway: list[dict[str, str]] | None = None,
    year: int = 2024,
) -> list[dict[str, Any]]:  # fmt: skip
    """TRF-002 findings of ``transfers`` under samen-2024 (parties A, B, C), whose ``liesbreuk``
    has ``pathway`` (default: diagnostiek at home, interventie at B, nazorg at home) and whose
    ``schildklier`` has none."""
    care = [f.care_type() | {"pathway": PATHWAY if pathway is None else pathway},
            f.care_type(care_type="schildklier", codes=["099899017"])]  # fmt: skip
    files = dataset(declarations=[HOME], transfers=transfers)
    files["agreements.json"] = [f.agreement(parties=[A, B, C], care_types=care)]
    return [x for x in run(tmp_path, files, year=year) if x["rule"] == "TRF-002"]


def trf(transfer_id: str, from_agb: str, to_agb: str, date: str, phase: str,
        **fields: str) -> dict[str, str]:  # fmt: skip
    return f.transfer(transfer_id=transfer_id, from_agb=from_agb, to_agb=to_agb, date=date,
                      phase=phase, **fields)  # fmt: skip


def test_trf_002_fires_when_the_pathway_puts_the_phase_elsewhere(tmp_path: Path) -> None:
    # Home is A (the first transfer starts there); the pathway puts nazorg at home, not at C.
    transfers = [
        trf("T1", A, B, "2024-03-01", "interventie"),
        trf("T2", B, C, "2024-04-01", "nazorg"),
    ]
    found = pathway_findings(tmp_path, transfers)
    assert without_message(found) == [
        {"rule": "TRF-002", "severity": "warning", "agb": C, "uzovi": None, "declaration_id": None,
         "dbc_id": None, "transfer_id": "T2", "related": [], "amount_at_stake": None}
    ]  # fmt: skip
    assert found[0]["message"] == (
        "Transfer T2 of a patient from 06010002 to 06010003 (samen-2024, liesbreuk) for nazorg "
        "was performed on 2024-04-01, but the pathway puts nazorg at the patient's home hospital "
        "06010001 (where transfer T1 started). Register the transfer to the hospital the pathway "
        "names, or agree the new pathway in the agreement."
    )


def test_trf_002_a_phase_the_pathway_has_no_step_of(tmp_path: Path) -> None:
    found = pathway_findings(tmp_path, [trf("T1", A, B, "2024-03-01", "opname")])
    assert [(x["transfer_id"], x["agb"]) for x in found] == [("T1", B)]
    assert "but the pathway has no opname step." in found[0]["message"]


def test_trf_002_a_step_named_by_agb_is_named_in_the_message(tmp_path: Path) -> None:
    found = pathway_findings(tmp_path, [trf("T1", A, C, "2024-03-01", "interventie")])
    assert [(x["transfer_id"], x["agb"]) for x in found] == [("T1", C)]
    assert "but the pathway puts interventie at 06010002." in found[0]["message"]


def test_trf_002_near_miss_every_step_where_the_pathway_puts_it(tmp_path: Path) -> None:
    transfers = [
        trf("T1", A, B, "2024-03-01", "interventie"),  # interventie at B
        trf("T2", B, A, "2024-04-01", "nazorg"),  # nazorg at home: A
        trf("T3", B, A, "2024-04-02", "diagnostiek"),  # diagnostiek at home: A
    ]
    assert pathway_findings(tmp_path, transfers) == []


def test_trf_002_home_is_where_the_earliest_transfer_started(tmp_path: Path) -> None:
    # T0, the earliest (dated in the year before: it still says where the patient started),
    # starts at C: nazorg belongs at C, so T2 back to A is flagged and T3 to C is not.
    transfers = [
        trf("T0", C, A, "2023-12-31", "diagnostiek"),
        trf("T1", A, B, "2024-03-01", "interventie"),
        trf("T2", B, A, "2024-04-01", "nazorg"),
        trf("T3", B, C, "2024-04-02", "nazorg"),
    ]
    found = pathway_findings(tmp_path, transfers)
    assert [(x["transfer_id"], x["agb"]) for x in found] == [("T2", A)]
    assert "home hospital 06010003 (where transfer T0 started)" in found[0]["message"]


def test_trf_002_earliest_of_one_day_is_the_lower_transfer_id(tmp_path: Path) -> None:
    transfers = [
        trf("T2", A, B, "2024-03-01", "interventie"),
        trf("T1", C, B, "2024-03-01", "interventie"),  # same day, lower id: home is C
        trf("T3", B, A, "2024-04-01", "nazorg"),
    ]
    found = pathway_findings(tmp_path, transfers)
    assert [(x["transfer_id"], x["agb"]) for x in found] == [("T3", A)]


def test_trf_002_a_cancelled_earliest_transfer_does_not_make_home(tmp_path: Path) -> None:
    first = trf("T0", C, A, "2024-01-10", "diagnostiek", status="cancelled")
    rest = [trf("T1", A, B, "2024-03-01", "interventie"), trf("T2", B, A, "2024-04-01", "nazorg")]
    assert pathway_findings(tmp_path, [first, *rest]) == []
    # A planned one is not cancelled: it does say where the patient started.
    planned = first | {"status": "planned"}
    found = pathway_findings(tmp_path / "planned", [planned, *rest])
    assert [(x["transfer_id"], x["agb"]) for x in found] == [("T2", A)]


def test_trf_002_home_is_per_patient_agreement_and_care_type(tmp_path: Path) -> None:
    transfers = [
        # Earlier transfers from C: of another patient, and under the care type without pathway.
        trf("T0", C, B, "2024-01-10", "interventie", patient="P-0002"),
        trf("T8", C, A, "2024-01-11", "diagnostiek", care_type="schildklier"),
        trf("T1", A, B, "2024-03-01", "interventie"),
        trf("T2", B, A, "2024-04-01", "nazorg"),  # home is A: no finding
    ]
    assert pathway_findings(tmp_path, transfers) == []


@pytest.mark.parametrize(
    ("transfer", "fires"),
    [
        (trf("T1", A, C, "2024-06-01", "interventie"), True),
        (trf("T1", A, C, "2024-01-01", "interventie"), True),  # the first day of Y
        (trf("T1", A, C, "2024-12-31", "interventie"), True),  # the last day
        (trf("T1", A, C, "2023-12-31", "interventie"), False),  # outside Y
        (trf("T1", A, C, "2025-01-01", "interventie"), False),
        (trf("T1", A, C, "2024-06-01", ""), False),  # no phase
        (
            trf("T1", A, C, "2024-06-01", "interventie", care_type="schildklier"),
            False,
        ),  # no pathway
        (trf("T1", A, C, "2024-06-01", "interventie", status="planned"), False),  # not performed
        (trf("T1", A, C, "2024-06-01", "interventie", status="cancelled"), False),
    ],
)
def test_trf_002_near_misses(tmp_path: Path, transfer: dict[str, str], fires: bool) -> None:
    found = pathway_findings(tmp_path, [transfer])
    assert [(x["transfer_id"], x["agb"]) for x in found] == ([("T1", C)] if fires else [])


def test_trf_002_needs_the_transfers_file(tmp_path: Path) -> None:
    files = dataset(declarations=[HOME], care_types=[f.care_type() | {"pathway": PATHWAY}])
    files["transfers.csv"] = None
    assert [x for x in run(tmp_path, files) if x["rule"].startswith("TRF")] == []
