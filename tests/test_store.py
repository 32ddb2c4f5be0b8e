"""Storing datasets on SQLite and PostgreSQL: all or nothing, idempotent, conflicts named."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, func, select

from spreiding.contract.reader import read_dataset
from spreiding.domain.errors import DatasetConflict
from spreiding.store import tables
from spreiding.store.datasets import import_dataset, load_dataset
from tests import files as f
from tests.conftest import rolled_back
from tests.strategies import datasets

DB_SETTINGS = settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def count(connection: Connection, model: type) -> int:
    return int(connection.execute(select(func.count()).select_from(model)).scalar_one())


def stored_rows(connection: Connection) -> dict[str, int]:
    models = [tables.Hospital, tables.Insurer, tables.Agreement, tables.CareType, tables.Price,
              tables.Dbc, tables.Declaration, tables.Transfer]  # fmt: skip
    return {m.__name__: count(connection, m) for m in models}


def test_import_stores_everything_and_reads_it_back(connection: Connection, tmp_path: Path) -> None:
    dataset = read_dataset(f.write(tmp_path, f.base_files()))
    with connection.begin_nested():
        report = import_dataset(connection, dataset)
    assert report.added == {
        "hospitals": 2, "insurers": 1, "agreements": 1, "prices": 1, "dbcs": 2,
        "declarations": 1, "transfers": 1,
    }  # fmt: skip
    assert load_dataset(connection).same_content(dataset)


def test_importing_twice_changes_nothing(connection: Connection, tmp_path: Path) -> None:
    dataset = read_dataset(f.write(tmp_path, f.base_files()))
    with connection.begin_nested():
        import_dataset(connection, dataset)
    before = stored_rows(connection)
    with connection.begin_nested():
        report = import_dataset(connection, dataset)
    assert set(report.added.values()) == {0}
    assert report.unchanged["dbcs"] == 2
    assert stored_rows(connection) == before


def test_a_conflicting_dataset_is_refused_naming_both_values(
    connection: Connection, tmp_path: Path
) -> None:
    files = f.base_files()
    with connection.begin_nested():
        import_dataset(connection, read_dataset(f.write(tmp_path / "first", files)))
    before = stored_rows(connection)
    changed = copy.deepcopy(files)
    changed["prices.csv"][0]["price_eur"] = "2001.00"
    changed["dbcs.csv"][1]["end_date"] = "2024-03-05"
    changed["agreements.json"][0]["stage"] = "optimaliseren"
    changed["dbcs.csv"].append(f.dbc(dbc_id="D9"))  # new, but the whole import is refused
    with pytest.raises(DatasetConflict) as caught, connection.begin_nested():
        import_dataset(connection, read_dataset(f.write(tmp_path / "second", changed)))
    assert caught.value.conflicts == [
        "agreements (samen-2024) is stored with other values: "
        "stage: stored 'implementeren', dataset 'optimaliseren'",
        "prices (price_list=benchmark, year=2024, zorgproduct_code=131999061) is stored with "
        "other values: price_cents: stored 199900, dataset 200100",
        "dbcs (agb=06010002, dbc_id=D1) is stored with other values: "
        "end_date: stored 2024-03-02, dataset 2024-03-05",
    ]
    assert stored_rows(connection) == before


def test_a_failure_midway_stores_nothing(connection: Connection, tmp_path: Path) -> None:
    dataset = read_dataset(f.write(tmp_path, f.base_files()))

    class Boom(Exception):
        pass

    with pytest.raises(Boom), connection.begin_nested():
        import_dataset(connection, dataset)
        raise Boom
    assert set(stored_rows(connection).values()) == {0}


@given(files=datasets())
@DB_SETTINGS
def test_generated_datasets_read_back_unchanged(
    connection: Connection, tmp_path_factory: pytest.TempPathFactory, files: dict[str, Any]
) -> None:
    dataset = read_dataset(f.write(tmp_path_factory.mktemp("ds"), files))
    with rolled_back(connection):
        import_dataset(connection, dataset)
        assert load_dataset(connection).same_content(dataset)


@given(files=datasets(), seed=st.integers(min_value=0, max_value=2**32 - 1))
@DB_SETTINGS
def test_row_order_does_not_change_what_is_stored(
    connection: Connection,
    tmp_path_factory: pytest.TempPathFactory,
    files: dict[str, Any],
    seed: int,
) -> None:
    shuffled = f.shuffled(files, seed)
    stored = []
    for variant in (files, shuffled):
        with rolled_back(connection):
            import_dataset(
                connection, read_dataset(f.write(tmp_path_factory.mktemp("ds"), variant))
            )
            stored.append(load_dataset(connection))
    assert stored[0].same_content(stored[1])
