"""The import's bulk writer (``spreiding.store.bulk``: COPY on PostgreSQL, a prepared INSERT on
SQLite): every table holds exactly what SQLAlchemy's row-by-row ``insert`` stored before it,
value for value and type for type, on the samples and on generated data, over several chunks;
a failure in a chunk after others were written leaves nothing stored; the application's
PostgreSQL role, which owns nothing, may import."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import Connection, Engine, Table, insert, select, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel

from benchmarks.generate import generate
from spreiding.contract.reader import read_dataset
from spreiding.domain.dataset import Dataset, TableSchema
from spreiding.services import datasets
from spreiding.store import bulk
from spreiding.store import datasets as store
from spreiding.store.database import grant_application_role, make_engine
from tests.conftest import SAMPLES, outer_transaction

DATASET_TABLES = [table for _, table in store.FRAME_TABLES]


def reference_insert(
    connection: Connection, schema: TableSchema, table: Table, frame: pd.DataFrame
) -> int:
    """How rows were stored before the bulk writer: SQLAlchemy's ``insert`` over dicts of plain
    Python values, 50,000 at a time (``_records`` of ``spreiding.store.datasets``)."""
    for start in range(0, len(frame), 50_000):
        chunk = frame.iloc[start : start + 50_000]
        columns: dict[str, list[Any]] = {}
        for name, kind in schema.columns.items():
            series = chunk[name]
            if kind == "date":
                columns[name] = [None if pd.isna(v) else v.date() for v in series]
            elif kind in ("int", "cents"):
                columns[name] = [int(v) for v in series.to_numpy()]
            elif kind == "bool":
                columns[name] = [bool(v) for v in series.to_numpy()]
            else:
                columns[name] = [None if pd.isna(v) else str(v) for v in series]
        names = list(columns)
        rows = [dict(zip(names, row, strict=True)) for row in zip(*columns.values(), strict=True)]
        connection.execute(insert(table), rows)
    return len(frame)


def dump(connection: Connection) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, sorted, each value with its storage type on SQLite; not the
    event log (it records when the import ran)."""
    sqlite = connection.dialect.name == "sqlite"
    out = {}
    for table in SQLModel.metadata.sorted_tables:
        if table.name == "event_log":
            continue
        columns = list(table.c)
        if sqlite:
            kinds = [text(f"typeof({c.name})") for c in columns]
            rows = connection.execute(select(*columns, *kinds)).all()
        else:
            rows = connection.execute(select(*columns)).all()
        out[table.name] = sorted((tuple(r) for r in rows), key=repr)
    return out


