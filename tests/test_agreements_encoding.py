"""agreements.json is UTF-8 (issue 15, "In"): JSON is UTF-8 by RFC 8259, so unlike a CSV file a
Windows-1252 agreements.json is not read but refused with the line and column of its first byte
that is not UTF-8 and the hint to save it as UTF-8; a byte order mark and CRLF line ends are
read as before."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from spreiding.cli import app
from spreiding.contract.reader import read_dataset
from spreiding.domain.errors import DatasetInvalid

runner = CliRunner()
SAMPLE = Path(__file__).resolve().parent / "data" / "v1" / "samen-plus"  # the v1 dataset
# Line 18 of the sample's agreements.json: '    "name": "Samen+ uitwerkingsovereenkomst 2024-2025",'
NAME = "Samen+ uitwerkingsovereenkomst 2024-2025"


def _folder(tmp_path: Path, name: str, encoding: str) -> Path:
    """The sample with the second agreement's name replaced, agreements.json saved in
    ``encoding``."""
    folder = tmp_path / "samen-plus"
    shutil.copytree(SAMPLE, folder)
    path = folder / "agreements.json"
    text = path.read_text(encoding="utf-8")
    assert text.count(NAME) == 1
    path.write_bytes(text.replace(NAME, name).encode(encoding))
    return folder


def test_a_windows_1252_agreements_json_is_refused_at_its_first_bad_byte(tmp_path: Path) -> None:
    # 'é' in Windows-1252 is the byte 0xe9: in UTF-8 it starts a sequence of three bytes, and the
    # space after it is no continuation byte...
    folder = _folder(tmp_path, "Samen+ café 2024-2025", "cp1252")
    with pytest.raises(DatasetInvalid) as caught:
        read_dataset(folder)
    # ... at line 18, column 24: four spaces, '"name": "' (9) and 'Samen+ caf' (10) before it.
    assert [str(e) for e in caught.value.errors] == [
        "agreements.json:18: (file): not UTF-8 (invalid continuation byte: byte 0xe9 on this "
        "line, column 24); JSON is always UTF-8: save it as UTF-8"
    ]


def test_the_column_counts_characters_not_bytes(tmp_path: Path) -> None:
    # 'ô' is two bytes of UTF-8 but one character; the byte 0x81 after 'Hôpital' starts no
    # UTF-8 sequence: column 4 + 9 + 7 + 1.
    folder = _folder(tmp_path, "Hôpital", "utf-8")
    path = folder / "agreements.json"
    path.write_bytes(path.read_bytes().replace(b"H\xc3\xb4pital", b"H\xc3\xb4pital\x81"))
    with pytest.raises(DatasetInvalid) as caught:
        read_dataset(folder)
    assert [str(e) for e in caught.value.errors] == [
        "agreements.json:18: (file): not UTF-8 (invalid start byte: byte 0x81 on this line, "
        "column 21); JSON is always UTF-8: save it as UTF-8"
    ]


def test_a_byte_order_mark_and_crlf_read_as_before(tmp_path: Path) -> None:
    folder = _folder(tmp_path, "Samen+ café 2024-2025", "utf-8")
    path = folder / "agreements.json"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    dataset = read_dataset(folder)
    assert "Samen+ café 2024-2025" in {a.name for a in dataset.agreements}
    plain = _folder(tmp_path / "lf", "Samen+ café 2024-2025", "utf-8")
    assert dataset.agreements == read_dataset(plain).agreements


def test_validate_prints_the_line_and_the_hint(tmp_path: Path) -> None:
    folder = _folder(tmp_path, "Samen+ café 2024-2025", "cp1252")
    result = runner.invoke(app, ["--lang", "en", "validate", str(folder)])
    assert result.exit_code == 2
    assert (
        "agreements.json:18: (file): not UTF-8 (invalid continuation byte: byte 0xe9 on this "
        "line, column 24); JSON is always UTF-8: save it as UTF-8"
    ) in result.stderr
