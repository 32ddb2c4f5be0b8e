"""The audit rules (docs/data-format.md §4) in an immutable catalogue, and the audit itself.

Each rule is a ``check_<rule>`` in the module of its family (``odv``, ``parallel``,
``transfers``): a pure function of the prepared ``AuditInput`` that returns its findings, all
of them. ``audit(dbcs, agreements, declarations, None, year=2024)`` runs every rule whose files
are present (here all but TRF-001 and TRF-002) and returns the findings sorted by rule, hospital
and line.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import pandas as pd

from settlement.audit.findings import ERROR, WARNING, AuditInput, Finding
from settlement.audit.odv import check_odv_001, check_odv_002
from settlement.audit.parallel import check_par_001, check_par_002, check_par_003
from settlement.audit.transfers import check_trf_001, check_trf_002
from spreiding.domain.agreements import Agreement

__all__ = ["CATALOGUE", "ERROR", "LINE_RULES", "WARNING", "AuditInput", "Finding", "Rule", "audit"]


@dataclass(frozen=True)
class Rule:
    code: str
    severity: str
    check: Callable[[AuditInput], list[Finding]]
    needs: tuple[str, ...]  # the optional files the rule reads
    money_at_stake: bool  # whether its findings carry the flagged declaration's amount


CATALOGUE: Mapping[str, Rule] = MappingProxyType(
    {
        "ODV-001": Rule("ODV-001", ERROR, check_odv_001, ("declarations",), True),
        "ODV-002": Rule("ODV-002", WARNING, check_odv_002, ("declarations",), False),
        "PAR-001": Rule("PAR-001", ERROR, check_par_001, ("declarations",), True),
        "PAR-002": Rule("PAR-002", ERROR, check_par_002, ("declarations",), True),
        "PAR-003": Rule("PAR-003", WARNING, check_par_003, ("declarations",), True),
        "TRF-001": Rule("TRF-001", WARNING, check_trf_001, ("transfers",), False),
        "TRF-002": Rule("TRF-002", WARNING, check_trf_002, ("transfers",), False),
    }
)

# The rules that look only at the lines of one insurer and one patient at a time (ODV-002 asks
# whether a DBC was declared to any insurer): ``settlement.audit.partitions`` runs them per part.
LINE_RULES = ("ODV-001", "PAR-001", "PAR-002", "PAR-003")


def audit(
    dbcs: pd.DataFrame,
    agreements: Sequence[Agreement],
    declarations: pd.DataFrame | None,
    transfers: pd.DataFrame | None,
    *,
    year: int,
) -> list[Finding]:
    """Every finding of every rule whose files are present, in the contract's order."""
    data = AuditInput(year, dbcs, tuple(agreements), declarations, transfers)
    present = {"declarations": declarations is not None, "transfers": transfers is not None}
    findings: list[Finding] = []
    for rule in CATALOGUE.values():
        if all(present[name] for name in rule.needs):
            findings.extend(rule.check(data))
    return sorted(findings, key=Finding.sort_key)
