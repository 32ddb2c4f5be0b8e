"""Contract v2's input elements: read, checked, stored and read back (docs/data-format.md §1).

A dataset with every v2 element (``tests.files_v2``) reads to exact values, stores on SQLite and
PostgreSQL and reads back equal; each broken element is refused with its exact
``FILE:LINE: COLUMN: message``; a v1 dataset reads, stores and fingerprints as before.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, Engine, insert, inspect, text

from settlement.fingerprint import fingerprint
from spreiding.contract.agreements import parse_agreements
from spreiding.contract.reader import read_dataset
from spreiding.domain.agreements import (
    Agreement,
    CareType,
    SecondmentRate,
    SettlementTerms,
    SharedCost,
    agreement_to_json,
)
from spreiding.domain.dataset import HOURS
from spreiding.domain.errors import DatasetConflict, DatasetInvalid
from spreiding.store import tables
from spreiding.store.agreements import insert_agreements, stored_agreements
from spreiding.store.database import downgrade, migrate
from spreiding.store.datasets import import_dataset, load_dataset
from tests import files as f
from tests.conftest import rolled_back
from tests.files_v2 import IBAN_A, VGZ, ZK, A, B, C, hours, v2_files
from tests.test_trust_db import unmigrated

__all__ = ["unmigrated"]  # a fixture, used by name
Files = dict[str, Any]
SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def read(folder: Path, files: Files) -> Any:
    return read_dataset(f.write(folder, files))


def errors_of(folder: Path, files: Files) -> list[str]:
    f.write(folder, files)
    with pytest.raises(DatasetInvalid) as caught:
        read_dataset(folder)
    return [str(e) for e in caught.value.errors]


def plain(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every missing value as None, to compare with written-out values."""
    return frame.astype(object).where(frame.notna(), None)


def agreement_of(dataset: Any, agreement_id: str) -> Agreement:
    return next(a for a in dataset.agreements if a.agreement_id == agreement_id)


# --- reading -----------------------------------------------------------------------------


def test_hospitals_carry_an_iban_in_compact_form_and_an_address(tmp_path: Path) -> None:
    dataset = read(tmp_path, v2_files())
    hospitals = plain(dataset.hospitals)
    assert hospitals["iban"].tolist() == [IBAN_A, None, None]
    assert hospitals["address"].tolist() == [None, "Bleulandweg 10, 2803 HH Gouda", None]


def test_a_dbc_names_its_insurer(tmp_path: Path) -> None:
    dataset = read(tmp_path, v2_files())
    assert plain(dataset.dbcs)[["agb", "dbc_id", "uzovi"]].to_numpy().tolist() == [
        [A, "H1", ZK],
        [B, "D1", ZK],
        [B, "D2", VGZ],
        [B, "D3", None],
    ]


def test_hours_read_as_hundredths_of_an_hour(tmp_path: Path) -> None:
    frame = read(tmp_path, v2_files()).hours
    assert list(frame.columns) == list(HOURS.columns)
    assert frame["hours_hundredths"].dtype == np.int64
    assert plain(frame).to_dict("records") == [
        {"hours_id": "U1", "agreement_id": "samen-2024", "employer_agb": A, "host_agb": B,
         "role": "medisch-specialist", "work_date": pd.Timestamp("2024-03-04"),
         "hours_hundredths": 800, "person_ref": None, "care_type": None, "specialism": None},
        {"hours_id": "U2", "agreement_id": "samen-2024", "employer_agb": A, "host_agb": B,
         "role": "medisch-specialist", "work_date": pd.Timestamp("2024-07-01"),
         "hours_hundredths": 25, "person_ref": "arts-17", "care_type": "liesbreuk",
         "specialism": "0303"},
        {"hours_id": "U3", "agreement_id": "samen-2024", "employer_agb": A, "host_agb": B,
         "role": "anesthesiemedewerker", "work_date": pd.Timestamp("2024-03-04"),
         "hours_hundredths": 2400, "person_ref": None, "care_type": None, "specialism": None},
        {"hours_id": "U4", "agreement_id": "oncomid-2024", "employer_agb": B, "host_agb": A,
         "role": "medisch-specialist", "work_date": pd.Timestamp("2024-03-04"),
         "hours_hundredths": 750, "person_ref": None, "care_type": None, "specialism": None},
    ]  # fmt: skip


def test_no_hours_file_is_an_empty_hours_frame(tmp_path: Path) -> None:
    dataset = read(tmp_path, f.base_files())
    assert list(dataset.hours.columns) == list(HOURS.columns)
    assert len(dataset.hours) == 0
    assert dataset.hours["hours_hundredths"].dtype == np.int64


