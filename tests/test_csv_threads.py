"""A CSV file parsed on Arrow's threads (``contract.files.read_csv``) gives what one thread
gives: every row with its line, and the same refusal of a file Arrow cannot read."""

from __future__ import annotations

from pathlib import Path

import pytest

from spreiding.contract import files
from spreiding.domain.errors import DatasetError

SPEC = files.SPECS["hospitals"]


def _write(folder: Path, lines: list[bytes], end: bytes = b"\n") -> None:
    (folder / SPEC.name).write_bytes(b"\n".join([b"agb,name,kind", *lines]) + end)


def _read(folder: Path) -> tuple[list[DatasetError], list[int], list[str]]:
    errors: list[DatasetError] = []
    frame = files.read_csv(folder, SPEC, errors, [])
    if frame is None:
        return errors, [], []
    return errors, frame[files.LINE].tolist(), frame["agb"].tolist()


@pytest.fixture
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Blocks of 4 KiB: a file of a few thousand lines spans many, as a large file spans
    Arrow's blocks of 16 MiB."""
    monkeypatch.setattr(files, "_CHUNK", 4096)


ROWS = [b"%08d,Ziekenhuis %d,umc" % (i, i) for i in range(3_000)]


def test_every_row_keeps_its_line(tmp_path: Path, small_blocks: None) -> None:
    _write(tmp_path, ROWS)
    errors, lines, agbs = _read(tmp_path)
    assert errors == []
    assert lines == list(range(2, 3_002))
    assert agbs[-1] == "00002999"


def test_a_last_line_without_its_end(tmp_path: Path, small_blocks: None) -> None:
    _write(tmp_path, ROWS, end=b"")
    errors, lines, _ = _read(tmp_path)
    assert errors == [] and len(lines) == 3_000 and lines[-1] == 3_001


def test_a_quote_never_closed_refuses_the_file_as_one_thread_does(
    tmp_path: Path, small_blocks: None
) -> None:
    """Threaded, Arrow dropped the rest of the block after the quote, without a word (and the
    lines after it were numbered wrong); one thread refuses the file."""
    rows = list(ROWS)
    rows[5] = b'00000005,"De Vliet,umc'
    _write(tmp_path, rows)
    errors, lines, _ = _read(tmp_path)
    assert lines == []
    assert [(e.line, e.column) for e in errors] == [(0, "(file)")]
    assert "cannot be read as CSV" in errors[0].message


def test_a_row_of_a_wrong_cell_count_is_reported_on_its_line(
    tmp_path: Path, small_blocks: None
) -> None:
    rows = list(ROWS)
    rows[2_000] = b"00002000,Ziekenhuis,umc,extra"
    _write(tmp_path, rows)
    errors, lines, _ = _read(tmp_path)
    assert [(e.line, e.column) for e in errors] == [(2_002, "(row)")]
    assert 2_002 not in lines and len(lines) == 2_999
