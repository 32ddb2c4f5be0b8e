"""Audit runs in the database: the findings of one audit, stored with its input fingerprint."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, insert, select

from spreiding.domain.runs import StoredAudit
from spreiding.store import tables
from spreiding.store.database import insert_once

RUN = tables.table_of(tables.AuditRun)
FINDING = tables.table_of(tables.AuditFinding)


class AuditStore:
    def __init__(self, connection: Connection):
        self.connection = connection
        # The runs ``add`` inserted; one it returns that is not here another caller stored.
        self.inserted: set[int] = set()

    def by_fingerprint(self, fingerprint: str) -> StoredAudit | None:
        row = self.connection.execute(
            select(RUN).where(RUN.c.fingerprint == fingerprint).order_by(RUN.c.run_id)
        ).first()
        return None if row is None else StoredAudit(**row._mapping)

    def get(self, run_id: int) -> StoredAudit | None:
        row = self.connection.execute(select(RUN).where(RUN.c.run_id == run_id)).first()
        return None if row is None else StoredAudit(**row._mapping)

    def add(
        self, *, year: int, fingerprint: str, findings: Sequence[dict[str, Any]]
    ) -> StoredAudit:
        run = {"year": year, "fingerprint": fingerprint, "findings": len(findings)}
        run_id = insert_once(self.connection, RUN, run, returning=RUN.c.run_id)
        if run_id is None:
            # Another caller stored the audit of the same inputs first (migration 0007).
            stored = self.by_fingerprint(fingerprint)
            assert stored is not None
            return stored
        self.inserted.add(run_id)
        rows = [{"run_id": run_id, "seq": seq, **finding} for seq, finding in enumerate(findings)]
        for start in range(0, len(rows), 20_000):
            self.connection.execute(insert(FINDING), rows[start : start + 20_000])
        return StoredAudit(run_id, year, fingerprint, len(findings))

    def findings(self, run_id: int) -> list[dict[str, Any]]:
        columns = [c for c in FINDING.columns if c.name not in ("run_id", "seq")]
        result = self.connection.execute(
            select(*columns).where(FINDING.c.run_id == run_id).order_by(FINDING.c.seq)
        )
        return [dict(row._mapping) for row in result]
