"""Reference data every key may read (hospitals, insurers, price lists) and the DBCs and
declarations a principal may see, a page at a time. Rows are the stored columns by name."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from spreiding.domain.access import Principal
from spreiding.services.errors import NotFound
from spreiding.store import visibility


def hospitals(connection: Connection) -> list[dict[str, Any]]:
    return visibility.hospitals(connection)


def hospital_names(connection: Connection) -> dict[str, str]:
    """AGB to name, for tables and statements."""
    return {row["agb"]: row["name"] for row in visibility.hospitals(connection)}


def insurers(connection: Connection) -> list[dict[str, Any]]:
    return visibility.insurers(connection)


def price_lists(connection: Connection) -> list[dict[str, Any]]:
    """Per price list and year: how many prices it holds."""
    return visibility.price_lists(connection)


def price_list(connection: Connection, name: str) -> list[dict[str, Any]]:
    rows = visibility.prices(connection, name)
    if not rows:
        raise NotFound(f"there is no price list {name!r}")
    return rows


def dbcs(
    connection: Connection, principal: Principal, *, limit: int, offset: int
) -> list[dict[str, Any]]:
    return visibility.dbcs(connection, principal, limit=limit, offset=offset)


def declarations(
    connection: Connection, principal: Principal, *, limit: int, offset: int
) -> list[dict[str, Any]]:
    return visibility.declarations(connection, principal, limit=limit, offset=offset)