def test_a_semicolon_file_writes_hours_with_a_decimal_comma(tmp_path: Path) -> None:
    files = v2_files()
    files["hours.csv"] = (
        "hours_id;agreement_id;employer_agb;host_agb;role;work_date;hours\n"
        f"U1;samen-2024;{A};{B};medisch-specialist;2024-03-04;7,5\n"
    )
    assert read(tmp_path, files).hours["hours_hundredths"].tolist() == [750]


def test_every_v2_agreement_field_is_read(tmp_path: Path) -> None:
    agreement = agreement_of(read(tmp_path, v2_files()), "samen-2024")
    liesbreuk, heup, knie = agreement.care_types
    assert liesbreuk.settlement == SettlementTerms(
        "odv_benchmark",
        price_list="benchmark",
        share=Decimal("0.90"),
        price_year="start",
        ceiling=((2024, 2), (2025, 3)),
        share_above_ceiling=Decimal("0.50"),
    )
    assert liesbreuk.planned_weekly == 3
    assert heup.settlement == SettlementTerms(
        "parallel",
        otherwise=SettlementTerms(
            "odv_benchmark",
            price_list="benchmark",
            share=Decimal("0.8"),
            ceiling=((2024, 1),),
            share_above_ceiling=Decimal("0.40"),
        ),
    )
    assert knie.settlement == SettlementTerms(
        "parallel", otherwise=SettlementTerms("fixed_fee", fee_cents=35000)
    )
    assert heup.planned_weekly is None
    assert agreement.secondment_rates == (
        SecondmentRate("medisch-specialist", 18500, Decimal("0.00"), date(2024, 1, 1),
                       date(2024, 6, 30)),
        SecondmentRate("medisch-specialist", 19050, Decimal("0.21"), date(2024, 7, 1), None),
        SecondmentRate("anesthesiemedewerker", 9500, Decimal("0.00"), date(2024, 1, 1), None),
    )  # fmt: skip
    assert agreement.payment_term_days == 14
    assert agreement.costs == (
        SharedCost("bureau-2024", "Alliantiebureau 2024", 2024, 12_000_000, A, ((A, 2), (B, 1))),
        SharedCost("casemanager", "Casemanager liesbreuk", 2025, 1, B, ((B, 0), (A, 1))),
    )


def test_a_v1_agreement_takes_the_v2_defaults(tmp_path: Path) -> None:
    agreement = agreement_of(read(tmp_path, v2_files()), "oncomid-2024")
    assert agreement.secondment_rates == ()
    assert agreement.payment_term_days == 30
    assert agreement.costs == ()
    (care,) = agreement.care_types
    assert care.planned_weekly is None
    assert care.settlement == SettlementTerms(
        "odv_benchmark", price_list="benchmark", share=Decimal("0.90")
    )
    assert care.settlement.price_year == "end"


def test_agreement_json_round_trips_every_v2_field(tmp_path: Path) -> None:
    dataset = read(tmp_path, v2_files())
    text = json.dumps([agreement_to_json(a) for a in dataset.agreements])
    parsed, errors, _ids = parse_agreements(
        text, hospitals={A, B, C}, insurers={ZK, VGZ}, price_lists={"benchmark"}
    )
    assert errors == []
    assert tuple(parsed) == dataset.agreements
    samen_json = agreement_to_json(agreement_of(dataset, "samen-2024"))
    assert samen_json["payment_term_days"] == 14
    assert samen_json["secondment_rates"][1] == {
        "role": "medisch-specialist", "rate_eur": "190.50", "vat_rate": "0.21",
        "valid_from": "2024-07-01", "valid_to": None,
    }  # fmt: skip
    assert samen_json["costs"][0]["key"] == {A: 2, B: 1}
    assert samen_json["care_types"][1]["settlement"]["otherwise"] == {
        "method": "odv_benchmark", "price_list": "benchmark", "share": "0.8",
        "ceiling": {"2024": 1}, "share_above_ceiling": "0.40",
    }  # fmt: skip


def test_a_v1_agreements_json_has_no_v2_field(tmp_path: Path) -> None:
    # What fingerprints hash: a v1 agreement's JSON is what it was before v2.
    written = agreement_to_json(agreement_of(read(tmp_path, v2_files()), "oncomid-2024"))
    assert set(written) == {
        "agreement_id", "name", "category", "stage", "parties", "valid_from", "valid_to",
        "parent_id", "care_types",
    }  # fmt: skip
    assert set(written["care_types"][0]) == {
        "care_type", "zorgproduct_codes", "zorgproductgroepen", "performing_agb", "settlement",
        "parallel_consents", "planned_volume", "pathway",
    }  # fmt: skip
    assert written["care_types"][0]["settlement"] == {
        "method": "odv_benchmark", "price_list": "benchmark", "share": "0.90",
    }  # fmt: skip


