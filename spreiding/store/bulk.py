"""Writing a frame's rows into its table in bulk, chunk by chunk, in the caller's transaction.

PostgreSQL: ``COPY table (columns) FROM STDIN`` in CSV, each chunk formatted by Arrow's CSV
writer (C++, no Python object per value), on the connection SQLAlchemy holds: the rows are
part of the caller's transaction, and every constraint and trigger of the table applies as to
an INSERT (a ``COPY FROM`` needs only the INSERT right the application's role has). One COPY
statement a chunk, so the server queues the foreign-key checks of one chunk at a time.

SQLite: one prepared INSERT, ``executemany`` over a chunk's rows zipped from its columns, with
no per-row processing by SQLAlchemy, through a larger page cache; into an empty table, the
non-unique secondary indexes are built once after the rows (``_drop_indexes``).

The values are stored as SQLAlchemy's ``insert`` stored them: dates as ``YYYY-MM-DD`` text on
SQLite, flags 1/0, cents and hundredths as integers, missing values as NULL. A failure in any
chunk raises SQLAlchemy's ``DBAPIError`` (``IntegrityError`` for a broken constraint), and the
caller's transaction rolls back everything, the chunks stored before it included. Memory: one
chunk of the frame at a time beside the frame itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from sqlalchemy import Connection, Table
from sqlalchemy.exc import DBAPIError

from spreiding.domain.dataset import Kind, TableSchema

CHUNK_ROWS = 100_000
SQLITE_CACHE_KIB = 128 * 1024  # page cache while SQLite writes a large frame
# Nulls unquoted (COPY reads an unquoted empty field as NULL), every value quoted (an empty
# string stays an empty string).
_CSV = pacsv.WriteOptions(include_header=False, quoting_style="all_valid", batch_size=CHUNK_ROWS)


def insert_frame(
    connection: Connection, schema: TableSchema, table: Table, frame: pd.DataFrame
) -> int:
    """Insert every row of ``frame`` (the canonical frame of ``schema``) into ``table``, within
    the caller's transaction. Returns how many rows were inserted."""
    if not len(frame):
        return 0
    if connection.dialect.name == "postgresql":
        _copy(connection, schema, table, frame)
    else:
        _insert_many(connection, schema, table, frame)
    return len(frame)


def arrow_chunks(
    frame: pd.DataFrame, schema: TableSchema, rows: int | None = None
) -> Iterator[pa.Table]:
    """``frame`` in chunks of ``rows`` (None: ``CHUNK_ROWS``), each as an Arrow table of the
    types stored: strings, int64, dates (``date32``) and booleans, missing values null."""
    rows = rows or CHUNK_ROWS
    for start in range(0, len(frame), rows):
        chunk = frame.iloc[start : start + rows]
        yield pa.table({name: _arrow(chunk[name], kind) for name, kind in schema.columns.items()})


def _arrow(series: pd.Series, kind: Kind) -> pa.Array | pa.ChunkedArray:
    values = pa.array(series, from_pandas=True)
    if kind in ("str", "opt"):
        wanted: pa.DataType = pa.string()
        if pa.types.is_large_string(values.type):
            return values
    elif kind == "date":
        wanted = pa.date32()
    elif kind == "bool":
        wanted = pa.bool_()
    else:  # int, cents, hundredths
        wanted = pa.int64()
    if values.type == wanted:
        return values
    # A time of day is dropped, as ``Timestamp.date()`` did; any other value must convert.
    return pc.cast(values, wanted, safe=kind != "date")


# --- PostgreSQL ----------------------------------------------------------------------------


def _copy(connection: Connection, schema: TableSchema, table: Table, frame: pd.DataFrame) -> None:
    import psycopg  # the PostgreSQL driver, installed with the project

    statement = _copy_statement(connection, schema, table)
    driver: Any = connection.connection.driver_connection
    try:
        with driver.cursor() as cursor:
            for chunk in arrow_chunks(frame, schema):
                sink = pa.BufferOutputStream()
                pacsv.write_csv(chunk, sink, _CSV)
                with cursor.copy(statement) as copy:
                    copy.write(memoryview(sink.getvalue()))
    except psycopg.Error as exc:
        raise DBAPIError.instance(statement, None, exc, psycopg.Error) from exc


def _copy_statement(connection: Connection, schema: TableSchema, table: Table) -> str:
    quote = connection.dialect.identifier_preparer
    columns = ", ".join(quote.quote(name) for name in schema.columns)
    # Arrow writes UTF-8 whatever the connection's client encoding is.
    return f"COPY {quote.format_table(table)} ({columns}) FROM STDIN (FORMAT csv, ENCODING 'UTF8')"


# --- SQLite --------------------------------------------------------------------------------


def _insert_many(
    connection: Connection, schema: TableSchema, table: Table, frame: pd.DataFrame
) -> None:
    quote = connection.dialect.identifier_preparer
    columns = ", ".join(quote.quote(name) for name in schema.columns)
    marks = ", ".join("?" for _ in schema.columns)
    statement = f"INSERT INTO {quote.format_table(table)} ({columns}) VALUES ({marks})"
    deferred = _drop_indexes(connection, table) if len(frame) >= CHUNK_ROWS else []
    with _page_cache(connection):
        for chunk in arrow_chunks(frame, schema):
            values = [_python(chunk.column(name), kind) for name, kind in schema.columns.items()]
            connection.exec_driver_sql(statement, list(zip(*values, strict=True)))
        for index in deferred:
            connection.exec_driver_sql(index)


def _drop_indexes(connection: Connection, table: Table) -> list[str]:
    """Into an empty table, many rows are stored faster without its secondary indexes, which
    are built afterwards from the sorted rows: drop the non-unique ones declared by ``CREATE
    INDEX`` and return the statements that create them again, in the same transaction (a
    rollback restores them as they were). A table with rows keeps its indexes."""
    name = connection.dialect.identifier_preparer.format_table(table)
    if connection.exec_driver_sql(f"SELECT 1 FROM {name} LIMIT 1").first() is not None:
        return []
    listed = connection.exec_driver_sql(f"PRAGMA index_list({name})").mappings().all()
    names = [row["name"] for row in listed if not row["unique"] and row["origin"] == "c"]
    statements = []
    for index in names:
        sql = connection.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?", (index,)
        ).scalar_one()
        connection.exec_driver_sql(
            f"DROP INDEX {connection.dialect.identifier_preparer.quote(index)}"
        )
        statements.append(sql)
    return statements


@contextmanager
def _page_cache(connection: Connection) -> Iterator[None]:
    """A larger page cache for the connection while it writes (SQLite's default is 2 MiB),
    the one it had afterwards."""
    driver: Any = connection.connection.dbapi_connection
    before = driver.execute("PRAGMA cache_size").fetchone()[0]
    driver.execute(f"PRAGMA cache_size = {-SQLITE_CACHE_KIB}")
    try:
        yield
    finally:
        driver.execute(f"PRAGMA cache_size = {int(before)}")


def _python(column: pa.ChunkedArray, kind: Kind) -> list[Any]:
    """A column as Python values, as SQLAlchemy binds them on SQLite: dates as ISO text."""
    if kind == "date":
        column = pc.cast(column, pa.string())
    return column.to_numpy(zero_copy_only=False).tolist()
