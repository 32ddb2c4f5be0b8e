"""PDF statements of a settled large run: pages per second, one core against all.

``python -m benchmarks.pdf_bench [--odv-dbcs 1000000] [--jobs 1,2] [--statements N]``

Prepares an SQLite file once (the generated dataset of ``settlement_bench``, imported and
settled for 2024, through the services the CLI calls), then renders the run's statements as
``spreiding runs statements`` does (``services.statements.run_statements`` and
``render.statement_batch.render_statements``) with each number of workers, writes them to a
temporary folder, checks that every number of workers wrote the same bytes, and prints
statements, pages, seconds, pages per second and the load average (the machine may be shared).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import tempfile
import time
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


def measure(url: str, run_id: int, jobs: int, limit: int | None) -> tuple[int, int, float, str]:
    """Statements, pages, wall seconds and a digest of every file written."""
    digest = hashlib.sha256()
    pages = 0
    with open_database(url) as engine, engine.connect() as connection:
        every = statements.run_statements(connection, OPERATOR, run_id)
        count = min(len(every), limit) if limit else len(every)
        with tempfile.TemporaryDirectory() as out:
            started = time.perf_counter()
            with render_statements(every.statement, count, jobs=jobs) as rendered:
                for name, pdf in rendered:
                    Path(out, name).write_bytes(pdf)
                    pages += page_count(pdf)
                    digest.update(name.encode() + pdf)
            seconds = time.perf_counter() - started
    return count, pages, seconds, digest.hexdigest()


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
    print(f"{'workers':>7} {'statements':>10} {'pages':>8} {'seconds':>8} {'pages/s':>8}  load")
    for jobs in (int(j) for j in args.jobs.split(",")):
        count, pages, seconds, digest = measure(url, run_id, jobs, args.statements)
        digests.add(digest)
        load = " ".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"{jobs:>7} {count:>10,} {pages:>8,} {seconds:>8.1f} {pages / seconds:>8.1f}  {load}")
    print("same bytes for every number of workers" if len(digests) == 1 else "BYTES DIFFER")


if __name__ == "__main__":
    main()