# --- storing -----------------------------------------------------------------------------


def test_a_v2_dataset_is_stored_and_read_back_equal(connection: Connection, tmp_path: Path) -> None:
    dataset = read(tmp_path, v2_files())
    with connection.begin_nested():
        report = import_dataset(connection, dataset)
    assert report.added == {
        "hospitals": 3, "insurers": 2, "agreements": 2, "prices": 1, "dbcs": 4,
        "declarations": 1, "transfers": 1, "hours": 4,
    }  # fmt: skip
    loaded = load_dataset(connection)
    assert loaded.same_content(dataset)
    assert loaded.hours.equals(dataset.hours)
    assert tuple(stored_agreements(connection)) == dataset.agreements
    with connection.begin_nested():
        again = import_dataset(connection, dataset)
    assert set(again.added.values()) == {0}
    assert again.unchanged["hours"] == 4
    assert again.unchanged["agreements"] == 2


def test_a_v1_dataset_stores_no_hours_and_reports_the_tables_it_did(
    connection: Connection, tmp_path: Path
) -> None:
    dataset = read(tmp_path, f.base_files())
    with connection.begin_nested():
        report = import_dataset(connection, dataset)
    assert "hours" not in report.added
    loaded = load_dataset(connection)
    assert loaded.same_content(dataset)
    assert len(loaded.hours) == 0


def test_hours_stored_with_other_values_are_a_conflict(
    connection: Connection, tmp_path: Path
) -> None:
    files = v2_files()
    with connection.begin_nested():
        import_dataset(connection, read(tmp_path / "first", files))
    changed = copy.deepcopy(files)
    changed["hours.csv"][0]["hours"] = "8.25"
    changed["agreements.json"][0]["payment_term_days"] = 30
    with pytest.raises(DatasetConflict) as caught, connection.begin_nested():
        import_dataset(connection, read(tmp_path / "second", changed))
    assert caught.value.conflicts == [
        "agreements (samen-2024) is stored with other values: "
        "payment_term_days: stored 14, dataset 30",
        "hours (hours_id=U1) is stored with other values: "
        "hours_hundredths: stored 800, dataset 825",
    ]


# --- v1 stays v1 -------------------------------------------------------------------------

# Computed by the code before contract v2 (commit 0ee5e05) for ``tests.files.base_files()``.
V1_FINGERPRINTS = {
    2023: "2603a0cd8a1f92aa6ee64890530df19982db7b25136341a033a087d4f7f8185d",
    2024: "f95b2ce3ee1ff3378020e335bf41aa86df7c8bbeb273afd33451cb4e247c0513",
}


@pytest.mark.parametrize("year", sorted(V1_FINGERPRINTS))
def test_a_v1_dataset_keeps_its_fingerprint(tmp_path: Path, year: int) -> None:
    dataset = read(tmp_path, f.base_files())
    value = fingerprint(
        dataset.dbcs, dataset.prices, dataset.agreements, year=year, netting="bilateral"
    )
    assert value == V1_FINGERPRINTS[year]


def test_the_fingerprint_sees_a_v2_agreement_field_and_a_dbcs_insurer(tmp_path: Path) -> None:
    files = f.base_files()
    base = read(tmp_path / "v1", files)

    def printed(dataset: Any) -> str:
        return fingerprint(
            dataset.dbcs, dataset.prices, dataset.agreements, year=2024, netting="bilateral"
        )

    termed = copy.deepcopy(files)
    termed["agreements.json"][0]["payment_term_days"] = 14
    insured = copy.deepcopy(files)
    for row in insured["dbcs.csv"]:
        row["uzovi"] = f.INSURER
    prints = {printed(base), printed(read(tmp_path / "t", termed))}
    prints.add(printed(read(tmp_path / "i", insured)))
    assert len(prints) == 3


def test_the_fingerprint_sees_the_hours_of_its_year_only(tmp_path: Path) -> None:
    dataset = read(tmp_path, v2_files())
    hours = dataset.hours

    def printed(frame: pd.DataFrame | None, year: int = 2024) -> str:
        return fingerprint(
            dataset.dbcs, dataset.prices, dataset.agreements, year=year, netting="bilateral",
            hours=frame,
        )  # fmt: skip

    more = hours.assign(hours_hundredths=hours["hours_hundredths"] + 1)
    assert len({printed(None), printed(hours), printed(more)}) == 3
    # No hours of 2023: the 2023 fingerprint is the one without hours.
    assert printed(hours, 2023) == printed(None, 2023) == printed(hours.iloc[:0], 2023)