def import_and_dump(engine: Engine, dataset: Dataset) -> dict[str, list[tuple[Any, ...]]]:
    with outer_transaction(engine) as connection:
        datasets.import_dataset(connection, dataset)
        return dump(connection)


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks of 7 rows: every table of a sample spans several, and the SQLite indexes of an
    empty table are built after the rows, as for a large import."""
    monkeypatch.setattr(bulk, "CHUNK_ROWS", 7)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    folder = generate(tmp_path_factory.mktemp("gen"), hospitals=6, odv_dbcs=300, declarations=2_000)
    return read_dataset(folder)


def same_as_reference(
    engine: Engine, dataset: Dataset, monkeypatch: pytest.MonkeyPatch
) -> tuple[dict[str, Any], dict[str, Any]]:
    stored = import_and_dump(engine, dataset)
    with monkeypatch.context() as patch:
        patch.setattr(bulk, "insert_frame", reference_insert)
        before = import_and_dump(engine, dataset)
    return stored, before


@pytest.mark.parametrize("sample", ["samen-plus", "amsterdam-flevo", "ukc-leiden-denhaag"])
def test_rows_are_stored_as_row_by_row_inserts_stored_them(
    migrated_engine: Engine, sample: str, small_chunks: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    stored, before = same_as_reference(migrated_engine, read_dataset(SAMPLES / sample), monkeypatch)
    assert stored == before
    assert any(stored["hours"]) and any(stored["declaration"])


def test_generated_rows_are_stored_as_before(
    migrated_engine: Engine, generated: Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk, "CHUNK_ROWS", 500)
    stored, before = same_as_reference(migrated_engine, generated, monkeypatch)
    assert stored == before
    assert generated.declarations is not None
    assert len(stored["declaration"]) == len(generated.declarations)


@pytest.fixture
def engine_with_sample(migrated_engine: Engine) -> Iterator[tuple[Engine, Dataset]]:
    yield migrated_engine, read_dataset(SAMPLES / "samen-plus")


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            t.name: connection.execute(select(text("count(*)")).select_from(t)).scalar_one()
            for t in DATASET_TABLES
        }


def indexes(engine: Engine) -> set[str]:
    if engine.dialect.name != "sqlite":
        return set()
    with engine.connect() as connection:
        return set(
            connection.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'index'")
            .scalars()
            .all()
        )


@pytest.mark.parametrize("breakage", ["unknown hospital", "key twice"])
def test_a_failure_in_a_later_chunk_stores_nothing(
    migrated_engine: Engine, small_chunks: None, breakage: str
) -> None:
    """The declarations are written in chunks of 7; a row of the last chunk breaks a
    constraint of the database (a foreign key, the primary key), after the hospitals, the
    DBCs and the first chunks of declarations were written: the import fails with the
    database's error and nothing of it is stored, the indexes as they were."""
    dataset = read_dataset(SAMPLES / "samen-plus")
    declarations = dataset.declarations
    assert declarations is not None and len(declarations) > 3 * 7
    broken = declarations.copy()
    last = len(broken) - 1
    if breakage == "unknown hospital":
        broken.loc[last, "agb"] = "99999999"
    else:
        broken.loc[last, "declaration_id"] = broken.loc[last - 1, "declaration_id"]
    empty, before = counts(migrated_engine), indexes(migrated_engine)
    with pytest.raises(IntegrityError) as raised, migrated_engine.begin() as connection:
        datasets.import_dataset(connection, replace(dataset, declarations=broken))
    assert counts(migrated_engine) == empty
    # The thread that made the chunks ahead ended with the failed COPY, though the error (and
    # so the writer's frame) is still at hand.
    assert raised.traceback
    assert [t.name for t in threading.enumerate() if t.name.startswith("spreiding-copy")] == []
    assert indexes(migrated_engine) == before
    # The same import without the broken row then succeeds whole.
    with migrated_engine.begin() as connection:
        datasets.import_dataset(connection, dataset)
    try:
        assert counts(migrated_engine)["declaration"] == len(declarations)
        assert indexes(migrated_engine) == before
    finally:
        clear_dataset(migrated_engine)


def clear_dataset(engine: Engine) -> None:
    from tests.conftest import clear

    clear(engine)


APP_LOGIN = "spreiding_bulk_test"


def test_the_application_role_imports_through_copy(migrated_engine: Engine) -> None:
    """COPY needs only the INSERT right the application's role has: it imports a dataset, and
    a second import of the same rows changes nothing."""
    if migrated_engine.dialect.name != "postgresql":
        pytest.skip("roles and COPY are PostgreSQL's")
    with migrated_engine.begin() as connection:
        connection.execute(
            text(
                f"DO $$ BEGIN CREATE ROLE {APP_LOGIN} LOGIN; "
                "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
            )
        )
    grant_application_role(migrated_engine, APP_LOGIN)
    app = make_engine(
        migrated_engine.url.set(username=APP_LOGIN).render_as_string(hide_password=False)
    )
    dataset = read_dataset(SAMPLES / "samen-plus")
    try:
        with app.begin() as connection:
            report = datasets.import_dataset(connection, dataset)
        assert dataset.declarations is not None
        assert report.added["declarations"] == len(dataset.declarations)
        with app.begin() as connection:
            again = datasets.import_dataset(connection, dataset)
        assert not any(again.added.values())
    finally:
        app.dispose()
        clear_dataset(migrated_engine)


