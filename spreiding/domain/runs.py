"""The header of a stored settlement run and of a stored audit run: plain values that the
store returns and the engines, services and renderers read."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StoredRun:
    run_id: int
    kind: str  # settlement | correction
    status: str  # draft | final
    year: int
    netting: str
    fingerprint: str
    corrects_run_id: int | None
    total_cents: int


@dataclass(frozen=True)
class StoredAudit:
    run_id: int
    year: int
    fingerprint: str
    findings: int
