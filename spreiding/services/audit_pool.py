"""The streamed audit of a declarations file on several cores (``audit_partitions.audit_folder``
with ``workers`` > 1): the same checks, the same findings, in the same order.

Two phases, each a set of independent tasks for a pool of worker processes. They are forked
by a server process (``forkserver``), never from the caller, whose Arrow threads may be
running: the server imports this module and the project's modules the caller has imported
once (``warm``, called as an audit begins), and each worker starts with them imported.

1. Check and spill. The parent cuts the file into blocks at line ends (``spans``: each
   block's place in the file, found without reading the lines); a worker reads its block,
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

A block with any error (bytes that are not UTF-8 too), or a repeated id hash, stops the work:
the caller checks the file again on one core, which reports the reader's errors with their
counts, lines and order (``Invalid``), so every error is the same as without workers. A
worker does not know the lines before its block, so it numbers a block's lines from 1.
"""

from __future__ import annotations

import mmap
import multiprocessing
import multiprocessing.forkserver
import os
import pickle
import resource
import sys
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
from spreiding.domain.string_columns import take_table
from spreiding.services.declaration_checks import Checked

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


# A worker's process id and its peak memory so far (MiB), with each result.
Usage = tuple[int, float]


def _usage() -> Usage:
    return os.getpid(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# Where a bucket's lines of one block are: (task, record batch in its spill file, lines).
Spilled = tuple[int, int, int]


def _check_spill(
    task: int, offset: int, length: int
) -> tuple[dict[str, Spilled], list[int], Usage]:
    """Check one block and spill its lines (phase 1): per bucket, where they were written;
    and where each range of the id hashes starts and ends in ``ids.<task>.npy``."""
    path: Path = _STATE["path"]
    folder: Path = _STATE["folder"]
    header: list[str] = _STATE["header"]
    with path.open("rb") as file:
        file.seek(offset)
        data = file.read(length)
    if not data.isascii():
        try:  # the caller did not scan the file (``streamable(scan=False)``)
            data.decode("utf-8")
        except UnicodeDecodeError:
            raise Invalid(f"the block at byte {offset} is not UTF-8") from None
    checked = Checked(path, header, *_STATE["references"])
    try:
        # Lines numbered from the block's first: only an error needs them, and it sends the
        # file to one core, which numbers them in the file.
        frame = checked.frame(1, data)
    except pa.ArrowInvalid as exc:  # what Arrow cannot read: one core reports it
        raise Invalid(f"the block at byte {offset}: {exc}") from None
    del data
    if checked.errors:
        raise Invalid(f"the block at byte {offset}")
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
    # Codes and ids of one width taken by numpy (36 -> 21 ms a block of 180,000 lines).
    table = take_table(table, order)
    written: dict[str, Spilled] = {}
    with ipc.new_file(folder / f"spill.{task}.arrow", table.schema) as writer:
        for name, start, stop in zip(names, bounds, bounds[1:], strict=False):
            (batch,) = table.slice(start, stop - start).to_batches()
            writer.write_batch(batch)
            written[name] = (task, len(written), stop - start)
    return written, ranges, _usage()


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


def _audit(places: list[Spilled]) -> tuple[PartAudit, Usage]:
    """The line rules on one part (phase 2), its buckets' record batches in the blocks' spill
    files: the findings, the declared keys, and the worker's usage so far."""
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
    return part, _usage()


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


def spans(path: Path, block_bytes: int) -> Iterator[tuple[int, int]]:
    """The blocks of ``path`` that ``declaration_checks.blocks`` cuts, as (offset, length),
    each as soon as it is found: the workers check the first blocks while the rest are cut.
    Only the bytes before each cut are looked at, not copied (a block's lines are not
    counted: ``_check_spill``)."""
    size = path.stat().st_size
    with path.open("rb") as file:
        offset = end = len(file.readline())
        if offset >= size:
            return
        with mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as data:
            while offset < size:
                if end < size:  # as ``blocks`` reads the next block_bytes of the file
                    end = min(end + block_bytes, size)
                    cut = data.rfind(b"\n", offset, end) + 1
                    if cut <= offset:  # no line end yet: read on
                        continue
                else:  # what follows the last line end
                    cut = size
                yield offset, cut - offset
                offset = cut


_FORKSERVER = multiprocessing.get_context("forkserver")
_SERVER: dict[str, int] = {}  # "by": the process that started the fork server


def warm() -> bool:
    """Start the server the workers are forked from, unless it runs: it imports this module
    and each module of the project this process has imported, once, while the caller goes
    on reading. A worker re-runs the caller's main module as it starts (a CLI's, a
    benchmark's), which then finds its imports done: spawned, each worker imported them
    again (about 1.5 s for the CLI's, two workers at once). A worker has the environment the
    server started with. False in a process forked from one that started the server: the
    server is that process's, and Python's record of it, copied by the fork, starts no other
    (``pool`` then spawns the workers)."""
    if _SERVER.get("by", os.getpid()) != os.getpid():
        return False
    modules = sorted(n for n in sys.modules if n.partition(".")[0] in {"spreiding", "settlement"})
    _FORKSERVER.set_forkserver_preload([__name__, *modules])
    try:
        multiprocessing.forkserver.ensure_running()
    except ChildProcessError:  # a server started by a process this one was forked from
        return False
    _SERVER["by"] = os.getpid()
    return True


def pool(workers: int, state: dict[str, Any], folder: Path) -> ProcessPoolExecutor:
    """``workers`` processes forked by the server (``warm``; started here if it is not), or
    spawned where this process cannot have one, each given ``state`` once: pickled to a file
    in ``folder`` that each reads when it has started. Handed over with the process instead,
    the parent waits at each start until the child has read it all."""
    state_file = folder / "state.pickle"
    with state_file.open("wb") as file:
        pickle.dump(state, file, protocol=pickle.HIGHEST_PROTOCOL)
    context = _FORKSERVER if warm() else multiprocessing.get_context("spawn")
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
        "path": path.resolve(), "header": header, "references": references, "folder": folder,
        "per_insurer": per_insurer, "dbcs": dbcs, "agreements": tuple(agreements), "year": year,
    }  # fmt: skip
    executor = pool(workers, state, folder)
    usage: dict[int, Usage] = {}
    try:
        checked = [
            executor.submit(_check_spill, task, *span)
            for task, span in enumerate(spans(path, block_bytes))
        ]
        places: dict[str, list[Spilled]] = {}
        pieces: list[list[tuple[int, int, int]]] = [[] for _ in range(HASH_RANGES)]
        try:
            for task, future in enumerate(checked):
                written, bounds, used = future.result()
                usage[used[0]] = max(used, usage.get(used[0], used))
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
    usage.update((used[0], max(used, usage.get(used[0], used))) for _, used in audited)
    LAST_PEAKS[:] = sorted(peak for _, peak in usage.values())
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
