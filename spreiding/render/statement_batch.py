"""The PDF statements of a whole run, rendered on every core.

A run of a large alliance has hundreds of pairs and tens of thousands of pages; reportlab
renders in one thread, so the statements are built and rendered in worker processes, one pair
at a time, and handed back in the run's pair order. The workers are forked with the run's
statements already in memory (nothing is pickled but the pair's index and the PDF's bytes), so
the bytes of every statement are those of ``render_statement`` in the parent: the number of
workers changes how fast, never what is written.

Example: ``with render_statements(build, 435, jobs=2) as pdfs: for name, pdf in pdfs: ...``
gives 435 ``(file name, PDF bytes)`` in order, two statements rendering at once.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from settlement.statement import Statement
from spreiding.render.statement_pdf import render_statement, statement_file_name

PAGE = re.compile(rb"/Type /Page(?!s)")  # a page object in a PDF (not the /Pages tree)

# Below this many statements the start of the workers costs more than it saves.
SERIAL_BELOW = 8

_build: Callable[[int], Statement] | None = None  # set in the parent before the workers fork


def default_jobs() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def page_count(pdf: bytes) -> int:
    return len(PAGE.findall(pdf))


@contextmanager
def render_statements(
    build: Callable[[int], Statement], count: int, *, jobs: int | None = None
) -> Iterator[Iterator[tuple[str, bytes]]]:
    """A context giving ``(file name, PDF)`` of statements ``build(0)`` … ``build(count - 1)``,
    in that order, rendered by ``jobs`` processes (all cores by default; one where the platform
    cannot fork). The workers fork on entering, before the caller starts any thread (a progress
    bar's), and stop on leaving."""
    jobs = min(jobs or default_jobs(), count)
    # Forking copies only the calling thread: a lock another thread held at that moment stays
    # held in the worker for ever. So workers fork only from a process running one thread (the
    # command line); inside a server or a test runner the statements render here, in order.
    alone = threading.active_count() == 1
    if jobs <= 1 or count < SERIAL_BELOW or not alone or not _can_fork():
        yield (_render_one(build, index) for index in range(count))
        return
    global _build
    _build = build
    # What the workers inherit is frozen out of the garbage collector's reach: a collection in
    # a worker would otherwise walk (and so copy, page by page) every object of the parent.
    gc.freeze()
    try:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            yield pool.imap(_render_in_worker, range(count), chunksize=1)
    finally:
        _build = None
        gc.unfreeze()


def _render_in_worker(index: int) -> tuple[str, bytes]:
    assert _build is not None, "the workers are forked after the statements are set"
    return _render_one(_build, index)


def _render_one(build: Callable[[int], Statement], index: int) -> tuple[str, bytes]:
    statement = build(index)
    return statement_file_name(statement), render_statement(statement)
