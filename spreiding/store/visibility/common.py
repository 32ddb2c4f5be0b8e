"""The tables the visibility rules read, by a short name, and rows as dicts."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table

from spreiding.store import tables

T: dict[str, Table] = {
    name: tables.table_of(model)
    for name, model in {
        "hospital": tables.Hospital,
        "insurer": tables.Insurer,
        "agreement": tables.Agreement,
        "party": tables.AgreementParty,
        "care_type": tables.CareType,
        "consent": tables.ParallelConsent,
        "price": tables.Price,
        "dbc": tables.Dbc,
        "declaration": tables.Declaration,
        "transfer": tables.Transfer,
        "hours": tables.Hours,
        "run": tables.SettlementRun,
        "line": tables.SettlementLine,
        "exclusion": tables.SettlementExclusion,
        "pair": tables.SettlementPair,
        "position": tables.SettlementPosition,
        "payment": tables.SettlementPayment,
        "hours_line": tables.SettlementHoursLine,
        "cost_line": tables.SettlementCostLine,
        "hours_exclusion": tables.SettlementHoursExclusion,
        "audit_run": tables.AuditRun,
        "finding": tables.AuditFinding,
    }.items()
}


def read_rows(connection: Connection, statement: Any) -> list[dict[str, Any]]:
    return [dict(row._mapping) for row in connection.execute(statement)]
