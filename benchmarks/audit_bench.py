"""Audit speed: the rules against an equivalent DuckDB SQL formulation over the same files.

``python -m benchmarks.audit_bench [--declarations 10000000] [--hospitals 30]``

Generates the dataset (``benchmarks.generate``: most patients in one hospital, a few percent of
spread care, about 1% duplicates, 0.5% credit lines with rebills) when it is not under
``bench-data/`` yet, then in one process: (1) the engine, end to end from the files, through
the services the CLI calls: ``read_folder`` (every contract check) and ``audit_dataset``; its
peak memory is read before DuckDB runs; (2) DuckDB, reading the same CSV files without checks
and running the same rules in SQL. Both must report the same (rule, line) findings; the figures
are printed.

``--partitioned N`` audits streamed in partitions instead (``spreiding.services.audit_partitions``):
every file but the declarations read and checked by ``read_folder``, the declarations read in
pyarrow batches, spilled by insurer and patient hash to Arrow IPC files and audited in parts of
at most N lines, so the peak follows N, not the input. The blocks are checked and the parts
audited by worker processes (``--workers``, default one a core, at most 2;
``spreiding.services.audit_pool``): the CPU figure adds the workers' CPU, the peak adds each
worker's peak to this process's (the most held at once, at most).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from benchmarks.generate import generate
from benchmarks.settlement_bench import care_frames
from spreiding.domain.agreements import Agreement
from spreiding.domain.dataset import Dataset
from spreiding.services import audit, audit_partitions, audit_pool, datasets

QUERY = """
WITH decl AS (
    SELECT declaration_id, agb, uzovi, patient_ref, zorgproduct_code,
           CAST(start_date AS DATE) AS start_day, CAST(end_date AS DATE) AS end_day,
           CAST(round(CAST(amount_eur AS DECIMAL(18, 2)) * 100) AS BIGINT) AS cents,
           CAST(declared_on AS DATE) AS declared_day, {dbc_id} AS dbc_id
    FROM read_csv('{folder}/declarations.csv', header = true, all_varchar = true) r
), dbcs AS (
    SELECT agb, dbc_id, patient_ref, zorgproduct_code, CAST(start_date AS DATE) AS start_day,
           CAST(end_date AS DATE) AS end_day, odv = 'true' AS odv,
           requesting_agb, coalesce(r.primary_dbc_id, '') AS primary_dbc_id
    FROM read_csv('{folder}/dbcs.csv', header = true, all_varchar = true) r
), debit AS (
    SELECT *, row_number() OVER (PARTITION BY agb, uzovi, patient_ref, zorgproduct_code,
                                 start_day, cents ORDER BY declared_day, declaration_id) AS k
    FROM decl WHERE cents > 0
), credit AS (
    SELECT agb, uzovi, patient_ref, zorgproduct_code, start_day, -cents AS cents,
           row_number() OVER (PARTITION BY agb, uzovi, patient_ref, zorgproduct_code,
                              start_day, cents ORDER BY declared_day, declaration_id) AS k
    FROM decl WHERE cents < 0
), live AS (
    SELECT d.* FROM debit d ANTI JOIN credit c USING (agb, uzovi, patient_ref, zorgproduct_code,
                                                     start_day, cents, k)
), declared AS (
    SELECT l.declaration_id, b.agb, b.dbc_id, b.odv FROM live l
        JOIN dbcs b ON l.dbc_id <> '' AND b.agb = l.agb AND b.dbc_id = l.dbc_id
    UNION ALL
    SELECT l.declaration_id, b.agb, b.dbc_id, b.odv FROM live l
        JOIN dbcs b ON l.dbc_id = '' AND b.agb = l.agb AND b.patient_ref = l.patient_ref
         AND b.zorgproduct_code = l.zorgproduct_code AND b.start_day = l.start_day
), odv_001 AS (
    SELECT DISTINCT 'ODV-001' AS rule, l.declaration_id AS subject FROM live l
    JOIN declared d ON d.declaration_id = l.declaration_id AND d.odv
    WHERE year(l.end_day) = {year}
), odv_002 AS (
    SELECT 'ODV-002' AS rule, o.dbc_id AS subject FROM dbcs o
    WHERE o.odv AND o.primary_dbc_id <> '' AND year(o.end_day) = {year}
      AND NOT EXISTS (SELECT 1 FROM declared d
                      WHERE d.agb = o.requesting_agb AND d.dbc_id = o.primary_dbc_id)
), par_002 AS (
    SELECT 'PAR-002' AS rule, declaration_id AS subject FROM (
        SELECT *, row_number() OVER (PARTITION BY agb, uzovi, patient_ref, zorgproduct_code,
                                     start_day ORDER BY declared_day, declaration_id) AS n
        FROM live) WHERE n > 1 AND year(end_day) = {year}
), pairs AS (
    SELECT a.declaration_id AS a_id, b.declaration_id AS b_id, a.agb AS a_agb, b.agb AS b_agb,
           a.uzovi, a.zorgproduct_code AS a_code, b.zorgproduct_code AS b_code,
           least(a.start_day, b.start_day) AS first_start,
           greatest(a.start_day, b.start_day) AS last_start,
           greatest(a.end_day, b.end_day) AS last_end,
           (b.declared_day > a.declared_day OR (b.declared_day = a.declared_day
              AND b.declaration_id > a.declaration_id)) AS b_later,
           a.end_day AS a_end, b.end_day AS b_end
    FROM live a JOIN live b ON a.uzovi = b.uzovi AND a.patient_ref = b.patient_ref
     AND a.declaration_id < b.declaration_id AND a.agb <> b.agb
     AND a.start_day <= b.end_day AND b.start_day <= a.end_day
), covering AS (
    SELECT p.*, t.ct, t.performing_agb, t.method FROM pairs p
    JOIN care t ON true
    JOIN parties pa ON pa.agreement_id = t.agreement_id AND pa.agb = p.a_agb
    JOIN parties pb ON pb.agreement_id = t.agreement_id AND pb.agb = p.b_agb
    WHERE t.valid_from <= p.first_start AND p.last_start <= t.valid_to
      AND EXISTS (SELECT 1 FROM covers v WHERE v.ct = t.ct AND ((v.kind = 'code' AND v.code = p.a_code)
                  OR (v.kind = 'group' AND v.code = substr(p.a_code, 1, 6))))
      AND EXISTS (SELECT 1 FROM covers v WHERE v.ct = t.ct AND ((v.kind = 'code' AND v.code = p.b_code)
                  OR (v.kind = 'group' AND v.code = substr(p.b_code, 1, 6))))
), allowed AS (
    SELECT DISTINCT c.a_id, c.b_id FROM covering c JOIN consents s ON s.ct = c.ct
    WHERE c.method = 'parallel' AND s.uzovi = c.uzovi AND s.valid_from <= c.first_start
      AND c.last_end <= s.valid_to
), par_001_pairs AS (
    SELECT a_id, b_id, any_value(a_end) AS a_end, any_value(b_end) AS b_end,
           bool_or(performing_agb = a_agb) AS a_performs, bool_or(performing_agb = b_agb) AS b_performs,
           any_value(b_later) AS b_later
    FROM covering c WHERE NOT EXISTS (SELECT 1 FROM allowed w WHERE w.a_id = c.a_id AND w.b_id = c.b_id)
    GROUP BY a_id, b_id
), par_001 AS (
    SELECT DISTINCT 'PAR-001' AS rule, CASE WHEN flag_b THEN b_id ELSE a_id END AS subject FROM (
        SELECT *, CASE WHEN a_performs <> b_performs THEN b_performs ELSE b_later END AS flag_b
        FROM par_001_pairs)
    WHERE year(CASE WHEN flag_b THEN b_end ELSE a_end END) = {year}
), par_003 AS (
    SELECT DISTINCT 'PAR-003' AS rule, CASE WHEN b_later THEN b_id ELSE a_id END AS subject
    FROM pairs p
    WHERE substr(a_code, 1, 6) = substr(b_code, 1, 6)
      AND NOT EXISTS (SELECT 1 FROM covering c WHERE c.a_id = p.a_id AND c.b_id = p.b_id)
      AND year(CASE WHEN b_later THEN b_end ELSE a_end END) = {year}
), trf_001 AS (
    SELECT 'TRF-001' AS rule, t.transfer_id AS subject FROM (
        SELECT *, CAST(transfer_date AS DATE) AS day
        FROM read_csv('{folder}/transfers.csv', header = true, all_varchar = true)) t
    WHERE t.status = 'performed' AND year(t.day) = {year}
      AND NOT EXISTS (SELECT 1 FROM dbcs o WHERE o.odv AND o.agb = t.to_agb
                      AND o.requesting_agb = t.from_agb AND o.patient_ref = t.patient_ref
                      AND o.start_day <= t.day AND (o.end_day IS NULL OR t.day <= o.end_day))
)
SELECT * FROM odv_001 UNION ALL SELECT * FROM odv_002 UNION ALL SELECT * FROM par_001
UNION ALL SELECT * FROM par_002 UNION ALL SELECT * FROM par_003 UNION ALL SELECT * FROM trf_001
ORDER BY rule, subject
"""


def consent_frame(agreements: Sequence[Agreement]) -> pd.DataFrame:
    rows = []
    ct = 0
    for a in agreements:
        if a.stage == "verkennen":
            continue
        for c in a.care_types:
            for s in c.parallel_consents:
                rows.append(
                    (ct, s.uzovi, s.valid_from, s.valid_to or pd.Timestamp("9999-12-31").date())
                )
            ct += 1
    return pd.DataFrame(rows, columns=["ct", "uzovi", "valid_from", "valid_to"])


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclass(frozen=True)
class Figures:
    summary: str
    counts: dict[str, int]
    findings: int
    duck_findings: int
    read_s: float
    audit_s: float
    duck_s: float
    peak_mib: float
    same: bool
    only_ours: list[tuple[str, str]]
    only_theirs: list[tuple[str, str]]
    part_lines: int = 0  # lines per part of a streamed audit, at most; 0: the whole in memory
    cpu_s: float = 0.0  # the engine's CPU seconds (read, check and audit), its workers' too
    workers: int = 1  # processes a streamed audit ran on (1: this one alone)
    worker_peaks: tuple[float, ...] = ()  # each worker's peak memory (MiB)

    @property
    def total_peak_mib(self) -> float:
        """This process's peak and every worker's added up: the most held at once, at most."""
        return self.peak_mib + sum(self.worker_peaks)

    @property
    def engine_s(self) -> float:
        return self.read_s + self.audit_s


def _without_declarations(folder: Path) -> Dataset:
    """The dataset of ``folder`` read and checked without its declarations (links to the other
    files in a temporary folder)."""
    with tempfile.TemporaryDirectory() as scratch:
        for path in folder.iterdir():
            if path.name != "declarations.csv":
                os.symlink(path.resolve(), Path(scratch) / path.name)
        return datasets.read_folder(scratch)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _server_cpu() -> float:
    """The CPU seconds of the pool's fork server (``audit_pool.warm``) and of the workers it
    forked that have ended (Linux ``/proc``; 0 when it is not running): they are not this
    process's children, which ``_children_cpu`` counts."""
    from multiprocessing import forkserver

    pid = getattr(forkserver._forkserver, "_forkserver_pid", None)
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    # utime, stime, and those of its children it has waited for (the workers)
    return sum(int(field) for field in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def measure(
    folder: Path, *, year: int, partitioned: int = 0, workers: int | None = None
) -> Figures:
    """The audit (read, check and audit, through the services the CLI calls) and DuckDB over
    the same files, in this process; with ``partitioned``, the audit streamed in parts of at
    most that many lines (``spreiding.services.audit_partitions``)."""
    start = time.perf_counter()
    cpu = time.process_time() + _children_cpu() + _server_cpu()
    audit_pool.LAST_PEAKS.clear()
    if partitioned:
        # What `spreiding audit --data` runs: the other files read and checked whole, the
        # declarations checked and audited block by block; reading and auditing interleave, so
        # the whole time is counted as the audit.
        findings = audit_partitions.audit_folder(
            folder, year=year, part_lines=partitioned, workers=workers
        ).findings
        read_done = start
    else:
        dataset = datasets.read_folder(folder)
        read_done = time.perf_counter()
        findings = audit.audit_dataset(dataset, year=year)
    engine_done = time.perf_counter()
    # The worker processes end after the findings are in (audit_pool does not wait for them);
    # their CPU is counted once they have.
    while multiprocessing.active_children():
        time.sleep(0.01)
    engine_cpu = time.process_time() + _children_cpu() + _server_cpu() - cpu
    engine_peak = peak_mib()

    import duckdb  # a benchmark-only dependency (pip install -e '.[bench]')

    if partitioned:  # the agreements for DuckDB, read after the engine's figures are taken
        dataset = _without_declarations(folder)
    frames = care_frames(dataset.agreements)
    frames["consents"] = consent_frame(dataset.agreements)
    duck_start = time.perf_counter()
    connection = duckdb.connect()
    for name, frame in frames.items():
        connection.register(name, frame)
    header = (folder / "declarations.csv").open().readline()
    dbc_id = "coalesce(r.dbc_id, '')" if "dbc_id" in header.split(",") else "''"
    duck = connection.execute(QUERY.format(folder=folder, year=year, dbc_id=dbc_id)).fetchall()
    duck_done = time.perf_counter()

    ours = sorted((f.rule, f.declaration_id or f.dbc_id or f.transfer_id or "") for f in findings)
    theirs = sorted((rule, subject) for rule, subject in duck)
    return Figures(
        summary=dataset.summary(),
        counts=dict(sorted(Counter(rule for rule, _ in ours).items())),
        findings=len(ours),
        duck_findings=len(theirs),
        read_s=read_done - start,
        audit_s=engine_done - read_done,
        duck_s=duck_done - duck_start,
        peak_mib=engine_peak,
        same=ours == theirs,
        only_ours=sorted(set(ours) - set(theirs))[:10],
        only_theirs=sorted(set(theirs) - set(ours))[:10],
        part_lines=partitioned,
        cpu_s=engine_cpu,
        workers=max(1, len(audit_pool.LAST_PEAKS)),
        worker_peaks=tuple(audit_pool.LAST_PEAKS),
    )


def folder_for(declarations: int, odv_dbcs: int, hospitals: int, year: int) -> Path:
    """The generated dataset (made once, under ``bench-data/``)."""
    folder = Path("bench-data") / f"audit-{declarations}-{odv_dbcs}-{hospitals}"
    if not (folder / "declarations.csv").exists():
        generate(
            folder, hospitals=hospitals, odv_dbcs=odv_dbcs, declarations=declarations, year=year
        )
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--declarations", type=int, default=10_000_000)
    parser.add_argument("--odv-dbcs", type=int, default=100_000)
    parser.add_argument("--hospitals", type=int, default=30)
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument(
        "--folder", type=Path, default=None, metavar="DIR",
        help="audit this dataset folder instead of the generated one (e.g. its lines shuffled)",
    )  # fmt: skip
    parser.add_argument(
        "--partitioned", type=int, default=0, metavar="N",
        help="stream the audit in parts of at most N lines (0: the whole audit in memory)",
    )  # fmt: skip
    parser.add_argument(
        "--workers", type=int, default=None, metavar="N",
        help="with --partitioned: processes to check and audit on (default: one a core, at most 2)",
    )  # fmt: skip
    args = parser.parse_args()
    folder = args.folder or folder_for(args.declarations, args.odv_dbcs, args.hospitals, args.year)
    f = measure(folder, year=args.year, partitioned=args.partitioned, workers=args.workers)
    print(f"dataset: {folder}: {f.summary}")
    print(f"findings: engine {f.findings:,} {f.counts}, duckdb {f.duck_findings:,}; same: {f.same}")
    mode = (
        f"streamed in parts of <= {f.part_lines:,} lines on {f.workers} process(es)"
        if f.part_lines
        else "whole"
    )
    split = (
        "read, checked and audited block by block"
        if f.part_lines
        else f"read and check {f.read_s:.1f} s, audit {f.audit_s:.1f} s"
    )
    print(f"engine ({mode}): {f.engine_s:.1f} s, CPU {f.cpu_s:.1f} s ({split})")
    print(f"duckdb: {f.duck_s:.1f} s (read and query, no checks)")
    print(f"ratio engine/duckdb: {f.engine_s / f.duck_s:.2f}x end to end (target <= 1.0x)")
    if not f.part_lines:
        print(f"ratio audit step alone/duckdb: {f.audit_s / f.duck_s:.2f}x")
    print(
        f"engine peak memory: {f.total_peak_mib:,.0f} MiB (target <= 3072 MiB at 10,000,000 lines)"
    )
    if f.worker_peaks:
        shown = " + ".join(f"{peak:,.0f}" for peak in f.worker_peaks)
        print(f"  this process {f.peak_mib:,.0f} MiB + workers {shown} MiB")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if not f.same:
        raise SystemExit(
            f"the engine and DuckDB disagree: engine only {f.only_ours}, duckdb only {f.only_theirs}"
        )


if __name__ == "__main__":
    main()
