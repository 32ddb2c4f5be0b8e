"""Dependencies: the database connection of a request and the principal behind its key.

Handlers receive a ``Principal`` and pass it to the one service of their use case, which checks
the role (``spreiding.services.access.require``) and reads through queries already narrowed to
the principal (``spreiding.store.visibility``). Which keys are accepted, and when failed
attempts are answered 429, is ``spreiding.services.access.authenticate``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Header, Path, Request
from sqlalchemy import Connection, Engine

from api.errors import Unauthenticated
from spreiding.config import Settings
from spreiding.domain.access import FailureLimit, Principal
from spreiding.services import access


def get_engine(request: Request) -> Engine:
    engine = request.app.state.engine
    assert isinstance(engine, Engine)
    return engine


def get_connection(engine: Annotated[Engine, Depends(get_engine)]) -> Iterator[Connection]:
    """One transaction per request: committed when the handler returns, rolled back if not,
    except after a refused key: the failure it counted must hold for the next request."""
    with engine.connect() as connection:
        transaction = connection.begin()
        try:
            yield connection
        except Unauthenticated:
            transaction.commit()
            raise
        except BaseException:
            transaction.rollback()
            raise
        transaction.commit()


# Synchronous handlers and dependencies run on AnyIO's thread pool (40 threads). A request's
# connection is opened by this dependency on one thread and used by its handler on another: with
# more requests past this point than threads, every thread could wait for a connection while
# the requests holding the connections wait for a thread, until the pool's timeout failed them
# all (seen at 100 clients). So no more than THREADS requests hold or wait for a connection
# (the rest wait in the event loop, holding neither: FastAPI's max_concurrency), and the
# dependency ends with the handler (scope "function"): the transaction is committed before the
# response is sent, and a client slow to read its response holds no connection. The request's
# body is read before any dependency runs, so a client slow to send it holds no place either.
THREADS = 40
Db = Annotated[Connection, Depends(get_connection, scope="function", max_concurrency=THREADS)]


def get_failure_limit() -> FailureLimit:
    settings = Settings()
    return FailureLimit(settings.auth_failures, settings.auth_failure_window_seconds)


def get_now() -> datetime:
    return datetime.now(UTC)


def get_principal(
    request: Request,
    connection: Db,
    limit: Annotated[FailureLimit, Depends(get_failure_limit)],
    now: Annotated[datetime, Depends(get_now)],
    x_api_key: Annotated[str | None, Header(description="An API key: spr_<id>_<secret>")] = None,
) -> Principal:
    if not x_api_key:
        raise Unauthenticated("send an API key in the X-API-Key header")
    client = request.client.host if request.client else None
    principal = access.authenticate(connection, x_api_key, client=client, limit=limit, now=now)
    if principal is None:  # unknown, wrong, revoked and expired keys read the same
        raise Unauthenticated("this API key is not known")
    return principal


Caller = Annotated[Principal, Depends(get_principal)]


# Run ids are database integers: anything outside their range is simply not there.
RunId = Annotated[int, Path(ge=1, le=2_147_483_647, description="A run's id")]
