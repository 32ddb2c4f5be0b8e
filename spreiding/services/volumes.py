"""Volumes of a year (docs/data-format.md §7): planned against settled and transferred, per
care type, for the alliance bureau and the hospitals of an alliance.

Example: ``dataset_volumes(dataset, year=2024)`` on the v1 samen-plus data gives a row for
``liesbreuk`` (planned 120) and ``rectumcarcinoom`` (planned 8) of
``samen-plus-liesbreuk-2024``; ``stored_volumes(connection, principal, year=2024)`` computes the
same on the stored data and keeps the rows of the agreements the principal may see: a hospital
those it is a party to, a bureau its own, an admin all. Nothing is stored: the settlement lines
are computed as ``spreiding settle`` computes them, not read from a run.
"""

from __future__ import annotations

from sqlalchemy import Connection

from settlement.engine import settle
from settlement.volumes import Volumes, volumes
from spreiding.domain.access import Principal
from spreiding.domain.dataset import Dataset
from spreiding.services.access import require
from spreiding.store import visibility
from spreiding.store.datasets import load_dataset


def dataset_volumes(dataset: Dataset, *, year: int) -> Volumes:
    """The volumes of ``year`` of a dataset (read from files, or everything stored)."""
    settled = settle(dataset.dbcs, dataset.prices, dataset.agreements, year=year)
    return volumes(settled.lines, dataset.transfers, dataset.agreements, year=year)


def check_volumes(principal: Principal) -> None:
    """Whether ``principal`` may read volumes: the parties and the bureau of an alliance.
    An insurer is not told how much care the hospitals moved between them."""
    require(principal, "admin", "hospital", "bureau")


def stored_volumes(connection: Connection, principal: Principal, *, year: int) -> Volumes:
    """The volumes of ``year`` on the stored data, the rows of the agreements ``principal``
    may see."""
    check_volumes(principal)
    result = dataset_volumes(load_dataset(connection), year=year)
    if principal.is_admin:
        return result
    visible = set(visibility.visible_agreement_ids(connection, principal))
    return Volumes(year, tuple(row for row in result.rows if row.agreement_id in visible))
