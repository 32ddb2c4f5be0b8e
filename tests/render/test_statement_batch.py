"""A run's statements rendered on several cores are the same files, in the same order, as
rendered one after the other. Workers fork only from a process running a single thread (a
fork copies only the calling thread, and a lock another thread held stays held in the child),
so the parallel path is tried in a fresh interpreter, as the command line runs it; here, in a
test runner with threads of its own, the statements render in this process."""

from __future__ import annotations

import multiprocessing
import subprocess
import sys
import threading
from dataclasses import replace
from pathlib import Path

from settlement.statement import Party, Statement, build_statement
from spreiding.render.statement_batch import page_count, render_statements
from spreiding.render.statement_pdf import render_statement
from tests.api.test_statement_pdf import NAMES, A, B, run_of, two_way

ROOT = Path(__file__).resolve().parents[2]


def statements(tmp_path: Path, count: int) -> list[Statement]:
    base = build_statement(
        run_of(), two_way(tmp_path), first=A, second=B, hospitals=NAMES, agreements={}
    )
    return [replace(base, second=Party(f"0601{i:04d}", f"Ziekenhuis {i}")) for i in range(count)]


PROBE = """
import multiprocessing, sys
from pathlib import Path
from tests.render.test_statement_batch import statements
from spreiding.render.statement_batch import render_statements
from spreiding.render.statement_pdf import render_statement

every = statements(Path(sys.argv[1]), 10)
with render_statements(every.__getitem__, 10, jobs=2) as pdfs:
    workers = len(multiprocessing.active_children())
    parallel = list(pdfs)
assert [pdf for _, pdf in parallel] == [render_statement(s) for s in every]

def build(index):
    if index == 4:
        raise ValueError("statement 4 cannot be built")
    return every[index]

done = []
try:
    with render_statements(build, 9, jobs=2) as pdfs:
        for item in pdfs:
            done.append(item)
except ValueError as exc:
    print(workers, len(parallel), len(done), exc)
"""


def test_two_workers_write_what_one_writes_in_the_same_order(tmp_path: Path) -> None:
    every = statements(tmp_path / "here", 10)
    with render_statements(every.__getitem__, len(every), jobs=1) as pdfs:
        serial = list(pdfs)
    assert [name for name, _ in serial] == [
        f"afrekening-2024-run7-{A}-0601{i:04d}.pdf" for i in range(10)
    ]
    assert [pdf for _, pdf in serial] == [render_statement(s) for s in every]
    assert all(page_count(pdf) == 1 for _, pdf in serial)
    # In a fresh interpreter: two workers, the same bytes in the same order; a statement that
    # cannot be built fails the batch after the four before it.
    probe = subprocess.run(
        [sys.executable, "-c", PROBE, str(tmp_path / "there")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    assert probe.stdout.split(maxsplit=3) == ["2", "10", "4", "statement 4 cannot be built\n"]


def test_with_other_threads_running_the_statements_render_here(tmp_path: Path) -> None:
    every = statements(tmp_path, 10)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        with render_statements(every.__getitem__, len(every), jobs=2) as pdfs:
            assert multiprocessing.active_children() == []
            rendered = list(pdfs)
    finally:
        stop.set()
        other.join()
    assert [pdf for _, pdf in rendered] == [render_statement(s) for s in every]
