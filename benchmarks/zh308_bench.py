"""ZH308 speed: write and read back N declarations, rows per second.

``python -m benchmarks.zh308_bench [--declarations 1000000] [--per-file 10000]``

Makes N synthetic declarations (valid BSNs, one credit per 200 lines, 30 hospitals, 4
insurers), writes them as ZH308 v9.0 invoices of ``--per-file`` declarations each
(``zh308.write_zh308``) and reads every file back (``zh308.read_zh308``: every field checked,
each BSN pseudonymised), one file at a time so memory stays that of one invoice. Prints the
declarations per second of writing and of reading (wall clock and CPU time: on a shared
machine the second is the one to compare), and checks that what was read is what was
written.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

from spreiding.formats import zh308
from spreiding.formats.pseudonyms import pseudonym
from spreiding.formats.zh308 import Declaration

KEY = bytes(range(32))


def bsn(number: int) -> str:
    """A valid BSN for ``number`` (the 11-check), skipping eight digits that have none."""
    for step in range(20):
        digits = f"{10_000_000 + number * 11 + step:08d}"
        check = sum((9 - i) * int(d) for i, d in enumerate(digits)) % 11
        if check <= 9:
            return digits + str(check)
    raise AssertionError("no check digit")


def invoice(number: int, size: int) -> tuple[list[Declaration], dict[str, str]]:
    agb = f"0601{number % 30:04d}"
    uzovi = ("3311", "3343", "3358", "7029")[number % 4]
    declared = dt.date(2024, 1, 1) + dt.timedelta(days=number % 360)
    declarations: list[Declaration] = []
    bsns: dict[str, str] = {}
    for i in range(size):
        index = number * size + i
        patient = bsn(index)
        ref = pseudonym(KEY, patient)
        bsns[ref] = patient
        start = dt.date(2023, 1, 1) + dt.timedelta(days=index % 365)
        amount = 100_00 + index % 500_000
        declarations.append(
            Declaration(
                declaration_id=f"B{index:012d}",
                agb=agb,
                uzovi=uzovi,
                patient_ref=ref,
                zorgproduct_code=f"131999{index % 1000:03d}",
                start_date=start,
                end_date=start + dt.timedelta(days=30),
                amount_cents=amount,
                declared_on=declared,
                dbc_id=f"D{index:012d}",
                declaratiecode=f"999{index % 1000:03d}",
            )
        )
        if i % 200 == 199:  # credit the line before
            d = declarations[-1]
            declarations.append(
                Declaration(
                    **{
                        **d.__dict__,
                        "declaration_id": f"C{index:012d}",
                        "amount_cents": -d.amount_cents,
                    }
                )
            )
    return declarations, bsns


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--declarations", type=int, default=1_000_000)
    parser.add_argument("--per-file", type=int, default=10_000)
    args = parser.parse_args()
    files = max(1, args.declarations // args.per_file)
    written = read = 0
    write_seconds = read_seconds = write_cpu = read_cpu = 0.0
    size = 0
    for number in range(files):
        declarations, bsns = invoice(number, args.per_file)
        started, cpu = time.perf_counter(), time.process_time()
        text = zh308.write_zh308(
            declarations, bsn_of=bsns.__getitem__, invoice_number=f"F{number:011d}"
        )
        write_seconds += time.perf_counter() - started
        write_cpu += time.process_time() - cpu
        size += len(text)
        started, cpu = time.perf_counter(), time.process_time()
        content = zh308.read_zh308(f"{number}.zh308", text, key=KEY)
        read_seconds += time.perf_counter() - started
        read_cpu += time.process_time() - cpu
        assert content.declarations == declarations
        written += len(declarations)
        read += len(content.declarations)
    print(f"ZH308 v9.0: {files} file(s), {read:,} declarations, {size / 1e6:,.0f} MB")
    # Wall clock, and CPU time of this process (what the rate would be on an idle core).
    print(
        f"write: {written / write_seconds:,.0f} declarations/s wall ({write_seconds:.1f} s), "
        f"{written / write_cpu:,.0f}/s CPU ({write_cpu:.1f} s)"
    )
    print(
        f"read:  {read / read_seconds:,.0f} declarations/s wall ({read_seconds:.1f} s), "
        f"{read / read_cpu:,.0f}/s CPU ({read_cpu:.1f} s)"
    )


if __name__ == "__main__":
    main()
