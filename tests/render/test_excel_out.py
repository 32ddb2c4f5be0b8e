"""What finance people open in Excel: every CSV read back in Dutch Excel's dialect (`;`, a
decimal comma, a BOM, CRLF), every workbook checked for its headers, types, filters and frozen
header row. The expected values are the samen-plus sample's files, read by hand."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from babel.numbers import parse_decimal
from openpyxl import load_workbook
from typer.testing import CliRunner

from settlement.audit.rules import Finding
from spreiding.cli import app
from spreiding.render.audit import audit_to_csv, audit_to_xlsx
from spreiding.render.csvout import CsvDialect, Money, default_dialect, write_csv
from spreiding.render.numbers import decimal_comma, euros
from spreiding.render.workbook import EURO_FORMAT
from tests.conftest import V1

runner = CliRunner()
SAMEN_PLUS = V1 / "samen-plus"
AUDIT = ["audit", "--data", str(SAMEN_PLUS), "--year", "2024"]
HEADER = [
    "rule", "severity", "agb", "uzovi", "declaration_id", "dbc_id", "transfer_id", "related",
    "amount_at_stake", "message",
]  # fmt: skip


def excel_nl_rows(data: bytes) -> list[list[str]]:
    """Read a CSV as Dutch Excel does: UTF-8 after its BOM, `;` between cells, CRLF."""
    assert data.startswith(b"\xef\xbb\xbf"), "no UTF-8 byte order mark"
    text = data[3:].decode("utf-8")
    assert text.count("\r\n") == text.count("\n"), "a line not ended by CRLF"
    return list(csv.reader(io.StringIO(text, newline=""), dialect="excel", delimiter=";"))


def test_amounts_the_dutch_way() -> None:
    assert euros(123456) == "€\xa01.234,56"
    assert euros(-5) == "€\xa0-0,05"
    assert euros(0) == "€\xa00,00"
    assert decimal_comma(123456789) == "1234567,89"  # no grouping in a CSV cell
    assert decimal_comma(-1250) == "-12,50"


def test_write_csv_in_both_dialects() -> None:
    rows = [["=1+1", Money(-1250)], ["Patiënt", None]]
    assert write_csv(["a", "b"], rows, CsvDialect.standard) == "a,b\n'=1+1,-12.50\nPatiënt,\n"
    assert write_csv(["a", "b"], rows, CsvDialect.excel_nl) == (
        "\ufeffa;b\r\n'=1+1;-12,50\r\nPatiënt;\r\n"
    )


@pytest.mark.parametrize(
    ("environ", "dialect"),
    [
        ({"LANG": "nl_NL.UTF-8"}, CsvDialect.excel_nl),
        ({"LANG": "nl_BE.UTF-8"}, CsvDialect.excel_nl),
        ({"LC_ALL": "nl_NL.UTF-8", "LANG": "en_US.UTF-8"}, CsvDialect.excel_nl),
        ({"LC_ALL": "en_GB.UTF-8", "LANG": "nl_NL.UTF-8"}, CsvDialect.standard),
        ({"LC_NUMERIC": "nl_NL.UTF-8", "LANG": "en_US.UTF-8"}, CsvDialect.excel_nl),
        ({"LANG": "C.UTF-8"}, CsvDialect.standard),
        ({}, CsvDialect.standard),
    ],
)
def test_the_default_dialect_follows_the_locale(
    environ: dict[str, str], dialect: CsvDialect
) -> None:
    assert default_dialect(environ) is dialect


def test_audit_csv_excel_nl_reads_back_as_columns_with_decimal_commas() -> None:
    result = runner.invoke(app, [*AUDIT, "--format", "csv", "--csv-dialect", "excel-nl"])
    assert result.exit_code == 0, result.stderr
    rows = excel_nl_rows(result.stdout_bytes)
    assert rows[0] == HEADER
    assert len(rows) == 6 and all(len(row) == 10 for row in rows)
    amounts = {row[4] or row[5] or row[6]: row[8] for row in rows[1:]}
    assert amounts == {
        "SAME-V00103": "1999,00",  # ODV-001 and PAR-001 both flag SAME-V00103
        "SAME-D00096": "",
        "SAME-V00115": "2100,00",
        "SAME-T00121": "",
    }
    # The same amounts as the contract's JSON, parsed the Dutch way.
    as_json = json.loads(runner.invoke(app, AUDIT).stdout)
    assert [
        None if row[8] == "" else parse_decimal(row[8], locale="nl_NL") for row in rows[1:]
    ] == [None if f["amount_at_stake"] is None else Decimal(f["amount_at_stake"])
          for f in as_json["findings"]]  # fmt: skip


def test_audit_csv_to_a_file_keeps_bom_and_crlf(tmp_path: Path) -> None:
    target = tmp_path / "audit.csv"
    args = [*AUDIT, "--format", "csv", "--csv-dialect", "excel-nl", "--output", str(target)]
    assert runner.invoke(app, args).exit_code == 0
    rows = excel_nl_rows(target.read_bytes())
    assert rows[1][:3] == ["ODV-001", "error", "06010102"]


def test_a_dutch_locale_makes_excel_nl_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANG", "nl_NL.UTF-8")
    dutch = runner.invoke(app, [*AUDIT, "--format", "csv"])
    assert excel_nl_rows(dutch.stdout_bytes)[1][8] == "1999,00"
    standard = runner.invoke(app, [*AUDIT, "--format", "csv", "--csv-dialect", "standard"])
    assert standard.stdout.splitlines()[0] == ",".join(HEADER)
    assert list(csv.reader(io.StringIO(standard.stdout)))[1][8] == "1999.00"


def test_the_standard_csv_is_unchanged_under_an_english_locale() -> None:
    rows = list(csv.reader(io.StringIO(runner.invoke(app, [*AUDIT, "--format", "csv"]).stdout)))
    assert rows[0] == HEADER
    assert [row[8] for row in rows[1:]] == ["1999.00", "", "1999.00", "2100.00", ""]


def sheet_rows(sheet: object) -> list[tuple[object, ...]]:
    return list(sheet.iter_rows(values_only=True))  # type: ignore[attr-defined]


def test_audit_workbook_for_a_reviewer(tmp_path: Path) -> None:
    target = tmp_path / "audit.xlsx"
    result = runner.invoke(app, [*AUDIT, "--format", "xlsx", "--output", str(target)])
    assert result.exit_code == 0, result.stderr
    book = load_workbook(target)
    # The summary first; a sheet only for a rule that found something.
    assert book.sheetnames == [
        "Samenvatting",
        "ODV-001",
        "ODV-002",
        "PAR-001",
        "PAR-002",
        "TRF-001",
    ]
    summary = book["Samenvatting"]
    assert sheet_rows(summary) == [
        ("Regel", "Ernst", "Bevindingen", "Bedrag in geding", "Jaar"),
        ("ODV-001", "fout", 1, 1999, 2024),
        ("ODV-002", "waarschuwing", 1, None, 2024),
        ("PAR-001", "fout", 1, 1999, 2024),
        ("PAR-002", "fout", 1, 2100, 2024),
        ("PAR-003", "waarschuwing", 0, 0, 2024),
        ("TRF-001", "waarschuwing", 1, None, 2024),
        ("TRF-002", "waarschuwing", 0, None, 2024),
        ("Totaal", None, 5, 6098, 2024),
    ]
    assert summary["D2"].number_format == EURO_FORMAT
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
        assert sheet.auto_filter.ref == sheet.dimensions, sheet.title
        assert sheet.max_row >= 2, sheet.title  # no empty sheet
        assert all(sheet.column_dimensions[c].width >= 8 for c in "ABCD"), sheet.title
    headers = [cell.value for cell in book["PAR-002"][1]]
    assert headers == [
        "Regel", "Ernst", "AGB", "UZOVI", "Declaratie", "DBC", "Overdracht",
        "Patiënt (pseudoniem)", "Zorgproduct", "Begindatum", "Einddatum", "Bedrag in geding",
        "Gerelateerde regels", "Toelichting",
    ]  # fmt: skip
    # declarations.csv line 32: SAME-V00115,06010101,3358,PS-B0A960EF230B,131999061,
    # 2024-03-11,2024-05-10,2100.00,…
    row = book["PAR-002"][2]
    by = {header: cell for header, cell in zip(headers, row, strict=True)}
    assert by["Declaratie"].value == "SAME-V00115"
    assert by["Patiënt (pseudoniem)"].value == "PS-B0A960EF230B"
    assert by["Zorgproduct"].value == "131999061"
    assert by["Begindatum"].value == datetime(2024, 3, 11)
    assert by["Begindatum"].is_date and by["Einddatum"].value == datetime(2024, 5, 10)
    assert by["Begindatum"].number_format == "dd-mm-yyyy"
    amount = by["Bedrag in geding"]
    assert (amount.value, amount.data_type, amount.number_format) == (2100, "n", EURO_FORMAT)
    assert by["Ernst"].value == "fout"
    assert by["AGB"].value == "06010101" and by["AGB"].data_type == "s"  # the zero kept
    # dbcs.csv line 51: the ODV DBC SAME-D00096 of patient PS-E7BB4619106E, 2024-06-10..11.
    odv = dict(zip(headers, sheet_rows(book["ODV-002"])[1], strict=True))
    assert (odv["DBC"], odv["Patiënt (pseudoniem)"], odv["Begindatum"], odv["Einddatum"]) == (
        "SAME-D00096",
        "PS-E7BB4619106E",
        datetime(2024, 6, 10),
        datetime(2024, 6, 11),
    )
    assert odv["Bedrag in geding"] is None
    # transfers.csv line 25: SAME-T00121 of PS-7C12165B7CA0 on 2024-04-02; no product.
    trf = dict(zip(headers, sheet_rows(book["TRF-001"])[1], strict=True))
    assert (trf["Overdracht"], trf["Patiënt (pseudoniem)"], trf["Zorgproduct"]) == (
        "SAME-T00121",
        "PS-7C12165B7CA0",
        None,
    )
    assert trf["Begindatum"] == trf["Einddatum"] == datetime(2024, 4, 2)


def test_a_workbook_without_findings_is_its_summary() -> None:
    book = load_workbook(io.BytesIO(audit_to_xlsx([], year=2025)))
    assert book.sheetnames == ["Samenvatting"]
    assert sheet_rows(book["Samenvatting"])[-1] == ("Totaal", None, 0, 0, 2025)


def test_text_from_the_details_is_guarded_too() -> None:
    finding = Finding(
        rule="PAR-002", severity="error", agb="06010101", uzovi="3358", declaration_id="D1",
        dbc_id=None, transfer_id=None, related=(), amount_at_stake_cents=100, message="m",
    )  # fmt: skip
    detail = {
        "patient_ref": "=HYPERLINK(1)", "zorgproduct_code": "131999061",
        "start_date": date(2024, 1, 1), "end_date": None,
    }  # fmt: skip
    book = load_workbook(io.BytesIO(audit_to_xlsx([finding], details=[detail])))
    row = next(iter(book["PAR-002"].iter_rows(min_row=2, max_row=2)))
    assert all(cell.data_type != "f" for cell in row)
    assert row[7].value == "'=HYPERLINK(1)"
    assert audit_to_csv([finding], CsvDialect.excel_nl).endswith(";1,00;m\r\n")


def test_output_without_format_takes_the_format_of_the_file_name(tmp_path: Path) -> None:
    book, table = tmp_path / "audit.xlsx", tmp_path / "audit.csv"
    assert runner.invoke(app, [*AUDIT, "--output", str(book)]).exit_code == 0
    assert load_workbook(book).sheetnames[0] == "Samenvatting"
    assert runner.invoke(app, [*AUDIT, "--output", str(table)]).exit_code == 0
    assert table.read_text().splitlines()[0] == ",".join(HEADER)
    other = tmp_path / "audit.out"
    assert runner.invoke(app, [*AUDIT, "--output", str(other)]).exit_code == 0
    assert json.loads(other.read_text())["year"] == 2024
