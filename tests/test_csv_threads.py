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


_ROWS = b"".join(b"%04d,n,k\n" % i for i in range(6))


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b'"x\ry",bb,cc\n', id="a line end inside quotes"),
        pytest.param(_ROWS + b'0099,"x\ry,z",c\n' + _ROWS, id="a quoted line end mid-file"),
        pytest.param(
            b"1111,a,b\r2222,a,b\n" + _ROWS + b'0099,"open,c\n' + _ROWS,
            id="a lone CR beside an unclosed quote",
        ),
        pytest.param(
            b"1111,a,b\r2222,a,b\n" + _ROWS + b'0099,"x\ny,z",c\n' + _ROWS,
            id="a lone CR beside a quoted LF",
        ),
        pytest.param(
            b'"un,v572,v854\rv30,v851,v761,"x\ry"\r\nv335,v462,v491,v372v947,c"d,v137\n',
            id="threads refuse what one thread reads",
        ),
        pytest.param(b"1111,a,b\r\n2222,a,b\r\n" * 20, id="CRLF"),
        pytest.param(b"1111,a,b\r2222,a,b\r" * 20, id="CR alone"),
        pytest.param(b"1111,a,b\n\n\n2222,a,b\n\n", id="empty lines"),
    ],
)
@pytest.mark.parametrize("block", [17, 18, 24, 48])
def test_a_threaded_read_gives_what_one_thread_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: bytes, block: int
) -> None:
    """Arrow's threads cut blocks without regard to quotes: a cut inside a quoted value split
    it or dropped rows, the row count still matching where a lone ``\\r`` made up for a lost
    line; and a file the threads refused one thread reads. Found by a reviewer's fuzzing; the
    line ends are now counted as Arrow counts them, and any refusal read again."""
    (tmp_path / SPEC.name).write_bytes(b"\xef\xbb\xbfagb,name,kind\n" + body)
    monkeypatch.setattr(files, "_CHUNK", block)

    def read() -> tuple[list[DatasetError], dict[str, list[object]] | None]:
        errors: list[DatasetError] = []
        frame = files.read_csv(tmp_path, SPEC, errors, [])
        return errors, None if frame is None else frame.to_dict("list")

    got = read()
    one_thread = files.pacsv.read_csv

    def single(*args: object, read_options: files.pacsv.ReadOptions, **kwargs: object) -> object:
        read_options.use_threads = False
        return one_thread(*args, read_options=read_options, **kwargs)

    monkeypatch.setattr(files.pacsv, "read_csv", single)
    assert got == read()
