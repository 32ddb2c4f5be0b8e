"""The import with its declarations read, checked and stored block by block
(``datasets.import_folder``, ``services.import_blocks``), on SQLite and PostgreSQL: it stores
what the whole import stores (``read_folder`` then ``import_dataset``) and reports the same;
a bad row, a duplicate id, a conflict or a refused row in a late block, after earlier blocks
were written, gives the whole import's error, same text and line, and nothing is stored; a
hash collision of two different ids is no duplicate."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Connection, func, select

from spreiding.domain.errors import DatasetConflict, DatasetInvalid
from spreiding.services import datasets, declaration_checks
from spreiding.store import datasets as store
from tests import files as f
from tests.conftest import SAMPLES
from tests.test_bulk_store import dump
from tests.test_declaration_checks import CROSSING, many

Files = dict[str, Any]
BLOCKS = 300  # bytes: a few declaration lines a block
DATASET_SAMPLES = sorted(p.name for p in SAMPLES.iterdir() if (p / "agreements.json").is_file())


def stored_rows(connection: Connection) -> dict[str, int]:
    counts = {}
    for _schema, table in store.FRAME_TABLES:
        counts[table.name] = connection.execute(
            select(func.count()).select_from(table)
        ).scalar_one()
    return counts


def whole_errors(folder: Path) -> list[str]:
    with pytest.raises(DatasetInvalid) as raised:
        datasets.read_folder(folder)
    return [str(e) for e in raised.value.errors]


def block_errors(connection: Connection, folder: Path, block_bytes: int = BLOCKS) -> list[str]:
    with pytest.raises(DatasetInvalid) as raised:
        datasets.import_folder(connection, folder, block_bytes=block_bytes)
    return [str(e) for e in raised.value.errors]


def valid_files(count: int) -> Files:
    files = f.base_files()
    many(files, count)
    return files


@pytest.mark.parametrize("sample", DATASET_SAMPLES)
def test_each_sample_is_stored_and_reported_as_by_the_whole_import(
    connection: Connection, sample: str
) -> None:
    folder = SAMPLES / sample
    dataset = datasets.read_folder(folder)
    savepoint = connection.begin_nested()
    whole = datasets.import_dataset(connection, dataset, folder=folder)
    expected = dump(connection)
    savepoint.rollback()
    imported = datasets.import_folder(connection, folder, block_bytes=BLOCKS)
    assert imported.report == whole
    assert imported.summary == dataset.summary()
    assert dump(connection) == expected
    again = datasets.import_folder(connection, folder, block_bytes=BLOCKS).report
    assert sum(again.added.values()) == 0
    assert again.unchanged == whole.added


def test_the_declarations_typed_block_by_block_are_the_readers(tmp_path: Path) -> None:
    files = valid_files(40)
    files["declarations.csv"][7]["amount_eur"] = "-0.05"
    files["declarations.csv"][30]["declared_on"] = "0001-01-01"
    folder = f.write(tmp_path, files)
    expected = datasets.read_folder(folder).declarations
    assert expected is not None
    header = declaration_checks.streamable(folder / "declarations.csv")
    assert header is not None
    checked = declaration_checks.Checked(folder / "declarations.csv", header, None, None, None)
    frames = [
        declaration_checks.typed(checked.frame(line, data))
        for line, data in declaration_checks.blocks(folder / "declarations.csv", block_bytes=200)
    ]
    assert len(frames) > 5
    assert checked.finish() == []
    together = pd.concat(frames, ignore_index=True).sort_values("declaration_id")
    pd.testing.assert_frame_equal(together.reset_index(drop=True), expected)


def test_a_bad_row_in_the_last_block_gives_the_readers_message_and_stores_nothing(
    connection: Connection, tmp_path: Path
) -> None:
    files = valid_files(60)
    files["declarations.csv"][-1]["declared_on"] = "2024-02-30"
    folder = f.write(tmp_path, files)
    before = stored_rows(connection)
    errors = block_errors(connection, folder)
    assert errors == whole_errors(folder)
    assert errors == ["declarations.csv:62: declared_on: '2024-02-30' is not a date YYYY-MM-DD"]
    assert stored_rows(connection) == before


def test_a_short_row_in_a_late_block_is_named_by_its_own_line(
    connection: Connection, tmp_path: Path
) -> None:
    folder = f.write(tmp_path, valid_files(60))
    path = folder / "declarations.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(55, "V99999,06010001\n")
    path.write_text("".join(lines), encoding="utf-8")
    errors = block_errors(connection, folder)
    assert errors == whole_errors(folder)
    assert errors == ["declarations.csv:56: (row): has 2 cells, the header has 11"]
    assert sum(stored_rows(connection).values()) == 0


def test_a_duplicate_id_in_a_late_block_is_the_readers_error_not_the_databases(
    connection: Connection, tmp_path: Path
) -> None:
    """The first block is written when the duplicate arrives: the primary key refuses it in
    the database, and the error raised is still the reader's, naming both lines."""
    files = valid_files(60)
    files["declarations.csv"][58]["declaration_id"] = "V00001"
    folder = f.write(tmp_path, files)
    errors = block_errors(connection, folder)
    assert errors == whole_errors(folder)
    assert errors == [
        "declarations.csv:60: declaration_id: duplicate (declaration_id) = (V00001); first on line 4"
    ]
    assert sum(stored_rows(connection).values()) == 0


