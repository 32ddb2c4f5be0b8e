"""Exports cannot carry a live formula (issue 8, item 7): every text cell of a CSV or XLSX the
project writes is guarded; numbers stay numbers."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from settlement.audit.rules import Finding
from spreiding.render.audit import audit_to_csv, audit_to_xlsx
from spreiding.render.cells import safe_text

ATTACK = '=HYPERLINK("http://evil.example/x","click")'


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+31 20 123", "'+31 20 123"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("TRF-0001", "TRF-0001"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_safe_text(typed: str, written: str) -> None:
    assert safe_text(typed) == written


def finding(*, transfer_id: str = ATTACK, amount: int | None = -1250) -> Finding:
    return Finding(
        rule="TRF-001",
        severity="warning",
        agb="06010002",
        uzovi=None,
        declaration_id=None,
        dbc_id=None,
        transfer_id=transfer_id,
        related=("@other",),
        amount_at_stake_cents=amount,
        message="-message",
    )


def test_csv_guards_text_and_keeps_the_amount_a_number() -> None:
    rows = list(csv.reader(io.StringIO(audit_to_csv([finding()]))))
    assert rows[1] == [
        "TRF-001", "warning", "06010002", "", "", "", "'" + ATTACK, "'@other", "-12.50", "'-message",
    ]  # fmt: skip


def test_xlsx_holds_the_id_as_text_not_as_a_formula() -> None:
    workbook = load_workbook(io.BytesIO(audit_to_xlsx([finding()])))
    row = next(iter(workbook["TRF-001"].iter_rows(min_row=2, max_row=2)))
    by_header = {c.value: cell for c, cell in zip(workbook["TRF-001"][1], row, strict=True)}
    transfer = by_header["Overdracht"]
    assert (transfer.value, transfer.data_type) == ("'" + ATTACK, "s")
    assert all(cell.data_type != "f" for cell in row)
    amount = by_header["Bedrag in geding"]
    assert (str(amount.value), amount.data_type) == ("-12.5", "n")
