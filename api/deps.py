"""Dependencies: the database connection of a request and the principal behind its key.

Handlers receive a ``Principal`` and pass it to the one service of their use case, which checks
the role (``spreiding.services.access.require``) and reads through queries already narrowed to
the principal (``spreiding.store.visibility``). Which keys are accepted, and when failed
attempts are answered 429, is ``spreiding.services.access.authenticate``."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache, partial
from typing import Annotated, Any, TypeVar

import anyio.to_thread
from anyio import CapacityLimiter
from anyio.lowlevel import RunVar
from fastapi import Depends, Header, Path, Request
from sqlalchemy import Connection, Engine, Transaction
from sqlalchemy.pool import QueuePool
from starlette.concurrency import run_in_threadpool

from api.errors import Unauthenticated
from spreiding.config import Settings
from spreiding.domain.access import FailureLimit, Principal
from spreiding.services import access

# Dependencies that do no I/O are ``async``: FastAPI runs a plain function on the thread pool,
# and each such hand-over cost a request more CPU than the function itself (issue 10).


async def get_engine(request: Request) -> Engine:
    engine = request.app.state.engine
    assert isinstance(engine, Engine)
    return engine


async def get_connection(
    engine: Annotated[Engine, Depends(get_engine)],
) -> AsyncIterator[Connection]:
    """One transaction per request: committed when the handler returns, rolled back if not,
    except after a refused key: the failure it counted must hold for the next request.

    Taking an idle connection from a pool sized to THREADS and beginning (SQLAlchemy begins
    lazily) do no I/O and do not wait, so they are done here, on the event loop; so is the
    end of a transaction the driver never opened (SQLite opens one only to write): only what
    may wait for the database is handed to the thread pool (issue 10: a hand-over cost more
    than either)."""
    if _idle_connection(engine):
        connection = engine.connect()
    else:  # a new connection (I/O), or a pool too small: it may wait for one to come back
        connection = await run_in_threadpool(engine.connect)
    try:
        transaction = connection.begin()
        try:
            yield connection
        except BaseException as error:
            await _end(connection, _ending(transaction, error))
            raise
        await _end(connection, transaction.commit)
    finally:
        connection.close()  # back to the pool: its reset has nothing left to undo


def _ending(transaction: Transaction, error: BaseException) -> Callable[[], None]:
    """How a request's transaction ends when its handler raised ``error``: rolled back, except
    after a refused key, whose counted failure must hold for the next request."""
    return transaction.commit if isinstance(error, Unauthenticated) else transaction.rollback


@contextmanager
def transaction_on_this_thread(engine: Engine) -> Iterator[Connection]:
    """A request's transaction as ``get_connection`` holds it, on the calling thread from the
    connection's checkout to its return: for a read done on one thread (``run_read``)."""
    with engine.connect() as connection:
        transaction = connection.begin()
        try:
            yield connection
        except BaseException as error:
            _ending(transaction, error)()
            raise
        transaction.commit()


def _idle_connection(engine: Engine) -> bool:
    """Whether a connection is taken from the pool without waiting: one lies idle in a pool
    with a place for every request that may hold one (THREADS: the dependency's limit). A
    thread of the statement reads (``run_read``) may take that one first; the pool then still
    has a place (READ_THREADS more, ``api.main``), and the connection is opened here, on the
    event loop, as happens only until the pool holds as many as it has places."""
    pool = engine.pool
    return isinstance(pool, QueuePool) and pool.size() >= THREADS and pool.checkedin() > 0


async def _end(connection: Connection, end: Callable[[], None]) -> None:
    if _driver_transaction_open(connection):
        await run_in_threadpool(end)
    else:
        end()


def _driver_transaction_open(connection: Connection) -> bool:
    """Whether the driver holds a transaction that ending may wait for: pysqlite begins one
    only before a write; any other driver is taken to hold one."""
    driver = connection.connection.dbapi_connection
    return not isinstance(driver, sqlite3.Connection) or driver.in_transaction


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

