"""Settlement speed: the engine against an equivalent DuckDB query over the same CSV files.

``python -m benchmarks.settlement_bench [--odv-dbcs 1000000] [--hospitals 30]``

Generates the dataset (``benchmarks.generate``) under ``bench-data/`` when it is not there yet,
then, in one process, each three times (the fastest round of each counted): (1) the engine,
end to end from the files, through the services the CLI calls: ``read_folder`` (parse and
check every contract rule) and ``settle_dataset``; its peak memory is that of its first
round, read before DuckDB runs; (2) the same steps of docs/data-format.md §3 as one DuckDB
SQL query over the same CSV files, reading them without any validation. Both must give the
same lines and totals; the figures are printed.
"""

from __future__ import annotations

import argparse
import resource
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from benchmarks.generate import generate
from spreiding.domain.agreements import Agreement
from spreiding.domain.money import share_fraction
from spreiding.services import datasets, settlement

QUERY = """
WITH dbcs AS (
    SELECT * FROM read_csv('{folder}/dbcs.csv', header = true, all_varchar = true)
), prices AS (
    SELECT * FROM read_csv('{folder}/prices.csv', header = true, all_varchar = true)
), cand AS (
    SELECT agb, dbc_id, patient_ref, zorgproduct_code, requesting_agb, primary_dbc_id,
           CAST(end_date AS DATE) AS end_day
    FROM dbcs
    WHERE odv = 'true' AND end_date <> '' AND year(CAST(end_date AS DATE)) = {year}
), hits AS (
    SELECT c.agb, c.dbc_id, v.ct FROM cand c JOIN covers v
        ON v.kind = 'code' AND v.code = c.zorgproduct_code
    UNION
    SELECT c.agb, c.dbc_id, v.ct FROM cand c JOIN covers v
        ON v.kind = 'group' AND v.code = substr(c.zorgproduct_code, 1, 6)
), matches AS (
    SELECT c.*, t.*
    FROM hits h
    JOIN cand c ON c.agb = h.agb AND c.dbc_id = h.dbc_id
    JOIN care t ON t.ct = h.ct
    JOIN parties p1 ON p1.agreement_id = t.agreement_id AND p1.agb = c.agb
    JOIN parties p2 ON p2.agreement_id = t.agreement_id AND p2.agb = c.requesting_agb
    WHERE t.valid_from <= c.end_day AND c.end_day <= t.valid_to
      AND (t.performing_agb = '' OR t.performing_agb = c.agb)
), single AS (
    SELECT * FROM matches
    QUALIFY count(*) OVER (PARTITION BY agb, dbc_id) = 1
), checked AS (
    SELECT s.* FROM single s
    WHERE coalesce(s.primary_dbc_id, '') = '' OR EXISTS (
        SELECT 1 FROM dbcs o
        WHERE o.odv = 'false' AND o.agb = s.requesting_agb AND o.dbc_id = s.primary_dbc_id
          AND o.patient_ref = s.patient_ref)
), priced AS (
    SELECT k.*,
           CASE WHEN k.method = 'fixed_fee' THEN k.fee_cents
                ELSE CAST(round(CAST(p.price_eur AS DECIMAL(18, 2)) * 100) AS BIGINT) END AS unit
    FROM checked k
    LEFT JOIN prices p ON k.method = 'odv_benchmark' AND p.price_list = k.price_list
         AND CAST(p.year AS INTEGER) = {year} AND p.zorgproduct_code = k.zorgproduct_code
    WHERE k.method <> 'parallel'
)
SELECT agb AS creditor_agb, requesting_agb AS debtor_agb, dbc_id, agreement_id, care_type,
       unit AS unit_price_cents,
       (2 * unit * share_num + share_den) // (2 * share_den) AS amount_cents
FROM priced WHERE unit IS NOT NULL
ORDER BY debtor_agb, creditor_agb, end_day, dbc_id
"""


def care_frames(agreements: tuple[Agreement, ...]) -> dict[str, pd.DataFrame]:
    """The agreements as three flat relations for DuckDB (JSON is not what we time)."""
    care: list[tuple[object, ...]] = []
    covers: list[tuple[int, str, str]] = []
    parties: list[tuple[str, str]] = []
    for a in agreements:
        if a.stage == "verkennen":
            continue
        parties += [(a.agreement_id, p) for p in a.parties]
        for c in a.care_types:
            num, den = share_fraction(c.settlement.share) if c.settlement.share else (1, 1)
            ct = len(care)
            care.append((ct, a.agreement_id, c.care_type, a.valid_from, a.valid_to or pd.Timestamp("9999-12-31").date(),
                         c.performing_agb or "", c.settlement.method, c.settlement.price_list or "",
                         c.settlement.fee_cents or 0, num, den))  # fmt: skip
            covers += [(ct, "code", x) for x in c.zorgproduct_codes]
            covers += [(ct, "group", x) for x in c.zorgproductgroepen]
    return {
        "care": pd.DataFrame(
            care,
            columns=[
                "ct",
                "agreement_id",
                "care_type",
                "valid_from",
                "valid_to",
                "performing_agb",
                "method",
                "price_list",
                "fee_cents",
                "share_num",
                "share_den",
            ],
        ),
        "covers": pd.DataFrame(covers, columns=["ct", "kind", "code"]),
        "parties": pd.DataFrame(parties, columns=["agreement_id", "agb"]),
    }


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclass(frozen=True)
class Figures:
    """One run of the benchmark: seconds, counts and whether both agree."""

    dbcs: int
    odv: int
    lines: int
    duck_lines: int
    total_cents: int
    duck_total_cents: int
    read_s: float
    settle_s: float
    duck_s: float
    peak_mib: float
    same: bool

    @property
    def engine_s(self) -> float:
        return self.read_s + self.settle_s


