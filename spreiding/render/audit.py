"""Audit findings as the contract's JSON, as the table an auditor reads in a terminal, and as
CSV and XLSX for insurers and controllers who work in spreadsheets.

Example: the v1 samen-plus data's five findings of 2024 give a workbook whose first sheet,
``Samenvatting``, lists every rule with its count and money at stake (ODV-001: 1 finding,
€ 1.999,00), followed by one sheet per rule that has findings (ODV-001, ODV-002, PAR-001,
PAR-002, TRF-001; no sheet for PAR-003, which found nothing), each with the patient,
zorgproduct and dates of the line the finding is on.
"""

from __future__ import annotations

import io
import json
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from settlement.audit.rules import CATALOGUE, Finding
from spreiding.domain.money import cents_to_decimal, format_cents
from spreiding.render.cells import safe_text
from spreiding.render.csvout import Cell, CsvDialect, Money, write_csv
from spreiding.render.i18n import N_, _
from spreiding.render.numbers import euros
from spreiding.render.workbook import DATE_FORMAT, EURO_FORMAT, add_sheet

COLUMNS = [
    "rule", "severity", "agb", "uzovi", "declaration_id", "dbc_id", "transfer_id", "related",
    "amount_at_stake", "message",
]  # fmt: skip

# The workbook's columns: key, Dutch header, width in characters. The detail columns
# (patient to end date) come from the line the finding is on (services.audit.finding_details).
SHEET_COLUMNS = [
    ("rule", "Regel", 10),
    ("severity", "Ernst", 10),
    ("agb", "AGB", 10),
    ("uzovi", "UZOVI", 8),
    ("declaration_id", "Declaratie", 16),
    ("dbc_id", "DBC", 14),
    ("transfer_id", "Overdracht", 14),
    ("patient_ref", "Patiënt (pseudoniem)", 20),
    ("zorgproduct_code", "Zorgproduct", 12),
    ("start_date", "Begindatum", 12),
    ("end_date", "Einddatum", 12),
    ("amount_at_stake", "Bedrag in geding", 16),
    ("related", "Gerelateerde regels", 24),
    ("message", "Toelichting", 80),
]
SEVERITY = {"error": N_("error"), "warning": N_("warning")}
SUMMARY = "Samenvatting"


def finding_to_dict(finding: Finding) -> dict[str, Any]:
    amount = finding.amount_at_stake_cents
    return {
        "rule": finding.rule,
        "severity": finding.severity,
        "agb": finding.agb,
        "uzovi": finding.uzovi,
        "declaration_id": finding.declaration_id,
        "dbc_id": finding.dbc_id,
        "transfer_id": finding.transfer_id,
        "related": list(finding.related),
        "amount_at_stake": None if amount is None else format_cents(amount),
        "message": finding.message,
    }


def audit_to_json(year: int, findings: Sequence[Finding]) -> str:
    body = {"year": year, "findings": [finding_to_dict(f) for f in findings]}
    return json.dumps(body, ensure_ascii=False) + "\n"


def audit_table(year: int, findings: Sequence[Finding]) -> str:
    """Per rule: severity, count and money at stake; then every finding on a line of its own
    (rule, severity, AGB, the id of the line it is on, amount) with its message beneath."""
    counts: Counter[str] = Counter(f.rule for f in findings)
    at_stake: Counter[str] = Counter()
    for f in findings:
        at_stake[f.rule] += f.amount_at_stake_cents or 0
    out = [
        _("Audit {year}").format(year=year),
        "",
        f"{_('rule'):<9} {_('severity'):<9} {_('findings'):>10} {_('at stake'):>16}",
    ]
    for code, rule in CATALOGUE.items():
        shown = euros(at_stake[code]) if rule.money_at_stake else "-"
        out.append(f"{code:<9} {_(rule.severity):<9} {counts[code]:>10} {shown:>16}")
    total = sum(at_stake.values())
    out.append(f"{_('total'):<19} {len(findings):>10} {euros(total):>16}")
    out += ["", _("Findings")]
    if not findings:
        out.append("  " + _("no findings"))
    for f in findings:
        line_id = _line_id(f)
        amount = "" if f.amount_at_stake_cents is None else euros(f.amount_at_stake_cents)
        out.append(f"  {f.rule:<8} {_(f.severity):<9} {f.agb:<9} {line_id:<28} {amount:>16}")
        out.append(f"           {f.message}")
    return "\n".join(out) + "\n"


