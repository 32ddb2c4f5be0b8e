"""Properties of the audit on generated datasets (hypothesis)."""

from __future__ import annotations

import copy
import tempfile
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np
import pandas as pd
from hypothesis import event, given, settings
from hypothesis import strategies as st

from settlement.audit import declarations, partitions
from settlement.audit.partitions import audit_partitioned
from settlement.audit.rules import Finding, audit
from spreiding.contract.reader import read_dataset
from spreiding.domain.string_columns import hashes
from spreiding.render.audit import audit_to_json
from tests import files as f
from tests.strategies import PLANTED, audit_cases, audit_datasets

PROPERTY = settings(max_examples=30, deadline=None)


def findings(files: dict[str, Any], *, year: int = 2024) -> list[Finding]:
    return findings_of_years(files, (year,))[year]


def findings_of_years(files: dict[str, Any], years: tuple[int, ...]) -> dict[int, list[Finding]]:
    """The audit of each of ``years`` on the files read once."""
    with tempfile.TemporaryDirectory() as folder:
        dataset = read_dataset(f.write(Path(folder), files))
    return {
        year: audit(
            dataset.dbcs, dataset.agreements, dataset.declarations, dataset.transfers, year=year
        )
        for year in years
    }


@given(files=audit_datasets(), seed=st.integers(min_value=0, max_value=2**32 - 1))
@PROPERTY
def test_findings_do_not_depend_on_row_order(files: dict[str, Any], seed: int) -> None:
    shuffled = f.shuffled(files, seed)
    assert audit_to_json(2024, findings(shuffled)) == audit_to_json(2024, findings(files))


def colliding(values: pd.Series) -> np.ndarray:
    """``hashes`` cut down to three values: nearly every two keys collide."""
    return hashes(values) % np.uint64(3)


@given(files=audit_datasets())
@PROPERTY
def test_hash_collisions_change_no_finding(files: dict[str, Any]) -> None:
    """The audit groups lines by hashes of their keys (``declarations.group_numbers``, PAR-002's
    candidates, a part's DBCs): with hashes that collide all the time, every finding is the
    same, whole and in parts."""
    with tempfile.TemporaryDirectory() as folder:
        dataset = read_dataset(f.write(Path(folder), files))
    args = (dataset.dbcs, dataset.agreements, dataset.declarations, dataset.transfers)
    expected = audit(*args, year=2024)
    with (
        mock.patch.object(declarations, "hashes", colliding),
        mock.patch.object(partitions, "hashes", colliding),
    ):
        assert audit(*args, year=2024) == expected
        assert audit_partitioned(*args, year=2024, per_insurer=2) == expected


@given(files=audit_datasets(), seed=st.integers(min_value=0, max_value=2**32 - 1))
@PROPERTY
def test_the_rules_do_not_depend_on_the_order_of_the_frames(
    files: dict[str, Any], seed: int
) -> None:
    """The rules read the frames in any order: what a part of the streamed audit holds is the
    lines of its buckets as they were spilled, not sorted again."""
    with tempfile.TemporaryDirectory() as folder:
        dataset = read_dataset(f.write(Path(folder), files))
    expected = audit(
        dataset.dbcs, dataset.agreements, dataset.declarations, dataset.transfers, year=2024
    )

    def shuffled(frame: pd.DataFrame | None) -> pd.DataFrame | None:
        if frame is None:
            return None
        return frame.sample(frac=1, random_state=seed % 2**32).reset_index(drop=True)

    got = audit(
        shuffled(dataset.dbcs),
        dataset.agreements,
        shuffled(dataset.declarations),
        shuffled(dataset.transfers),
        year=2024,
    )
    assert got == expected


@given(files=audit_datasets())
@PROPERTY
def test_an_unrelated_patient_changes_no_finding(files: dict[str, Any]) -> None:
    before = findings(files)
    more = copy.deepcopy(files)
    stranger = {"patient_ref": "P-STRANGER"}
    more["declarations.csv"] += [
        f.declaration(declaration_id=f"ZZ{i}", agb=h["agb"], start="2024-05-01", end="2024-06-01")
        | stranger
        for i, h in enumerate(files["hospitals.csv"])
    ]
    after = findings(more)
    assert [
        x for x in after if x.declaration_id is None or not x.declaration_id.startswith("ZZ")
    ] == before


@given(files=audit_datasets())
@PROPERTY
def test_removing_the_flagged_lines_of_covered_pairs_leaves_no_par_001(
    files: dict[str, Any],
) -> None:
    years = (2023, 2024, 2025)
    flagged = {
        x.declaration_id
        for found in findings_of_years(files, years).values()
        for x in found
        if x.rule == "PAR-001"
    }
    pruned = copy.deepcopy(files)
    pruned["declarations.csv"] = [
        d for d in files["declarations.csv"] if d["declaration_id"] not in flagged
    ]
    for year, found in findings_of_years(pruned, years).items():
        assert [x for x in found if x.rule == "PAR-001"] == [], year


@given(case=audit_cases(min_planted=1))
@PROPERTY
def test_every_finding_puts_money_at_stake_or_not_by_its_rule_and_names_its_lines(
    case: tuple[dict[str, Any], frozenset[str]],
) -> None:
    files, planted = case
    found = findings(files)
    for rule in sorted({x.rule for x in found}):
        event(f"found {rule}")
    # Never vacuous: each planted case is among the findings, so there is at least one.
    subjects = {(x.rule, x.declaration_id or x.dbc_id or x.transfer_id) for x in found}
    assert {PLANTED[rule] for rule in planted} <= subjects
    for x in found:
        assert (x.amount_at_stake_cents is not None) == (
            x.rule in {"ODV-001", "PAR-001", "PAR-002", "PAR-003"}
        )
        if x.rule.startswith("PAR"):
            assert x.related and x.declaration_id not in x.related
        assert x.message
