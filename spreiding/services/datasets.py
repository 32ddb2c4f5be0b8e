"""Datasets: reading a folder against the contract and storing it whole, or nothing.

Example: ``import_dataset(connection, read_folder(Path("samples/samen-plus")))`` stores the
sample (``hospitals: 2 added, 0 unchanged; …``); the same again adds nothing; a row stored
with other values is a ``DatasetConflict`` naming both versions, and nothing is stored.
"""

from __future__ import annotations

import tempfile
from collections.abc import Collection, Mapping
from pathlib import Path

from sqlalchemy import Connection

from spreiding.contract.reader import SPECS, read_dataset
from spreiding.domain.access import Principal
from spreiding.domain.dataset import Dataset
from spreiding.domain.errors import DatasetError, DatasetInvalid
from spreiding.services.access import require
from spreiding.store import datasets as store
from spreiding.store.datasets import ImportReport

# The files a dataset may consist of (docs/data-format.md).
FILES = frozenset({spec.name for spec in SPECS.values()} | {"agreements.json"})


def read_folder(folder: Path | str) -> Dataset:
    """The dataset of a folder, checked against every rule of the contract; raises
    ``DatasetInvalid`` with all errors."""
    return read_dataset(folder)


def import_dataset(connection: Connection, dataset: Dataset) -> ImportReport:
    """Store a checked dataset in the caller's transaction; raises ``DatasetConflict`` and
    stores nothing when a row conflicts with stored data."""
    return store.import_dataset(connection, dataset)


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
        dataset = read_folder(folder)
    return import_dataset(connection, dataset)
