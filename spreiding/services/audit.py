"""Auditing: a year's audit as a stored run (the same inputs give the same run, as for
settlements), and the audit runs and findings a principal may read.

Example: ``audit_year(connection, OPERATOR, year=2024)`` on the v1 samen-plus data stores audit
run 1 with 5 findings (ODV-001, ODV-002, PAR-001, PAR-002, TRF-001); asked again, it returns
run 1 and its stored findings (``created`` False). An insurer reads only the findings on
declarations sent to it, and an audit run's ``findings`` count is, for it, the count of those.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import pandas as pd
from sqlalchemy import Connection

from settlement.audit.partitions import audit_partitioned
from settlement.audit.rules import Finding, audit
from settlement.fingerprint import DBC_COLUMNS
from spreiding.domain.access import Principal
from spreiding.domain.agreements import Agreement, agreement_to_json
from spreiding.domain.dataset import Dataset
from spreiding.domain.runs import StoredAudit
from spreiding.services import trail
from spreiding.services.access import require
from spreiding.services.errors import NotFound
from spreiding.store import visibility
from spreiding.store.audits import AuditStore
from spreiding.store.datasets import load_audit_inputs

# The rules' version, hashed into every audit fingerprint: v2 added TRF-002, so a run of the
# same inputs stored before it (without TRF-002 findings) is not reused.
VERSION = "spreiding-audit-v2"


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
    found = audit_in_parts(dbcs, agreements, declarations, transfers, year=year)
    run = store.add(year=year, fingerprint=inputs, findings=[_row(f) for f in found])
    return run, found, True


@dataclass(frozen=True)
class AuditedYear:
    """A request to audit a year: the stored run that answers it, its findings (those the
    principal may read), and whether it was created now."""

    run: StoredAudit
    findings: list[Finding]
    created: bool


# Above this many declaration lines a year is audited in parts of insurers and patients of
# about this many lines each (``settlement.audit.partitions.audit_partitioned``): the same
# findings in the same order, and the rules' working memory that of one part, not of all.
PART_LINES = 1_000_000
# Parts audited at once, each on a thread: this machine's two cores (issue 10).
PART_THREADS = 2


def audit_in_parts(
    dbcs: pd.DataFrame,
    agreements: Sequence[Agreement],
    declarations: pd.DataFrame | None,
    transfers: pd.DataFrame | None,
    *,
    year: int,
) -> list[Finding]:
    """``rules.audit``, in parts of about ``PART_LINES`` lines when there are more."""
    if declarations is None or len(declarations) <= PART_LINES:
        return audit(dbcs, agreements, declarations, transfers, year=year)
    insurers = max(1, int(declarations["uzovi"].nunique()))
    per_insurer = -(-len(declarations) // (insurers * PART_LINES))
    return audit_partitioned(
        dbcs,
        agreements,
        declarations,
        transfers,
        year=year,
        per_insurer=per_insurer,
        threads=PART_THREADS,
    )


def audit_dataset(dataset: Dataset, *, year: int) -> list[Finding]:
    """Audit ``year`` of a dataset read from files: computed, not stored."""
    return audit_in_parts(
        dataset.dbcs, dataset.agreements, dataset.declarations, dataset.transfers, year=year
    )


def audit_year(connection: Connection, principal: Principal, *, year: int) -> AuditedYear:
    """Audit ``year`` on the stored data into an audit run, or return the run of the same
    inputs."""
    check_audit(principal)
    inputs = load_audit_inputs(connection)
    store = AuditStore(connection)
    run, found, created = run_audit(
        store,
        dbcs=inputs.dbcs,
        agreements=inputs.agreements,
        declarations=inputs.declarations,
        transfers=inputs.transfers,
        year=year,
    )
    # Another caller with the same inputs may have stored the run first (``AuditStore.add``).
    created = created and run.run_id in store.inserted
    if created:
        trail.record(
            connection,
            principal,
            kind="audit.run",
            subject=f"audit:{run.run_id}",
            hospitals=sorted({finding.agb for finding in found}),
            payload={"year": year, "fingerprint": run.fingerprint},
        )
    if principal.is_admin:
        return AuditedYear(run, found, created)
    # The run as the principal sees it: the findings it may read, and their count.
    return AuditedYear(
        audit_run(connection, principal, run.run_id),
        findings(connection, principal, run.run_id),
        created,
    )


def check_audit(principal: Principal) -> None:
    """Whether ``principal`` may audit a year."""
    require(principal, "admin", "insurer")


def audit_runs(connection: Connection, principal: Principal) -> list[StoredAudit]:
    return visibility.audit_runs(connection, principal)


def audit_run(connection: Connection, principal: Principal, run_id: int) -> StoredAudit:
    run = visibility.audit_run(connection, principal, run_id)
    if run is None:
        raise NotFound(f"there is no audit run {run_id}")
    return run


def findings(connection: Connection, principal: Principal, run_id: int) -> list[Finding]:
    """The findings of audit run ``run_id`` that ``principal`` may read, in their order."""
    audit_run(connection, principal, run_id)
    return [finding_from_row(row) for row in visibility.findings(connection, principal, run_id)]


# What a reviewer needs beside a finding: the patient, the product and the period of the line
# it is on. Keys of each detail: patient_ref, zorgproduct_code, start_date, end_date (dates as
# ``datetime.date``; None where the line has no such field, e.g. a transfer has no product).
DETAIL_KEYS = ("patient_ref", "zorgproduct_code", "start_date", "end_date")


def finding_details(
    findings: Sequence[Finding],
    *,
    dbcs: pd.DataFrame,
    declarations: pd.DataFrame | None,
    transfers: pd.DataFrame | None,
) -> list[dict[str, Any]]:
    """For each finding, in order, the fields of the line it is on: the declaration (ODV-001,
    PAR-*), the ODV DBC (ODV-002) or the transfer (TRF-*, its date as start and end)."""
    by_declaration = _index(declarations, ["declaration_id"])
    by_dbc = _index(dbcs, ["agb", "dbc_id"])
    by_transfer = _index(transfers, ["transfer_id"])
    details = []
    for finding in findings:
        row: dict[str, Any] | None
        if finding.declaration_id is not None:
            row = by_declaration.get((finding.declaration_id,))
        elif finding.transfer_id is not None:
            found = by_transfer.get((finding.transfer_id,))
            row = None
            if found is not None:
                day = found["transfer_date"]
                row = {"patient_ref": found["patient_ref"], "start_date": day, "end_date": day}
        elif finding.dbc_id is not None:
            row = by_dbc.get((finding.agb, finding.dbc_id))
        else:
            row = None
        details.append({key: _plain((row or {}).get(key)) for key in DETAIL_KEYS})
    return details


def dataset_details(dataset: Dataset, findings: Sequence[Finding]) -> list[dict[str, Any]]:
    """``finding_details`` of findings on a dataset read from files."""
    return finding_details(
        findings, dbcs=dataset.dbcs, declarations=dataset.declarations, transfers=dataset.transfers
    )


def stored_details(
    connection: Connection, principal: Principal, findings: Sequence[Finding]
) -> list[dict[str, Any]]:
    """``finding_details`` of findings ``principal`` was given (``findings`` / ``audit_year``)
    on the stored data: only the lines those findings are on are shown."""
    check_read_details(principal)
    inputs = load_audit_inputs(connection)
    return finding_details(
        findings, dbcs=inputs.dbcs, declarations=inputs.declarations, transfers=inputs.transfers
    )


def check_read_details(principal: Principal) -> None:
    """Whoever may read a finding may read the line it is on; a bureau reads no findings."""
    require(principal, "admin", "insurer", "hospital")


def _index(frame: pd.DataFrame | None, key: list[str]) -> dict[tuple[str, ...], dict[str, Any]]:
    if frame is None or frame.empty:
        return {}
    records: list[dict[str, Any]] = [
        {str(name): value for name, value in r.items()} for r in frame.to_dict("records")
    ]
    return {tuple(str(r[k]) for k in key): r for r in records}


def _plain(value: Any) -> Any:
    """A frame value as a plain Python one: a Timestamp as a date, NaT and NaN as None."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    return value
