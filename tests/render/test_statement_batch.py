"""A run's statements rendered on several cores are the same files, in the same order, as
rendered one after the other."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from settlement.statement import Party, Statement, build_statement
from spreiding.render.statement_batch import page_count, render_statements
from spreiding.render.statement_pdf import render_statement
from tests.api.test_statement_pdf import NAMES, A, B, run_of, two_way


def statements(tmp_path: Path, count: int) -> list[Statement]:
    base = build_statement(
        run_of(), two_way(tmp_path), first=A, second=B, hospitals=NAMES, agreements={}
    )
    return [replace(base, second=Party(f"0601{i:04d}", f"Ziekenhuis {i}")) for i in range(count)]


def test_two_workers_write_what_one_writes_in_the_same_order(tmp_path: Path) -> None:
    every = statements(tmp_path, 10)
    with render_statements(every.__getitem__, len(every), jobs=1) as pdfs:
        serial = list(pdfs)
    with render_statements(every.__getitem__, len(every), jobs=2) as pdfs:
        parallel = list(pdfs)
    assert parallel == serial
    assert [name for name, _ in serial] == [
        f"afrekening-2024-run7-{A}-0601{i:04d}.pdf" for i in range(10)
    ]
    assert [pdf for _, pdf in serial] == [render_statement(s) for s in every]
    assert all(page_count(pdf) == 1 for _, pdf in serial)


def test_a_failing_statement_fails_the_batch(tmp_path: Path) -> None:
    every = statements(tmp_path, 9)

    def build(index: int) -> Statement:
        if index == 4:
            raise ValueError("statement 4 cannot be built")
        return every[index]

    done = []
    with (
        render_statements(build, len(every), jobs=2) as pdfs,
        pytest.raises(ValueError, match=r"^statement 4 cannot be built$"),
    ):
        for item in pdfs:
            done.append(item)
    assert len(done) == 4
