"""Workbooks as Excel writes them (issue 15, "In"): a dataset as one ``.xlsx`` with a sheet per
table, or a workbook per table, with cells typed as Excel types them, reads and imports to
exactly the rows of the UTF-8 CSV (and of Excel's Windows-1252 ``;`` CSV); its errors name
``FILE[SHEET]:ROW``; a conflict on re-import names the file, line and column, in euros as typed.
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook
from sqlalchemy import Connection, Engine
from typer.testing import CliRunner

from spreiding.cli import app
from spreiding.contract.reader import read_dataset
from spreiding.contract.workbooks import cell_text
from spreiding.domain.dataset import SCHEMAS
from spreiding.domain.errors import DatasetConflict, DatasetInvalid
from spreiding.services.datasets import import_dataset
from spreiding.store.datasets import load_dataset

runner = CliRunner()
SAMPLES = Path(__file__).resolve().parent.parent / "samples"
# Two samples with different tables (transfers in one, hours in the other): nothing here
# depends on one sample's content.
SAMPLE_NAMES = ("erasmus-stamcel", "oncomid")
MONEY = {"price_eur", "amount_eur", "hours"}
KINDS = {s.file_column(c): k for s in SCHEMAS for c, k in s.columns.items()}
Cell = object


def typed(column: str, value: str) -> Cell:
    """A cell as Excel types what is typed or pasted into a General column, except the codes,
    which a careful user formats as text (leading zeros)."""
    kind = KINDS.get(column)
    if value == "":
        return None
    if kind in ("cents", "hundredths"):
        number = Decimal(value)
        return int(number) if number == number.to_integral_value() else float(number)
    if kind == "date":
        return dt.datetime.fromisoformat(value)
    if kind == "bool":
        return value == "true"
    if kind == "int":
        return int(value)
    return value


def _rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def _sheet(
    book: Workbook, title: str, table: str, rows: list[list[str]], change: Change | None
) -> None:
    sheet = book.create_sheet(title)
    sheet.append(rows[0])
    for line, row in enumerate(rows[1:], start=2):
        cells = [typed(c, v) for c, v in zip(rows[0], row, strict=True)]
        if change is not None and change[:2] == (table, line):
            cells[rows[0].index(change[2])] = change[3]
        sheet.append(cells)


def as_workbook(
    source: Path, target: Path, *, per_table: bool = False, change: Change | None = None
) -> Path:
    """``source``'s CSV files as one workbook ``data.xlsx`` with a sheet per table (or, with
    ``per_table``, as ``dbcs.xlsx`` etc. with the sheet ``Blad1``), written by openpyxl; with
    ``change``, one cell written otherwise."""
    target.mkdir()
    shutil.copy(source / "agreements.json", target)
    book = Workbook()
    book.remove(book.active)
    for path in sorted(source.glob("*.csv")):
        if per_table:
            own = Workbook()
            own.remove(own.active)
            _sheet(own, "Blad1", path.stem, _rows(path), change)
            own.save(target / f"{path.stem}.xlsx")
        else:
            _sheet(book, path.stem, path.stem, _rows(path), change)
    if not per_table:
        book.save(target / "data.xlsx")
    return target


def as_excel_csv(source: Path, target: Path) -> Path:
    """``source``'s CSV files as Dutch Excel's plain "CSV" save writes them: ``;``, decimal
    commas, CRLF, Windows-1252 (Python's csv module in Excel's dialect)."""
    shutil.copytree(source, target)
    for path in target.glob("*.csv"):
        rows = _rows(path)
        with path.open("w", encoding="cp1252", newline="") as handle:
            writer = csv.writer(handle, dialect="excel", delimiter=";")
            writer.writerow(rows[0])
            for row in rows[1:]:
                writer.writerow(
                    [
                        v.replace(".", ",") if c in MONEY else v
                        for c, v in zip(rows[0], row, strict=True)
                    ]
                )
    return target


def assert_same_frames(left: Path, right: Path) -> None:
    a, b = read_dataset(left), read_dataset(right)
    for name, frame in a.frames().items():
        other = b.frames()[name]
        if frame is None:
            assert other is None, name
        else:
            assert other is not None, name
            pd.testing.assert_frame_equal(frame, other, check_exact=True)
    assert a.agreements == b.agreements


def errors_of(folder: Path) -> list[str]:
    with pytest.raises(DatasetInvalid) as caught:
        read_dataset(folder)
    return [str(e) for e in caught.value.errors]


@pytest.mark.parametrize("per_table", [False, True], ids=["one-workbook", "workbook-per-table"])
@pytest.mark.parametrize("sample", SAMPLE_NAMES)
def test_a_workbook_reads_as_the_utf8_csv(tmp_path: Path, sample: str, per_table: bool) -> None:
    folder = as_workbook(SAMPLES / sample, tmp_path / "xlsx", per_table=per_table)
    assert not list(folder.glob("*.csv"))
    assert_same_frames(SAMPLES / sample, folder)
    assert read_dataset(folder).notes == ()


@pytest.mark.parametrize("sample", SAMPLE_NAMES)
def test_utf8_windows_1252_and_workbook_store_the_same_rows(
    connection: Connection, tmp_path: Path, sample: str
) -> None:
    """The workbook is imported first; the UTF-8 CSV and Excel's ``;`` Windows-1252 CSV then
    add nothing and find every row stored alike (a value stored otherwise is a conflict)."""
    utf8 = SAMPLES / sample
    book = as_workbook(utf8, tmp_path / "xlsx")
    excel = as_excel_csv(utf8, tmp_path / "cp1252")
    assert b";" in (excel / "dbcs.csv").read_bytes()
    with connection.begin_nested():
        first = import_dataset(connection, read_dataset(book), folder=book)
    stored = load_dataset(connection)
    assert stored.same_content(read_dataset(utf8))
    for folder in (utf8, excel):
        with connection.begin_nested():
            again = import_dataset(connection, read_dataset(folder), folder=folder)
        assert set(again.added.values()) == {0}
        assert again.unchanged == first.added
    assert load_dataset(connection).same_content(stored)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        ("06010101", "06010101"),
        (6010101, "6010101"),
        (1875.35, "1875.35"),
        (1875.0, "1875"),
        (1875.355, "1875.355"),
        (0.1 + 0.2, "0.30000000000000004"),
        (1e16, "10000000000000000"),
        (1.5e-05, "0.000015"),
        (True, "true"),
        (False, "false"),
        (dt.datetime(2024, 6, 2), "2024-06-02"),
        (dt.datetime(2024, 6, 2, 10, 30), "2024-06-02 10:30:00"),
        (dt.date(2024, 6, 2), "2024-06-02"),
    ],
)
def test_a_typed_cell_becomes_the_text_the_csv_reader_checks(value: Cell, text: str) -> None:
    assert cell_text(value) == text


Change = tuple[str, int, str, Cell]  # table, Excel's row, column, the cell written instead


def test_errors_name_the_workbook_the_sheet_and_excel_s_row(tmp_path: Path) -> None:
    sample = SAMPLES / "erasmus-stamcel"
    dbcs = _rows(sample / "dbcs.csv")
    row = dbcs[6]  # Excel's row 7
    start = dt.datetime.fromisoformat(row[4]) + dt.timedelta(hours=10, minutes=30)
    change = ("dbcs", 7, "start_date", start)
    folder = as_workbook(sample, tmp_path / "a", change=change)
    assert errors_of(folder) == [
        f"data.xlsx[dbcs]:7: start_date: '{row[4]} 10:30:00' is not a date YYYY-MM-DD"
    ]
    folder = as_workbook(sample, tmp_path / "b", per_table=True, change=change)
    assert errors_of(folder) == [
        f"dbcs.xlsx[Blad1]:7: start_date: '{row[4]} 10:30:00' is not a date YYYY-MM-DD"
    ]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (1875.355, "'1875.355' is not an amount in euros with '.' and at most two decimals"),
        # A sum computed in the sheet: binary noise is refused, not rounded away.
        (
            0.1 + 0.7,
            "'0.7999999999999999' is not an amount in euros with '.' and at most two decimals",
        ),
        ("1875,35", None),  # a text cell with a decimal comma, as a ';' file may have
        ("1875.35", None),
        (1875.35, None),
        (-5, "-5 is negative; only a positive amount is allowed here"),
    ],
)
def test_a_money_cell_is_never_rounded(tmp_path: Path, value: Cell, message: str | None) -> None:
    sample = SAMPLES / "erasmus-stamcel"
    folder = as_workbook(sample, tmp_path / "xlsx", change=("prices", 2, "price_eur", value))
    if message is None:
        assert read_dataset(folder).prices["price_cents"].tolist() == [187535]
    else:
        assert errors_of(folder) == [f"data.xlsx[prices]:2: price_eur: {message}"]


def test_a_code_typed_as_a_number_lost_its_leading_zero(tmp_path: Path) -> None:
    sample = SAMPLES / "erasmus-stamcel"
    change = ("hospitals", 2, "agb", 6030300)
    errors = errors_of(as_workbook(sample, tmp_path / "xlsx", change=change))
    assert errors[0] == (
        "data.xlsx[hospitals]:2: agb: AGB code '6030300' has 7 digits, must have 8 "
        "(leading zero lost? format the column as text)"
    )


def test_rows_a_sheet_keeps_empty_after_its_data_are_no_error_but_between_are(
    tmp_path: Path,
) -> None:
    folder = as_workbook(SAMPLES / "erasmus-stamcel", tmp_path / "xlsx")
    from openpyxl import load_workbook

    book = load_workbook(folder / "data.xlsx")
    sheet = book["insurers"]
    last = sheet.max_row
    sheet.cell(row=last + 5, column=1).number_format = "@"  # formatted, empty
    sheet.cell(row=last + 6, column=1).value = "  "
    book.save(folder / "data.xlsx")
    assert read_dataset(folder).insurers.shape[0] == last - 1
    sheet.insert_rows(3)
    book.save(folder / "data.xlsx")
    assert errors_of(folder) == ["data.xlsx[insurers]:3: (row): empty line"]


def test_a_table_in_two_places_is_refused(tmp_path: Path) -> None:
    sample = SAMPLES / "erasmus-stamcel"
    folder = as_workbook(sample, tmp_path / "xlsx", per_table=True)
    shutil.copy(sample / "dbcs.csv", folder)
    assert errors_of(folder) == [
        "dbcs.csv:0: (file): dbcs is in both dbcs.csv and dbcs.xlsx[Blad1]; keep one of them"
    ]
    (folder / "dbcs.xlsx").unlink()
    book = Workbook()
    book.active.title = "DBCs "
    book.save(folder / "other.xlsx")
    assert errors_of(folder) == [
        "dbcs.csv:0: (file): dbcs is in both dbcs.csv and other.xlsx[DBCs ]; keep one of them"
    ]


def test_a_workbook_without_a_table_s_sheet_or_not_a_workbook(tmp_path: Path) -> None:
    sample = SAMPLES / "erasmus-stamcel"
    folder = as_workbook(sample, tmp_path / "xlsx")
    shutil.copy(sample / "hospitals.csv", folder)  # read beside the workbook's other tables
    from openpyxl import load_workbook

    book = load_workbook(folder / "data.xlsx")
    del book["hospitals"]
    book["dbcs"].title = "DBC's"
    book.save(folder / "data.xlsx")
    assert errors_of(folder) == [
        "dbcs.csv:0: (file): required file is missing, and no sheet of data.xlsx is named dbcs"
    ]
    (folder / "data.xlsx").write_bytes(b"dbc_id;agb\r\n")
    assert errors_of(folder) == [
        "data.xlsx:0: (file): cannot be read as an Excel workbook (.xlsx): File is not a zip file"
    ]


# --- conflicts on re-import -----------------------------------------------------------------


@pytest.fixture
def database(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Engine:
    """As in tests/test_cli.py: the CLI opens its own engine from the URL and commits."""
    monkeypatch.setenv("SPREIDING_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    return engine


def _edit_csv(folder: Path, name: str, line: int, column: str, value: str) -> None:
    rows = _rows(folder / name)
    rows[line - 1][rows[0].index(column)] = value
    with (folder / name).open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def test_a_conflict_names_file_line_and_column_in_euros_as_typed(
    database: Engine, tmp_path: Path
) -> None:
    sample = SAMPLES / "erasmus-stamcel"
    result = runner.invoke(app, ["import", str(sample)])
    assert result.exit_code == 0, result.stderr
    changed = tmp_path / "changed"
    shutil.copytree(sample, changed)
    _edit_csv(changed, "prices.csv", 2, "price_eur", "1900.00")
    end_date = _rows(sample / "dbcs.csv")[3][5]
    _edit_csv(changed, "dbcs.csv", 4, "end_date", "2024-12-31")
    _edit_csv(changed, "dbcs.csv", 4, "zorgtype", "")
    expected = [
        "prices.csv:2: price_eur: stored 1875.35, dataset 1900.00",
        f"dbcs.csv:4: end_date: stored {end_date}, dataset 2024-12-31",
        "dbcs.csv:4: zorgtype: stored 11, dataset (empty)",
    ]
    result = runner.invoke(app, ["import", str(changed)])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        *expected,
        f"{changed}: conflicts with stored data, nothing stored: 3 conflict(s)",
    ]
    # Excel's ';' file: the amounts with a decimal comma, as the file writes them.
    excel = as_excel_csv(changed, tmp_path / "cp1252")
    result = runner.invoke(app, ["import", str(excel)])
    assert (
        result.stderr.splitlines()[0] == "prices.csv:2: price_eur: stored 1875,35, dataset 1900,00"
    )
    # A workbook: its sheet and row, the number cell as it reads (1900.00 typed is 1900).
    book = as_workbook(changed, tmp_path / "xlsx")
    result = runner.invoke(app, ["import", str(book)])
    assert result.stderr.splitlines()[:3] == [
        "data.xlsx[prices]:2: price_eur: stored 1875.35, dataset 1900",
        f"data.xlsx[dbcs]:4: end_date: stored {end_date}, dataset 2024-12-31",
        "data.xlsx[dbcs]:4: zorgtype: stored 11, dataset (empty)",
    ]


def test_a_conflict_in_hours_shows_them_as_typed(connection: Connection, tmp_path: Path) -> None:
    sample = SAMPLES / "oncomid"
    with connection.begin_nested():
        import_dataset(connection, read_dataset(sample), folder=sample)
    changed = tmp_path / "changed"
    shutil.copytree(sample, changed)
    _edit_csv(changed, "hours.csv", 3, "hours", "4")
    excel = as_excel_csv(changed, tmp_path / "cp1252")
    for folder, expected in (
        (changed, "hours.csv:3: hours: stored 3.50, dataset 4"),
        (excel, "hours.csv:3: hours: stored 3,50, dataset 4"),
    ):
        with pytest.raises(DatasetConflict) as caught, connection.begin_nested():
            import_dataset(connection, read_dataset(folder), folder=folder)
        assert caught.value.conflicts == [expected]


def test_many_empty_rows_between_are_five_lines_and_a_count(tmp_path: Path) -> None:
    folder = as_workbook(SAMPLES / "erasmus-stamcel", tmp_path / "xlsx")
    from openpyxl import load_workbook

    book = load_workbook(folder / "data.xlsx")
    book["insurers"].insert_rows(3, amount=20)  # rows 3-22 empty, data again from row 23
    book.save(folder / "data.xlsx")
    assert errors_of(folder) == [
        *(f"data.xlsx[insurers]:{n}: (row): empty line" for n in range(3, 8)),
        "data.xlsx[insurers]:8: (row): 15 more empty lines up to row 22",
    ]


def test_rows_past_excel_s_last_row_are_not_read(tmp_path: Path) -> None:
    folder = as_workbook(SAMPLES / "erasmus-stamcel", tmp_path / "xlsx")
    from openpyxl import load_workbook

    book = load_workbook(folder / "data.xlsx")
    number = book.sheetnames.index("insurers") + 1  # openpyxl writes sheet1.xml, sheet2.xml, ...
    # openpyxl writes no row past Excel's last: the sheet's XML is edited as a hand would.
    import zipfile

    source = folder / "data.xlsx"
    edited = folder / "edited.xlsx"
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(edited, "w") as new:
        for item in old.infolist():
            data = old.read(item.filename)
            if item.filename == f"xl/worksheets/sheet{number}.xml":
                row = b'<row r="1048577"><c r="A1048577" t="inlineStr"><is><t>x</t></is></c></row>'
                data = data.replace(b"</sheetData>", row + b"</sheetData>")
            new.writestr(item, data)
    edited.replace(source)
    errors = [e for e in errors_of(folder) if "insurers" in e]
    assert errors[-1:] == [
        "data.xlsx[insurers]:1048577: (row): rows past row 1,048,576, Excel's last, are not read"
    ]


def test_a_workbook_that_unpacks_past_the_bound_is_refused_unread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from spreiding.contract import workbooks

    folder = as_workbook(SAMPLES / "erasmus-stamcel", tmp_path / "xlsx")
    monkeypatch.setattr(workbooks, "MAX_UNPACKED_BYTES", 1000)
    (error,) = errors_of(folder)
    assert error.startswith("data.xlsx:0: (file): unpacks to ")
    assert error.endswith(" bytes; at most 1,000 are read (save the tables as CSV files instead)")