def measure(folder: Path, *, year: int, repeats: int = 3) -> Figures:
    """The engine (read, check and settle, through the services the CLI calls) and DuckDB
    over the same files, in this process: each ``repeats`` times, the engine's rounds first,
    and the fastest round of each counted (the first round of either pays for what a process
    does once: the file cache, imports, the allocator's first pages); the engine's peak
    memory is that of its first round."""
    rounds = []
    engine_peak = 0.0
    for _ in range(repeats):
        start = time.perf_counter()
        dataset = datasets.read_folder(folder)
        read_done = time.perf_counter()
        result = settlement.settle_dataset(dataset, year=year)
        engine_done = time.perf_counter()
        rounds.append((read_done - start, engine_done - read_done))
        # The peak of one settlement, as a command runs it: the later rounds would add what
        # the allocators keep of the earlier ones.
        engine_peak = engine_peak or peak_mib()
        if len(rounds) < repeats:
            del dataset, result
    read_s, settle_s = min(rounds, key=sum)

    import duckdb  # a benchmark-only dependency (pip install -e '.[bench]')

    frames = care_frames(dataset.agreements)
    duck_times = []
    for _ in range(repeats):
        duck_start = time.perf_counter()
        connection = duckdb.connect()
        for name, frame in frames.items():
            connection.register(name, frame)
        duck = connection.execute(QUERY.format(folder=folder, year=year)).df()
        duck_times.append(time.perf_counter() - duck_start)
        connection.close()

    ours = result.lines[["creditor_agb", "debtor_agb", "dbc_id", "agreement_id", "care_type",
                         "unit_price_cents", "amount_cents"]].astype(str).reset_index(drop=True)  # fmt: skip
    theirs = duck.astype(str).reset_index(drop=True)
    return Figures(
        dbcs=len(dataset.dbcs),
        odv=int(dataset.dbcs["odv"].sum()),
        lines=len(result.lines),
        duck_lines=len(duck),
        total_cents=result.total_cents,
        duck_total_cents=int(duck["amount_cents"].sum()),
        read_s=read_s,
        settle_s=settle_s,
        duck_s=min(duck_times),
        peak_mib=engine_peak,
        same=ours.equals(theirs),
    )


def folder_for(odv_dbcs: int, hospitals: int, year: int) -> Path:
    """The generated dataset (made once, under ``bench-data/``)."""
    folder = Path("bench-data") / f"settle-{odv_dbcs}-{hospitals}"
    if not (folder / "dbcs.csv").exists():
        generate(folder, hospitals=hospitals, odv_dbcs=odv_dbcs, year=year)
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--odv-dbcs", type=int, default=1_000_000)
    parser.add_argument("--hospitals", type=int, default=30)
    parser.add_argument("--year", type=int, default=2024)
    args = parser.parse_args()
    folder = folder_for(args.odv_dbcs, args.hospitals, args.year)
    f = measure(folder, year=args.year)
    print(f"dataset: {folder} ({f.dbcs:,} DBCs, {f.odv:,} ODV)")
    print(f"lines: engine {f.lines:,}, duckdb {f.duck_lines:,}; same lines and amounts: {f.same}")
    print(f"total: engine {f.total_cents / 100:,.2f}, duckdb {f.duck_total_cents / 100:,.2f}")
    print(
        f"engine: {f.engine_s:.2f} s (read and check {f.read_s:.2f} s, settle {f.settle_s:.2f} s)"
    )
    print(f"duckdb: {f.duck_s:.2f} s (read and query, no checks)")
    print(f"ratio engine/duckdb: {f.engine_s / f.duck_s:.2f}x end to end (target <= 1.0x)")
    print(f"ratio settle step alone/duckdb: {f.settle_s / f.duck_s:.2f}x")
    print(f"engine peak memory: {f.peak_mib:,.0f} MiB (target <= 1536 MiB)")
    if not f.same:
        raise SystemExit("the engine and DuckDB disagree")


if __name__ == "__main__":
    main()
