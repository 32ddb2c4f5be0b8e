"""The audit in partitions (``settlement.audit.partitions``) and streamed through spilled
partitions (``spreiding.services.audit_partitions``): the findings of the whole audit, in the
same order, on the samples and on generated datasets."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from settlement.audit.partitions import audit_partitioned, partition_keys
from settlement.audit.rules import audit
from spreiding.contract.reader import read_dataset
from spreiding.domain.dataset import Dataset
from spreiding.render.audit import audit_to_json
from spreiding.services.audit_partitions import audit_streamed, csv_batches
from tests import files as f
from tests.conftest import SAMPLES
from tests.strategies import audit_datasets

FOLDERS = sorted(p for p in SAMPLES.iterdir() if (p / "declarations.csv").is_file())


def whole(dataset: Dataset) -> str:
    found = audit(
        dataset.dbcs, dataset.agreements, dataset.declarations, dataset.transfers, year=2024
    )
    return audit_to_json(2024, found)


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda p: p.name)
@pytest.mark.parametrize("per_insurer", [1, 3])
def test_a_sample_streamed_in_partitions_gives_the_findings_of_the_whole(
    folder: Path, per_insurer: int, tmp_path: Path
) -> None:
    dataset = read_dataset(folder)
    batches = csv_batches(folder / "declarations.csv", block_bytes=4096)
    found = audit_streamed(
        dataset.dbcs, dataset.agreements, dataset.transfers, batches,
        year=2024, per_insurer=per_insurer, part_lines=7, spill_dir=tmp_path,
    )  # fmt: skip
    assert audit_to_json(2024, found) == whole(dataset)
    assert list(tmp_path.iterdir()) == []  # the spilled partitions are gone


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda p: p.name)
def test_the_streamed_lines_are_the_readers(folder: Path) -> None:
    lines = pd.concat(list(csv_batches(folder / "declarations.csv", block_bytes=4096)))
    expected = read_dataset(folder).declarations
    assert expected is not None
    got = lines.sort_values("declaration_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected)


def test_partitions_keep_a_patient_of_an_insurer_together() -> None:
    uzovi = pd.Series(["3311", "3311", "7053", "3311"], dtype="str")
    patient = pd.Series(["P1", "P2", "P1", "P1"], dtype="str")
    keys = partition_keys(uzovi, patient, 4)
    assert keys[0] == keys[3] and keys[0] != keys[2]
    assert [k.split("-")[0] for k in keys] == ["3311", "3311", "7053", "3311"]
    assert partition_keys(uzovi, patient, 1).tolist() == ["3311", "3311", "7053", "3311"]


@given(
    files=audit_datasets(),
    per_insurer=st.integers(min_value=1, max_value=4),
    batch=st.integers(min_value=1, max_value=9),
    part_lines=st.integers(min_value=1, max_value=20),
)
@settings(max_examples=30, deadline=None)
def test_partitioned_and_streamed_audits_find_what_the_whole_finds(
    files: dict[str, Any], per_insurer: int, batch: int, part_lines: int
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        dataset = read_dataset(f.write(Path(folder), files))
    expected = audit(
        dataset.dbcs, dataset.agreements, dataset.declarations, dataset.transfers, year=2024
    )
    for threads in (1, 2):  # parts audited one at a time, or two at once on threads
        parted = audit_partitioned(
            dataset.dbcs, dataset.agreements, dataset.declarations, dataset.transfers,
            year=2024, per_insurer=per_insurer, threads=threads,
        )  # fmt: skip
        assert parted == expected
    lines = dataset.declarations
    batches = (
        None if lines is None else [lines.iloc[i : i + batch] for i in range(0, len(lines), batch)]
    )
    streamed = audit_streamed(
        dataset.dbcs, dataset.agreements, dataset.transfers, batches,
        year=2024, per_insurer=per_insurer, part_lines=part_lines,
    )  # fmt: skip
    assert streamed == expected


def test_streamed_amounts_are_exact_cents(tmp_path: Path) -> None:
    header = "declaration_id,agb,uzovi,patient_ref,zorgproduct_code,start_date,end_date,amount_eur,declared_on"
    amounts = ["12", "12.5", "-0.05", "1999.00", "-2100", "0.1", "-12.34", "92233720368547.75"]
    rows = [
        f"V{i},06010101,3311,P1,131999061,2024-01-0{i % 9 + 1},2024-02-01,{amount},2024-03-01"
        for i, amount in enumerate(amounts)
    ]
    path = tmp_path / "declarations.csv"
    path.write_text("\n".join([header, *rows]))  # no line end after the last line
    lines = pd.concat(list(csv_batches(path, block_bytes=100)))
    assert lines["amount_cents"].tolist() == [
        1200, 1250, -5, 199900, -210000, 10, -1234, 9223372036854775
    ]  # fmt: skip
    assert lines["dbc_id"].isna().all() and str(lines["start_date"].dtype) == "datetime64[s]"


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda p: p.name)
def test_a_large_audit_in_parts_gives_the_findings_of_the_whole(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from spreiding.services import audit as audit_service

    dataset = read_dataset(folder)
    assert dataset.declarations is not None
    monkeypatch.setattr(audit_service, "PART_LINES", 2)  # every sample is "large" now
    found = audit_service.audit_dataset(dataset, year=2024)
    assert audit_to_json(2024, found) == whole(dataset)
