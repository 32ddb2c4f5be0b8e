"""Writing a frame's rows into its table in bulk, chunk by chunk, in the caller's transaction.

PostgreSQL: ``COPY table (columns) FROM STDIN (FORMAT binary)``, each chunk's rows built by
Arrow's compute kernels (``binary_rows``: C++, no Python object per value), on the connection
SQLAlchemy holds: the rows are part of the caller's transaction, and every constraint and
trigger of the table applies as to an INSERT (a ``COPY FROM`` needs only the INSERT right the
application's role has). Binary spares the server the parsing of CSV, dates and integers (about
half of a bare COPY's server time); the rows go as CSV made by Arrow's CSV writer when a column
has a type the binary writer does not know, an integer does not fit its column, or the
connection's client encoding is not UTF-8. One COPY statement a chunk, so the server queues the
foreign-key checks of one chunk at a time; a thread makes the next chunk's data while the
server stores the current one. The rows are sent in the frame's order: sorting
them by key would make the primary key's inserts append-only, but would change the order in
which the stored rows are read back.

Where a PostgreSQL 15 server spends its time on 1,000,000 declaration lines (wall seconds of a
binary COPY, idle machine): 1.0 s into a bare copy of the table, 1.6 s with the primary key in
key order (3.9 s shuffled); the foreign keys of ``declaration`` were 8.8 s more, checked by one
query a row, and are now triggers that check a statement's distinct hospitals and insurers
once (migration 0016: 0.9 s). So one COPY a chunk also means one such check a chunk.

SQLite: one prepared INSERT, ``executemany`` over a chunk's rows zipped from its columns, with
no per-row processing by SQLAlchemy, through a larger page cache; into an empty table, the
non-unique secondary indexes are built once after the rows (``_drop_indexes``).

The values are stored as SQLAlchemy's ``insert`` stored them: dates as ``YYYY-MM-DD`` text on
SQLite, flags 1/0, cents and hundredths as integers, missing values as NULL. A failure in any
chunk raises SQLAlchemy's ``DBAPIError`` (``IntegrityError`` for a broken constraint), and the
caller's transaction rolls back everything, the chunks stored before it included. Memory: one
chunk of the frame at a time beside the frame itself (on PostgreSQL two: the one being stored
and the next).
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing, contextmanager
from typing import Any

import numpy as np
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

    driver: Any = connection.connection.driver_connection
    binary = _copy_statement(connection, schema, table, binary=True)
    statement = csv = _copy_statement(connection, schema, table)
    try:
        with driver.cursor() as cursor:
            types = _binary_types(cursor, connection, schema, table)
            with closing(_copy_data(frame, schema, types)) as prepared:
                for data, in_binary in prepared:
                    statement = binary if in_binary else csv
                    with cursor.copy(statement) as copy:
                        for part in data:
                            copy.write(part)
    except psycopg.Error as exc:
        raise DBAPIError.instance(statement, None, exc, psycopg.Error) from exc


def _copy_data(
    frame: pd.DataFrame, schema: TableSchema, types: list[str] | None
) -> Generator[tuple[tuple[bytes | memoryview, ...], bool], None, None]:
    """Each chunk's COPY data and whether it is binary (else CSV), in the frame's order. The
    next chunk is made by a thread of this call while the caller's COPY of the current one
    runs (the server stores it, the connection waits without holding the GIL): one chunk
    made ahead of the one being stored. The thread ends when the iterator is exhausted or
    closed (the caller closes it on an error): a process forks its workers only while it runs
    one thread (``spreiding.render.statement_batch``)."""
    chunks = arrow_chunks(frame, schema)

    def make() -> tuple[tuple[bytes | memoryview, ...], bool] | None:
        chunk = next(chunks, None)
        if chunk is None:
            return None
        body = binary_rows(chunk, schema, types) if types else None
        if body is not None:
            return (_BINARY_HEADER, memoryview(body), _BINARY_TRAILER), True
        sink = pa.BufferOutputStream()
        pacsv.write_csv(chunk, sink, _CSV)
        return (memoryview(sink.getvalue()),), False

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="spreiding-copy") as pool:
        pending = pool.submit(make)
        while (made := pending.result()) is not None:
            pending = pool.submit(make)
            yield made


def _copy_statement(
    connection: Connection, schema: TableSchema, table: Table, *, binary: bool = False
) -> str:
    quote = connection.dialect.identifier_preparer
    columns = ", ".join(quote.quote(name) for name in schema.columns)
    # Arrow writes UTF-8 whatever the connection's client encoding is.
    form = "FORMAT binary" if binary else "FORMAT csv, ENCODING 'UTF8'"
    return f"COPY {quote.format_table(table)} ({columns}) FROM STDIN ({form})"


# PostgreSQL's binary COPY (``COPY ... (FORMAT binary)``): a signature, flags and header
# extension (both 0), then each row as its field count (int16) and each field as its length in
# bytes (int32, -1 for NULL) and the value as the type's binary receive function reads it, all
# big-endian; then -1 (int16). The server applies the same checks as to CSV: a varchar's length
# and encoding, every constraint and trigger.
_BINARY_HEADER = b"PGCOPY\n\xff\r\n\x00" + bytes(8)
_BINARY_TRAILER = b"\xff\xff"
_NULL_FIELD = pa.scalar(b"\xff\xff\xff\xff", pa.binary())
_POSTGRES_EPOCH_DAYS = 10_957  # 2000-01-01 in days since 1970-01-01 (Arrow's date32)
_INTEGERS = {"int2": ">i2", "int4": ">i4", "int8": ">i8"}
# The column types written in binary, by the kinds of the frame's columns they may hold.
_BINARY_KINDS: dict[str, tuple[Kind, ...]] = {
    "varchar": ("str", "opt"),
    "text": ("str", "opt"),
    "date": ("date",),
    "bool": ("bool",),
    **dict.fromkeys(_INTEGERS, ("int", "cents", "hundredths")),
}


def _binary_types(
    cursor: Any, connection: Connection, schema: TableSchema, table: Table
) -> list[str] | None:
    """The database's type of each column of ``schema`` in ``table`` (``int4``, ``varchar``,
    …), or None when one of them is not written in binary here, or when the connection's
    client encoding is not UTF-8 (the server reads a binary text value in that encoding;
    Arrow's strings are UTF-8): the rows then go as CSV, which names its encoding."""
    if cursor.connection.info.encoding != "utf-8":
        return None
    name = connection.dialect.identifier_preparer.format_table(table)
    found = dict(
        cursor.execute(
            "SELECT a.attname, t.typname FROM pg_attribute a"
            " JOIN pg_type t ON t.oid = a.atttypid"
            " WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped",
            (name,),
        ).fetchall()
    )
    types = [found.get(column, "") for column in schema.columns]
    kinds = schema.columns.values()
    fits = all(kind in _BINARY_KINDS.get(t, ()) for t, kind in zip(types, kinds, strict=True))
    return types if fits else None


def binary_rows(chunk: pa.Table, schema: TableSchema, types: list[str]) -> pa.Buffer | None:
    """The rows of ``chunk`` (one of ``arrow_chunks``) as the body of a binary COPY of the
    columns of ``schema``, of the database types ``types``: every field of every row built by
    Arrow's compute kernels, one element-wise concatenation a row, no Python object per value.
    None when an integer does not fit its column (CSV then lets the server say so)."""
    parts: list[pa.Array | pa.Scalar] = [
        pa.scalar(len(schema.columns).to_bytes(2, "big"), pa.binary())
    ]
    for name, type_ in zip(schema.columns, types, strict=True):
        fields = _binary_field(chunk.column(name).combine_chunks(), type_)
        if fields is None:
            return None
        parts.extend(fields)
    rows = pc.binary_join_element_wise(
        *parts, pa.scalar(b"", pa.binary()), null_handling="replace", null_replacement=""
    )
    offsets = np.frombuffer(rows.buffers()[1], dtype=np.int32)
    start, end = offsets[rows.offset], offsets[rows.offset + len(rows)]
    return rows.buffers()[2][start:end]


def _binary_field(column: pa.Array, type_: str) -> list[pa.Array] | None:
    """One column's fields: its length prefixes and values (a NULL value is a length of -1
    and no bytes; a null string value is dropped by the row's concatenation)."""
    if type_ in ("varchar", "text"):
        lengths = pc.binary_length(column).fill_null(-1).to_numpy().astype(">i4")
        return [_fixed(lengths.view(np.uint8), 4, len(column)), column.cast(pa.binary())]
    valid = None if column.null_count == 0 else column.is_valid()
    if type_ == "date":
        days = column.cast(pa.int32()).fill_null(0).to_numpy() - _POSTGRES_EPOCH_DAYS
        return [_prefixed(days, ">i4", valid)]
    if type_ == "bool":
        flags = column.fill_null(False).to_numpy(zero_copy_only=False).astype(np.uint8)
        return [_prefixed(flags, ">u1", valid)]
    values = column.fill_null(0).to_numpy()
    limits = np.iinfo(np.dtype(_INTEGERS[type_]))
    if len(values) and (values.min() < limits.min or values.max() > limits.max):
        return None
    return [_prefixed(values, _INTEGERS[type_], valid)]


def _prefixed(values: np.ndarray, dtype: str, valid: pa.Array | None) -> pa.Array:
    """Fixed-width values with their length in front, NULL where ``valid`` is false."""
    fields = np.empty(len(values), dtype=[("length", ">i4"), ("value", dtype)])
    fields["length"] = fields.dtype["value"].itemsize
    fields["value"] = values
    out = _fixed(fields.view(np.uint8), fields.dtype.itemsize, len(values))
    return out if valid is None else pc.if_else(valid, out, _NULL_FIELD)


def _fixed(data: np.ndarray, width: int, count: int) -> pa.Array:
    array = pa.FixedSizeBinaryArray.from_buffers(
        pa.binary(width), count, [None, pa.py_buffer(data)]
    )
    return array.cast(pa.binary())


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
    return drop_secondary_indexes(connection, name)


def drop_secondary_indexes(connection: Connection, quoted: str) -> list[str]:
    """Drop the non-unique indexes declared by ``CREATE INDEX`` on the SQLite table ``quoted``
    (its name as SQL writes it) and return the statements that create them again."""
    listed = connection.exec_driver_sql(f"PRAGMA index_list({quoted})").mappings().all()
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
