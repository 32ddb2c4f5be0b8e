"""The audit streamed in partitions: memory bounded by the largest partition, not the input.

The declaration lines arrive in batches (``csv_batches`` reads a declarations file in blocks
with ``pyarrow.csv``; any iterable of canonical frames will do). Each batch is routed by
partition (``settlement.audit.partitions.partition_keys``: the insurer, and within it a hash
of the patient) into one Arrow IPC file per partition in a temporary folder; then each
partition is read back alone, put in the canonical order, and audited
(``audit_part``); ODV-002 and the transfer rules run once (``audit_rest``) and the findings
are merged in the contract's order. The findings are those of ``rules.audit`` on all lines,
byte for byte. Example::

    found = audit_streamed(dataset.dbcs, dataset.agreements, dataset.transfers,
                           csv_batches(folder / "declarations.csv"), year=2024, per_insurer=4)

A national audit runs the same way with the partitions as independent jobs: each needs the
DBCs, agreements and its own lines; only the declared primary DBC keys travel back.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.ipc as ipc

from settlement.audit.findings import Finding
from settlement.audit.partitions import audit_part, audit_rest, combine, partition_keys
from spreiding.domain.agreements import Agreement
from spreiding.domain.dataset import DECLARATIONS, conform, sort_rows

BLOCK_BYTES = 32 << 20  # about 300,000 lines of a declarations file per batch


def csv_batches(path: Path, *, block_bytes: int = BLOCK_BYTES) -> Iterator[pd.DataFrame]:
    """The lines of a declarations file the contract reader has checked, in canonical frames
    of about ``block_bytes`` of text each (amounts to exact cents, dates by their format)."""
    options = pacsv.ConvertOptions(
        column_types={name: pa.string() for name in _header(path)}, strings_can_be_null=False
    )
    reader = pacsv.open_csv(
        path, read_options=pacsv.ReadOptions(block_size=block_bytes), convert_options=options
    )
    for batch in reader:
        frame = batch.to_pandas()
        frame["amount_cents"] = _cents(frame.pop("amount_eur"))
        for column in ("start_date", "end_date", "declared_on"):
            frame[column] = pd.to_datetime(frame[column], format="%Y-%m-%d")
        for column in DECLARATIONS.optional:
            if column not in frame:
                frame[column] = ""
        yield conform(frame, DECLARATIONS, consume=True)


def _header(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig") as file:
        return file.readline().rstrip("\r\n").split(",")


def _cents(values: pd.Series) -> pd.Series:
    """Exact cents of checked money strings (``-12.5`` -> -1250), no float on the way."""
    negative = values.str.startswith("-").to_numpy(dtype=bool)
    parts = values.str.lstrip("-").str.split(".", n=1, expand=True, regex=False)
    whole = parts[0].astype("int64").to_numpy()
    fraction = np.zeros(len(values), dtype="int64")
    if parts.shape[1] > 1:
        digits = parts[1].fillna("").str.ljust(2, "0").replace("", "00")
        fraction = digits.astype("int64").to_numpy()
    cents = whole * 100 + fraction
    return pd.Series(np.where(negative, -cents, cents), index=values.index, dtype="int64")


def spill(batches: Iterable[pd.DataFrame], folder: Path, *, per_insurer: int) -> list[Path]:
    """Route every batch's lines by partition into ``folder/<partition>.arrow`` (Arrow IPC);
    return the files in partition order."""
    writers: dict[str, ipc.RecordBatchFileWriter] = {}
    try:
        for batch in batches:
            if batch.empty:
                continue
            keys = partition_keys(batch["uzovi"], batch["patient_ref"], per_insurer)
            order = np.argsort(keys, kind="stable")
            names, first = np.unique(keys[order], return_index=True)
            table = pa.Table.from_pandas(batch, preserve_index=False).take(order)
            bounds = [*first.tolist(), len(order)]
            for name, start, stop in zip(names.tolist(), bounds, bounds[1:], strict=False):
                if name not in writers:
                    writers[name] = ipc.new_file(folder / f"{name}.arrow", table.schema)
                writers[name].write_table(table.slice(start, stop - start))
    finally:
        for writer in writers.values():
            writer.close()
    return [folder / f"{name}.arrow" for name in sorted(writers)]


def audit_streamed(
    dbcs: pd.DataFrame,
    agreements: Sequence[Agreement],
    transfers: pd.DataFrame | None,
    batches: Iterable[pd.DataFrame] | None,
    *,
    year: int,
    per_insurer: int = 1,
    spill_dir: Path | None = None,
) -> list[Finding]:
    """``rules.audit`` of the lines in ``batches`` (None: no declarations file), one partition
    in memory at a time; the partitions spill to a temporary folder under ``spill_dir``."""
    if batches is None:
        return combine([], audit_rest(dbcs, agreements, transfers, None, year=year))
    parts: list[list[Finding]] = []
    declared: list[set[tuple[str, str]]] = []
    with tempfile.TemporaryDirectory(prefix="audit-", dir=spill_dir) as folder:
        for path in spill(batches, Path(folder), per_insurer=per_insurer):
            with pa.memory_map(str(path)) as source:
                frame = ipc.open_file(source).read_all().to_pandas()
            path.unlink()
            part = audit_part(dbcs, agreements, sort_rows(frame, list(DECLARATIONS.key)), year=year)
            del frame
            parts.append(part.findings)
            declared.append(part.declared)
    rest = audit_rest(dbcs, agreements, transfers, declared, year=year)
    return combine(parts, rest)
