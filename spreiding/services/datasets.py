"""Datasets: reading a folder against the contract and storing it whole, or nothing.

Example: ``import_dataset(connection, read_folder(Path("tests/data/v1/samen-plus")))`` stores the
sample (``hospitals: 2 added, 0 unchanged; …``); the same again adds nothing; a row stored
with other values is a ``DatasetConflict`` naming both versions, and nothing is stored. Sent
with a key (``import_files``), every row the import would add or change is first checked
against what that key may write (``spreiding.services.writes``): one row past its rights and
nothing is stored. ``import_folder`` (what ``spreiding import`` and the upload run) reads,
checks and stores a folder in one go, its declarations block by block
(``spreiding.services.import_blocks``), so that a file of ten million lines is never whole in
memory; the same errors, rows and report as ``read_folder`` then ``import_dataset``.
"""

from __future__ import annotations

import tempfile
from collections.abc import Collection, Mapping
from pathlib import Path

from sqlalchemy import Connection

from spreiding.contract.reader import SPECS, read_dataset
from spreiding.domain.access import Principal
from spreiding.domain.dataset import Dataset
from spreiding.domain.errors import DatasetConflict, DatasetError, DatasetInvalid
from spreiding.services import writes
from spreiding.services.access import OPERATOR, require
from spreiding.services.declaration_checks import BLOCK_BYTES, csv_only, streamable
from spreiding.services.import_blocks import FolderImport, import_streamed, record
from spreiding.services.located import Lines, located_conflicts
from spreiding.store import datasets as store
from spreiding.store.datasets import ImportReport

# The files a dataset may consist of (docs/data-format.md).
FILES = frozenset({spec.name for spec in SPECS.values()} | {"agreements.json"})


def read_folder(folder: Path | str) -> Dataset:
    """The dataset of a folder, checked against every rule of the contract; raises
    ``DatasetInvalid`` with all errors."""
    return read_dataset(folder)


def import_dataset(
    connection: Connection,
    dataset: Dataset,
    principal: Principal = OPERATOR,
    *,
    folder: Path | None = None,
) -> ImportReport:
    """Store a checked dataset in the caller's transaction, as far as ``principal`` may write
    it. Raises ``WriteNotPermitted`` for rows past its rights (``folder``: where the files
    are, to name each row's line) and ``DatasetConflict`` for rows stored with other values
    (with ``folder``: each as ``prices.csv:12: price_eur: stored 11234.55, dataset 11300.00``,
    ``spreiding.services.located``); either way nothing is stored."""
    plan = store.plan_import(connection, dataset, principal)
    refused = writes.refused_rows(connection, principal, plan)
    lines = Lines(dataset, folder) if refused or plan.conflicts else None
    if refused and lines:
        writes.refuse(refused, lambda row: lines.locate(row.table, row.key))
    if plan.conflicts:
        # Each named by file, line and column where the files are at hand (``folder``).
        raise DatasetConflict(
            located_conflicts(plan, lines) if folder and lines else plan.conflicts
        )
    report = store.write_import(connection, plan)
    record(connection, principal, report, [a.agreement_id for a in plan.agreements.fresh])
    return report


def import_folder(
    connection: Connection,
    folder: Path | str,
    principal: Principal = OPERATOR,
    *,
    block_bytes: int = BLOCK_BYTES,
) -> FolderImport:
    """Read, check and store a dataset folder in the caller's transaction, all or nothing:
    ``read_folder`` and ``import_dataset`` (with ``folder``) in one, with the same errors and
    the same rows stored. A plain UTF-8 ``declarations.csv`` separated by ``,`` is read,
    checked and stored block by block (``import_blocks``: memory bounded by a block of about
    ``block_bytes``, not the file); any other folder is read whole first."""
    folder = Path(folder)
    path = folder / "declarations.csv"
    header = streamable(path) if folder.is_dir() and csv_only(folder) else None
    if header is not None:
        return import_streamed(connection, folder, header, principal, block_bytes=block_bytes)
    dataset = read_folder(folder)
    report = import_dataset(connection, dataset, principal, folder=folder)
    return FolderImport(report, dataset.summary(), dataset.notes)


def check_upload(principal: Principal, names: Collection[str]) -> None:
    """Whether ``principal`` may upload a dataset, and whether every file is one of the
    contract's (checked before anything is read)."""
    require(principal, "admin", "bureau")
    for name in names:
        if name not in FILES:
            raise DatasetInvalid(
                [DatasetError(name or "(unnamed)", 0, "(file)", "not a file of the contract")]
            )


def import_files(
    connection: Connection, principal: Principal, files: Mapping[str, bytes]
) -> ImportReport:
    """Check and store the files of one dataset (name to content), as ``import_dataset``
    does for a folder."""
    check_upload(principal, files)
    with tempfile.TemporaryDirectory() as folder:
        for name, content in files.items():
            (Path(folder) / name).write_bytes(content)
        return import_folder(connection, folder, principal).report
