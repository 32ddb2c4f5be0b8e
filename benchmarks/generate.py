"""A seeded generator of contract-valid datasets of any size, in bounded memory.

``python -m benchmarks.generate OUT --hospitals 30 --odv-dbcs 1000000 --declarations 10000000``

Rows are made and written in chunks of ``CHUNK`` with numpy, so memory does not grow with the
size asked for. The same arguments always write the same bytes. What it models: one network
agreement of all hospitals with 20 care types (one zorgproductgroep each; 16 settled at the
benchmark price list, 2 at a fixed fee, 2 parallel), ODV DBCs between random pairs of
hospitals, about a third naming the requesting hospital's own DBC, 1% still open, 3% of codes
outside the agreement, 2% of codes without a price. Declarations: most patients stay in one
hospital, a few percent have care in two (overlapping ranges), about 1% are duplicates and 0.5%
are corrected by a credit line and a rebill.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd

CHUNK = 200_000
GROUPS = [f"{g:06d}" for g in range(990100, 990120)]  # 20 fictional zorgproductgroepen
CODES_PER_GROUP = 10
INSURERS = ["3311", "3343", "3358", "7029", "3313", "3334", "3351", "7053"]


def agb(index: np.ndarray | int) -> np.ndarray | str:
    if isinstance(index, int):
        return f"06{900000 + index:06d}"
    return np.char.add("06", np.char.zfill((900000 + index).astype(str), 6))


def write_frame(path: Path, frame: pd.DataFrame, *, first: bool) -> None:
    frame.to_csv(path, mode="w" if first else "a", header=first, index=False, lineterminator="\n")


def dates(rng: np.random.Generator, year: int, n: int, *, span: int = 330) -> np.ndarray:
    start = np.datetime64(f"{year}-01-01")
    return start + rng.integers(0, span, size=n).astype("timedelta64[D]")


def iso(days: np.ndarray) -> np.ndarray:
    return np.datetime_as_string(days, unit="D")


def generate(
    out: Path,
    *,
    hospitals: int = 30,
    odv_dbcs: int = 10_000,
    declarations: int = 0,
    year: int = 2024,
    seed: int = 2024,
) -> Path:
    """Write the dataset to ``out`` and return it."""
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    agbs = [str(agb(i)) for i in range(hospitals)]
    pd.DataFrame(
        {
            "agb": agbs,
            "name": [f"Ziekenhuis {i:03d}" for i in range(hospitals)],
            "kind": ["umc" if i < 3 else "algemeen" for i in range(hospitals)],
        }
    ).to_csv(out / "hospitals.csv", index=False, lineterminator="\n")
    pd.DataFrame({"uzovi": INSURERS, "name": [f"Verzekeraar {u}" for u in INSURERS]}).to_csv(
        out / "insurers.csv", index=False, lineterminator="\n"
    )
    care_types = []
    for i, group in enumerate(GROUPS):
        if i < 16:
            settlement = {
                "method": "odv_benchmark",
                "price_list": "benchmark",
                "share": ["1.00", "0.90", "0.875", "0.95"][i % 4],
            }
        elif i < 18:
            settlement = {"method": "fixed_fee", "fee_eur": f"{250 + 100 * i}.50"}
        else:
            settlement = {"method": "parallel"}
        care_types.append(
            {
                "care_type": f"zorg-{group}",
                "zorgproduct_codes": [],
                "zorgproductgroepen": [group],
                "performing_agb": None,
                "settlement": settlement,
                "parallel_consents": [
                    {"uzovi": u, "valid_from": f"{year}-01-01", "valid_to": None}
                    for u in INSURERS[:4]
                ]
                if settlement["method"] == "parallel"
                else [],
            }
        )
    agreement = {
        "agreement_id": "netwerk",
        "name": "Generated network agreement",
        "category": "uitwisseling",
        "stage": "implementeren",
        "parties": agbs,
        "valid_from": f"{year - 1}-01-01",
        "valid_to": None,
        "parent_id": None,
        "care_types": care_types,
    }
    (out / "agreements.json").write_text(json.dumps([agreement], indent=1) + "\n")

    codes = np.array([f"{g}{c:03d}" for g in GROUPS for c in range(1, CODES_PER_GROUP + 1)])
    priced = codes[rng.random(len(codes)) >= 0.02]
    pd.DataFrame(
        {
            "price_list": "benchmark",
            "year": year,
            "zorgproduct_code": priced,
            "price_eur": [
                f"{c // 100}.{c % 100:02d}" for c in rng.integers(50_000, 2_500_000, len(priced))
            ],
        }
    ).to_csv(out / "prices.csv", index=False, lineterminator="\n")
    uncovered = np.array([f"990200{c:03d}" for c in range(1, 11)])

    leaks, moves = _dbcs(out / "dbcs.csv", rng, hospitals=hospitals, count=odv_dbcs, year=year,
                         codes=codes, uncovered=uncovered)  # fmt: skip
    if declarations:
        # 3% of declared codes lie outside the agreement: PAR-003 material.
        declared_codes = np.concatenate([codes, uncovered[: max(1, len(codes) * 3 // 100)]])
        _declarations(out / "declarations.csv", rng, hospitals=hospitals, count=declarations,
                      year=year, codes=declared_codes, leaks=leaks)  # fmt: skip
        moves.to_csv(out / "transfers.csv", index=False, lineterminator="\n")
    return out


def _dbcs(path: Path, rng: np.random.Generator, *, hospitals: int, count: int, year: int,
          codes: np.ndarray, uncovered: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:  # fmt: skip
    """Write the DBCs; return the few ODV DBCs the performer also (wrongly) declared, and the
    bureau's transfers (1% of ODV DBCs; half of them name a patient with no ODV DBC)."""
    written = 0
    first = True
    leaks: list[pd.DataFrame] = []
    moves: list[pd.DataFrame] = []
    while written < count or first:
        n = min(CHUNK, count - written)
        ids = np.arange(written, written + n)
        performer = rng.integers(0, hospitals, n)
        requester = (performer + rng.integers(1, hospitals, n)) % hospitals
        code = np.where(rng.random(n) < 0.03, rng.choice(uncovered, n), rng.choice(codes, n))
        start = dates(rng, year, n)
        end = start + rng.integers(0, 30, n).astype("timedelta64[D]")
        end_text = np.where(rng.random(n) < 0.01, "", iso(end))
        patient = np.char.add("P", np.char.zfill(ids.astype(str), 9))
        has_primary = rng.random(n) < 0.33
        primary_ids = np.char.add("H", np.char.zfill(ids.astype(str), 9))
        odv = pd.DataFrame(
            {
                "dbc_id": np.char.add("D", np.char.zfill(ids.astype(str), 9)),
                "agb": agb(performer),
                "patient_ref": patient,
                "zorgproduct_code": code,
                "start_date": iso(start),
                "end_date": end_text,
                "odv": "true",
                "requesting_agb": agb(requester),
                "primary_dbc_id": np.where(has_primary, primary_ids, ""),
            }
        )
        primary_start = start - rng.integers(5, 40, n).astype("timedelta64[D]")
        primary = pd.DataFrame(
            {
                "dbc_id": primary_ids,
                "agb": agb(requester),
                "patient_ref": patient,
                "zorgproduct_code": code,
                "start_date": iso(primary_start),
                "end_date": iso(primary_start + np.timedelta64(90, "D")),
                "odv": "false",
                "requesting_agb": "",
                "primary_dbc_id": "",
            }
        ).loc[has_primary]
        write_frame(path, pd.concat([odv, primary], ignore_index=True), first=first)
        closed = odv.loc[(odv["end_date"] != "") & odv["zorgproduct_code"].str.startswith("9901")]
        leaks.append(closed.sample(frac=0.002, random_state=int(rng.integers(2**31))))
        moved = closed.sample(frac=0.01, random_state=int(rng.integers(2**31)))
        lost = np.arange(len(moved)) % 2 == 1
        patient = moved["patient_ref"].to_numpy().astype(str)
        moves.append(
            pd.DataFrame(
                {
                    "transfer_id": np.char.add("T", moved["dbc_id"].to_numpy().astype(str)),
                    "agreement_id": "netwerk",
                    "care_type": np.char.add(
                        "zorg-", moved["zorgproduct_code"].str.slice(0, 6).to_numpy().astype(str)
                    ),
                    "patient_ref": np.where(lost, np.char.add(patient, "X"), patient),
                    "from_agb": moved["requesting_agb"].to_numpy(),
                    "to_agb": moved["agb"].to_numpy(),
                    "transfer_date": moved["start_date"].to_numpy(),
                    "status": "performed",
                }
            )
        )
        first = False
        written += n
    return pd.concat(leaks, ignore_index=True), pd.concat(moves, ignore_index=True)


