"""Audit findings as the contract's JSON, as the table an auditor reads in a terminal, and as
CSV and XLSX (one sheet per rule) for insurers and controllers."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Sequence
from typing import Any

from settlement.audit.rules import CATALOGUE, Finding
from spreiding.domain.money import cents_to_decimal, format_cents
from spreiding.render.cells import safe_text

COLUMNS = [
    "rule", "severity", "agb", "uzovi", "declaration_id", "dbc_id", "transfer_id", "related",
    "amount_at_stake", "message",
]  # fmt: skip


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
    """Per rule: severity, count and money at stake."""
    counts: Counter[str] = Counter(f.rule for f in findings)
    at_stake: Counter[str] = Counter()
    for f in findings:
        at_stake[f.rule] += f.amount_at_stake_cents or 0
    out = [f"Audit {year}", "", f"{'rule':<9} {'severity':<8} {'findings':>9} {'at stake':>16}"]
    for code, rule in CATALOGUE.items():
        shown = format_cents(at_stake[code]) if rule.money_at_stake else "-"
        out.append(f"{code:<9} {rule.severity:<8} {counts[code]:>9} {shown:>16}")
    total = sum(at_stake.values())
    out.append(f"{'total':<18} {len(findings):>9} {format_cents(total):>16}")
    return "\n".join(out) + "\n"


def _cell(column: str, value: Any) -> str:
    if value is None:
        return ""
    # The amount is a number (``-12.50`` must stay one); every other cell is text, guarded
    # against being read as a formula (``render.cells``).
    return str(value) if column == "amount_at_stake" else safe_text(str(value))


def _row(finding: Finding) -> list[str]:
    values = finding_to_dict(finding)
    values["related"] = " ".join(values["related"])
    return [_cell(c, values[c]) for c in COLUMNS]


def audit_to_csv(findings: Sequence[Finding]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(_row(f) for f in findings)
    return buffer.getvalue()


def audit_to_xlsx(findings: Sequence[Finding]) -> bytes:
    """A workbook with one sheet per rule (all rules, empty ones too) and the amounts as
    numbers with two decimals."""
    from openpyxl import Workbook  # imported here: only the export needs it

    workbook = Workbook()
    workbook.remove(workbook.worksheets[0])
    for code in CATALOGUE:
        sheet = workbook.create_sheet(code)
        sheet.append(COLUMNS)
        for finding in (f for f in findings if f.rule == code):
            row: list[Any] = _row(finding)
            if finding.amount_at_stake_cents is not None:
                # A number a spreadsheet can add up, exact to the cent as shown.
                row[COLUMNS.index("amount_at_stake")] = cents_to_decimal(
                    finding.amount_at_stake_cents
                )
            sheet.append(row)
        for cell in sheet["I"][1:]:
            cell.number_format = "0.00"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