def test_large_tables_are_not_copied_whole(
    migrated_engine: Engine, generated: Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The writer takes one chunk of the frame at a time: never more rows than a chunk."""
    monkeypatch.setattr(bulk, "CHUNK_ROWS", 256)
    seen: list[int] = []
    chunks = bulk.arrow_chunks

    def counted(frame: pd.DataFrame, schema: TableSchema, rows: int | None = None) -> Any:
        for chunk in chunks(frame, schema, rows):
            seen.append(chunk.num_rows)
            yield chunk

    monkeypatch.setattr(bulk, "arrow_chunks", counted)
    with outer_transaction(migrated_engine) as connection:
        datasets.import_dataset(connection, generated)
    assert max(seen) == 256 and sum(seen) > 2_000


def test_samples_path_exists() -> None:
    assert Path(SAMPLES / "samen-plus" / "hours.csv").exists()


# --- binary COPY -----------------------------------------------------------------------------

KINDS = TableSchema(
    "kinds", {"s": "str", "o": "opt", "d": "date", "n": "cents", "b": "bool"}, ("s",)
)


def test_binary_rows_are_the_bytes_postgresql_reads() -> None:
    """Each row: its field count (int16), then each field as its length (int32, -1 for NULL)
    and its value, big-endian: UTF-8 bytes, days since 2000-01-01, int64 cents, one byte for
    a flag; an empty string is a field of length 0, not a NULL."""
    frame = pd.DataFrame(
        {
            "s": ["é", ""],
            "o": [None, "x"],
            "d": pd.Series([pd.Timestamp("2000-01-02"), pd.NaT]),
            "n": [-5, 2**40],
            "b": [True, False],
        }
    )
    (chunk,) = bulk.arrow_chunks(frame, KINDS)
    body = bulk.binary_rows(chunk, KINDS, ["varchar", "text", "date", "int8", "bool"])
    assert body is not None
    first = (
        b"\x00\x05"
        + b"\x00\x00\x00\x02\xc3\xa9"
        + b"\xff\xff\xff\xff"
        + b"\x00\x00\x00\x04\x00\x00\x00\x01"
        + b"\x00\x00\x00\x08\xff\xff\xff\xff\xff\xff\xff\xfb"
        + b"\x00\x00\x00\x01\x01"
    )
    second = (
        b"\x00\x05"
        + b"\x00\x00\x00\x00"
        + b"\x00\x00\x00\x01x"
        + b"\xff\xff\xff\xff"
        + b"\x00\x00\x00\x08\x00\x00\x01\x00\x00\x00\x00\x00"
        + b"\x00\x00\x00\x01\x00"
    )
    assert body.to_pybytes() == first + second


def test_an_integer_past_its_column_is_not_written_in_binary() -> None:
    """2**31 does not fit an ``int4`` column: no binary rows (the chunk goes as CSV, and the
    server refuses it as out of range), where an ``int8`` column takes it."""
    schema = TableSchema("years", {"year": "int"}, ("year",))
    (chunk,) = bulk.arrow_chunks(pd.DataFrame({"year": [2024, 2**31]}), schema)
    assert bulk.binary_rows(chunk, schema, ["int4"]) is None
    wide = bulk.binary_rows(chunk, schema, ["int8"])
    assert wide is not None and wide.to_pybytes().endswith(b"\x00\x00\x00\x00\x80\x00\x00\x00")


@pytest.mark.parametrize("encoding", ["UTF8", "LATIN1"])
def test_text_is_stored_whatever_the_client_encoding(
    migrated_engine: Engine, encoding: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A hospital's name outside ASCII is stored as it was read: in binary when the connection
    speaks UTF-8, as CSV (which names its encoding) when it speaks another."""
    if migrated_engine.dialect.name != "postgresql":
        pytest.skip("COPY and client encodings are PostgreSQL's")
    dataset = read_dataset(SAMPLES / "samen-plus")
    hospitals = dataset.hospitals.copy()
    hospitals.loc[0, "name"] = "Ziekenhuis Ëde ÿ"
    binary_calls: list[int] = []
    encode = bulk.binary_rows

    def counted(chunk: Any, schema: TableSchema, types: list[str]) -> Any:
        binary_calls.append(chunk.num_rows)
        return encode(chunk, schema, types)

    monkeypatch.setattr(bulk, "binary_rows", counted)
    with outer_transaction(migrated_engine) as connection:
        connection.exec_driver_sql(f"SET LOCAL client_encoding = '{encoding}'")
        datasets.import_dataset(connection, replace(dataset, hospitals=hospitals))
        names = connection.exec_driver_sql("SELECT agb, name FROM hospital").all()
    assert dict(names) == dict(zip(hospitals["agb"], hospitals["name"], strict=True))
    assert (sum(binary_calls) > 0) == (encoding == "UTF8")


def test_every_dataset_table_is_copied_in_binary(migrated_engine: Engine) -> None:
    """Each table an import writes has only columns the binary writer knows (varchar, date,
    integers, boolean): none falls back to CSV unnoticed."""
    if migrated_engine.dialect.name != "postgresql":
        pytest.skip("COPY is PostgreSQL's")
    with migrated_engine.connect() as connection:
        driver: Any = connection.connection.driver_connection
        with driver.cursor() as cursor:
            found = {
                table.name: bulk._binary_types(cursor, connection, schema, table)
                for schema, table in store.FRAME_TABLES
            }
    assert all(found.values()), found
    assert (
        found["declaration"] == ["varchar"] * 5 + ["date", "date", "int8", "date"] + ["varchar"] * 2
    )