def test_every_sample_reads(tmp_path: Path) -> None:
    folders = sorted(p for p in SAMPLES.iterdir() if (p / "hospitals.csv").is_file())
    assert folders
    for folder in folders:
        dataset = read_dataset(folder)
        assert len(dataset.hospitals) > 0, folder.name


# --- every broken v2 element -------------------------------------------------------------

H, AG, D, U = "hospitals.csv", "agreements.json", "dbcs.csv", "hours.csv"
# A code one digit short says what Excel likely did (issue 15).
HINT = " (leading zero lost? format the column as text)"


def hospital_cell(index: int, **values: str) -> Callable[[Files], None]:
    return lambda files: files[H][index].update(values)


def dbc_cell(index: int, **values: str) -> Callable[[Files], None]:
    return lambda files: files[D][index].update(values)


def hours_cell(index: int, **values: str) -> Callable[[Files], None]:
    return lambda files: files[U][index].update(values)


def add_hours(**values: Any) -> Callable[[Files], None]:
    return lambda files: files[U].append(hours(hours_id="U9") | values)


def terms(care: int, **values: Any) -> Callable[[Files], None]:
    """Set (or with None delete) fields of agreement 0's care type ``care``'s settlement."""

    def mutate(files: Files) -> None:
        target = files[AG][0]["care_types"][care]["settlement"]
        for k, v in values.items():
            if v is None:
                target.pop(k, None)
            else:
                target[k] = v

    return mutate


def otherwise(**values: Any) -> Callable[[Files], None]:
    def mutate(files: Files) -> None:
        files[AG][0]["care_types"][1]["settlement"]["otherwise"].update(values)

    return mutate


def field(path: str, value: Any) -> Callable[[Files], None]:
    """Set a field of agreement 0 by a dotted path (``costs.0.key``)."""

    def mutate(files: Files) -> None:
        target: Any = files[AG][0]
        *parents, last = path.split(".")
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        target[int(last) if last.isdigit() else last] = value

    return mutate


RATE = "secondment_rates"
ST = "care_types[0].settlement"

