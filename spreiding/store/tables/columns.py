"""Column helpers shared by the table models: money in BIGINT cents, and a model's Core
``Table``."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Table, text


def cents_column() -> Column[int]:
    return Column(BigInteger, nullable=False)


def zero_cents_column() -> Column[int]:
    """Cents added to a table that has rows already: 0 for those (migration 0011)."""
    return Column(BigInteger, nullable=False, server_default=text("0"))


def table_of(model: type) -> Table:
    """The Core ``Table`` of a table model (SQLModel declares it untyped)."""
    table = getattr(model, "__table__", None)
    assert isinstance(table, Table), f"{model.__name__} is not a table model"
    return table