@pytest.mark.parametrize("change", CROSSING)
def test_errors_across_blocks_are_the_readers(
    connection: Connection, change: Callable[[Files], None], tmp_path: Path
) -> None:
    files = f.base_files()
    change(files)
    folder = f.write(tmp_path, files)
    for block_bytes in (1, BLOCKS):
        assert block_errors(connection, folder, block_bytes) == whole_errors(folder)
    assert sum(stored_rows(connection).values()) == 0


def test_errors_in_other_files_and_in_declarations_are_all_given(
    connection: Connection, tmp_path: Path
) -> None:
    files = valid_files(20)
    files["declarations.csv"][15]["uzovi"] = "9999"
    files["hospitals.csv"][0]["kind"] = "kliniek"
    folder = f.write(tmp_path, files)
    assert block_errors(connection, folder) == whole_errors(folder)
    assert sum(stored_rows(connection).values()) == 0


def test_a_hash_collision_of_different_ids_is_no_duplicate(
    connection: Connection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every id given the same 64-bit hash: all are candidates, compared exactly, and none
    is a duplicate; a real duplicate among them is still found, with the reader's message."""

    def colliding(ids: pd.Series) -> np.ndarray:
        return np.zeros(len(ids), dtype="uint64")

    monkeypatch.setattr(declaration_checks, "id_hashes", colliding)
    folder = f.write(tmp_path / "valid", valid_files(30))
    savepoint = connection.begin_nested()
    report = datasets.import_folder(connection, folder, block_bytes=BLOCKS).report
    assert report.added["declarations"] == 31  # the base files' one and thirty
    savepoint.rollback()
    files = valid_files(30)
    files["declarations.csv"][25]["declaration_id"] = "V00004"
    bad = f.write(tmp_path / "bad", files)
    errors = block_errors(connection, bad)
    assert errors == whole_errors(bad)
    assert errors == [
        "declarations.csv:27: declaration_id: duplicate (declaration_id) = (V00004); first on line 7"
    ]


def test_a_conflict_in_a_late_block_is_named_by_file_line_and_column(
    connection: Connection, tmp_path: Path
) -> None:
    first = f.write(tmp_path / "first", valid_files(60))
    datasets.import_folder(connection, first, block_bytes=BLOCKS)
    before = dump(connection)
    files = valid_files(70)  # ten new declarations, stored nowhere
    files["declarations.csv"][55]["amount_eur"] = "2200.50"
    files["declarations.csv"][57]["patient_ref"] = "P-0002"
    second = f.write(tmp_path / "second", files)
    with pytest.raises(DatasetConflict) as raised:
        datasets.import_folder(connection, second, block_bytes=BLOCKS)
    assert raised.value.conflicts == [
        "declarations.csv:57: amount_eur: stored 2100.00, dataset 2200.50",
        "declarations.csv:59: patient_ref: stored P-0001, dataset P-0002",
    ]
    savepoint = connection.begin_nested()
    with pytest.raises(DatasetConflict) as whole:
        datasets.import_dataset(connection, datasets.read_folder(second), folder=second)
    savepoint.rollback()
    assert whole.value.conflicts == raised.value.conflicts
    assert dump(connection) == before


def test_new_declarations_beside_stored_ones_are_added_and_the_rest_unchanged(
    connection: Connection, tmp_path: Path
) -> None:
    datasets.import_folder(connection, f.write(tmp_path / "a", valid_files(30)), block_bytes=BLOCKS)
    folder = f.write(tmp_path / "b", valid_files(45))
    report = datasets.import_folder(connection, folder, block_bytes=BLOCKS).report
    assert (report.added["declarations"], report.unchanged["declarations"]) == (15, 31)
    assert stored_rows(connection)["declaration"] == 46


def test_a_semicolon_file_is_imported_whole_with_the_same_rows(
    connection: Connection, tmp_path: Path
) -> None:
    folder = f.write(tmp_path, valid_files(5))
    path = folder / "declarations.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",", ";"), encoding="utf-8")
    assert declaration_checks.streamable(path) is None
    report = datasets.import_folder(connection, folder, block_bytes=BLOCKS).report
    assert report.added["declarations"] == 6
