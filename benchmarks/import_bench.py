"""Import speed: read and check a dataset, then store it in one transaction.

``python -m benchmarks.import_bench bench-data/large-10m [--database-url URL]``

Prints the time to read and check the files, the time to store them, rows per second and the
peak memory of the process. The default database is a fresh SQLite file beside the dataset.
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

from spreiding.contract.reader import read_dataset
from spreiding.store.database import open_database
from spreiding.store.datasets import import_dataset


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    url = args.database_url
    if url is None:
        path = args.folder / "import-bench.db"
        path.unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    start = time.perf_counter()
    dataset = read_dataset(args.folder)
    checked = time.perf_counter()
    with open_database(url) as engine:
        with engine.begin() as connection:
            report = import_dataset(connection, dataset)
        stored = time.perf_counter()
    rows = sum(report.added.values())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"dataset: {args.folder}: {dataset.summary()}")
    print(f"read and check: {checked - start:.1f} s")
    print(
        f"store: {stored - checked:.1f} s ({rows:,} rows, {rows / (stored - checked):,.0f} rows/s) into {engine.url.get_backend_name()}"
    )
    print(f"peak memory: {peak:,.0f} MiB")


if __name__ == "__main__":
    main()