def _line_id(finding: Finding) -> str:
    """The line a finding is on, named by its kind: declaration, DBC or transfer."""
    if finding.declaration_id is not None:
        return _("declaration {id}").format(id=finding.declaration_id)
    if finding.transfer_id is not None:
        return _("transfer {id}").format(id=finding.transfer_id)
    return _("DBC {id}").format(id=finding.dbc_id)


def _csv_row(finding: Finding) -> list[Cell]:
    values = finding_to_dict(finding)
    values["related"] = " ".join(values["related"])
    amount = finding.amount_at_stake_cents
    # The amount is a number (``-12.50`` must stay one); every other cell is text, guarded
    # against being read as a formula (``render.cells``).
    values["amount_at_stake"] = None if amount is None else Money(amount)
    return [values[c] for c in COLUMNS]


def audit_to_csv(findings: Sequence[Finding], dialect: CsvDialect = CsvDialect.standard) -> str:
    """The findings in the contract's column names, in ``dialect`` (``render.csvout``)."""
    return write_csv(COLUMNS, (_csv_row(f) for f in findings), dialect)


def audit_to_xlsx(
    findings: Sequence[Finding],
    *,
    year: int | None = None,
    details: Sequence[Mapping[str, Any]] | None = None,
) -> bytes:
    """A workbook for a reviewer: a summary sheet first, then one sheet per rule that has
    findings. Dutch headers, amounts as numbers in euros, dates as dates, the columns as
    wide as their contents, a filter on every column and the header row frozen. ``details``
    (``services.audit.finding_details``, one per finding) fills the patient, zorgproduct and
    date columns; without it they stay empty.

    Written in openpyxl's write-only mode (rows streamed, formats set per cell as it is
    written), so memory does not hold a second, formatted copy of every cell; the time is
    openpyxl's XML writing, about 0.4 ms a finding."""
    from openpyxl import Workbook  # imported here: only the export needs it

    workbook = Workbook(write_only=True)
    summary_rows = _summary_rows(findings, year)
    add_sheet(workbook, SUMMARY, summary_rows, [10, 10, 12, 18, 8], {3: EURO_FORMAT})
    detail_of = list(details) if details is not None else [{} for _f in findings]
    formats = {
        index: EURO_FORMAT if key == "amount_at_stake" else DATE_FORMAT
        for index, (key, _header, _width) in enumerate(SHEET_COLUMNS)
        if key == "amount_at_stake" or key.endswith("_date")
    }
    header = [title for _key, title, _width in SHEET_COLUMNS]
    for code in CATALOGUE:
        rows = [
            [_xlsx_cell(key, finding, detail) for key, _title, _width in SHEET_COLUMNS]
            for finding, detail in zip(findings, detail_of, strict=True)
            if finding.rule == code
        ]
        if rows:  # no empty sheets: the summary says the rule found nothing
            widths = [width for _key, _title, width in SHEET_COLUMNS]
            add_sheet(workbook, code, [header, *rows], widths, formats)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _summary_rows(findings: Sequence[Finding], year: int | None) -> list[list[Any]]:
    counts: Counter[str] = Counter(f.rule for f in findings)
    at_stake: Counter[str] = Counter()
    for f in findings:
        at_stake[f.rule] += f.amount_at_stake_cents or 0
    rows: list[list[Any]] = [["Regel", "Ernst", "Bevindingen", "Bedrag in geding", "Jaar"]]
    for code, rule in CATALOGUE.items():
        money = cents_to_decimal(at_stake[code]) if rule.money_at_stake else None
        rows.append([code, _dutch_severity(rule.severity), counts[code], money, year])
    total = cents_to_decimal(sum(at_stake.values()))
    rows.append(["Totaal", None, len(findings), total, year])
    return rows


def _dutch_severity(severity: str) -> str:
    # The workbook is Dutch whatever the command line's language: it goes to the insurer.
    return {"error": "fout", "warning": "waarschuwing"}.get(severity, severity)


def _xlsx_cell(key: str, finding: Finding, detail: Mapping[str, Any]) -> Any:
    if key == "amount_at_stake":
        amount = finding.amount_at_stake_cents
        # A number a spreadsheet can add up, exact to the cent as shown.
        return None if amount is None else cents_to_decimal(amount)
    if key == "severity":
        return _dutch_severity(finding.severity)
    if key == "related":
        return safe_text(" ".join(finding.related)) or None
    value = detail.get(key) if key in detail else getattr(finding, key, None)
    if value is None or isinstance(value, date):
        return value
    return safe_text(str(value))
