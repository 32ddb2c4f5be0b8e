"""The audit in partitions: the same findings, in the same order, as ``rules.audit`` on the
whole, with only one partition of the declaration lines in hand at a time.

Every declaration rule but ODV-002 looks only at lines of one insurer and one patient: credit
lines cancel lines of the same insurer and patient, PAR-001/PAR-003 pair lines of the same
insurer and patient, PAR-002 repeats are of one insurer and patient, ODV-001 is per line. So the
lines can be split by insurer, and within an insurer by a hash of the patient
(``partition_keys``), and those rules run on each part alone (``audit_part``), with the
agreements and the DBCs its lines can declare (``_dbcs_of``). ODV-002 asks whether a primary
DBC was declared to *any* insurer: each part contributes the DBC keys its lines declare, and ODV-002
runs once on their union (``audit_rest``), beside the transfer rules, which read no lines.
``combine`` sorts the findings as ``rules.audit`` does. Example, for declarations ``frame``::

    parts = [audit_part(dbcs, agreements, frame[keys == k], year=2024) for k in set(keys)]
    audit_rest(dbcs, agreements, transfers, [p.declared for p in parts], year=2024)
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from settlement.audit.findings import AuditInput, Finding
from settlement.audit.odv import declared_keys, odv_002
from settlement.audit.rules import CATALOGUE, LINE_RULES
from spreiding.domain.agreements import Agreement
from spreiding.domain.string_columns import hashes
from spreiding.domain.threads import mapped


@dataclass(frozen=True)
class PartAudit:
    """The findings of the line rules on one partition, and the DBC keys its lines declare."""

    findings: list[Finding]
    declared: set[tuple[str, str]]


def partition_keys(uzovi: pd.Series, patient_ref: pd.Series, per_insurer: int) -> np.ndarray:
    """Per line its partition, the same in every batch of lines: the insurer, and within it
    the patient's hash modulo ``per_insurer`` (``string_columns.hashes``, of the bytes alone:
    the same patient falls in the same part on every run and machine), as ``"3311"`` or
    ``"3311-2"``."""
    names, index = partition_index(uzovi, patient_ref, per_insurer)
    return np.asarray(names, dtype=object)[index]


def partition_index(
    uzovi: pd.Series, patient_ref: pd.Series, per_insurer: int
) -> tuple[list[str], np.ndarray]:
    """``partition_keys`` as the sorted distinct keys and, per line, the index of its key."""
    codes, insurers = _factorized(uzovi)
    combined = codes
    if per_insurer > 1:
        hashed = hashes(patient_ref)
        combined = combined * per_insurer + (hashed % np.uint64(per_insurer)).astype("int64")
    distinct, index = np.unique(combined, return_inverse=True)
    if per_insurer > 1:
        names = [f"{insurers[c // per_insurer]}-{c % per_insurer}" for c in distinct.tolist()]
    else:
        names = [str(insurers[c]) for c in distinct.tolist()]
    # In the keys' own order, so that the index sorts as the keys do.
    rank = np.argsort(np.asarray(names, dtype=object), kind="stable")
    position = np.empty_like(rank)
    position[rank] = np.arange(len(rank))
    return [names[i] for i in rank], position[index]


def _factorized(values: pd.Series) -> tuple[np.ndarray, list[str]]:
    """``pd.factorize`` of a string column without a missing value, through Arrow's hash."""
    array = pa.array(values)
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    encoded = pc.dictionary_encode(array)
    if encoded.indices.null_count:
        raise ValueError("a declaration line without an insurer cannot be partitioned")
    codes = np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype="int64")
    return codes, [str(value) for value in encoded.dictionary.to_pylist()]


