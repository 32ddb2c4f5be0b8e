"""``make bench``: every workload of issue 10 in one run, each beside its DuckDB peer where
there is one, with its peak memory, printed as one table.

``python -m benchmarks.run [--size 10000] [--only settle,audit,...] [--postgres URL]``

``--size`` is the number of ODV DBCs settled; the audit reads ten times as many declaration
lines (with a tenth as many ODV DBCs); the imports store that audit dataset (all seven files)
into a fresh SQLite file and, when a PostgreSQL server answers at ``--postgres`` (default: the
local one, database ``bench_import``, dropped and made again), into PostgreSQL; the PDF and API
workloads use the settled year of ``--size`` ODV DBCs stored once in an SQLite file. Datasets
are generated once under ``bench-data/``.

Each workload runs in a child process of its own, so its peak memory is its own (the peak the
child reports for *our* side, read before the peer runs, and the child's whole peak when the
peer runs in it too). The large runs whose figures ``benchmarks/README.md`` gives are the same
workloads at a larger ``--size`` (and the separate modules with their own options).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.versions import versions

HOSPITALS = 30
YEAR = 2024
WORKLOADS = (
    "settle",
    "audit",
    "audit-streamed",
    "import-sqlite",
    "import-postgresql",
    "pdf",
    "api",
)
PART_LINES = 1_000_000
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_import"


@dataclass(frozen=True)
class Row:
    """One line of the table."""

    workload: str
    size: str
    ours: str
    peer: str
    ratio: str
    peak: str
    target: str
    met: str
    note: str = ""


def _settle(size: int, _: argparse.Namespace) -> dict[str, Any]:
    from benchmarks import settlement_bench

    f = settlement_bench.measure(settlement_bench.folder_for(size, HOSPITALS, YEAR), year=YEAR)
    ratio = f.engine_s / f.duck_s
    return asdict_row(
        Row(
            "settle",
            f"{f.odv:,} ODV DBCs",
            f"{f.engine_s:.2f} s (read+check {f.read_s:.2f}, settle {f.settle_s:.2f})",
            f"{f.duck_s:.2f} s",
            f"{ratio:.2f}x",
            f"{f.peak_mib:,.0f} MiB",
            "<= 1.0x, <= 1,536 MiB",
            _met(ratio <= 1.0 and f.peak_mib <= 1536),
            "same lines" if f.same else "DISAGREE",
        )
    )


def _audit_folder(size: int) -> Path:
    from benchmarks import audit_bench

    return audit_bench.folder_for(10 * size, max(size // 10, 1), HOSPITALS, YEAR)


def _audit(size: int, args: argparse.Namespace) -> dict[str, Any]:
    from benchmarks import audit_bench

    streamed = args.child == "audit-streamed"
    if streamed:
        try:
            f = audit_bench.measure(_audit_folder(size), year=YEAR, partitioned=PART_LINES)
        except TypeError:  # a checkout from before the streamed audit
            return asdict_row(Row("audit streamed", "-", "not built", "-", "-", "-", "-", "no"))
    else:
        f = audit_bench.measure(_audit_folder(size), year=YEAR)
    ratio = f.engine_s / f.duck_s
    return asdict_row(
        Row(
            f"audit streamed, parts <= {PART_LINES:,} lines" if streamed else "audit",
            f"{10 * size:,} declarations",
            f"{f.engine_s:.2f} s (read, check, audit by block)"
            if streamed
            else f"{f.engine_s:.2f} s (read+check {f.read_s:.2f}, audit {f.audit_s:.2f})",
            f"{f.duck_s:.2f} s",
            f"{ratio:.2f}x",
            f"{f.peak_mib:,.0f} MiB",
            "<= 1.0x, <= 3 GiB at 10M lines",
            _met(ratio <= 1.0 and f.peak_mib <= 3072),
            f"same {f.findings:,} findings" if f.same else "DISAGREE",
        )
    )


def _import(url: str, target: int) -> Callable[[int, argparse.Namespace], dict[str, Any]]:
    def run(size: int, args: argparse.Namespace) -> dict[str, Any]:
        from benchmarks import import_bench

        folder = _audit_folder(size)
        database = import_bench.fresh_sqlite(folder) if url == "sqlite" else _fresh_postgres(url)
        if hasattr(import_bench, "measure_streamed"):
            # What `spreiding import` and POST /datasets run: the declarations read, checked
            # and stored block by block in one transaction.
            s = import_bench.measure_streamed(folder, database, import_bench.BLOCK_BYTES)
            rows, seconds, store_s, peak = s.rows, s.seconds, s.store_s, s.peak_mib
            backend = s.backend
            how = f"{seconds:.2f} s in blocks (of which in the store's calls {store_s:.2f}: "
        else:  # a checkout from before the block import: read whole, then stored
            f = import_bench.measure(folder, database)
            rows, seconds, store_s, peak = f.rows, f.engine_s, f.store_s, f.peak_mib
            backend = f.backend
            how = f"{seconds:.2f} s (read+check {f.read_s:.2f}, store {store_s:.2f}: "
        duck = import_bench.duckdb_seconds(folder)
        per_second = rows / store_s
        return asdict_row(
            Row(
                f"import {backend}",
                f"{rows:,} rows",
                f"{how}{per_second:,.0f} rows/s)",
                f"{duck:.2f} s (no checks)",
                f"{seconds / duck:.2f}x",
                f"{peak:,.0f} MiB",
                f">= {target:,} rows/s stored, <= 2 GiB at 11.3M rows",
                _met(per_second >= target and peak <= 2048),
            )
        )

    return run


def _fresh_postgres(url: str) -> str:
    """Drop and create the benchmark's database on the server of ``url``."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()
    return url


