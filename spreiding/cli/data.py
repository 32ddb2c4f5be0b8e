"""``validate``, ``init-db`` and ``import``: a dataset folder against the contract, and into the
database."""

from __future__ import annotations

from spreiding.cli.common import DataDir, database, out, refuse, settings, shown_url
from spreiding.domain.errors import DatasetConflict, DatasetInvalid
from spreiding.services import datasets


def validate(folder: DataDir) -> None:
    """Check a dataset folder against the contract; exit 2 with every error on stderr."""
    try:
        dataset = datasets.read_folder(folder)
    except DatasetInvalid as exc:
        raise refuse(exc, f"{folder}: invalid") from None
    out.print(f"{folder}: valid — {dataset.summary()}", markup=False)


def init_db() -> None:
    """Create or upgrade the database schema (alembic upgrade head)."""
    with database(migrate_as_owner=True):
        pass
    out.print(f"database at {shown_url(settings().database_url)} is at the latest schema")


def import_(folder: DataDir) -> None:
    """Validate a dataset and store it whole in one transaction, or store nothing."""
    try:
        dataset = datasets.read_folder(folder)
    except DatasetInvalid as exc:
        raise refuse(exc, f"{folder}: invalid, nothing stored") from None
    try:
        with database() as engine, engine.begin() as connection:
            report = datasets.import_dataset(connection, dataset)
    except DatasetConflict as exc:
        raise refuse(exc, f"{folder}: conflicts with stored data, nothing stored") from None
    out.print(f"{folder}: imported — {report.summary()}", markup=False)