def audit_part(
    dbcs: pd.DataFrame,
    agreements: Sequence[Agreement],
    declarations: pd.DataFrame,
    *,
    year: int,
) -> PartAudit:
    """The line rules (``LINE_RULES``) on the lines of some insurers and patients, all lines of
    each of them (``partition_keys``). Of the DBCs only those the lines can declare are
    joined: of their patients, or named by their ``dbc_id``."""
    data = AuditInput(year, _dbcs_of(dbcs, declarations), tuple(agreements), declarations, None)
    findings: list[Finding] = []
    for code in LINE_RULES:
        findings.extend(CATALOGUE[code].check(data))
    return PartAudit(findings, declared_keys(data))


def _dbcs_of(dbcs: pd.DataFrame, lines: pd.DataFrame) -> pd.DataFrame:
    """The DBCs that lines can declare (``odv._declared_dbcs``): by patient, or by id; found
    by the values' hashes (``string_columns.hashes``), so a collision may let a DBC more in,
    which the rules' exact joins then leave alone."""

    def among(column: str) -> np.ndarray:
        known = pd.Series(hashes(dbcs[column]))
        return known.isin(hashes(lines[column])).to_numpy()

    return dbcs.loc[among("patient_ref") | among("dbc_id")]


def audit_rest(
    dbcs: pd.DataFrame,
    agreements: Sequence[Agreement],
    transfers: pd.DataFrame | None,
    declared: Iterable[set[tuple[str, str]]] | None,
    *,
    year: int,
) -> list[Finding]:
    """The rules that read no single partition: ODV-002 on the union of the DBC keys the
    parts declare (``declared`` None: there is no declarations file, the rule does not run) and
    the transfer rules (when there are transfers)."""
    findings: list[Finding] = []
    if declared is not None:
        union: set[tuple[str, str]] = set().union(*declared)
        findings.extend(odv_002(dbcs, union, year=year))
    if transfers is not None:
        data = AuditInput(year, dbcs, tuple(agreements), None, transfers)
        for rule in CATALOGUE.values():
            if rule.needs == ("transfers",):
                findings.extend(rule.check(data))
    return findings


def combine(parts: Iterable[list[Finding]], rest: list[Finding]) -> list[Finding]:
    """The findings of all parts and the rest in the contract's order (``rules.audit``'s):
    rule, hospital, line. A line is in one part only, so no two findings tie."""
    everything: list[Finding] = [finding for part in parts for finding in part]
    everything.extend(rest)
    return sorted(everything, key=Finding.sort_key)


def audit_partitioned(
    dbcs: pd.DataFrame,
    agreements: Sequence[Agreement],
    declarations: pd.DataFrame | None,
    transfers: pd.DataFrame | None,
    *,
    year: int,
    per_insurer: int = 1,
    threads: int = 1,
) -> list[Finding]:
    """``rules.audit`` in partitions of a frame in hand: what the streaming service does with
    parts spilled to disk, here to show (and test) that it gives the same findings.

    ``threads``: how many parts are audited at once, each on a thread (which all end before
    it returns), so that many parts' lines are held at once. The rules read their frames and
    write only what they make; their heavy steps (numpy's sorts, Arrow's takes and hashes) run
    without the interpreter's lock, so a second thread does part of the work of a second core.
    The findings are the same, in the same order, with any number."""
    if declarations is None:
        return combine([], audit_rest(dbcs, agreements, transfers, None, year=year))
    names, index = partition_index(declarations["uzovi"], declarations["patient_ref"], per_insurer)
    # Each part's lines in their own order (a stable sort by part), taken once.
    order = np.argsort(index, kind="stable")
    bounds = np.searchsorted(index[order], np.arange(len(names) + 1)).tolist()

    def one(span: tuple[int, int]) -> PartAudit:
        start, stop = span
        return audit_part(dbcs, agreements, declarations.take(order[start:stop]), year=year)

    # A part is taken when its thread starts it.
    parts = mapped(one, list(itertools.pairwise(bounds)), threads=threads)
    rest = audit_rest(dbcs, agreements, transfers, [p.declared for p in parts], year=year)
    return combine([p.findings for p in parts], rest)
