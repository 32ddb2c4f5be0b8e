"""Audit runs: the same inputs give the same stored run, as for settlements."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any, Protocol

import pandas as pd

from settlement.audit.rules import Finding, audit
from settlement.fingerprint import DBC_COLUMNS
from spreiding.domain.agreements import Agreement, agreement_to_json
from spreiding.domain.runs import StoredAudit

VERSION = "spreiding-audit-v1"


class AuditRepository(Protocol):
    def by_fingerprint(self, fingerprint: str) -> StoredAudit | None: ...
    def add(
        self, *, year: int, fingerprint: str, findings: Sequence[dict[str, Any]]
    ) -> StoredAudit: ...
    def findings(self, run_id: int) -> list[dict[str, Any]]: ...


def audit_fingerprint(
    dbcs: pd.DataFrame,
    agreements: Sequence[Agreement],
    declarations: pd.DataFrame | None,
    transfers: pd.DataFrame | None,
    *,
    year: int,
) -> str:
    """SHA-256 of the canonical inputs of an audit (frames in ``spreiding.domain.dataset`` form)."""
    digest = hashlib.sha256(f"{VERSION}\nyear={year}\n".encode())
    ordered = sorted(agreements, key=lambda a: a.agreement_id)
    digest.update(json.dumps([agreement_to_json(a) for a in ordered], sort_keys=True).encode())
    frames = [dbcs[DBC_COLUMNS], declarations, transfers]
    for name, frame in zip(("dbcs", "declarations", "transfers"), frames, strict=True):
        digest.update(f"\n{name}:{'absent' if frame is None else len(frame)}\n".encode())
        if frame is not None:
            csv = frame.to_csv(index=False, date_format="%Y-%m-%d", lineterminator="\n")
            digest.update(csv.encode())
    return digest.hexdigest()


def _row(finding: Finding) -> dict[str, Any]:
    return {
        "rule": finding.rule,
        "severity": finding.severity,
        "agb": finding.agb,
        "uzovi": finding.uzovi,
        "declaration_id": finding.declaration_id,
        "dbc_id": finding.dbc_id,
        "transfer_id": finding.transfer_id,
        "related": " ".join(finding.related),
        "amount_at_stake_cents": finding.amount_at_stake_cents,
        "message": finding.message,
    }


def finding_from_row(row: dict[str, Any]) -> Finding:
    """A stored finding row (``spreiding.store.audits``) as a ``Finding``."""
    return Finding(
        rule=row["rule"],
        severity=row["severity"],
        agb=row["agb"],
        uzovi=row["uzovi"],
        declaration_id=row["declaration_id"],
        dbc_id=row["dbc_id"],
        transfer_id=row["transfer_id"],
        related=tuple(row["related"].split()) if row["related"] else (),
        amount_at_stake_cents=row["amount_at_stake_cents"],
        message=row["message"],
    )


def run_audit(
    store: AuditRepository,
    *,
    dbcs: pd.DataFrame,
    agreements: Sequence[Agreement],
    declarations: pd.DataFrame | None,
    transfers: pd.DataFrame | None,
    year: int,
) -> tuple[StoredAudit, list[Finding], bool]:
    """Audit ``year`` into a stored run; return it, its findings and whether it is new."""
    inputs = audit_fingerprint(dbcs, agreements, declarations, transfers, year=year)
    existing = store.by_fingerprint(inputs)
    if existing is not None:
        return existing, [finding_from_row(r) for r in store.findings(existing.run_id)], False
    found = audit(dbcs, agreements, declarations, transfers, year=year)
    run = store.add(year=year, fingerprint=inputs, findings=[_row(f) for f in found])
    return run, found, True
