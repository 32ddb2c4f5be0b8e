"""At most so many requests in the application at once; the rest wait before they take a
thread or a connection.

A request's connection is opened by a dependency on one of AnyIO's threads and its handler
runs on another: with more requests in flight than connections, every thread can end up
waiting for a connection while the requests that hold the connections wait for a thread, and
nothing moves until the pool's timeout fails them all (seen at 100 clients on 40 threads and
40 connections). Admitting no more requests than there are connections breaks that circle:
each admitted request gets its connection, and uses one thread at a time.

Example: ``ConcurrencyLimit(app, 40)`` in front of an app whose pool holds 40 connections: the
41st request waits here, without a thread, until one of the 40 has answered.
"""

from __future__ import annotations

import anyio
from starlette.types import ASGIApp, Receive, Scope, Send


class ConcurrencyLimit:
    def __init__(self, app: ASGIApp, limit: int) -> None:
        if limit < 1:
            raise ValueError("at least one request must be admitted")
        self.app = app
        self.limit = limit
        self._admitted: anyio.Semaphore | None = None  # made in the server's event loop

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self._admitted is None:
            self._admitted = anyio.Semaphore(self.limit)
        async with self._admitted:
            await self.app(scope, receive, send)
