"""Import speed: read and check a dataset, then store it in one transaction; against DuckDB
loading the same CSV files into its own tables without any check.

``python -m benchmarks.import_bench bench-data/large-10m [--database-url URL] [--no-duckdb]
[--whole] [--block-bytes N]``

Runs what the CLI's ``import`` runs (``datasets.import_folder``: the declarations read, checked
and stored block by block, in one transaction) and prints its time, rows per second over the
whole import (reading and checking included) and over the time spent in the store's calls
alone, the process's CPU seconds and peak memory, and DuckDB's time to load the same files.
``--whole`` runs the import as it was before the blocks: ``read_folder`` (the whole dataset in
memory, checked), then ``import_dataset``; it prints the time to read and check, the time to
store, and the peak memory of each phase. The default database is a fresh SQLite file beside the
dataset; a PostgreSQL URL (``postgresql+psycopg://user@host/db``) must name an empty database
(or one that holds only the schema): the rows are stored through ``COPY``. The store's CPU
seconds are those of this process: on SQLite all of the work, on PostgreSQL the client's share
(formatting the rows), the server's work is not in them.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spreiding.services import datasets, import_blocks
from spreiding.services.declaration_checks import BLOCK_BYTES
from spreiding.store import dataset_blocks
from spreiding.store.database import open_database


@dataclass(frozen=True)
class Figures:
    summary: str
    rows: int
    backend: str
    read_s: float
    store_s: float
    peak_mib: float
    read_peak_mib: float = 0.0  # the process's peak resident memory while it read and checked
    store_peak_mib: float = 0.0  # ... while it stored (sampled every 20 ms)
    store_start_mib: float = 0.0  # its resident memory when the store began (the dataset read)
    store_cpu_s: float = 0.0  # this process's CPU seconds (user + system) while it stored

    @property
    def engine_s(self) -> float:
        return self.read_s + self.store_s


def measure(folder: Path, url: str) -> Figures:
    start = time.perf_counter()
    dataset = datasets.read_folder(folder)
    checked = time.perf_counter()
    read_peak = _peak_mib()
    with open_database(url) as engine:
        with _sampled_rss() as store_peak:
            cpu = _cpu_s()
            with engine.begin() as connection:
                report = datasets.import_dataset(connection, dataset)
            stored = time.perf_counter()
            cpu = _cpu_s() - cpu
        backend = engine.url.get_backend_name()
    return Figures(
        summary=dataset.summary(),
        rows=sum(report.added.values()),
        backend=backend,
        read_s=checked - start,
        store_s=stored - checked,  # the schema's migration included, as always
        peak_mib=_peak_mib(),
        read_peak_mib=read_peak,
        store_peak_mib=max(store_peak),
        store_start_mib=store_peak[0],
        store_cpu_s=cpu,
    )


@dataclass(frozen=True)
class Streamed:
    summary: str
    rows: int
    backend: str
    seconds: float  # the whole import: read, check and store, the schema's migration aside
    cpu_s: float  # this process's CPU seconds (user + system) over the import
    store_s: float  # of ``seconds``, the time spent in the store's calls (compare and insert)
    store_cpu_s: float  # ... and the CPU seconds of this process in them
    peak_mib: float  # the process's peak resident memory (ru_maxrss)
    start_mib: float  # its resident memory when the import began


def measure_streamed(folder: Path, url: str, block_bytes: int) -> Streamed:
    """``datasets.import_folder`` of ``folder`` into ``url``, as the CLI's ``import`` runs it;
    the time in the store's calls measured by wrapping them (``BlockTable`` and
    ``write_import``)."""
    spent = [0.0, 0.0]

    def timed(function: Any) -> Any:
        def run(*args: Any, **kwargs: Any) -> Any:
            wall, cpu = time.perf_counter(), _cpu_s()
            try:
                return function(*args, **kwargs)
            finally:
                spent[0] += time.perf_counter() - wall
                spent[1] += _cpu_s() - cpu

        return run

    patched = [
        (dataset_blocks.BlockTable, "compare"),
        (dataset_blocks.BlockTable, "insert"),
        (dataset_blocks.BlockTable, "finish"),
        (import_blocks.store, "write_import"),
    ]
    saved = [getattr(owner, name) for owner, name in patched]
    for owner, name in patched:
        setattr(owner, name, timed(getattr(owner, name)))
    try:
        with open_database(url) as engine:
            start_mib = _rss_mib()
            start, cpu = time.perf_counter(), _cpu_s()
            with engine.begin() as connection:
                imported = datasets.import_folder(connection, folder, block_bytes=block_bytes)
            seconds, cpu = time.perf_counter() - start, _cpu_s() - cpu
            backend = engine.url.get_backend_name()
    finally:
        for (owner, name), function in zip(patched, saved, strict=True):
            setattr(owner, name, function)
    return Streamed(
        summary=imported.summary,
        rows=sum(imported.report.added.values()),
        backend=backend,
        seconds=seconds,
        cpu_s=cpu,
        store_s=spent[0],
        store_cpu_s=spent[1],
        peak_mib=_peak_mib(),
        start_mib=start_mib,
    )


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _rss_mib() -> float:
    with open("/proc/self/statm") as statm:  # Linux: pages resident, the second field
        return int(statm.read().split()[1]) * resource.getpagesize() / 2**20


@contextmanager
def _sampled_rss(every_s: float = 0.02) -> Iterator[list[float]]:
    """The resident memory of the process, sampled while the block runs (its peak: ``max``)."""
    samples = [_rss_mib()]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(every_s):
            samples.append(_rss_mib())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield samples
    finally:
        done.set()
        sampler.join()
        samples.append(_rss_mib())


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
    parser.add_argument("--database-url", help="default: a fresh SQLite file in the folder")
    parser.add_argument("--no-duckdb", action="store_true", help="skip DuckDB's load")
    parser.add_argument("--whole", action="store_true", help="read whole, then store (before)")
    parser.add_argument("--block-bytes", type=int, default=BLOCK_BYTES)
    args = parser.parse_args()
    url = args.database_url or fresh_sqlite(args.folder)
    if not args.whole:
        s = measure_streamed(args.folder, url, args.block_bytes)
        print(f"dataset: {args.folder}: {s.summary}")
        print(
            f"import (read, check, store in blocks of {args.block_bytes:,} bytes): {s.seconds:.1f} s,"
            f" {s.cpu_s:.1f} CPU s; {s.rows:,} rows into {s.backend}: {s.rows / s.seconds:,.0f} rows/s"
            f" over the whole import"
        )
        print(
            f"of which in the store's calls: {s.store_s:.1f} s, {s.store_cpu_s:.1f} CPU s in this"
            f" process ({s.rows / s.store_s:,.0f} rows/s)"
        )
        print(f"peak memory: {s.peak_mib:,.0f} MiB ({s.start_mib:,.0f} MiB at the start)")
        if not args.no_duckdb:
            print(f"duckdb: {duckdb_seconds(args.folder):.1f} s (read into tables, no checks)")
        return
    f = measure(args.folder, url)
    print(f"dataset: {args.folder}: {f.summary}")
    print(f"read and check: {f.read_s:.1f} s (peak {f.read_peak_mib:,.0f} MiB)")
    print(
        f"store: {f.store_s:.1f} s ({f.rows:,} rows, {f.rows / f.store_s:,.0f} rows/s) into"
        f" {f.backend}; {f.store_cpu_s:.1f} CPU s in this process; peak {f.store_peak_mib:,.0f} MiB"
        f" ({f.store_start_mib:,.0f} MiB at its start)"
    )
    print(f"peak memory: {f.peak_mib:,.0f} MiB")
    if not args.no_duckdb:
        print(f"duckdb: {duckdb_seconds(args.folder):.1f} s (read into tables, no checks)")


if __name__ == "__main__":
    main()