def _settled(size: int) -> tuple[str, str, int]:
    """An SQLite file holding the settled year of ``size`` ODV DBCs (made once): its URL, an
    admin key and the run id."""
    from benchmarks import load_bench, settlement_bench

    database = Path("bench-data") / f"run-{size}-{HOSPITALS}.sqlite"
    facts = database.with_suffix(".json")
    url = f"sqlite:///{database}"
    if not facts.exists():
        database.unlink(missing_ok=True)
        key, run_id = load_bench.prepare(url, settlement_bench.folder_for(size, HOSPITALS, YEAR))
        facts.write_text(json.dumps({"key": key, "run_id": run_id}))
    known = json.loads(facts.read_text())
    return url, known["key"], known["run_id"]


def _pdf(size: int, args: argparse.Namespace) -> dict[str, Any]:
    from benchmarks import pdf_bench

    url, _, run_id = _settled(size)
    statements, pages, seconds, _ = pdf_bench.measure(url, run_id, 2, args.statements)
    rate = pages / seconds
    return asdict_row(
        Row(
            "pdf statements",
            f"{statements:,} statements, {pages:,} pages",
            f"{seconds:.2f} s ({rate:,.1f} pages/s, 2 workers)",
            "-",
            "-",
            f"{_self_peak():,.0f} MiB",
            ">= 300 pages/s",
            _met(rate >= 300),
        )
    )


def _api(size: int, args: argparse.Namespace) -> dict[str, Any]:
    from benchmarks import load_bench

    url, key, run_id = _settled(size)
    found = load_bench.measure(url, key, run_id, seconds=args.api_seconds)
    rows = [
        Row(
            f"api {name}",
            f"{figures['clients']} clients, {figures['mode']}",
            f"p50 {figures['p50_ms']:.0f} ms, p99 {figures['p99_ms']:.0f} ms, "
            f"{figures['rps']:,.0f}/s, {figures['errors']} errors",
            "-",
            "-",
            "-",
            "p99 <= 100 ms, 0 errors",
            _met(figures["p99_ms"] <= 100 and figures["errors"] == 0),
        )
        for name, figures in found.items()
    ]
    return {"rows": [row.__dict__ for row in rows]}


