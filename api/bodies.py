"""Response bodies kept once made: a statement's summary or page of a settled run, by ETag.

A body is kept under its database and its strong ETag, which names everything the body is made
of (``api.routes.statement_pages``): the same key is always the same bytes. It is kept as it
is sent, plain and gzipped (made once, with no time stamp in it, so the same body gives the
same bytes), so a request for it costs neither the query, the JSON nor the compression.

Nothing here decides who may read a body: a handler looks a body up only after the caller's
key was checked and the statement located for that caller, and a key holds what that caller
was allowed to see (a summary's ETag names its viewer). The bodies are bounded in bytes
(least recently used leave first), per process.
"""

from __future__ import annotations

import gzip
import threading
from collections import OrderedDict
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

GZIP_FROM = 1024  # as api.app's GZipMiddleware: smaller bodies are sent as they are
GZIP_LEVEL = 5


@dataclass(frozen=True)
class Body:
    plain: bytes
    gzipped: bytes | None  # None: too small to be worth it

    @property
    def size(self) -> int:
        return len(self.plain) + len(self.gzipped or b"")


def made(plain: bytes) -> Body:
    """A body and its gzipped bytes (``mtime`` 0: the same body, the same bytes)."""
    if len(plain) < GZIP_FROM:
        return Body(plain, None)
    return Body(plain, gzip.compress(plain, compresslevel=GZIP_LEVEL, mtime=0))


class Bodies:
    """At most ``limit`` bytes of bodies, by key; the least recently used leave first. Safe
    to use from the server's threads at once."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self._kept: OrderedDict[tuple[str, ...], Body] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, ...]) -> Body | None:
        with self._lock:
            body = self._kept.get(key)
            if body is not None:
                self._kept.move_to_end(key)
            return body

    def put(self, key: tuple[str, ...], body: Body) -> Body:
        if body.size > self.limit // 8:  # one body may not push out most of the others
            return body
        with self._lock:
            old = self._kept.pop(key, None)
            if old is not None:
                self.size -= old.size
            self._kept[key] = body
            self.size += body.size
            while self.size > self.limit:
                _, gone = self._kept.popitem(last=False)
                self.size -= gone.size
        return body

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()
            self.size = 0

    def __len__(self) -> int:
        return len(self._kept)


def response(request: Request, body: Body, headers: dict[str, str]) -> Response:
    """``body`` as JSON, gzipped when the client accepts it (the GZip middleware leaves a
    body with a Content-Encoding as it is)."""
    if body.gzipped is not None and "gzip" in request.headers.get("accept-encoding", ""):
        headers = headers | {"Content-Encoding": "gzip", "Vary": "Accept-Encoding"}
        return Response(body.gzipped, media_type="application/json", headers=headers)
    # Plain: the middleware adds the Vary header of a body it could have compressed.
    return Response(body.plain, media_type="application/json", headers=headers)
