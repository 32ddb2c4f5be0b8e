"""The streamed audit of a declarations file on several cores (``audit_partitions.audit_folder``
with ``workers`` > 1): the same checks, the same findings, in the same order.

Two phases, each a set of independent tasks for a pool of worker processes (started by
``spawn``, never ``fork``: Arrow's threads may be running in the caller):

1. Check and spill. The parent cuts the file into blocks at line ends (``declaration_checks
   .blocks``: each block's first line and its place in the file); a worker reads its block,
   checks it by the reader's rules (``declaration_checks.Checked``), and routes its typed lines
   by bucket (``partition_index``) into one Arrow IPC file of its own, ``spill.<task>.arrow``,
   a record batch per bucket (one file a block: creating a file a bucket and block cost more
   than the writing). The 64-bit hashes of the block's declaration ids are sorted into
   ``ids.<task>.npy``, where their top four bits make 16 ranges; each range of all blocks
   is then sorted on its own for a repeated hash (the memory of a sixteenth of the ids).
2. Audit. The buckets are packed into parts of at most ``part_lines`` lines as by one core
   (``packed``), as many as fill every round of workers (``balanced``); a worker reads a
   part's record batches (in the order spilled) and runs the line rules (``audit_part``).
   ODV-002 and the transfer rules run once in the parent on the union of the parts' declared
   DBC keys, and every finding is put in the contract's order (``combine``), whichever part
   found it: byte for byte the findings of one core.

A block with any error, or a repeated id hash, stops the work: the caller checks the file
again on one core, which reports the reader's errors with their counts and order
(``Invalid``), so every error is the same as without workers.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import resource
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.ipc as ipc

from settlement.audit.findings import Finding
from settlement.audit.partitions import PartAudit, audit_part, partition_index
from spreiding.contract.money_cells import arrow_cents
from spreiding.domain.agreements import Agreement
from spreiding.domain.dataset import DECLARATIONS, conform
from spreiding.services.declaration_checks import Checked, blocks

HASH_RANGES = 16  # the id hashes are checked for repeats a sixteenth at a time

# What every task of a worker reads, set once when the worker starts (``_start``).
_STATE: dict[str, Any] = {}


class Invalid(Exception):
    """A block had an error or an id hash repeated: check the file on one core."""


def _schema() -> pa.Schema:
    """The Arrow schema of a canonical declarations frame (with its pandas metadata, so the
    spilled lines read back as the canonical frame's dtypes)."""
    empty = pd.DataFrame({c: pd.Series([], dtype="str") for c in DECLARATIONS.columns})
    for column, kind in DECLARATIONS.columns.items():
        if kind == "date":
            empty[column] = pd.Series([], dtype="datetime64[s]")
        elif kind == "cents":
            empty[column] = pd.Series([], dtype="int64")
    return pa.Table.from_pandas(conform(empty, DECLARATIONS), preserve_index=False).schema


def typed_table(
    frame: pd.DataFrame,
    header: list[str],
    schema: pa.Schema,
    dates: dict[str, pd.Series] | None = None,
) -> pa.Table:
    """The checked block ``frame`` as Arrow lines of the canonical frame (``audit_partitions
    ._typed`` without the pandas round trip): amounts in exact cents, dates by their format
    (or as the checks parsed them: ``dates``, ``Checked.dates``), an optional column absent
    or "" as missing. Not sorted."""
    dates = dates or {}
    arrays = []
    for column, kind in DECLARATIONS.columns.items():
        if column == "amount_cents":
            values = pa.array(frame["amount_eur"]).cast(pa.string())
            arrays.append(arrow_cents(values).cast(pa.int64()))
            continue
        if column not in header:
            arrays.append(pa.nulls(len(frame), pa.large_string()))
            continue
        if kind == "date" and column in dates:
            arrays.append(pa.array(dates[column].to_numpy(), pa.timestamp("s")))
            continue
        values = pa.array(frame[column]).cast(pa.large_string())
        if kind == "date":
            arrays.append(pc.strptime(values, "%Y-%m-%d", "s", error_is_null=True))
        elif kind == "opt":
            arrays.append(
                pc.if_else(pc.equal(values, ""), pa.scalar(None, pa.large_string()), values)
            )
        else:
            arrays.append(values)
    return pa.Table.from_arrays(arrays, schema=schema)


def _start(state_file: Path) -> None:
    try:
        file = state_file.open("rb")
    except FileNotFoundError:
        # Started after its audit ended: the pool is shut down without waiting for a worker
        # still starting, and the spill folder with the state is gone. It gets no task and
        # ends; raising here printed a traceback after the findings.
        return
    with file:
        _STATE.update(pickle.load(file))
    _STATE["schema"] = _schema()


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# Where a bucket's lines of one block are: (task, record batch in its spill file, lines).
Spilled = tuple[int, int, int]


def _check_spill(
    task: int, first_line: int, offset: int, length: int
) -> tuple[dict[str, Spilled], list[int]]:
    """Check one block and spill its lines (phase 1): per bucket, where they were written;
    and where each range of the id hashes starts and ends in ``ids.<task>.npy``."""
    path: Path = _STATE["path"]
    folder: Path = _STATE["folder"]
    header: list[str] = _STATE["header"]
    with path.open("rb") as file:
        file.seek(offset)
        data = file.read(length)
    checked = Checked(path, header, *_STATE["references"])
    frame = checked.frame(first_line, data)
    del data
    if checked.errors:
        raise Invalid(f"block at line {first_line}")
    hashes = np.concatenate(checked.hashes) if checked.hashes else np.array([], "uint64")
    hashes.sort()  # by range too: a range is the top four bits
    firsts = np.arange(HASH_RANGES, dtype=np.uint64) << np.uint64(64 - 4)
    ranges = [*np.searchsorted(hashes, firsts).tolist(), len(hashes)]
    np.save(folder / f"ids.{task}.npy", hashes)
    table = typed_table(frame, header, _STATE["schema"], checked.dates)
    del frame
    names, index = partition_index(
        table["uzovi"].to_pandas(), table["patient_ref"].to_pandas(), _STATE["per_insurer"]
    )
    order = np.argsort(index, kind="stable")
    bounds = np.searchsorted(index[order], np.arange(len(names) + 1)).tolist()
    table = table.take(order).combine_chunks()
    written: dict[str, Spilled] = {}
    with ipc.new_file(folder / f"spill.{task}.arrow", table.schema) as writer:
        for name, start, stop in zip(names, bounds, bounds[1:], strict=False):
            (batch,) = table.slice(start, stop - start).to_batches()
            writer.write_batch(batch)
            written[name] = (task, len(written), stop - start)
    return written, ranges


def _repeated(pieces: list[tuple[int, int, int]]) -> bool:
    """Whether an id hash repeats among ``pieces`` (task, start, end: one range of the hashes
    of each block, in the blocks' ``ids.<task>.npy``; phase 1's end)."""
    folder: Path = _STATE["folder"]
    found = [
        np.load(folder / f"ids.{task}.npy", mmap_mode="r")[start:stop]
        for task, start, stop in pieces
    ]
    if not found:
        return False
    hashes = np.concatenate(found)
    del found
    hashes.sort()
    return bool((hashes[1:] == hashes[:-1]).any())


def _audit(places: list[Spilled]) -> tuple[PartAudit, tuple[int, float]]:
    """The line rules on one part (phase 2), its buckets' record batches in the blocks' spill
    files: the findings, the declared keys, and the worker's process id and peak memory so
    far (MiB)."""
    folder: Path = _STATE["folder"]
    tables = []
    for task, batch, _ in sorted(places):
        with pa.memory_map(str(folder / f"spill.{task}.arrow")) as source:
            tables.append(pa.Table.from_batches([ipc.open_file(source).get_batch(batch)]))
    # In the order they were spilled: the rules read lines in any order (a property test,
    # ``test_the_rules_do_not_depend_on_the_order_of_the_frames``); sorting a part of a
    # shuffled file by id cost as much as auditing it.
    lines = pa.concat_tables(tables).to_pandas()
    del tables
    part = audit_part(_STATE["dbcs"], _STATE["agreements"], lines, year=_STATE["year"])
    return part, (os.getpid(), _peak_mib())


def read_spilled(paths: list[Path]) -> pd.DataFrame:
    """The lines of some spilled buckets (Arrow IPC files), in the order they were spilled
    (the rules read lines in any order); the files are removed once read."""
    tables = []
    for path in paths:
        with pa.memory_map(str(path)) as source:
            tables.append(ipc.open_file(source).read_all())
    frame = pa.concat_tables(tables).to_pandas()
    del tables
    for path in paths:
        path.unlink()
    return frame


def spans(path: Path, block_bytes: int) -> Iterator[tuple[int, int, int]]:
    """The blocks of ``path`` (``declaration_checks.blocks``) as (first line, offset, length),
    each as soon as it is found: the workers check the first blocks while the rest of the
    file is cut (about 0.8 s for 900 MB)."""
    with path.open("rb") as file:
        offset = len(file.readline())
    for first_line, data in blocks(path, block_bytes=block_bytes):
        yield first_line, offset, len(data)
        offset += len(data)


def pool(workers: int, state: dict[str, Any], folder: Path) -> ProcessPoolExecutor:
    """``workers`` processes started by ``spawn`` (a fork would copy Arrow's locks mid-use),
    each given ``state`` once: pickled to a file in ``folder`` that each reads when it has
    started. Handed over with the process instead, the parent waits at each start until the
    child has imported pandas and read it all (about 1.4 s a worker, one after the other)."""
    state_file = folder / "state.pickle"
    with state_file.open("wb") as file:
        pickle.dump(state, file, protocol=pickle.HIGHEST_PROTOCOL)
    context = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(
        workers, mp_context=context, initializer=_start, initargs=(state_file,)
    )


def audit_file(
    path: Path,
    header: list[str],
    references: tuple[Any, Any, Any],
    dbcs: pd.DataFrame,
    agreements: Sequence[Agreement],
    folder: Path,
    *,
    year: int,
    workers: int,
    per_insurer: int,
    part_lines: int,
    block_bytes: int,
) -> tuple[list[list[Finding]], list[set[tuple[str, str]]]]:
    """Phases 1 and 2 on ``workers`` processes, spilling under ``folder``: the findings of
    each part and the DBC keys each declares. Raise ``Invalid`` when the file must be checked
    on one core."""

    state = {
        "path": path, "header": header, "references": references, "folder": folder,
        "per_insurer": per_insurer, "dbcs": dbcs, "agreements": tuple(agreements), "year": year,
    }  # fmt: skip
    executor = pool(workers, state, folder)
    try:
        checked = [
            executor.submit(_check_spill, task, *span)
            for task, span in enumerate(spans(path, block_bytes))
        ]
        places: dict[str, list[Spilled]] = {}
        pieces: list[list[tuple[int, int, int]]] = [[] for _ in range(HASH_RANGES)]
        try:
            for task, future in enumerate(checked):
                written, bounds = future.result()
                for name, place in written.items():
                    places.setdefault(name, []).append(place)
                for r in range(HASH_RANGES):
                    if bounds[r + 1] > bounds[r]:
                        pieces[r].append((task, bounds[r], bounds[r + 1]))
            ranges = list(executor.map(_repeated, pieces))
        except Invalid:
            _cancel(checked)
            raise
        if any(ranges):
            raise Invalid("a repeated id hash")
        buckets = {Path(name): sum(p[2] for p in places[name]) for name in sorted(places)}
        parts = [
            [place for path in part for place in places[path.name]]
            for part in balanced(buckets, part_lines, workers)
        ]
        audited = list(executor.map(_audit, parts))
    except BaseException:
        executor.shutdown(wait=True, cancel_futures=True)
        raise
    # Every result is in: the workers' ends (their memory given back, about 0.4 s) need not
    # hold up the findings.
    executor.shutdown(wait=False)
    peaks: dict[int, float] = {}
    for _, (pid, peak) in audited:
        peaks[pid] = max(peak, peaks.get(pid, 0.0))
    LAST_PEAKS[:] = sorted(peaks.values())
    return [p.findings for p, _ in audited], [p.declared for p, _ in audited]


def balanced(buckets: dict[Path, int], part_lines: int, workers: int) -> list[list[Path]]:
    """The buckets in order in parts of at most ``part_lines`` lines, as ``packed`` makes
    them, but as many as fill every round of ``workers`` and of about one size: 11 parts on 2
    workers leave one idle for the last part; 12 of eleven twelfths the size do not. A bucket
    goes to the part its middle line falls in; where that would leave a part empty or too
    large, ``packed``'s parts."""
    from spreiding.services.audit_partitions import packed

    greedy = packed(buckets, part_lines)
    count = -(-len(greedy) // workers) * workers
    total = sum(buckets.values())
    if count == len(greedy) or count > len(buckets) or not total:
        return greedy
    parts: list[list[Path]] = [[] for _ in range(count)]
    sizes = [0] * count
    before = 0
    for path, lines in buckets.items():
        at = min(count - 1, (2 * before + lines) * count // (2 * total))
        parts[at].append(path)
        sizes[at] += lines
        before += lines
    if min(sizes) == 0 or max(sizes) > part_lines:
        return greedy
    return parts


# Each worker's peak memory (MiB) in the last ``audit_file``, for benchmarks.
LAST_PEAKS: list[float] = []


def _cancel(futures: list[Future[Any]]) -> None:
    for future in futures:
        future.cancel()


def default_workers() -> int:
    """Two workers where there are two cores or more: the parts are independent."""
    return min(2, os.cpu_count() or 1)
