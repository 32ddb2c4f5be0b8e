"""A run's settlement lines, pairs, positions, netting payments and invoices as CSV (one
table per file) and as one XLSX workbook (one sheet each): typed cells (amounts as numbers in
euros, dates as dates, counts as integers), a totals row under each table, every text cell
through ``render/cells.safe_text`` so no spreadsheet runs it as a formula.

Example: run 1 of the base test dataset exports ``pairs`` as
``debtor_agb,creditor_agb,lines,amount,hours,costs,vat,total`` /
``06010001,06010002,1,1799.10,0.00,0.00,0.00,1799.10`` / ``Totaal,,1,1799.10,...``.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import pandas as pd

from settlement.engine import Settlement
from spreiding.domain.invoices import Invoice
from spreiding.domain.money import cents_to_decimal
from spreiding.render.cells import safe_text
from spreiding.render.csvout import Cell, CsvDialect, Money, write_csv
from spreiding.render.workbook import DATE_FORMAT, EURO_FORMAT, add_sheet

# table: (sheet title, [(column, header, kind)]); kind: text, money (cents), date, int
TABLES: dict[str, tuple[str, list[tuple[str, str, str]]]] = {
    "lines": ("Regels", [
        ("debtor_agb", "debtor_agb", "text"), ("creditor_agb", "creditor_agb", "text"),
        ("dbc_id", "dbc_id", "text"), ("patient_ref", "patient_ref", "text"),
        ("agreement_id", "agreement_id", "text"), ("care_type", "care_type", "text"),
        ("zorgproduct_code", "zorgproduct_code", "text"), ("end_date", "end_date", "date"),
        ("method", "method", "text"), ("unit_price_cents", "unit_price", "money"),
        ("share", "share", "text"), ("amount_cents", "amount", "money"),
    ]),
    "pairs": ("Paren", [
        ("debtor_agb", "debtor_agb", "text"), ("creditor_agb", "creditor_agb", "text"),
        ("lines", "lines", "int"), ("amount_cents", "amount", "money"),
        ("hours_cents", "hours", "money"), ("costs_cents", "costs", "money"),
        ("vat_cents", "vat", "money"), ("total_cents", "total", "money"),
    ]),
    "positions": ("Posities", [
        ("agb", "agb", "text"), ("receivable_cents", "receivable", "money"),
        ("payable_cents", "payable", "money"), ("net_cents", "net", "money"),
    ]),
    "payments": ("Betalingen", [
        ("from_agb", "from_agb", "text"), ("to_agb", "to_agb", "text"),
        ("amount_cents", "amount", "money"),
    ]),
    "invoices": ("Facturen", [
        ("number", "number", "text"), ("kind", "kind", "text"),
        ("debtor_agb", "debtor_agb", "text"), ("creditor_agb", "creditor_agb", "text"),
        ("invoice_date", "invoice_date", "date"), ("due_date", "due_date", "date"),
        ("amount_cents", "amount", "money"), ("hours_cents", "hours", "money"),
        ("costs_cents", "costs", "money"), ("vat_cents", "vat", "money"),
        ("total_cents", "total", "money"),
    ]),
}  # fmt: skip
TOTAL = "Totaal"
# Totals of a column of these kinds; the net of positions sums to 0.00, the unit price not.
SUMMED = {"money", "int"}
NOT_SUMMED = {"unit_price_cents"}


def _records(result: Settlement, invoices: Sequence[Invoice], table: str) -> list[dict[str, Any]]:
    if table == "invoices":
        return [dict(invoice.__dict__) for invoice in invoices]
    frame: pd.DataFrame = getattr(result, table)
    if not len(frame.columns):
        return []
    return [{str(k): v for k, v in r.items()} for r in frame.to_dict("records")]


def _day(value: Any) -> date:
    """A date (a pandas Timestamp is a datetime, and so a date, too: taken to its day)."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    return pd.Timestamp(value).date()


def _typed(records: list[dict[str, Any]], table: str) -> list[list[Any]]:
    """Rows of (text, cents, date, int) values, then the totals row."""
    _title, columns = TABLES[table]
    rows: list[list[Any]] = [
        [
            None if r.get(key) is None
            else int(r[key]) if kind in SUMMED
            else _day(r[key]) if kind == "date"
            else str(r[key])
            for key, _header, kind in columns
        ]
        for r in records
    ]  # fmt: skip
    total: list[Any] = [TOTAL] + [None] * (len(columns) - 1)
    for index, (key, _header, kind) in enumerate(columns):
        if index and kind in SUMMED and key not in NOT_SUMMED:
            total[index] = sum(int(row[index] or 0) for row in rows)
    return [*rows, total]


def table_to_csv(
    result: Settlement, invoices: Sequence[Invoice], table: str, dialect: CsvDialect
) -> str:
    """One table as CSV: money as numbers of the dialect, dates ISO, a totals row."""
    _title, columns = TABLES[table]
    kinds = [kind for _key, _header, kind in columns]
    rows: list[list[Cell]] = [
        [
            None if value is None
            else Money(value) if kind == "money"
            else value.isoformat() if kind == "date"
            else str(value)
            for value, kind in zip(row, kinds, strict=True)
        ]
        for row in _typed(_records(result, invoices, table), table)
    ]  # fmt: skip
    return write_csv([header for _key, header, _kind in columns], rows, dialect)


def run_to_xlsx(result: Settlement, invoices: Sequence[Invoice]) -> bytes:
    """Every table of the run as a sheet of one workbook."""
    from openpyxl import Workbook  # imported here: only the export needs it

    workbook = Workbook(write_only=True)
    for table, (title, columns) in TABLES.items():
        formats = {
            index: EURO_FORMAT if kind == "money" else DATE_FORMAT
            for index, (_key, _header, kind) in enumerate(columns)
            if kind in ("money", "date")
        }
        rows = [
            [
                cents_to_decimal(value) if kind == "money" and value is not None
                else safe_text(value) if isinstance(value, str)
                else value
                for value, (_key, _header, kind) in zip(row, columns, strict=True)
            ]
            for row in _typed(_records(result, invoices, table), table)
        ]  # fmt: skip
        header = [h for _key, h, _kind in columns]
        add_sheet(workbook, title, [header, *rows], [10] * len(columns), formats)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
