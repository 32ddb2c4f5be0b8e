"""Files as Excel writes them (issue 15, "In"): Windows-1252 CSV with ``;`` and decimal commas,
Excel's booleans, and the hints and counts that replace cascades of one error."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pandas as pd
import pytest

from spreiding.contract.reader import read_dataset
from spreiding.domain.errors import DatasetInvalid

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "samen-plus"
MONEY = {"price_eur", "amount_eur", "hours"}
# Characters Windows-1252 has and ASCII lacks: an en dash, é, ë.
NAMES = {
    "Alrijne Ziekenhuis": "Alrijne Ziekenhuis – Leiderdorp",
    "Groene Hart Ziekenhuis": "Groene Hart Ziekenhuis, Gouda (Hôpital café Ëlst)",
}


def _utf8_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "utf8"
    shutil.copytree(SAMPLE, folder)
    path = folder / "hospitals.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        row["name"] = NAMES.get(row["name"], row["name"])
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return folder


def _as_excel(source: Path, target: Path, booleans: dict[str, str] | None = None) -> Path:
    """``source``'s CSV files as Dutch Excel's plain "CSV" save writes them: ``;``, decimal
    commas, CRLF, Windows-1252 (Python's csv module in Excel's dialect)."""
    shutil.copytree(source, target)
    for path in target.glob("*.csv"):
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
            columns = list(rows[0]) if rows else []
        with path.open("w", encoding="cp1252", newline="") as handle:
            writer = csv.writer(handle, dialect="excel", delimiter=";")
            writer.writerow(columns)
            for row in rows:
                cells = []
                for column in columns:
                    value = row[column]
                    if column in MONEY:
                        value = value.replace(".", ",")
                    if booleans and column == "odv":
                        value = booleans[value]
                    cells.append(value)
                writer.writerow(cells)
    return target


def _assert_same_rows(left: Path, right: Path) -> None:
    a, b = read_dataset(left), read_dataset(right)
    for name, frame in a.frames().items():
        other = b.frames()[name]
        if frame is None:
            assert other is None, name
        else:
            assert other is not None, name
            pd.testing.assert_frame_equal(frame, other, check_exact=True)
    assert a.agreements == b.agreements


def test_windows_1252_reads_as_the_utf8_version(tmp_path: Path) -> None:
    utf8 = _utf8_folder(tmp_path)
    excel = _as_excel(utf8, tmp_path / "excel")
    raw = (excel / "hospitals.csv").read_bytes()
    assert b"\x96" in raw and b"\xe9" in raw and b"\r\n" in raw  # '–' and 'é' in cp1252
    assert b";" in (excel / "prices.csv").read_bytes()
    assert b"11234,55" in (excel / "prices.csv").read_bytes()
    _assert_same_rows(utf8, excel)
    dataset = read_dataset(excel)
    names = sorted(dataset.hospitals["name"])
    assert names == sorted(NAMES.values())
    # ASCII-only files are valid UTF-8 as well: only hospitals.csv is said to be Windows-1252.
    assert dataset.notes == ("hospitals.csv: read as Windows-1252",)
    assert dataset.summary().endswith("; hospitals.csv: read as Windows-1252")
    assert read_dataset(utf8).notes == ()


def test_neither_utf8_nor_windows_1252_names_the_line(tmp_path: Path) -> None:
    folder = _utf8_folder(tmp_path)
    # 0x81 is undefined in Windows-1252 and no UTF-8 sequence starts with it: line 3.
    (folder / "insurers.csv").write_bytes(b"uzovi,name\r\n3311,Zilveren Kruis\r\n3343,V\x81GZ\r\n")
    with pytest.raises(DatasetInvalid) as caught:
        read_dataset(folder)
    assert [str(e) for e in caught.value.errors] == [
        "insurers.csv:3: (file): neither UTF-8 (invalid start byte: byte 0x81 on this line) "
        'nor Windows-1252; save it as "CSV UTF-8"'
    ]


@pytest.mark.parametrize(
    ("true", "false"),
    [("TRUE", "FALSE"), ("WAAR", "ONWAAR"), ("1", "0"), ("Waar", "onwaar"), ("True", "False")],
)
def test_excel_booleans_read_as_true_and_false(tmp_path: Path, true: str, false: str) -> None:
    utf8 = _utf8_folder(tmp_path)
    excel = _as_excel(utf8, tmp_path / "excel", booleans={"true": true, "false": false})
    assert f";{true};".encode() in (excel / "dbcs.csv").read_bytes()
    _assert_same_rows(utf8, excel)
    assert read_dataset(excel).dbcs["odv"].sum() == read_dataset(utf8).dbcs["odv"].sum() > 0


def test_a_boolean_that_is_none_of_them_is_echoed_as_typed(tmp_path: Path) -> None:
    utf8 = _utf8_folder(tmp_path)
    excel = _as_excel(utf8, tmp_path / "excel", booleans={"true": "Ja", "false": "FALSE"})
    with pytest.raises(DatasetInvalid) as caught:
        read_dataset(excel)
    messages = {e.message for e in caught.value.errors if e.column == "odv"}
    assert messages == {"'Ja' is not true or false"}
