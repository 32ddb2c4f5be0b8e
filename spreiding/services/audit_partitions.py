"""The audit streamed in partitions: memory bounded by the largest partition, not the input.

The declaration lines arrive in batches (``csv_batches`` reads a declarations file in blocks
with ``pyarrow.csv``; any iterable of canonical frames will do). Each batch is routed by bucket
(``settlement.audit.partitions.partition_keys``: the insurer, and within it a hash of the
patient) into one Arrow IPC file per bucket in a temporary folder; then the buckets are read
back a few at a time, as many as make a part of at most ``PART_LINES`` lines (in the order
spilled: the rules read lines in any order) and audited (``audit_part``): few parts for a small
file, and for a large one parts of a bounded size, so the peak does not grow with the file.
ODV-002 and the transfer rules run once (``audit_rest``) and the findings are merged in the
contract's order. The findings are those of ``rules.audit`` on all lines, byte for byte. Example::

    found = audit_streamed(dataset.dbcs, dataset.agreements, dataset.transfers,
                           csv_batches(folder / "declarations.csv"), year=2024)

``audit_folder`` is the use case of ``spreiding audit --data``: the declarations of a folder
checked block by block by the reader's rules (``declaration_checks``) while they spill, and
audited only when the whole folder is valid.

A national audit runs the same way with the partitions as independent jobs: each needs the
DBCs, agreements and its own lines; only the declared DBC keys travel back.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.ipc as ipc

from settlement.audit.findings import Finding
from settlement.audit.partitions import audit_part, audit_rest, combine, partition_index
from settlement.audit.rules import audit
from spreiding.contract.money_cells import arrow_cents
from spreiding.contract.reader import read_dataset
from spreiding.domain.agreements import Agreement
from spreiding.domain.dataset import DECLARATIONS, Dataset, conform
from spreiding.domain.errors import DatasetInvalid
from spreiding.services import audit_pool
from spreiding.services.audit import dataset_details, finding_details
from spreiding.services.declaration_checks import (
    Checked,
    block_frame,
    blocks,
    csv_only,
    read_others,
    streamable,
)

BLOCK_BYTES = 16 << 20  # about 190,000 lines of a declarations file per batch
BUCKETS = 16  # buckets per insurer the lines spill to: whole buckets make the parts
PART_LINES = 1_000_000  # lines audited at once, at most (unless one bucket has more)


def csv_batches(path: Path, *, block_bytes: int = BLOCK_BYTES) -> Iterator[pd.DataFrame]:
    """The lines of a declarations file the contract reader has checked, in canonical frames
    of about ``block_bytes`` of text each (amounts to exact cents, dates by their format).

    The file is cut at line ends into blocks read one at a time (``declaration_checks.blocks``;
    ``pyarrow.csv.open_csv`` reads ahead without bound: most of a large file in memory at once);
    each block is parsed by ``pyarrow.csv`` with the header's names. No field of a declaration
    spans lines."""
    names = _header(path)
    options = pacsv.ConvertOptions(
        column_types={name: pa.string() for name in names}, strings_can_be_null=False
    )
    read = pacsv.ReadOptions(column_names=names, use_threads=True)
    for _, data in blocks(path, block_bytes=block_bytes):
        table = pacsv.read_csv(pa.BufferReader(data), read_options=read, convert_options=options)
        yield _typed(table)


def _typed(table: pa.Table) -> pd.DataFrame:
    """The canonical frame of a block of checked declaration lines, converted by Arrow."""
    columns = {name: table[name] for name in table.column_names}
    columns["amount_cents"] = arrow_cents(columns.pop("amount_eur"))
    for column in ("start_date", "end_date", "declared_on"):
        columns[column] = pc.strptime(columns[column], "%Y-%m-%d", "s", error_is_null=True)
    frame = pa.table(columns).to_pandas()
    for column in DECLARATIONS.optional:
        if column not in frame:
            frame[column] = ""
    return conform(frame, DECLARATIONS, consume=True)


def _header(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig") as file:
        return file.readline().rstrip("\r\n").split(",")


def spill(batches: Iterable[pd.DataFrame], folder: Path, *, per_insurer: int) -> dict[Path, int]:
    """Route every batch's lines by bucket (``partition_keys``) into ``folder/<bucket>.arrow``
    (Arrow IPC); return the files in bucket order with their line counts."""
    writers: dict[str, ipc.RecordBatchFileWriter] = {}
    counts: dict[str, int] = {}
    try:
        for batch in batches:
            if batch.empty:
                continue
            names, index = partition_index(batch["uzovi"], batch["patient_ref"], per_insurer)
            order = np.argsort(index, kind="stable")
            bounds = np.searchsorted(index[order], np.arange(len(names) + 1)).tolist()
            table = pa.Table.from_pandas(batch, preserve_index=False).take(order)
            for name, start, stop in zip(names, bounds, bounds[1:], strict=False):
                if name not in writers:
                    writers[name] = ipc.new_file(folder / f"{name}.arrow", table.schema)
                    counts[name] = 0
                writers[name].write_table(table.slice(start, stop - start))
                counts[name] += stop - start
    finally:
        for writer in writers.values():
            writer.close()
    return {folder / f"{name}.arrow": counts[name] for name in sorted(writers)}


def packed(buckets: dict[Path, int], part_lines: int) -> list[list[Path]]:
    """The buckets in order, packed into parts of at most ``part_lines`` lines (a bucket
    larger than that is a part alone). Any union of buckets is a valid part: a bucket holds
    all lines of each of its insurer's patients."""
    parts: list[list[Path]] = []
    size = 0
    for path, lines in buckets.items():
        if not parts or size + lines > part_lines:
            parts.append([])
            size = 0
        parts[-1].append(path)
        size += lines
    return parts


