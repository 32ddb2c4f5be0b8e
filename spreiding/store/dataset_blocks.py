"""A large table of an import stored block by block, in the caller's transaction.

The import (``spreiding.services.import_blocks``) reads the declarations of a dataset in
blocks and writes each block as it comes, so that no more than a block is in memory. Per
block, ``compare_block`` compares its rows with the stored rows of the same keys only (read
``KEYS_PER_QUERY`` keys at a time), as ``datasets.plan_import`` compares a whole table, and
``bulk.insert_frame`` writes the fresh ones. When the table held no row as the import began
(``BlockTable.empty``), nothing is read: every row is fresh. On SQLite the table's non-unique
secondary indexes are then dropped for the blocks and built once after the last
(``BlockTable.finish``), in the same transaction, as ``bulk`` does for one large frame; the page
cache stays large between the blocks.

Example::

    table = BlockTable.open(connection, DECLARATIONS)
    for frame in blocks:
        compared = table.compare(frame, principal)
        table.insert(compared.fresh)
    table.finish()
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Table

from spreiding.domain.access import Principal
from spreiding.domain.dataset import TableSchema
from spreiding.store import bulk
from spreiding.store.datasets import FRAME_TABLES, Comparison, _compare, _load_stored

KEYS_PER_QUERY = 10_000  # keys of one ``IN`` list (SQLite allows 32,766 parameters)
SQLITE_CACHE_KIB = bulk.SQLITE_CACHE_KIB


@dataclass
class BlockTable:
    """One table written block by block: ``empty`` whether it held no row when the import
    began; ``deferred`` the statements that build its dropped indexes again (SQLite)."""

    connection: Connection
    schema: TableSchema
    table: Table
    empty: bool
    deferred: list[str] = field(default_factory=list)
    cache_before: int | None = None

    @classmethod
    def open(cls, connection: Connection, schema: TableSchema) -> BlockTable:
        table = next(t for s, t in FRAME_TABLES if s is schema)
        quoted = connection.dialect.identifier_preparer.format_table(table)
        empty = connection.exec_driver_sql(f"SELECT 1 FROM {quoted} LIMIT 1").first() is None
        opened = cls(connection, schema, table, empty)
        if connection.dialect.name == "sqlite":
            driver: Any = connection.connection.dbapi_connection
            opened.cache_before = int(driver.execute("PRAGMA cache_size").fetchone()[0])
            driver.execute(f"PRAGMA cache_size = {-SQLITE_CACHE_KIB}")
            if empty:
                opened.deferred = bulk.drop_secondary_indexes(connection, quoted)
        return opened

    def compare(self, frame: pd.DataFrame, principal: Principal | None) -> Comparison:
        """``frame`` (canonical, one block) compared with the stored rows of its keys, as
        ``principal`` sees them (None: all): only those rows are read."""
        none = frame.iloc[0:0]
        if self.empty or frame.empty:
            return Comparison(frame, 0, none, [], none)
        (name,) = self.schema.key  # the block tables have a key of one column
        keys = frame[name].drop_duplicates().tolist()
        stored, hidden = [], []
        for start in range(0, len(keys), KEYS_PER_QUERY):
            where = self.table.c[name].in_(keys[start : start + KEYS_PER_QUERY])
            rows, secret = _load_stored(self.connection, self.schema, self.table, principal, where)
            stored.append(rows)
            hidden.append(secret)
        found = pd.concat(stored, ignore_index=True) if len(stored) > 1 else stored[0]
        unseen = pd.concat(hidden, ignore_index=True) if len(hidden) > 1 else hidden[0]
        return _compare(self.schema, found, frame, unseen)

    def insert(self, fresh: pd.DataFrame) -> int:
        return bulk.insert_frame(self.connection, self.schema, self.table, fresh)

    def finish(self) -> None:
        """Build the dropped indexes again and give the connection its page cache back."""
        for statement in self.deferred:
            self.connection.exec_driver_sql(statement)
        self.deferred = []
        self.release()

    def release(self) -> None:
        """The connection's page cache as it was (after a failure too: indexes dropped in the
        transaction are restored by its rollback)."""
        if self.cache_before is not None:
            driver: Any = self.connection.connection.dbapi_connection
            driver.execute(f"PRAGMA cache_size = {self.cache_before}")
            self.cache_before = None
