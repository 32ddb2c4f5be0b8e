"""The whole message of an error, not only where it is: what a finance user reads to fix a file
(docs/data-format.md §1, "Errors"). Each case here was a mutant that mutmut found alive: a
required column dropped from its check, a message emptied or pointing at another file, and an
amount without decimals read a cent too high."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from spreiding.contract.cells import MAX_CHARS
from spreiding.contract.files import MAX_HEADER_CHARS
from spreiding.contract.reader import read_dataset
from spreiding.domain.errors import DatasetInvalid
from tests import files as f

FORMULA = (
    "an id may not start with =, +, -, @, a tab or a carriage return (a spreadsheet would run "
    "it as a formula)"
)

# (file, row index, values set on that row of tests/files.base_files(), the messages)
CASES: list[tuple[str, int, dict[str, str], list[str]]] = [
    ("transfers.csv", 0, {"from_agb": ""}, ["transfers.csv:2: from_agb: a value is required"]),
    ("dbcs.csv", 1, {"zorgproduct_code": ""}, ["dbcs.csv:3: zorgproduct_code: a value is required"]),
    ("prices.csv", 0, {"zorgproduct_code": ""}, ["prices.csv:2: zorgproduct_code: a value is required"]),
    ("declarations.csv", 0, {"declared_on": ""}, ["declarations.csv:2: declared_on: a value is required"]),
    ("declarations.csv", 0, {"dbc_id": "=H1"}, [
        f"declarations.csv:2: dbc_id: '=H1' starts with '='; {FORMULA}",
        "declarations.csv:2: dbc_id: no DBC =H1 of hospital 06010001 in dbcs.csv",
    ]),
    ("transfers.csv", 0, {"care_type": "knie"},
     ["transfers.csv:2: care_type: 'knie' is not a care type of agreement samen-2024"]),
    ("transfers.csv", 0, {"from_agb": "06019999"},
     ["transfers.csv:2: from_agb: 06019999 is not in hospitals.csv"]),
    ("prices.csv", 0, {"year": "20x4"}, ["prices.csv:2: year: '20x4' is not a year YYYY"]),
    ("dbcs.csv", 1, {"odv": "yes"}, ["dbcs.csv:3: odv: 'yes' is not true or false"]),
    ("declarations.csv", 0, {"end_date": "2023-01-01"},
     ["declarations.csv:2: end_date: 2023-01-01 is before start_date 2024-03-01"]),
]  # fmt: skip


def messages(folder: Path, files: dict[str, Any]) -> list[str]:
    f.write(folder, files)
    with pytest.raises(DatasetInvalid) as caught:
        read_dataset(folder)
    return [str(error) for error in caught.value.errors]


@pytest.mark.parametrize(("file", "index", "values", "expected"), CASES)
def test_a_broken_value_is_named_with_its_whole_message(
    tmp_path: Path, file: str, index: int, values: dict[str, str], expected: list[str]
) -> None:
    files = f.base_files()
    files[file][index].update(values)
    assert messages(tmp_path, files) == expected


def test_a_header_line_too_long_says_so_at_its_file(tmp_path: Path) -> None:
    files = f.base_files()
    files["insurers.csv"] = "uzovi,name" + "," * MAX_HEADER_CHARS + "\n"
    assert messages(tmp_path, files) == [
        f"insurers.csv:1: (header): the header line is longer than {MAX_HEADER_CHARS:,} characters"
    ]


def test_a_nul_character_and_an_overlong_value_are_named_each_once(tmp_path: Path) -> None:
    files = f.base_files()
    files["hospitals.csv"][0]["name"] = "Alrijne\x00Leiden"
    files["hospitals.csv"][1]["name"] = "G" * (MAX_CHARS + 1)
    files["insurers.csv"][0]["name"] = "Z\x00" + "k" * MAX_CHARS
    assert messages(tmp_path, files) == [
        "hospitals.csv:2: name: contains a NUL character (\\x00), which no value may hold",
        "hospitals.csv:3: name: is 1,001 characters long; a value has at most 1,000",
        "insurers.csv:2: name: is 1,002 characters long; a value has at most 1,000",
    ]


def test_whole_euros_without_decimals_are_read_to_the_cent(tmp_path: Path) -> None:
    """'2000' is EUR 2,000.00 and '-35' a credit of EUR 35.00: no cent more or less."""
    files = f.base_files()
    files["prices.csv"][0]["price_eur"] = "2000"
    files["declarations.csv"][0]["amount_eur"] = "-35"
    dataset = read_dataset(f.write(tmp_path, files))
    assert dataset.prices["price_cents"].tolist() == [200_000]
    assert dataset.declarations["amount_cents"].tolist() == [-3_500]