def audit_streamed(
    dbcs: pd.DataFrame,
    agreements: Sequence[Agreement],
    transfers: pd.DataFrame | None,
    batches: Iterable[pd.DataFrame] | None,
    *,
    year: int,
    per_insurer: int = BUCKETS,
    part_lines: int = PART_LINES,
    spill_dir: Path | None = None,
) -> list[Finding]:
    """``rules.audit`` of the lines in ``batches`` (None: no declarations file), one part in
    memory at a time: the lines spill to ``per_insurer`` buckets per insurer in a temporary
    folder under ``spill_dir``, and are audited in parts of whole buckets of at most
    ``part_lines`` lines (more only where one bucket is larger)."""
    if batches is None:
        return combine([], audit_rest(dbcs, agreements, transfers, None, year=year))
    parts: list[list[Finding]] = []
    declared: list[set[tuple[str, str]]] = []
    with tempfile.TemporaryDirectory(prefix="audit-", dir=spill_dir) as folder:
        buckets = spill(batches, Path(folder), per_insurer=per_insurer)
        for paths in packed(buckets, part_lines):
            part = audit_part(dbcs, agreements, audit_pool.read_spilled(paths), year=year)
            parts.append(part.findings)
            declared.append(part.declared)
    rest = audit_rest(dbcs, agreements, transfers, declared, year=year)
    return combine(parts, rest)


@dataclass(frozen=True)
class FolderAudit:
    """The findings of a year's audit of a dataset folder, and (when asked) the fields of the
    line each is on (``audit.finding_details``)."""

    findings: list[Finding]
    details: list[dict[str, Any]] | None


