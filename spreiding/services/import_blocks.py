"""A dataset folder imported with its declarations read, checked and stored block by block.

``import_streamed`` is ``datasets.import_folder`` for a folder whose declarations are a plain
UTF-8 ``declarations.csv`` separated by ``,`` (``declaration_checks.streamable``): the other
files are read and checked whole by the reader and compared with what is stored, as
``datasets.import_dataset`` does; the declarations are cut at line ends into blocks of about
``BLOCK_BYTES`` (``declaration_checks.blocks``), each checked by the reader's own rules with
the file's own line numbers (``declaration_checks.Checked``), typed as the reader types the
whole file, compared with the stored rows of its keys only and written, in the caller's
transaction, as it comes (``store.dataset_blocks``). Memory is bounded by a block, not by the
file.

All or nothing, as before: everything is written under one savepoint of the caller's
transaction, rolled back on any failure. Errors are decided as the whole import decides them,
in the same order: every error of the contract first (``DatasetInvalid``: the whole reader's
errors, same text and lines, the duplicate ids of the file decided at its end); then the
rows the principal may not write (``WriteNotPermitted``), then the rows stored with other
values (``DatasetConflict``, each named ``declarations.csv:LINE: COLUMN: stored S, dataset D``);
a block is written only while none of these has been found. A write that fails in the
database (a duplicate id of an earlier block breaks the primary key before the checks have
seen the whole file) stops the writing; the checks still run to the end and their error is
the one raised, the database's only when the file is valid.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

from spreiding.domain.access import Principal
from spreiding.domain.dataset import DECLARATIONS, Dataset
from spreiding.domain.errors import DatasetConflict, DatasetError, DatasetInvalid
from spreiding.services import trail, writes
from spreiding.services.declaration_checks import (
    BLOCK_BYTES,
    Checked,
    blocks,
    read_others,
    typed,
)
from spreiding.services.errors import WriteNotPermitted
from spreiding.services.located import Lines, located_conflicts
from spreiding.store import datasets as store
from spreiding.store.agreements import AgreementComparison
from spreiding.store.dataset_blocks import BlockTable
from spreiding.store.datasets import ImportPlan, ImportReport

NAME = DECLARATIONS.name
AFTER = ("transfers", "hours")  # the tables after the declarations in the import's order


@dataclass(frozen=True)
class FolderImport:
    """What a folder's import stored (``report``) and what the folder holds (``summary``, as
    ``Dataset.summary`` gives it, notes included)."""

    report: ImportReport
    summary: str
    notes: tuple[str, ...] = ()


def import_streamed(
    connection: Connection,
    folder: Path,
    header: list[str],
    principal: Principal,
    *,
    block_bytes: int = BLOCK_BYTES,
) -> FolderImport:
    """Import ``folder`` (its declarations streamable, with ``header``) in the caller's
    transaction, as far as ``principal`` may write it; raise as ``datasets.import_dataset``
    does, and ``DatasetInvalid`` with every error of the folder, storing nothing."""
    path = folder / "declarations.csv"
    others, errors, references = read_others(folder)
    checked = Checked(path, header, *references)
    if others is None:
        for first_line, data in blocks(path, block_bytes=block_bytes):
            checked.frame(first_line, data)
        raise DatasetInvalid(errors + checked.finish(block_bytes=block_bytes))
    run = _Run(connection, others, folder, principal)
    with run.savepoint():
        lines = 0
        for first_line, data in blocks(path, block_bytes=block_bytes):
            frame = checked.frame(first_line, data)
            lines += len(frame)
            if not checked.errors:
                run.block(frame)
        found = checked.finish(block_bytes=block_bytes)
        if found:
            raise DatasetInvalid(found)
        report = run.finish()
    record(connection, principal, report, [a.agreement_id for a in run.plan.agreements.fresh])
    return FolderImport(report, _summary(others, lines), others.notes)


def record(
    connection: Connection, principal: Principal, report: ImportReport, agreements: list[str]
) -> None:
    """After an import: the bureau keeps the agreements it added, and the trail records what
    was added (nothing when nothing was)."""
    writes.keep_agreements(connection, principal, agreements)
    if any(report.added.values()):
        trail.record(
            connection,
            principal,
            kind="dataset.import",
            subject="dataset",
            payload={"added": {name: n for name, n in report.added.items() if n}},
        )


@dataclass
class _Run:
    """The store's side of one streamed import: the other files' plan, the declarations'
    table, what was found so far."""

    connection: Connection
    others: Dataset
    folder: Path
    principal: Principal
    plan: ImportPlan = field(init=False)
    table: BlockTable | None = None
    refused: list[DatasetError] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    failure: DBAPIError | None = None
    report: ImportReport | None = None  # of the other files, once written
    added: int = 0
    unchanged: int = 0

    def __post_init__(self) -> None:
        # The lock is taken here (before the savepoint: on SQLite it begins the transaction).
        self.plan = store.plan_import(self.connection, self.others, self.principal)
        refused = writes.refused_rows(self.connection, self.principal, self.plan)
        self.lines = Lines(self.others, self.folder)
        if refused:
            self.refused = [row.error(*self.lines.locate(row.table, row.key)) for row in refused]

    @property
    def writing(self) -> bool:
        return not (self.refused or self.plan.conflicts or self.conflicts or self.failure)

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """Everything written under one savepoint: released at the end, rolled back on any
        exception."""
        savepoint = self.connection.begin_nested()
        try:
            self.table = BlockTable.open(self.connection, DECLARATIONS)
            if self.writing:
                self.report = store.write_import(self.connection, self.plan)
            yield
        except BaseException:
            if savepoint.is_active:
                savepoint.rollback()
            raise
        finally:
            if self.table is not None:
                self.table.release()
        savepoint.commit()

    def block(self, frame: pd.DataFrame) -> None:
        """Compare and (while nothing stands in the way) write one checked block."""
        if self.failure is not None:
            return
        assert self.table is not None
        rows = typed(frame)
        compared = self.table.compare(rows, self.principal)
        refused = writes.refused_in_table(self.principal, NAME, compared, set())
        if refused or compared.clashes:
            lines = Lines(self.others, None)
            lines.raw[NAME] = frame
            self.refused += [row.error(*lines.locate(row.table, row.key)) for row in refused]
            self.conflicts += located_conflicts(_only(compared), lines)
        if self.writing:
            try:
                self.table.insert(compared.fresh)
            except DBAPIError as exc:
                self.failure = exc
                return
        self.added += len(compared.fresh)
        self.unchanged += compared.unchanged

    def finish(self) -> ImportReport:
        """The report, once every block is in; raise what was found instead, as the whole
        import would."""
        if self.failure is not None:
            raise self.failure
        if self.refused:
            raise WriteNotPermitted(self.refused)
        if self.plan.conflicts or self.conflicts:
            raise DatasetConflict(self._conflicts())
        assert self.table is not None and self.report is not None
        self.table.finish()
        added, unchanged = {}, {}
        for name in self.report.added:
            if name in AFTER:
                added[NAME], unchanged[NAME] = self.added, self.unchanged
            added[name], unchanged[name] = self.report.added[name], self.report.unchanged[name]
        if NAME not in added:
            added[NAME], unchanged[NAME] = self.added, self.unchanged
        return ImportReport(added=added, unchanged=unchanged)

    def _conflicts(self) -> list[str]:
        """Every conflict in the whole import's order: agreements, the tables before the
        declarations, the declarations, the tables after them."""
        tables = self.plan.tables
        before = {n: c for n, c in tables.items() if n not in AFTER}
        after = {n: c for n, c in tables.items() if n in AFTER}
        head = located_conflicts(ImportPlan(self.plan.agreements, before), self.lines)
        tail = located_conflicts(ImportPlan(_NO_AGREEMENTS, after), self.lines)
        return head + self.conflicts + tail


_NO_AGREEMENTS = AgreementComparison([], 0, [], [])


def _only(compared: store.Comparison) -> ImportPlan:
    return ImportPlan(_NO_AGREEMENTS, {NAME: compared})


def _summary(others: Dataset, declarations: int) -> str:
    """``Dataset.summary`` of the folder: the other files' counts and the declarations'."""
    parts = [
        f"{len(others.hospitals)} hospitals",
        f"{len(others.insurers)} insurers",
        f"{len(others.agreements)} agreements",
        f"{len(others.prices)} prices",
        f"{len(others.dbcs)} DBCs ({int(others.dbcs['odv'].sum())} ODV)",
        f"{declarations} declarations",
    ]
    if others.transfers is not None:
        parts.append(f"{len(others.transfers)} transfers")
    if len(others.hours):
        parts.append(f"{len(others.hours)} hours rows")
    return "; ".join([", ".join(parts), *others.notes])
