"""Exports of a run (issue 14 item 4): CSV per table and one XLSX workbook, typed cells and a
totals row, narrowed to what the key may see. Base dataset: B operated for A, 1799.10."""

from __future__ import annotations

import io
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Connection

from spreiding.contract.reader import read_dataset
from spreiding.domain.access import Principal
from spreiding.render.csvout import CsvDialect
from spreiding.render.exports import run_to_xlsx, table_to_csv
from spreiding.services import datasets, invoices, settlement
from spreiding.services.errors import NotFound
from tests import files as f

ADMIN = Principal(key_id="adminkey0001", role="admin")
C_KEY = Principal(key_id="rijnstkey001", role="hospital", agb=f.HOSPITAL_C)
A, B = f.HOSPITAL_A, f.HOSPITAL_B


def final_run(connection: Connection, folder: Path) -> int:
    datasets.import_dataset(connection, read_dataset(f.write(folder, f.base_files())))
    run = settlement.settle_year(connection, ADMIN, year=2024).run.run_id
    settlement.finalise_run(connection, ADMIN, run, override="export test")
    return run


def test_csv_tables_with_a_totals_row(connection: Connection, tmp_path: Path) -> None:
    run = final_run(connection, tmp_path)
    result, issued = invoices.run_export(connection, ADMIN, run)
    pairs = table_to_csv(result, issued, "pairs", CsvDialect.standard)
    assert pairs.splitlines() == [
        "debtor_agb,creditor_agb,lines,amount,hours,costs,vat,total",
        f"{A},{B},1,1799.10,0.00,0.00,0.00,1799.10",
        "Totaal,,1,1799.10,0.00,0.00,0.00,1799.10",
    ]
    positions = table_to_csv(result, issued, "positions", CsvDialect.excel_nl)
    assert positions.split("\r\n")[1:4] == [
        f"{A};0,00;1799,10;-1799,10", f"{B};1799,10;0,00;1799,10", "Totaal;1799,10;1799,10;0,00",
    ]  # fmt: skip
    lines = table_to_csv(result, issued, "lines", CsvDialect.standard).splitlines()
    assert lines[1].endswith(",2024-03-02,odv_benchmark,1999.00,0.90,1799.10")
    assert lines[2] == "Totaal" + "," * 9 + ",,1799.10"  # no total of unit prices
    (invoice_row,) = table_to_csv(result, issued, "invoices", CsvDialect.standard).splitlines()[1:2]
    assert invoice_row.startswith(f"{B}-2024-0001,invoice,{A},{B},")


def test_the_workbook_has_a_typed_sheet_per_table(connection: Connection, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    run = final_run(connection, tmp_path)
    book = load_workbook(io.BytesIO(run_to_xlsx(*invoices.run_export(connection, ADMIN, run))))
    assert book.sheetnames == ["Regels", "Paren", "Posities", "Betalingen", "Facturen"]
    pairs = [[c.value for c in row] for row in book["Paren"].iter_rows()]
    assert pairs[1][:3] == [A, B, 1] and Decimal(str(pairs[1][7])) == Decimal("1799.10")
    assert pairs[2][0] == "Totaal" and Decimal(str(pairs[2][7])) == Decimal("1799.10")
    assert book["Paren"].cell(2, 8).number_format == '"€" #,##0.00;"€" -#,##0.00'
    invoice = [c.value for c in next(book["Facturen"].iter_rows(min_row=2, max_row=2))]
    assert invoice[0] == f"{B}-2024-0001" and isinstance(invoice[4], datetime)
    payments = [[c.value for c in row] for row in book["Betalingen"].iter_rows()]
    assert payments[1][:2] == [A, B] and Decimal(str(payments[1][2])) == Decimal("1799.10")


def test_another_hospital_exports_nothing_of_the_run(
    connection: Connection, tmp_path: Path
) -> None:
    run = final_run(connection, tmp_path)
    with pytest.raises(NotFound):
        invoices.run_export(connection, C_KEY, run)


def test_exports_on_the_command_line(
    engine: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from openpyxl import load_workbook
    from sqlalchemy import Engine, text
    from typer.testing import CliRunner

    from spreiding.cli import app as cli

    assert isinstance(engine, Engine)
    monkeypatch.setenv("SPREIDING_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    runner = CliRunner()
    assert (
        runner.invoke(cli, ["import", str(f.write(tmp_path / "d", f.base_files()))]).exit_code == 0
    )
    assert runner.invoke(cli, ["settle", "--year", "2024", "--format", "json"]).exit_code == 0
    with engine.connect() as connection:
        run = str(connection.execute(text("SELECT max(run_id) FROM settlement_run")).scalar_one())
    book = tmp_path / "run.xlsx"
    assert (
        runner.invoke(cli, ["invoices", "export", "--run", run, "--out", str(book)]).exit_code == 0
    )
    assert load_workbook(book).sheetnames[1] == "Paren"
    csv_file = tmp_path / "pairs.csv"
    written = runner.invoke(
        cli, ["invoices", "export", "--run", run, "--out", str(csv_file), "--table", "pairs",
              "--csv-dialect", "standard"],
    )  # fmt: skip
    assert written.exit_code == 0, written.stderr
    assert csv_file.read_text(encoding="utf-8").splitlines()[-1] == (
        "Totaal,,1,1799.10,0.00,0.00,0.00,1799.10"
    )
    no_table = runner.invoke(cli, ["invoices", "export", "--run", run, "--out", str(csv_file)])
    assert no_table.exit_code == 2 and "--table" in no_table.stderr
