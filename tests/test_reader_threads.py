"""A CSV file is parsed by Arrow on every core, in blocks; a row of the wrong cell count is
still reported on its own line, however far into the file and whichever block it falls in."""

from __future__ import annotations

from pathlib import Path

import pytest

from spreiding.contract import files
from spreiding.domain.errors import DatasetError


def test_rows_of_the_wrong_cell_count_are_named_by_line_in_any_block(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Blocks of 1 KiB: 20,000 rows make about a hundred blocks for the threads to share.
    monkeypatch.setattr(files, "_CHUNK", 1 << 10)
    rows = [f"{3311 + i % 50},Verzekeraar {i}" for i in range(20_000)]
    rows[12_345] = "3343"  # line 12,347: the header is line 1
    rows[17_000] = "3343,V,extra"  # line 17,002
    (tmp_path / "insurers.csv").write_text("uzovi,name\n" + "\n".join(rows) + "\n")
    errors: list[DatasetError] = []
    frame = files.read_csv(tmp_path, files.SPECS["insurers"], errors)
    assert errors == [
        DatasetError("insurers.csv", 12_347, "(row)", "has 1 cells, the header has 2"),
        DatasetError("insurers.csv", 17_002, "(row)", "has 3 cells, the header has 2"),
    ]
    assert frame is not None and len(frame) == 19_998
    # The rows read keep their own line numbers around the skipped ones.
    lines = frame.set_index(files.LINE)["name"]
    assert lines[12_346] == "Verzekeraar 12344" and lines[12_348] == "Verzekeraar 12346"
    assert lines[20_001] == "Verzekeraar 19999"


def test_a_large_file_without_errors_reads_every_row_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(files, "_CHUNK", 1 << 10)
    rows = [f"{3311 + i % 50},Verzekeraar {i}" for i in range(20_000)]
    (tmp_path / "insurers.csv").write_text("uzovi,name\n" + "\n".join(rows) + "\n")
    errors: list[DatasetError] = []
    frame = files.read_csv(tmp_path, files.SPECS["insurers"], errors)
    assert errors == [] and frame is not None
    assert frame["name"].tolist() == [f"Verzekeraar {i}" for i in range(20_000)]
    assert frame[files.LINE].tolist() == list(range(2, 20_002))