def _declarations(path: Path, rng: np.random.Generator, *, hospitals: int, count: int, year: int,
                  codes: np.ndarray, leaks: pd.DataFrame) -> None:  # fmt: skip
    written = 0
    first = True
    patients = max(count // 3, 1)
    while written < count:
        n = min(CHUNK, count - written)
        patient_no = rng.integers(0, patients, n)
        # Most patients stay in one hospital (derived from the patient); a few percent elsewhere.
        home = patient_no % hospitals
        elsewhere = rng.random(n) < 0.04
        hospital = np.where(
            elsewhere, (home + 1 + rng.integers(0, hospitals - 1, n)) % hospitals, home
        )
        start = dates(rng, year, n)
        end = start + rng.integers(0, 60, n).astype("timedelta64[D]")
        cents = rng.integers(20_000, 3_000_000, n)
        frame = pd.DataFrame(
            {
                "declaration_id": np.char.add(
                    "V", np.char.zfill(np.arange(written, written + n).astype(str), 10)
                ),
                "agb": agb(hospital),
                "uzovi": np.array(INSURERS)[patient_no % len(INSURERS)],
                "patient_ref": np.char.add("Q", np.char.zfill(patient_no.astype(str), 9)),
                "zorgproduct_code": rng.choice(codes, n),
                "start_date": iso(start),
                "end_date": iso(end),
                "amount_cents": cents,
                "declared_on": iso(end + rng.integers(1, 40, n).astype("timedelta64[D]")),
            }
        )
        # About 1%: the same line declared twice; 0.5%: credited and declared anew.
        dup = frame.sample(frac=0.01, random_state=int(rng.integers(2**31)))
        credit = frame.sample(frac=0.005, random_state=int(rng.integers(2**31)))
        credit_lines = credit.assign(amount_cents=-credit["amount_cents"])
        rebill = credit.assign(amount_cents=credit["amount_cents"] - 1000)
        extra = pd.concat([dup, credit_lines, rebill], ignore_index=True)
        frame = pd.concat([frame.iloc[: n - len(extra)], extra], ignore_index=True)
        frame["declaration_id"] = np.char.add(
            "V", np.char.zfill(np.arange(written, written + len(frame)).astype(str), 10)
        )
        amount = frame.pop("amount_cents").to_numpy()
        sign = np.where(amount < 0, "-", "")
        absolute = np.abs(amount)
        frame.insert(7, "amount_eur", np.char.add(np.char.add(sign, (absolute // 100).astype(str)),
                                                  np.char.add(".", np.char.zfill((absolute % 100).astype(str), 2))))  # fmt: skip
        write_frame(path, frame, first=first)
        first = False
        written += len(frame)
    # The performer declared a few ODV DBCs to the insurer itself: ODV-001 material.
    leaked = pd.DataFrame(
        {
            "declaration_id": np.char.add("W", leaks["dbc_id"].to_numpy().astype(str)),
            "agb": leaks["agb"].to_numpy(),
            "uzovi": INSURERS[0],
            "patient_ref": leaks["patient_ref"].to_numpy(),
            "zorgproduct_code": leaks["zorgproduct_code"].to_numpy(),
            "start_date": leaks["start_date"].to_numpy(),
            "end_date": leaks["end_date"].to_numpy(),
            "amount_eur": "1234.50",
            "declared_on": leaks["end_date"].to_numpy(),
        }
    )
    write_frame(path, leaked, first=first)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--hospitals", type=int, default=30)
    parser.add_argument("--odv-dbcs", type=int, default=10_000)
    parser.add_argument("--declarations", type=int, default=0)
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()
    generate(args.out, hospitals=args.hospitals, odv_dbcs=args.odv_dbcs,
             declarations=args.declarations, year=args.year, seed=args.seed)  # fmt: skip
    print(args.out)


if __name__ == "__main__":
    main()