CASES: list[tuple[str, Callable[[Files], None], list[str]]] = [
    # hospitals.csv
    ("iban check digits", hospital_cell(1, iban="NL92ABNA0417164300"),
     [f"{H}:3: iban: IBAN 'NL92ABNA0417164300' fails its check digits"]),
    ("iban format", hospital_cell(2, iban="NL9!ABNA0417164300"),
     [f"{H}:4: iban: IBAN 'NL9!ABNA0417164300' must be a country code, check digits and "
      "account number"]),
    # dbcs.csv
    ("dbc uzovi unknown", dbc_cell(2, uzovi="3343"), [f"{D}:4: uzovi: 3343 is not in insurers.csv"]),
    ("dbc uzovi 3 digits", dbc_cell(2, uzovi="331"),
     [f"{D}:4: uzovi: UZOVI code '331' has 3 digits, must have 4{HINT}"]),
    # transfers.csv: the phase (v1 already read it)
    ("transfer phase", lambda files: files["transfers.csv"][0].update(phase="revalidatie"),
     ["transfers.csv:2: phase: 'revalidatie' is not one of diagnostiek, voortraject, "
      "interventie, opname, nazorg"]),
    # hours.csv
    ("hours id twice", add_hours(hours_id="U1"),
     [f"{U}:6: hours_id: duplicate (hours_id) = (U1); first on line 2"]),
    ("hours agreement unknown", hours_cell(0, agreement_id="elders"),
     [f"{U}:2: agreement_id: elders is not in agreements.json"]),
    ("hours employer is host", hours_cell(0, employer_agb=B),
     [f"{U}:2: host_agb: the host must be another hospital than the employer"]),
    ("hours employer not a party", hours_cell(0, employer_agb=C),
     [f"{U}:2: employer_agb: {C} is not a party of agreement samen-2024"]),
    ("hours host unknown", hours_cell(0, host_agb="06019999"),
     [f"{U}:2: host_agb: 06019999 is not in hospitals.csv"]),
    ("hours host 7 digits", hours_cell(0, host_agb="0601000"),
     [f"{U}:2: host_agb: AGB code '0601000' has 7 digits, must have 8{HINT}"]),
    ("hours role missing", hours_cell(0, role=""), [f"{U}:2: role: a value is required"]),
    ("hours work date", hours_cell(0, work_date="2024-02-30"),
     [f"{U}:2: work_date: '2024-02-30' is not a date YYYY-MM-DD"]),
    ("hours missing", hours_cell(0, hours=""), [f"{U}:2: hours: a value is required"]),
    ("hours three decimals", hours_cell(0, hours="7.125"),
     [f"{U}:2: hours: '7.125' is not a number of hours with '.' and at most two decimals"]),
    ("hours decimal comma", hours_cell(0, hours="7,5"),
     [f"{U}:2: hours: '7,5' is not a number of hours with '.' and at most two decimals"]),
    ("hours negative", hours_cell(0, hours="-1"),
     [f"{U}:2: hours: '-1' is not a number of hours with '.' and at most two decimals"]),
    ("hours zero", hours_cell(0, hours="0.00"),
     [f"{U}:2: hours: hours 0.00 must be more than 0 and at most 24"]),
    ("hours over a day", hours_cell(0, hours="24.01"),
     [f"{U}:2: hours: hours 24.01 must be more than 0 and at most 24"]),
    ("hours huge", hours_cell(0, hours="1" + "0" * 40),
     [f"{U}:2: hours: hours {'1' + '0' * 40} must be more than 0 and at most 24"]),
    ("hours person is a BSN", hours_cell(1, person_ref="111222333"),
     [f"{U}:3: person_ref: looks like a BSN (9 digits passing the 11-check); use the "
      "alliance's pseudonym"]),
    ("hours care type unknown", hours_cell(1, care_type="heup-knie"),
     [f"{U}:3: care_type: 'heup-knie' is not a care type of agreement samen-2024"]),
    ("hours specialism", hours_cell(1, specialism="303"),
     [f"{U}:3: specialism: specialism code '303' has 3 digits, must have 4{HINT}"]),
    ("hours id a formula", hours_cell(0, hours_id="=1+1"),
     [f"{U}:2: hours_id: '=1+1' starts with '='; an id may not start with =, +, -, @, a tab "
      "or a carriage return (a spreadsheet would run it as a formula)"]),
    ("hours unknown column", lambda files: files.update({U: "hours_id,minutes\nU1,5\n"}),
     [f"{U}:1: agreement_id: required column is missing",
      f"{U}:1: employer_agb: required column is missing",
      f"{U}:1: host_agb: required column is missing", f"{U}:1: hours: required column is missing",
      f"{U}:1: minutes: unknown column", f"{U}:1: role: required column is missing",
      f"{U}:1: work_date: required column is missing"]),
    # agreements.json: settlement terms
    ("price year", terms(0, price_year="begin"),
     [f"{AG}:0: {ST}.price_year: 'begin' is not one of end, start"]),
    ("ceiling without share above", terms(0, share_above_ceiling=None),
     [f"{AG}:0: {ST}.share_above_ceiling: required with ceiling"]),
    ("share above without ceiling", terms(0, ceiling=None),
     [f"{AG}:0: {ST}.share_above_ceiling: allowed only with ceiling"]),
    ("share above zero", terms(0, share_above_ceiling="0"),
     [f"{AG}:0: {ST}.share_above_ceiling: share 0 must be greater than 0 and at most 1"]),
    ("ceiling year", terms(0, ceiling={"24": 2}),
     [f"{AG}:0: {ST}.ceiling.24: the key must be a year YYYY"]),
    ("ceiling negative", terms(0, ceiling={"2024": -1}),
     [f"{AG}:0: {ST}.ceiling.2024: -1 is not a number of DBCs (a whole number from 0 to "
      "1,000,000,000)"]),
    ("ceiling a string", terms(0, ceiling={"2024": "2"}),
     [f"{AG}:0: {ST}.ceiling.2024: '2' is not a number of DBCs (a whole number from 0 to "
      "1,000,000,000)"]),
    ("ceiling a list", terms(0, ceiling=[2]),
     [f"{AG}:0: {ST}.ceiling: must be an object of year -> number of DBCs"]),
    ("ceiling on fixed fee", terms(0, method="fixed_fee", price_list=None, share=None,
                                   share_above_ceiling=None, price_year=None, fee_eur="10.00"),
     [f"{AG}:0: {ST}.ceiling: belongs to odv_benchmark terms only"]),
    ("price year on parallel", terms(2, price_year="start"),
     [f"{AG}:0: care_types[2].settlement.price_year: belongs to odv_benchmark terms only"]),
    ("otherwise on odv", terms(0, otherwise={"method": "fixed_fee", "fee_eur": "1.00"}),
     [f"{AG}:0: {ST}.otherwise: belongs to parallel terms only"]),
    ("otherwise parallel", otherwise(method="parallel"),
     [f"{AG}:0: care_types[1].settlement.otherwise.method: 'parallel' is not one of "
      "odv_benchmark, fixed_fee"]),
    ("otherwise share missing", lambda files: files[AG][0]["care_types"][1]["settlement"][
        "otherwise"].pop("share"),
     [f"{AG}:0: care_types[1].settlement.otherwise.share: required field is missing"]),
    ("otherwise price list unknown", otherwise(price_list="nza"),
     [f"{AG}:0: care_types[1].settlement.otherwise.price_list: price list 'nza' is not in "
      "prices.csv"]),
    ("otherwise ceiling needs share above",
     lambda files: files[AG][0]["care_types"][1]["settlement"]["otherwise"].pop(
         "share_above_ceiling"),
     [f"{AG}:0: care_types[1].settlement.otherwise.share_above_ceiling: required with ceiling"]),
    ("otherwise not an object", terms(1, otherwise="fixed_fee"),
     [f"{AG}:0: care_types[1].settlement.otherwise: must be an object"]),
    # agreements.json: care type
    ("planned weekly fraction", field("care_types.0.planned_weekly", 2.5),
     [f"{AG}:0: care_types[0].planned_weekly: 2.5 is not a number of patients per week "
      "(a whole number from 0 to 1,000,000,000)"]),
    ("planned weekly true", field("care_types.0.planned_weekly", True),
     [f"{AG}:0: care_types[0].planned_weekly: True is not a number of patients per week "
      "(a whole number from 0 to 1,000,000,000)"]),
    # agreements.json: secondment rates
    ("rates not a list", field(RATE, {}), [f"{AG}:0: {RATE}: must be a list"]),
    ("rate role missing", lambda files: files[AG][0][RATE][0].pop("role"),
     [f"{AG}:0: {RATE}[0].role: required field is missing"]),
    ("rate unknown field", field(f"{RATE}.0.currency", "EUR"),
     [f"{AG}:0: {RATE}[0].currency: unknown field"]),
    ("rate three decimals", field(f"{RATE}.0.rate_eur", "185.001"),
     [f"{AG}:0: {RATE}[0].rate_eur: '185.001' is not an amount in euros with '.' and at most "
      "two decimals"]),
    ("rate negative", field(f"{RATE}.0.rate_eur", "-185.00"),
     [f"{AG}:0: {RATE}[0].rate_eur: '-185.00' is negative"]),
    ("vat one", field(f"{RATE}.0.vat_rate", "1"),
     [f"{AG}:0: {RATE}[0].vat_rate: VAT rate '1' must be a decimal from 0 up to (not) 1"]),
    ("vat a number", field(f"{RATE}.0.vat_rate", 0.21),
     [f'{AG}:0: {RATE}[0].vat_rate: 0.21 must be a decimal string such as "0.21"']),
    ("rate ends before it starts", field(f"{RATE}.0.valid_to", "2023-12-31"),
     [f"{AG}:0: {RATE}[0].valid_to: 2023-12-31 is before valid_from 2024-01-01"]),
    ("rates overlap", field(f"{RATE}.1.valid_from", "2024-06-30"),
     [f"{AG}:0: {RATE}[1].valid_from: the range 2024-06-30 to open overlaps {RATE}[0] of role "
      "'medisch-specialist' (2024-01-01 to 2024-06-30)"]),
    ("open rates overlap", field(f"{RATE}.0.valid_to", None),
     [f"{AG}:0: {RATE}[1].valid_from: the range 2024-07-01 to open overlaps {RATE}[0] of role "
      "'medisch-specialist' (2024-01-01 to open)"]),
    # agreements.json: payment term
    ("payment term negative", field("payment_term_days", -1),
     [f"{AG}:0: payment_term_days: -1 is not a number of days (a whole number from 0 to 3,650)"]),
    ("payment term a string", field("payment_term_days", "30"),
     [f"{AG}:0: payment_term_days: '30' is not a number of days (a whole number from 0 to "
      "3,650)"]),
    # agreements.json: costs
    ("cost id twice", field("costs.1.cost_id", "bureau-2024"),
     [f"{AG}:0: costs[1].cost_id: 'bureau-2024' is used twice"]),
    ("cost description empty", field("costs.0.description", " "),
     [f"{AG}:0: costs[0].description: must be a non-empty string"]),
    ("cost year a string", field("costs.0.year", "2024"),
     [f"{AG}:0: costs[0].year: '2024' is not a year (a number such as 2024)"]),
    ("cost amount a number", field("costs.0.amount_eur", 120000),
     [f'{AG}:0: costs[0].amount_eur: 120000 must be a money string such as "1250.00"']),
    ("cost paid by a stranger", field("costs.0.paid_by", C),
     [f"{AG}:0: costs[0].paid_by: AGB {C} is not a party of this agreement"]),
    ("cost key a stranger", field("costs.0.key", {A: 1, C: 1}),
     [f"{AG}:0: costs[0].key.{C}: AGB {C} is not a party of this agreement"]),
    ("cost key negative", field("costs.0.key", {A: 1, B: -1}),
     [f"{AG}:0: costs[0].key.{B}: -1 is not a weight (a whole number from 0 to 1,000,000)"]),
    ("cost key sums to zero", field("costs.0.key", {A: 0, B: 0}),
     [f"{AG}:0: costs[0].key: the weights sum to 0; at least one must be more than 0"]),
    ("cost key empty", field("costs.0.key", {}),
     [f"{AG}:0: costs[0].key: the weights sum to 0; at least one must be more than 0"]),
    ("cost missing key", lambda files: files[AG][0]["costs"][0].pop("key"),
     [f"{AG}:0: costs[0].key: required field is missing"]),
]  # fmt: skip