def audit_folder(
    folder: Path,
    *,
    year: int,
    part_lines: int = PART_LINES,
    details: bool = False,
    block_bytes: int = BLOCK_BYTES,
    workers: int | None = None,
) -> FolderAudit:
    """Audit ``year`` of a dataset folder, computed, not stored; raise ``DatasetInvalid`` with
    every error of the folder (nothing is audited then).

    A ``declarations.csv`` in UTF-8 with ``,`` between cells is checked block by block by the
    reader's rules (``declaration_checks``) and audited in parts of at most ``part_lines``
    lines (``audit_streamed``), the other files read and checked whole first; any other
    declarations file (``;`` and decimal commas, Windows-1252, a workbook) is read whole by
    the reader. Either way the same errors, and the same findings. A declarations.csv of more
    than one block is checked and audited by ``workers`` processes (default: one per core, at
    most two; ``audit_pool``), the same errors and findings as on one."""
    folder = Path(folder)
    path = folder / "declarations.csv"
    workers = audit_pool.default_workers() if workers is None else workers
    csv = csv_only(folder)
    pooling = csv and workers > 1 and path.is_file() and path.stat().st_size > block_bytes
    # Pooled, the workers find bytes that are not UTF-8 as they read their blocks (the file
    # is then checked again on one core, after the whole file is scanned here).
    header = streamable(path, scan=not pooling) if csv else None
    if header is None:
        return _whole(folder, year, details)
    if pooling:
        audit_pool.warm()  # the workers' server imports while this process reads
    others, errors, references = read_others(folder)
    pooled: list[Finding] | None = None
    if pooling and others is not None:
        pooled = _audit_pooled(
            path, header, references, others, year, workers, part_lines, block_bytes
        )
    if pooled is None and pooling:
        header = streamable(path)
        if header is None:
            return _whole(folder, year, details)
    checked = Checked(path, header, *references)

    def batches() -> Iterator[pd.DataFrame]:
        for first_line, data in blocks(path, block_bytes=block_bytes):
            frame = checked.frame(first_line, data)
            if others is not None and not checked.errors:
                yield _typed(_strings(frame, header))
        found = checked.finish(block_bytes=block_bytes)
        if errors or found:
            raise DatasetInvalid(errors + found)

    if others is None:
        for _ in batches():
            pass
        raise AssertionError("unreachable: the other files have errors")
    if pooled is None:
        pooled = audit_streamed(
            others.dbcs,
            others.agreements,
            others.transfers,
            batches(),
            year=year,
            part_lines=part_lines,
        )
    found = pooled
    if not details:
        return FolderAudit(found, None)
    lines = _declared_lines(path, header, {f.declaration_id for f in found}, block_bytes)
    shown = finding_details(found, dbcs=others.dbcs, declarations=lines, transfers=others.transfers)
    return FolderAudit(found, shown)


def _whole(folder: Path, year: int, details: bool) -> FolderAudit:
    """The audit of a folder read whole by the reader (any declarations file but a UTF-8
    ``declarations.csv`` with ``,`` between cells)."""
    dataset = read_dataset(folder)
    found = audit(
        dataset.dbcs, dataset.agreements, dataset.declarations, dataset.transfers, year=year
    )
    return FolderAudit(found, dataset_details(dataset, found) if details else None)


def _audit_pooled(
    path: Path,
    header: list[str],
    references: tuple[Any, Any, Any],
    others: Dataset,
    year: int,
    workers: int,
    part_lines: int,
    block_bytes: int,
) -> list[Finding] | None:
    """``audit_pool.audit_file``'s findings in the contract's order; None when the file has
    to be checked on one core for its errors."""
    try:
        with tempfile.TemporaryDirectory(prefix="audit-") as spilled:
            parts, declared = audit_pool.audit_file(
                path, header, references, others.dbcs, others.agreements, Path(spilled),
                year=year, workers=workers, per_insurer=BUCKETS, part_lines=part_lines,
                block_bytes=block_bytes,
            )  # fmt: skip
    except audit_pool.Invalid:
        return None
    rest = audit_rest(others.dbcs, others.agreements, others.transfers, declared, year=year)
    return combine(parts, rest)


def _strings(frame: pd.DataFrame, columns: list[str]) -> pa.Table:
    """The checked strings of a block's ``columns`` as an Arrow table."""
    return pa.table({c: pa.array(frame[c]).cast(pa.string()) for c in columns})


def _declared_lines(
    path: Path, header: list[str], ids: set[str | None], block_bytes: int
) -> pd.DataFrame:
    """The typed lines of a checked declarations file whose id is in ``ids``."""
    found = []
    for first_line, data in blocks(path, block_bytes=block_bytes):
        frame = block_frame(header, first_line, data, [])
        frame = frame.loc[frame["declaration_id"].isin(ids), header]
        found.append(_typed(_strings(frame, header)))
    return pd.concat(found, ignore_index=True)
