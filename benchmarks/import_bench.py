"""Import speed: read and check a dataset, then store it in one transaction; against DuckDB
loading the same CSV files into its own tables without any check.

``python -m benchmarks.import_bench bench-data/large-10m [--database-url URL]``

Prints the time to read and check the files, the time to store them (through the services the
CLI's ``import`` calls), rows per second, the peak memory of the process, and DuckDB's time to
load the same files. The default database is a fresh SQLite file beside the dataset.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from spreiding.services import datasets
from spreiding.store.database import open_database


@dataclass(frozen=True)
class Figures:
    summary: str
    rows: int
    backend: str
    read_s: float
    store_s: float
    peak_mib: float

    @property
    def engine_s(self) -> float:
        return self.read_s + self.store_s


def measure(folder: Path, url: str) -> Figures:
    start = time.perf_counter()
    dataset = datasets.read_folder(folder)
    checked = time.perf_counter()
    with open_database(url) as engine:
        with engine.begin() as connection:
            report = datasets.import_dataset(connection, dataset)
        stored = time.perf_counter()
        backend = engine.url.get_backend_name()
    return Figures(
        summary=dataset.summary(),
        rows=sum(report.added.values()),
        backend=backend,
        read_s=checked - start,
        store_s=stored - checked,
        peak_mib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    )


def duckdb_seconds(folder: Path) -> float:
    """DuckDB reading every CSV file of the dataset into a table of a fresh database file,
    with types inferred and nothing checked."""
    import duckdb  # a benchmark-only dependency (pip install -e '.[bench]')

    with tempfile.TemporaryDirectory() as scratch:
        start = time.perf_counter()
        connection = duckdb.connect(str(Path(scratch) / "import.duckdb"))
        for path in sorted(folder.glob("*.csv")):
            connection.execute(
                f"CREATE TABLE {path.stem} AS SELECT * FROM read_csv('{path}', header = true)"
            )
        connection.close()
        return time.perf_counter() - start


def fresh_sqlite(folder: Path) -> str:
    path = folder / "import-bench.db"
    path.unlink(missing_ok=True)
    return f"sqlite:///{path}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    f = measure(args.folder, args.database_url or fresh_sqlite(args.folder))
    print(f"dataset: {args.folder}: {f.summary}")
    print(f"read and check: {f.read_s:.1f} s")
    print(
        f"store: {f.store_s:.1f} s ({f.rows:,} rows, {f.rows / f.store_s:,.0f} rows/s) into {f.backend}"
    )
    print(f"peak memory: {f.peak_mib:,.0f} MiB")
    print(f"duckdb: {duckdb_seconds(args.folder):.1f} s (read into tables, no checks)")


if __name__ == "__main__":
    main()