def _self_peak() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _met(ok: bool) -> str:
    return "yes" if ok else "no"


def asdict_row(row: Row) -> dict[str, Any]:
    return {"rows": [row.__dict__]}


CHILDREN: dict[str, Callable[[int, argparse.Namespace], dict[str, Any]]] = {
    "settle": _settle,
    "audit": _audit,
    "audit-streamed": _audit,
    "import-sqlite": _import("sqlite", 150_000),
    "import-postgresql": _import(POSTGRES, 250_000),
    "pdf": _pdf,
    "api": _api,
}


def _child(name: str, args: argparse.Namespace) -> list[Row]:
    """Run one workload in a process of its own; its rows, with the child's whole peak."""
    command = [sys.executable, "-m", "benchmarks.run", "--child", name, "--size", str(args.size)]
    command += ["--postgres", args.postgres, "--api-seconds", str(args.api_seconds)]
    if args.statements:
        command += ["--statements", str(args.statements)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    result = [line for line in output.splitlines() if line.startswith("RESULT ")]
    if process.returncode != 0 or not result:
        print(output, file=sys.stderr)
        return [Row(name, "-", "FAILED", "-", "-", "-", "-", "no", f"exit {process.returncode}")]
    rows = [Row(**row) for row in json.loads(result[-1].removeprefix("RESULT "))["rows"]]
    whole = f"{usage.ru_maxrss / 1024:,.0f} MiB"
    return [
        Row(**(row.__dict__ | {"note": "; ".join(filter(None, [row.note, f"process {whole}"]))}))
        for row in rows
    ]


def _postgres_answers(url: str) -> bool:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import OperationalError

    engine = create_engine(make_url(url).set(database="postgres"))
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except OperationalError:
        return False
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", "--rows", type=int, default=10_000, help="ODV DBCs to settle")
    parser.add_argument("--only", default=",".join(WORKLOADS), help="workloads, comma-separated")
    parser.add_argument("--postgres", default=POSTGRES, help="database for import-postgresql")
    parser.add_argument("--statements", type=int, default=None, help="PDF: the first N only")
    parser.add_argument("--api-seconds", type=float, default=30.0, help="API: seconds a mode")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print("RESULT " + json.dumps(CHILDREN[args.child](args.size, args)), flush=True)
        return
    names = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = sorted(set(names) - set(WORKLOADS))
    if unknown:
        parser.error(f"unknown workloads: {', '.join(unknown)} (known: {', '.join(WORKLOADS)})")
    if "import-postgresql" in names and not _postgres_answers(args.postgres):
        print(f"no PostgreSQL server answers at {args.postgres}: import-postgresql skipped")
        names.remove("import-postgresql")
    load_before = os.getloadavg()
    started = time.perf_counter()
    rows = [row for name in names for row in _child(name, args)]
    print_table(rows)
    load_after = os.getloadavg()
    print(
        f"\n{time.perf_counter() - started:,.0f} s in all; load average before "
        f"{load_before[0]:.1f}, after {load_after[0]:.1f} (2 cores; the machine may be shared)"
    )
    print(versions())
    if any(row.note.startswith(("DISAGREE", "exit")) for row in rows):
        raise SystemExit("a workload failed, or the engine and DuckDB disagree")


def print_table(rows: list[Row]) -> None:
    """The rows as one Markdown table (readable in a terminal, pasted as is into the README)."""
    header = ("workload", "input", "spreiding", "DuckDB", "ratio", "peak", "target", "met", "")
    cells = [header] + [
        (r.workload, r.size, r.ours, r.peer, r.ratio, r.peak, r.target, r.met, r.note) for r in rows
    ]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    for index, row in enumerate(cells):
        print("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |")
        if index == 0:
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|")


if __name__ == "__main__":
    main()