@pytest.mark.parametrize(("name", "mutate", "expected"), CASES, ids=[c[0] for c in CASES])
def test_each_broken_v2_element_is_refused_with_its_line_and_column(
    tmp_path: Path, name: str, mutate: Callable[[Files], None], expected: list[str]
) -> None:
    files = v2_files()
    mutate(files)
    assert errors_of(tmp_path, files) == expected


def test_the_v2_dataset_itself_is_valid(tmp_path: Path) -> None:
    assert read(tmp_path, v2_files()).summary() == (
        "3 hospitals, 2 insurers, 2 agreements, 1 prices, 4 DBCs (3 ODV), 1 declarations, "
        "1 transfers, 4 hours rows"
    )


def test_hours_errors_follow_the_other_files(tmp_path: Path) -> None:
    files = v2_files()
    files[U][0]["hours"] = "25"
    files["transfers.csv"][0]["status"] = "done"
    assert errors_of(tmp_path, files) == [
        "transfers.csv:2: status: 'done' is not one of planned, performed, cancelled",
        f"{U}:2: hours: hours 25 must be more than 0 and at most 24",
    ]


# --- migration 0009 ----------------------------------------------------------------------


def test_migration_0009_reads_stored_v1_agreements_with_the_v2_defaults_and_goes_back(
    unmigrated: Engine,
) -> None:
    migrate(unmigrated, "0008")
    with unmigrated.begin() as connection:
        for agb in (A, B):
            connection.execute(
                text("INSERT INTO hospital (agb, name, kind) VALUES (:agb, 'H', 'umc')"),
                {"agb": agb},
            )
        connection.execute(
            text(
                "INSERT INTO agreement (agreement_id, name, category, stage, valid_from) "
                "VALUES ('oud', 'Oud', 'uitwisseling', 'implementeren', '2024-01-01')"
            )
        )
        for position, agb in enumerate((A, B)):
            connection.execute(
                text("INSERT INTO agreement_party VALUES ('oud', :p, :agb)"),
                {"p": position, "agb": agb},
            )
        connection.execute(
            text(
                "INSERT INTO care_type (agreement_id, care_type, position, method, price_list, "
                "share) VALUES ('oud', 'liesbreuk', 0, 'odv_benchmark', 'benchmark', '0.90')"
            )
        )
    migrate(unmigrated, "0009")
    with unmigrated.connect() as connection:
        (stored,) = stored_agreements(connection)
        hospitals = load_dataset(connection).hospitals
    assert stored.payment_term_days == 30
    assert stored.secondment_rates == () and stored.costs == ()
    assert stored.care_types[0].settlement == SettlementTerms(
        "odv_benchmark", price_list="benchmark", share=Decimal("0.90")
    )
    assert stored.care_types[0].planned_weekly is None
    assert plain(hospitals)[["iban", "address"]].to_numpy().tolist() == [[None, None]] * 2
    downgrade(unmigrated, "0008")
    names = inspect(unmigrated).get_table_names()
    new = {"hours", "secondment_rate", "agreement_cost", "cost_key", "settlement_ceiling"}
    assert not new & set(names)
    assert "payment_term_days" not in [
        c["name"] for c in inspect(unmigrated).get_columns("agreement")
    ]
    migrate(unmigrated, "0009")
    with unmigrated.connect() as connection:
        assert [a.agreement_id for a in stored_agreements(connection)] == ["oud"]


