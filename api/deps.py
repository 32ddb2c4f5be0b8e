"""Dependencies: the database connection of a request and the principal behind its key.

Handlers receive a ``Principal`` and pass it to the one service of their use case, which checks
the role (``spreiding.services.access.require``) and reads through queries already narrowed to
the principal (``spreiding.store.visibility``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Header, Path, Request
from sqlalchemy import Connection, Engine

from api.errors import Unauthenticated
from spreiding.domain.access import Principal
from spreiding.store.keys import authenticate


def get_engine(request: Request) -> Engine:
    engine = request.app.state.engine
    assert isinstance(engine, Engine)
    return engine


def get_connection(engine: Annotated[Engine, Depends(get_engine)]) -> Iterator[Connection]:
    """One transaction per request: committed when the handler returns, rolled back if not."""
    with engine.begin() as connection:
        yield connection


Db = Annotated[Connection, Depends(get_connection)]


def get_principal(
    connection: Db,
    x_api_key: Annotated[str | None, Header(description="An API key: spr_<id>_<secret>")] = None,
) -> Principal:
    if not x_api_key:
        raise Unauthenticated("send an API key in the X-API-Key header")
    principal = authenticate(connection, x_api_key)
    if principal is None:
        raise Unauthenticated("this API key is not known")
    return principal


Caller = Annotated[Principal, Depends(get_principal)]


# Run ids are database integers: anything outside their range is simply not there.
RunId = Annotated[int, Path(ge=1, le=2_147_483_647, description="A run's id")]
