"""Audit cost against the number of care types: the same declaration lines audited under 30, 300
and 3,000 care types, beside the DuckDB peer (``audit_bench.QUERY``) over the same files.

``python -m benchmarks.care_scaling_bench [--declarations 300000] [--care-types 30 300 3000]``

The base dataset is ``audit_bench``'s (40 hospitals here). For each count N of care types a
variant is written under ``bench-data/`` with its own ``agreements.json``: about N / 27
agreements (3,000 care types: 111, the shape of the issue), the first of all hospitals, the
others of 2 to 20 hospitals drawn at random, some ending mid-year, some still ``verkennen``;
care type i covers zorgproductgroep i mod N/2 (so every group is covered twice, by care types of
two agreements with other parties), every fourth also three codes of the next group, a tenth
settled ``parallel`` with consents of two insurers. The declared codes are spread over those
groups (the lines of one patient keep which of them share a group), so a line meets a bounded
number of care types whatever N is: an alliance with more care types covers more of the
catalogue, not the same codes more often. Transfers name the first agreement. The line count is
the same for every N; only the agreements and the codes' groups differ. Printed: the audit step
alone (the files read and checked once before) and DuckDB reading the CSV files and running
the same rules, each the best of ``--repeat`` runs, wall and CPU seconds (on a shared machine
the CPU seconds are the steadier figure; DuckDB's count both its threads).
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from benchmarks import audit_bench
from benchmarks.generate import INSURERS
from benchmarks.settlement_bench import care_frames
from spreiding.services import audit, datasets

HOSPITALS = 40
BASE_GROUPS = 20  # the generator's zorgproductgroepen 990100 .. 990119


def variant(base: Path, care_types: int, *, year: int, spread: float = 0.0, seed: int = 10) -> Path:
    """``base`` with ``care_types`` care types (written once, under ``bench-data/``); with
    ``spread``, that share of the lines moved to a random hospital (more pairs of two)."""
    tail = f"-spread{spread:g}" if spread else ""
    folder = base.parent / f"{base.name}-ct{care_types}{tail}"
    if (folder / "declarations.csv").exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("hospitals.csv", "insurers.csv", "prices.csv", "dbcs.csv"):
        shutil.copyfile(base / name, folder / name)
    rng = np.random.default_rng(seed)
    groups = max(care_types // 2, 1)
    agbs = pd.read_csv(base / "hospitals.csv", dtype=str)["agb"].tolist()
    agreements = _agreements(rng, agbs, care_types, groups, year=year)
    (folder / "agreements.json").write_text(json.dumps(agreements, indent=1) + "\n")

    lines = pd.read_csv(base / "declarations.csv", dtype=str, keep_default_na=False)
    code = lines["zorgproduct_code"].to_numpy().astype(str)
    group = lines["zorgproduct_code"].str.slice(0, 6).astype("int64").to_numpy() - 990100
    # The rest: codes outside every agreement, and the lines that match an ODV DBC's code.
    ours = (group >= 0) & (group < BASE_GROUPS) & lines["declaration_id"].str.startswith("V")
    patient = lines["patient_ref"].str.slice(1).astype("int64").to_numpy()
    blocks = math.ceil(groups / BASE_GROUPS)
    moved = (group + BASE_GROUPS * (patient % blocks)) % groups
    suffix = lines["zorgproduct_code"].str.slice(6).to_numpy().astype(str)
    new = np.char.add((400000 + moved).astype(str), suffix)
    lines["zorgproduct_code"] = np.where(ours, new, code)
    if spread:
        moving = ours & (rng.random(len(lines)) < spread)
        lines.loc[moving, "agb"] = rng.choice(agbs, int(moving.sum()))
    lines.to_csv(folder / "declarations.csv", index=False, lineterminator="\n")

    transfers = pd.read_csv(base / "transfers.csv", dtype=str, keep_default_na=False)
    transfers["agreement_id"] = agreements[0]["agreement_id"]
    transfers["care_type"] = agreements[0]["care_types"][0]["care_type"]
    transfers.to_csv(folder / "transfers.csv", index=False, lineterminator="\n")
    return folder


def _group(number: int) -> str:
    return f"{400000 + number:06d}"


def _agreements(
    rng: np.random.Generator, agbs: list[str], care_types: int, groups: int, *, year: int
) -> list[dict[str, Any]]:
    count = max(1, round(care_types / 27))
    agreements: list[dict[str, Any]] = []
    for k in range(count):
        parties: list[str]
        if k == 0:
            parties, stage, valid_to = agbs, "implementeren", None
        else:
            size = int(rng.integers(2, 21))
            parties = sorted(rng.choice(agbs, size=size, replace=False).tolist())
            stage = "verkennen" if rng.random() < 0.05 else "implementeren"
            valid_to = f"{year}-09-30" if rng.random() < 0.2 else None
        agreements.append(
            {
                "agreement_id": f"a{k:04d}" if k else "netwerk",
                "name": f"Generated agreement {k}",
                "category": "uitwisseling",
                "stage": stage,
                "parties": parties,
                "valid_from": f"{year}-04-01" if k and rng.random() < 0.2 else f"{year - 1}-01-01",
                "valid_to": valid_to,
                "parent_id": None,
                "care_types": [],
            }
        )
    for i in range(care_types):
        agreement = agreements[i % count]
        parties = agreement["parties"]
        kind = i % 10
        if kind < 7:
            settlement: dict[str, object] = {
                "method": "odv_benchmark", "price_list": "benchmark", "share": "0.90",
            }  # fmt: skip
        elif kind < 9:
            settlement = {"method": "fixed_fee", "fee_eur": "450.00"}
        else:
            settlement = {"method": "parallel"}
        consents = [
            {"uzovi": u, "valid_from": f"{year}-01-01", "valid_to": None if j else f"{year}-06-30"}
            for j, u in enumerate(INSURERS[i % 4 : i % 4 + 2])
        ]
        next_group = _group((i % groups + 1) % groups)
        agreement["care_types"].append(
            {
                "care_type": f"zorg-{i:05d}",
                "zorgproduct_codes": [f"{next_group}{c:03d}" for c in (1, 2, 3)]
                if i % 4 == 0
                else [],
                "zorgproductgroepen": [_group(i % groups)],
                "performing_agb": parties[i % len(parties)] if i % 3 == 0 else None,
                "settlement": settlement,
                "parallel_consents": consents if kind == 9 else [],
            }
        )
    return agreements


@dataclass(frozen=True)
class Row:
    """Best of the runs: wall and CPU seconds (CPU: every thread of this process)."""

    findings: int
    counts: dict[str, int]
    read_s: float
    audit_s: float
    audit_cpu_s: float
    duck_s: float
    duck_cpu_s: float
    same: bool
    peak_mib: float = 0.0  # this process's peak after the audit runs, before DuckDB's


def measure(folder: Path, *, year: int, repeat: int) -> Row:
    """Read and check once, then the audit step ``repeat`` times; DuckDB's read and query over
    the same files ``repeat`` times."""
    start = time.perf_counter()
    dataset = datasets.read_folder(folder)
    read_s = time.perf_counter() - start
    audits = []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        findings = audit.audit_dataset(dataset, year=year)
        audits.append((time.perf_counter() - wall, time.process_time() - cpu))
    peak = audit_bench.peak_mib()

    import duckdb  # a benchmark-only dependency (pip install -e '.[bench]')

    frames = care_frames(dataset.agreements)
    frames["consents"] = audit_bench.consent_frame(dataset.agreements)
    query = audit_bench.QUERY.format(folder=folder, year=year, dbc_id="''")
    ducks = []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        connection = duckdb.connect()
        for name, frame in frames.items():
            connection.register(name, frame)
        duck = connection.execute(query).fetchall()
        connection.close()
        ducks.append((time.perf_counter() - wall, time.process_time() - cpu))
    ours = sorted((f.rule, f.declaration_id or f.dbc_id or f.transfer_id or "") for f in findings)
    return Row(
        findings=len(ours),
        counts=dict(sorted(Counter(rule for rule, _ in ours).items())),
        read_s=read_s,
        audit_s=min(w for w, _ in audits),
        audit_cpu_s=min(c for _, c in audits),
        duck_s=min(w for w, _ in ducks),
        duck_cpu_s=min(c for _, c in ducks),
        same=ours == sorted((rule, subject) for rule, subject in duck),
        peak_mib=peak,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--declarations", type=int, default=300_000)
    parser.add_argument("--care-types", type=int, nargs="+", default=[30, 300, 3000])
    parser.add_argument("--repeat", type=int, default=3, help="best of this many runs")
    parser.add_argument(
        "--spread", type=float, default=0.0, help="share of lines moved to a random hospital"
    )
    parser.add_argument("--year", type=int, default=2024)
    args = parser.parse_args()
    base = audit_bench.folder_for(
        args.declarations, max(args.declarations // 100, 1), HOSPITALS, args.year
    )
    print(f"{args.declarations:,} declaration lines, {HOSPITALS} hospitals, spread {args.spread:g}, "
          f"best of {args.repeat}; seconds wall (CPU)")  # fmt: skip
    print(f"{'care types':>10} {'agreements':>10} {'findings':>8}  {'audit step':>16}  "
          f"{'duckdb':>16}  {'ratio':>5}  {'peak MiB':>8}  same")  # fmt: skip
    for count in args.care_types:
        folder = variant(base, count, year=args.year, spread=args.spread)
        r = measure(folder, year=args.year, repeat=args.repeat)
        agreements = len(json.loads((folder / "agreements.json").read_text()))
        print(f"{count:>10,} {agreements:>10,} {r.findings:>8,}  {r.audit_s:>6.2f} ({r.audit_cpu_s:>5.2f}) s"
              f"  {r.duck_s:>6.2f} ({r.duck_cpu_s:>5.2f}) s  {r.audit_s / r.duck_s:>4.1f}x  "
              f"{r.peak_mib:>8,.0f}  "
              f"{'yes' if r.same else 'NO'} {r.counts}", flush=True)  # fmt: skip
        if not r.same:
            raise SystemExit("the engine and DuckDB disagree")


if __name__ == "__main__":
    main()