# --- every v2 agreement round-trips: JSON and the database (hypothesis) ----------------------

PARTIES = (A, B, C)
IDS = st.sampled_from(["x", "bureau-2024", "Casemanager liesbreuk", "é", "a b", "0"])
DAYS = st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31))


def fractions(*, low: int, high: int) -> st.SearchStrategy[Decimal]:
    """Decimals ``n / 10**k``, k at most 6 (the parser's limit), written as an agreement writes
    them (``0.90``, ``1``): ``low <= n <= high(k)``."""
    return st.integers(min_value=0, max_value=6).flatmap(
        lambda k: st.integers(min_value=low, max_value=10**k - 1 + high).map(
            lambda n: Decimal(n).scaleb(-k)
        )
    )


SHARES = fractions(low=1, high=1)  # 0 < share <= 1
VAT = fractions(low=0, high=0)  # 0 <= vat < 1
CENTS = st.integers(min_value=0, max_value=10**15 - 1)
COUNTS = st.integers(min_value=0, max_value=1_000_000_000)
YEAR_COUNTS = st.dictionaries(st.integers(min_value=0, max_value=9999), COUNTS, max_size=3).map(
    lambda d: tuple(sorted(d.items()))
)


@st.composite
def odv_terms(draw: st.DrawFn) -> SettlementTerms:
    ceiling = draw(YEAR_COUNTS)
    return SettlementTerms(
        "odv_benchmark",
        price_list="benchmark",
        share=draw(SHARES),
        price_year=draw(st.sampled_from(["end", "start"])),
        ceiling=ceiling,
        # An empty ceiling ({}) may come with its share too.
        share_above_ceiling=draw(SHARES) if ceiling else draw(st.none() | SHARES),
    )


