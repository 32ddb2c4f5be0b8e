"""``validate``, ``init-db`` and ``import``: a dataset folder against the contract, and into the
database."""

from __future__ import annotations

from spreiding.cli.common import DataDir, database, out, refuse, settings, shown_url, steps
from spreiding.domain.errors import DatasetConflict, DatasetInvalid
from spreiding.render.i18n import _
from spreiding.services import datasets


def validate(folder: DataDir) -> None:
    """Check a dataset folder against the contract; exit 2 with every error on stderr."""
    try:
        dataset = datasets.read_folder(folder)
    except DatasetInvalid as exc:
        raise refuse(exc, _("{folder}: invalid").format(folder=folder)) from None
    message = _("{folder}: valid — {summary}")
    out.print(message.format(folder=folder, summary=dataset.summary()), markup=False)


def init_db() -> None:
    """Create or upgrade the database schema (alembic upgrade head)."""
    with database(migrate_as_owner=True):
        pass
    message = _("database at {url} is at the latest schema")
    out.print(message.format(url=shown_url(settings().database_url)), markup=False)


def import_(folder: DataDir) -> None:
    """Validate a dataset and store it whole in one transaction, or store nothing."""
    # Read, checked and stored in one step: the declarations block by block, as they come.
    with steps(_("importing"), 1) as step:
        try:
            with database() as engine, engine.begin() as connection:
                imported = datasets.import_folder(connection, folder)
        except DatasetInvalid as exc:
            what = _("{folder}: invalid, nothing stored").format(folder=folder)
            raise refuse(exc, what) from None
        except DatasetConflict as exc:
            what = _("{folder}: conflicts with stored data, nothing stored").format(folder=folder)
            raise refuse(exc, what) from None
        step()
    message = _("{folder}: imported — {summary}")
    summary = "; ".join([imported.report.summary(), *imported.notes])
    out.print(message.format(folder=folder, summary=summary), markup=False)