# A statement's summary and pages (the reads a client repeats most) run on threads of their own,
# READ_THREADS of them per worker, the rest waiting in turn: each is a few database reads done in
# a millisecond, and forty threads taking turns at the GIL cost the server more than the reads
# (issue 10: 2.05 ms of server CPU a summary on the shared pool, 1.34 ms with two threads of its
# own; 846 answers a second at 100 clients, 1,381). Such a read takes no ``Db``: its thread takes
# the connection, checks the key, reads and ends the transaction, the request's one hand-over
# (issue 10: the dependency's limiter, exit stack and a second hand-over to commit on
# PostgreSQL cost more than the read). A request waiting for a read thread holds no connection,
# and the pool has READ_THREADS connections more than THREADS (``api.main``): a read thread never
# waits for a request that waits for it.
READ_THREADS = 2
_READ_LIMITER: RunVar[CapacityLimiter] = RunVar("spreiding_read_limiter")
T = TypeVar("T")


def _read_limiter() -> CapacityLimiter:
    """The event loop's limiter of the statement reads (each test client has a loop of its
    own: a limiter is tied to one)."""
    try:
        return _READ_LIMITER.get()
    except LookupError:
        limiter = CapacityLimiter(READ_THREADS)
        _READ_LIMITER.set(limiter)
        return limiter


ReadTransaction = Callable[[], AbstractContextManager[Connection]]


async def get_read_transaction(
    engine: Annotated[Engine, Depends(get_engine)],
) -> ReadTransaction:
    """What the thread of a statement read opens: a transaction of its own on ``engine``."""
    return partial(transaction_on_this_thread, engine)


Reads = Annotated[ReadTransaction, Depends(get_read_transaction)]


async def run_read(transaction: ReadTransaction, function: Callable[..., T], *args: Any) -> T:
    """``function(connection, *args)`` on one of the READ_THREADS threads of the statement
    reads, in ``transaction()`` opened and ended there."""
    work = partial(_in_transaction, transaction, function, *args)
    return await anyio.to_thread.run_sync(work, limiter=_read_limiter())


def _in_transaction(transaction: ReadTransaction, function: Callable[..., T], *args: Any) -> T:
    with transaction() as connection:
        return function(connection, *args)


async def get_failure_limit() -> FailureLimit:
    """The limit the environment sets now (read again when its variables change). Only the
    two names as documented are watched: going through the whole environment on every request
    was a twentieth of a summary's CPU on the event loop (issue 10)."""
    return _failure_limit(tuple(os.environ.get(name) for name in _FAILURE_LIMIT_NAMES))


_FAILURE_LIMIT_NAMES = ("SPREIDING_AUTH_FAILURES", "SPREIDING_AUTH_FAILURE_WINDOW_SECONDS")


@lru_cache(maxsize=16)
def _failure_limit(_environment: tuple[str | None, ...]) -> FailureLimit:
    settings = Settings()  # reads what the key names: built once per set of values
    return FailureLimit(settings.auth_failures, settings.auth_failure_window_seconds)


async def get_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class KeyCheck:
    """What checking a request's key takes besides the database: gathered on the event loop,
    checked on the thread that then serves the request (one hand-over, not two)."""

    presented: str | None
    client: str | None
    limit: FailureLimit
    now: datetime

    def principal(self, connection: Connection) -> Principal:
        """The principal of the key, checked now (a revoked key is refused at once)."""
        if not self.presented:
            raise Unauthenticated("send an API key in the X-API-Key header")
        principal = access.authenticate(
            connection, self.presented, client=self.client, limit=self.limit, now=self.now
        )
        if principal is None:  # unknown, wrong, revoked and expired keys read the same
            raise Unauthenticated("this API key is not known")
        return principal


async def get_key_check(
    request: Request,
    limit: Annotated[FailureLimit, Depends(get_failure_limit)],
    now: Annotated[datetime, Depends(get_now)],
    x_api_key: Annotated[str | None, Header(description="An API key: spr_<id>_<secret>")] = None,
) -> KeyCheck:
    client = request.client.host if request.client else None
    return KeyCheck(x_api_key, client, limit, now)


Checked = Annotated[KeyCheck, Depends(get_key_check)]


def get_principal(connection: Db, check: Checked) -> Principal:
    return check.principal(connection)


Caller = Annotated[Principal, Depends(get_principal)]


# Run ids are database integers: anything outside their range is simply not there.
RunId = Annotated[int, Path(ge=1, le=2_147_483_647, description="A run's id")]
