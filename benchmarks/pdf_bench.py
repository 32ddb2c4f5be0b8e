"""PDF statements of a settled large run: pages per second, one core against all.

``python -m benchmarks.pdf_bench [--odv-dbcs 1000000] [--jobs 1,2] [--statements N]``

Prepares an SQLite file once (the generated dataset of ``settlement_bench``, imported and
settled for 2024, through the services the CLI calls), then renders the run's statements as
``spreiding runs statements`` does (``services.statements.run_statements`` and
``render.statement_batch.render_statements``) with each number of workers, writes them to a
temporary folder, checks that every number of workers wrote the same bytes, and prints
statements, pages, seconds, pages per second, the CPU seconds of this process and its workers
with the pages per CPU second (the figure a shared, loaded machine blurs least), the peak
resident memory of a worker and the load average.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks import settlement_bench
from spreiding.render.statement_batch import page_count, render_statements
from spreiding.services import datasets, settlement, statements
from spreiding.services.access import OPERATOR
from spreiding.store.database import open_database


def prepare(url: str, folder: Path) -> None:
    """Import and settle the dataset."""
    with open_database(url) as engine:
        with engine.begin() as connection:
            datasets.import_dataset(connection, datasets.read_folder(folder))
        with engine.begin() as connection:
            settlement.settle_year(connection, OPERATOR, year=2024)


@dataclass(frozen=True)
class Figures:
    statements: int
    pages: int
    seconds: float  # wall
    cpu_seconds: float  # this process and its workers, while rendering
    digest: str  # of every file name and PDF written

    @property
    def pages_per_s(self) -> float:
        return self.pages / self.seconds


def measure(url: str, run_id: int, jobs: int, limit: int | None) -> tuple[int, int, float, str]:
    """Statements, pages, wall seconds and a digest of every file written."""
    f = measure_figures(url, run_id, jobs, limit)
    return f.statements, f.pages, f.seconds, f.digest


def measure_figures(url: str, run_id: int, jobs: int, limit: int | None) -> Figures:
    """The statements of run ``run_id`` (the first ``limit``) rendered by ``jobs`` workers."""
    digest = hashlib.sha256()
    pages = 0
    with open_database(url) as engine, engine.connect() as connection:
        every = statements.run_statements(connection, OPERATOR, run_id)
        count = min(len(every), limit) if limit else len(every)
        with tempfile.TemporaryDirectory() as out:
            cpu = _cpu_seconds()
            started = time.perf_counter()
            with render_statements(every.statement, count, jobs=jobs) as rendered:
                for name, pdf in rendered:
                    Path(out, name).write_bytes(pdf)
                    pages += page_count(pdf)
                    digest.update(name.encode() + pdf)
            seconds = time.perf_counter() - started
            cpu = _cpu_seconds() - cpu  # the workers have ended: their time is counted
    return Figures(count, pages, seconds, cpu, digest.hexdigest())


def _cpu_seconds() -> float:
    """User and system seconds of this process and of its ended workers so far."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime


def _peak_mib() -> float:
    """The peak resident memory of this process (the run loaded) or of the largest ended
    worker, in MiB (Linux counts in kB)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, workers) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--odv-dbcs", type=int, default=1_000_000)
    parser.add_argument("--hospitals", type=int, default=30)
    parser.add_argument("--jobs", default="1,2", help="numbers of workers, comma-separated")
    parser.add_argument("--statements", type=int, default=None, help="render only the first N")
    args = parser.parse_args()
    folder = settlement_bench.folder_for(args.odv_dbcs, args.hospitals, 2024)
    database = Path("bench-data") / f"pdf-{args.odv_dbcs}-{args.hospitals}.sqlite"
    url = f"sqlite:///{database}"
    if not database.exists():
        prepare(url, folder)
    with open_database(url) as engine, engine.connect() as connection:
        run_id = settlement.list_runs(connection, OPERATOR)[-1].run_id
    digests = set()
    print(
        f"{'workers':>7} {'statements':>10} {'pages':>8} {'seconds':>8} {'pages/s':>8} "
        f"{'cpu s':>7} {'pages/cpu-s':>11} {'peak MiB':>8}  load"
    )
    for jobs in (int(j) for j in args.jobs.split(",")):
        f = measure_figures(url, run_id, jobs, args.statements)
        digests.add(f.digest)
        load = " ".join(f"{x:.1f}" for x in os.getloadavg())
        print(
            f"{jobs:>7} {f.statements:>10,} {f.pages:>8,} {f.seconds:>8.1f} {f.pages_per_s:>8.1f} "
            f"{f.cpu_seconds:>7.1f} {f.pages / f.cpu_seconds:>11.1f} {_peak_mib():>8,.0f}  {load}"
        )
    print("same bytes for every number of workers" if len(digests) == 1 else "BYTES DIFFER")


if __name__ == "__main__":
    main()