FEE = CENTS.map(lambda cents: SettlementTerms("fixed_fee", fee_cents=cents))
TERMS = st.one_of(
    odv_terms(),
    FEE,
    st.one_of(st.none(), odv_terms(), FEE).map(lambda o: SettlementTerms("parallel", otherwise=o)),
)


@st.composite
def rates(draw: st.DrawFn) -> tuple[SecondmentRate, ...]:
    """Per role, ranges that follow each other without sharing a day (the last may be open)."""
    out: list[SecondmentRate] = []
    for role in draw(
        st.lists(st.sampled_from(["chirurg", "anesthesist", "verpleegkundige"]), unique=True)
    ):
        starts = sorted(draw(st.sets(DAYS.filter(lambda d: d < date(9999, 12, 31)), max_size=3)))
        for i, start in enumerate(starts):
            last = i == len(starts) - 1
            end = draw(st.none()) if last else starts[i + 1] - timedelta(days=1)
            out.append(SecondmentRate(role, draw(CENTS), draw(VAT), start, end))
    return tuple(draw(st.permutations(out)))


@st.composite
def costs(draw: st.DrawFn) -> tuple[SharedCost, ...]:
    ids = draw(st.lists(IDS, unique=True, max_size=3))
    out = []
    for cost_id in ids:
        weights = draw(
            st.dictionaries(
                st.sampled_from(PARTIES), st.integers(min_value=0, max_value=1_000_000), min_size=1
            ).filter(lambda w: sum(w.values()) > 0)
        )
        out.append(
            SharedCost(
                cost_id=cost_id,
                description=draw(IDS),
                year=draw(st.integers(min_value=1, max_value=9999)),
                amount_cents=draw(CENTS),
                paid_by=draw(st.sampled_from(PARTIES)),
                key=tuple(weights.items()),
            )
        )
    return tuple(out)


@st.composite
def v2_agreements(draw: st.DrawFn) -> Agreement:
    names = draw(st.lists(st.sampled_from(["liesbreuk", "heup", "knie"]), unique=True))
    care_types = tuple(
        CareType(
            care_type=name,
            zorgproduct_codes=("131999061",),
            zorgproductgroepen=(),
            performing_agb=None,
            settlement=draw(TERMS),
            planned_volume=draw(YEAR_COUNTS),
            planned_weekly=draw(st.none() | COUNTS),
        )
        for name in names
    )
    return Agreement(
        agreement_id="v2",
        name="V2",
        category="uitwisseling",
        stage="implementeren",
        parties=PARTIES,
        valid_from=date(2024, 1, 1),
        valid_to=None,
        parent_id=None,
        care_types=care_types,
        secondment_rates=draw(rates()),
        payment_term_days=draw(st.integers(min_value=0, max_value=3650)),
        costs=draw(costs()),
    )


@settings(max_examples=200, deadline=None)
@given(agreement=v2_agreements())
def test_every_v2_agreement_round_trips_through_its_json(agreement: Agreement) -> None:
    event("ceiling" if any(c.settlement.ceiling for c in agreement.care_types) else "no ceiling")
    event(f"{len(agreement.secondment_rates)} rates, {len(agreement.costs)} costs")
    text = json.dumps([agreement_to_json(agreement)])
    parsed, errors, _ = parse_agreements(
        text, hospitals=set(PARTIES), insurers=set(), price_lists={"benchmark"}
    )
    assert errors == []
    assert parsed == [agreement]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(agreement=v2_agreements())
def test_every_v2_agreement_is_stored_and_read_back_equal(
    connection: Connection, agreement: Agreement
) -> None:
    with rolled_back(connection):
        connection.execute(
            insert(tables.table_of(tables.Hospital)),
            [{"agb": agb, "name": agb, "kind": "umc"} for agb in PARTIES],
        )
        insert_agreements(connection, [agreement])
        assert stored_agreements(connection) == [agreement]
