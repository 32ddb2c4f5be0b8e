"""More clients than connections or threads: every request is answered, none waits for the
pool to time out (api.deps: at most THREADS requests hold or wait for a connection, the rest
wait without a thread). A server on two connections takes 60 requests at once, and clients
that send half a request and stall hold no place a key's request needs."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest
import uvicorn
from sqlalchemy import create_engine, event

from api.app import create_app
from api.deps import THREADS
from spreiding.contract.reader import read_dataset
from spreiding.services import access, datasets
from spreiding.store import database
from spreiding.store.database import migrate
from tests.conftest import V1

CONNECTIONS = 2


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, str]]:
    # Two connections, and a request that finds none free fails after 5 s instead of 30.
    engine = create_engine(
        f"sqlite:///{tmp_path / 'api.db'}", pool_size=CONNECTIONS, max_overflow=0, pool_timeout=5
    )
    event.listen(engine, "connect", database._sqlite_pragmas)
    migrate(engine)
    with engine.begin() as connection:
        datasets.import_dataset(connection, read_dataset(V1 / "samen-plus"))
        key = access.create_api_key(connection, role="admin")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = create_app(engine)
    running = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not running.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", key
    running.should_exit = True
    thread.join(10)
    engine.dispose()


def test_sixty_requests_at_once_on_two_connections_are_all_answered(
    server: tuple[str, str],
) -> None:
    url, key = server

    async def all_at_once() -> list[int]:
        async with httpx2.AsyncClient(base_url=url, headers={"X-API-Key": key}, timeout=60) as c:
            answers = await asyncio.gather(*(c.get("/hospitals") for _ in range(60)))
        return [a.status_code for a in answers]

    started = time.monotonic()
    statuses = asyncio.run(all_at_once())
    assert statuses == [200] * 60
    # None of them waited out the pool's 5 s timeout (and none failed by it): without the
    # limit, the threads waiting for the two connections starve those holding them (500s).
    assert time.monotonic() - started < 5


def test_clients_stalled_in_their_request_body_block_no_one(server: tuple[str, str]) -> None:
    url, key = server
    host, port = url.removeprefix("http://").split(":")
    stalled = []
    for _ in range(THREADS + 5):  # more than there are places for requests past their body
        sock = socket.create_connection((host, int(port)))
        sock.sendall(
            b"POST /settlement-runs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 1000\r\n\r\n{"
        )
        stalled.append(sock)
    try:
        started = time.monotonic()
        answer = httpx2.get(f"{url}/hospitals", headers={"X-API-Key": key}, timeout=10)
        assert answer.status_code == 200
        assert time.monotonic() - started < 5
    finally:
        for sock in stalled:
            sock.close()
