"""One column list per file: ``spreiding.domain.dataset``'s schemas. The reader, the fingerprint
and the engines derive their columns from it; the database tables, the migrated database and
the API's response schemas are written out by hand, so they are checked against it here."""

from __future__ import annotations

import typing

import pytest
from pydantic import BaseModel
from sqlalchemy import BigInteger, Engine, inspect

from api import schemas
from settlement.fingerprint import DBC_COLUMNS
from spreiding.contract.reader import SPECS, FileSpec
from spreiding.domain.dataset import (
    DBCS,
    DECLARATIONS,
    HOSPITALS,
    HOURS,
    INSURERS,
    PRICES,
    SCHEMAS,
    TRANSFERS,
    TableSchema,
)
from spreiding.store import tables

TABLES = {
    "hospitals": tables.Hospital,
    "insurers": tables.Insurer,
    "prices": tables.Price,
    "dbcs": tables.Dbc,
    "declarations": tables.Declaration,
    "transfers": tables.Transfer,
    "hours": tables.Hours,
}
PUBLIC: list[tuple[type[BaseModel], TableSchema]] = [
    (schemas.DbcPublic, DBCS),
    (schemas.DeclarationPublic, DECLARATIONS),
    (schemas.TransferPublic, TRANSFERS),
    (schemas.PricePublic, PRICES),
    (schemas.HospitalPublic, HOSPITALS),
]


def _money(schema: TableSchema) -> set[str]:
    return {c for c, kind in schema.columns.items() if kind == "cents"}


@pytest.mark.parametrize("schema", SCHEMAS, ids=lambda s: s.name)
def test_each_table_has_the_schemas_columns_key_and_nullability(schema: TableSchema) -> None:
    table = tables.table_of(TABLES[schema.name])
    assert sorted(table.columns.keys()) == sorted(schema.columns)
    assert tuple(c.name for c in table.primary_key.columns) == schema.key
    assert sorted(c.name for c in table.columns if c.nullable) == sorted(schema.nullable)
    # Cents overflow a 32-bit INTEGER at EUR 21.4m.
    big = {c.name for c in table.columns if isinstance(c.type, BigInteger)}
    assert _money(schema) <= big


@pytest.mark.parametrize("schema", SCHEMAS, ids=lambda s: s.name)
def test_the_migrated_database_has_the_schemas_columns(
    migrated_engine: Engine, schema: TableSchema
) -> None:
    table = tables.table_of(TABLES[schema.name]).name
    columns = inspect(migrated_engine).get_columns(table)
    assert sorted(c["name"] for c in columns) == sorted(schema.columns)
    assert sorted(c["name"] for c in columns if c["nullable"]) == sorted(schema.nullable)
    key = inspect(migrated_engine).get_pk_constraint(table)["constrained_columns"]
    assert tuple(key) == schema.key


def _optional(annotation: object) -> bool:
    return type(None) in typing.get_args(annotation)


@pytest.mark.parametrize(("model", "schema"), PUBLIC, ids=lambda x: getattr(x, "__name__", ""))
def test_each_public_schema_shows_the_files_columns(
    model: type[BaseModel], schema: TableSchema
) -> None:
    fields = model.model_fields
    assert sorted(fields) == sorted(schema.file_columns)
    nullable = {name for name, field in fields.items() if _optional(field.annotation)}
    assert sorted(nullable) == sorted(schema.file_column(c) for c in schema.nullable)


def test_the_reader_takes_each_files_header_from_the_schema() -> None:
    assert SPECS["prices"] == FileSpec(
        "prices.csv",
        ("price_list", "year", "zorgproduct_code", "price_eur"),
        money=("price_eur",),
    )
    assert SPECS["dbcs"] == FileSpec(
        "dbcs.csv",
        ("dbc_id", "agb", "patient_ref", "zorgproduct_code", "start_date", "end_date", "odv",
         "requesting_agb", "primary_dbc_id"),
        ("specialism", "diagnosis", "zorgtype", "uzovi"),
    )  # fmt: skip
    assert SPECS["declarations"].optional == ("dbc_id", "declaratiecode")
    assert SPECS["declarations"].money == ("amount_eur",)
    assert SPECS["transfers"].optional == ("phase",)
    assert [s.name for s in SPECS.values()] == [
        "hospitals.csv", "insurers.csv", "prices.csv", "dbcs.csv", "declarations.csv",
        "transfers.csv", "hours.csv",
    ]  # fmt: skip
    assert SPECS["hospitals"] == FileSpec(
        "hospitals.csv", ("agb", "name", "kind"), ("iban", "address")
    )
    assert SPECS["insurers"] == FileSpec("insurers.csv", tuple(INSURERS.columns))
    # Hours are read as hours with two decimals (the frame holds hundredths).
    assert SPECS["hours"] == FileSpec(
        "hours.csv",
        ("hours_id", "agreement_id", "employer_agb", "host_agb", "role", "work_date", "hours"),
        ("person_ref", "care_type", "specialism"),
        money=("hours",),  # with decimals: a decimal comma in a ';' file
    )
    assert HOURS.file_column("hours_hundredths") == "hours"


def test_the_fingerprint_hashes_the_dbc_columns_a_rule_reads_key_first() -> None:
    # The order is part of every stored run's fingerprint: it must not move.
    assert DBC_COLUMNS == [
        "agb", "dbc_id", "patient_ref", "zorgproduct_code", "start_date", "end_date", "odv",
        "requesting_agb", "primary_dbc_id",
    ]  # fmt: skip
