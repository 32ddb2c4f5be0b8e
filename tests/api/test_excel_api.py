"""The findings endpoint's CSV in Dutch Excel's dialect and its workbook, over HTTP."""

from __future__ import annotations

import io
from datetime import datetime

from openpyxl import load_workbook

from tests.api.conftest import Api
from tests.api.test_http import audit_run
from tests.render.test_excel_out import HEADER, excel_nl_rows


def test_findings_csv_excel_nl(api: Api) -> None:
    run_id = audit_run(api)
    path = f"/audit-runs/{run_id}/findings"
    dutch = api.get("insurer", path, params={"format": "csv", "csv_dialect": "excel-nl"})
    assert dutch.status_code == 200
    assert dutch.headers["content-type"] == "text/csv; charset=utf-8"
    rows = excel_nl_rows(dutch.content)
    # The insurer (3358) sees its two findings (tests/api/test_http.py): amounts from
    # amsterdam-flevo declarations.csv line 19 and samen-plus line 32, with a decimal comma.
    assert rows[0] == HEADER
    assert [(row[0], row[4], row[8]) for row in rows[1:]] == [
        ("PAR-001", "AMST-V00038", "1000,00"),
        ("PAR-002", "SAME-V00115", "2100,00"),
    ]
    standard = api.get("insurer", path, params={"format": "csv"})
    assert standard.text.splitlines()[0] == ",".join(HEADER)
    assert [line.split(",")[8] for line in standard.text.splitlines()[1:]] == [
        "1000.00",
        "2100.00",
    ]
    refused = api.get("insurer", path, params={"format": "csv", "csv_dialect": "excel"})
    assert refused.status_code == 422


def test_findings_workbook_has_the_declaration_columns(api: Api) -> None:
    run_id = audit_run(api)
    response = api.get("insurer", f"/audit-runs/{run_id}/findings", params={"format": "xlsx"})
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Samenvatting", "PAR-001", "PAR-002"]
    headers = [cell.value for cell in book["PAR-002"][1]]
    row = dict(
        zip(headers, next(book["PAR-002"].iter_rows(min_row=2, values_only=True)), strict=True)
    )
    assert (row["Declaratie"], row["Patiënt (pseudoniem)"], row["Begindatum"]) == (
        "SAME-V00115",
        "PS-B0A960EF230B",
        datetime(2024, 3, 11),
    )
    assert book["PAR-002"].freeze_panes == "A2"
