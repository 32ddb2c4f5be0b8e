"""``make bench``: the settlement, audit and import benchmarks at a small size, each figure
beside its DuckDB peer.

``python -m benchmarks.run [--size 10000]``

``--size`` (or ``--rows``) is the number of ODV DBCs settled; the audit reads ten times as many
declaration lines (with a tenth as many ODV DBCs), and the import stores that audit dataset, all
seven files, into a fresh SQLite file. Datasets are generated once under ``bench-data/``. The
large runs whose figures ``benchmarks/README.md`` gives are the separate modules
(``settlement_bench``, ``audit_bench``, ``import_bench``, ``load_bench``) with their defaults.
"""

from __future__ import annotations

import argparse

from benchmarks import audit_bench, import_bench, settlement_bench

HOSPITALS = 30


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", "--rows", type=int, default=10_000, help="ODV DBCs to settle")
    parser.add_argument("--year", type=int, default=2024)
    args = parser.parse_args()

    settle_folder = settlement_bench.folder_for(args.size, HOSPITALS, args.year)
    settled = settlement_bench.measure(settle_folder, year=args.year)
    audit_folder = audit_bench.folder_for(
        10 * args.size, max(args.size // 10, 1), HOSPITALS, args.year
    )
    audited = audit_bench.measure(audit_folder, year=args.year)
    imported = import_bench.measure(audit_folder, import_bench.fresh_sqlite(audit_folder))
    duck_import_s = import_bench.duckdb_seconds(audit_folder)

    rows = [
        (
            "settle",
            f"{settled.odv:,} ODV DBCs",
            settled.engine_s,
            f"read+check {settled.read_s:.2f} s, settle {settled.settle_s:.2f} s",
            settled.duck_s,
            "same lines" if settled.same else "DISAGREE",
        ),
        (
            "audit",
            f"{10 * args.size:,} declarations",
            audited.engine_s,
            f"read+check {audited.read_s:.2f} s, audit {audited.audit_s:.2f} s",
            audited.duck_s,
            f"same {audited.findings:,} findings" if audited.same else "DISAGREE",
        ),
        (
            "import",
            f"{imported.rows:,} rows",
            imported.engine_s,
            f"read+check {imported.read_s:.2f} s, store {imported.store_s:.2f} s",
            duck_import_s,
            f"into {imported.backend}; duckdb: no checks",
        ),
    ]
    print(
        f"{'benchmark':<10} {'input':<22} {'spreiding':>10} {'duckdb':>8} {'ratio':>7}  "
        f"{'split':<42} check"
    )
    for name, size, ours, split, theirs, check in rows:
        print(
            f"{name:<10} {size:<22} {ours:>8.2f} s {theirs:>6.2f} s {ours / theirs:>6.1f}x  "
            f"{split:<42} {check}"
        )
    print(f"peak memory of this process: {imported.peak_mib:,.0f} MiB")
    if not (settled.same and audited.same):
        raise SystemExit("the engine and DuckDB disagree")


if __name__ == "__main__":
    main()
