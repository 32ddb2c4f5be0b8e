"""``spreiding serve --workers N``: a socket of its own for each worker (spreiding.cli.workers),
and the statement reads on threads of their own (api.deps.run_read)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

import anyio
import httpx2 as httpx
import pytest
from sqlalchemy import Connection, create_engine
from typer.testing import CliRunner

from api import deps
from spreiding.cli import app, workers

pytestmark = pytest.mark.skipif(not workers.supported(), reason="no SO_REUSEPORT here")
runner = CliRunner()


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_the_sockets_share_one_port_and_the_kernel_spreads_connections_over_them() -> None:
    sockets = workers.listening_sockets("127.0.0.1", 0, 2, 64)
    try:
        port = sockets[0].getsockname()[1]
        assert [s.getsockname()[1] for s in sockets] == [port, port]
        clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(40)]
        accepted = []
        for sock in sockets:
            sock.setblocking(False)
            taken = 0
            while True:
                try:
                    sock.accept()[0].close()
                except BlockingIOError:
                    break
                taken += 1
            accepted.append(taken)
        for client in clients:
            client.close()
        # Every connection is queued on one of the two (none refused), and by the hash of
        # its port both get some: all 40 on one has a chance of 2 in 2**40.
        assert sum(accepted) == 40 and min(accepted) > 0, accepted
    finally:
        for sock in sockets:
            sock.close()


def test_an_address_in_use_raises_and_leaves_nothing_open() -> None:
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    before = open_fds()
    try:
        with pytest.raises(OSError):
            workers.listening_sockets("127.0.0.1", port, 2, 64)
        assert open_fds() == before
    finally:
        taken.close()


def test_serve_on_an_address_in_use_says_so_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SPREIDING_DATABASE_URL", f"sqlite:///{tmp_path / 'api.db'}")
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    try:
        result = runner.invoke(app, ["serve", "--workers", "2", "--port", str(port)])
    finally:
        taken.close()
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == f"cannot listen on 127.0.0.1 port {port}: Address already in use\n"


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(c) for c in path.read_text().split()] if path.exists() else []


def listening(port: int) -> int:
    """How many sockets listen on 127.0.0.1:``port`` (/proc/net/tcp, state 0A)."""
    rows = Path("/proc/net/tcp").read_text().splitlines()[1:]
    address = f"0100007F:{port:04X}"
    return sum(1 for row in rows if row.split()[1] == address and row.split()[3] == "0A")


def wait_for(check: Callable[[], bool], seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError("not reached in time")


def answers(base: str) -> bool:
    try:
        return httpx.get(f"{base}/openapi.json", timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    env = os.environ | {"SPREIDING_DATABASE_URL": f"sqlite:///{tmp_path / 'api.db'}"}
    command = [sys.executable, "-m", "spreiding.cli", "serve", "--workers", "2"]
    process = subprocess.Popen([*command, "--port", str(port)], env=env)
    try:
        wait_for(lambda: answers(f"http://127.0.0.1:{port}"))
        yield process, port
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=30)


def test_two_workers_listen_each_on_a_socket_of_its_own_and_stop_together(
    server: tuple[subprocess.Popen[bytes], int],
) -> None:
    process, port = server
    assert len(children(process.pid)) >= 2  # the workers (and multiprocessing's tracker)
    assert listening(port) == 2
    with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
        assert client.get("/hospitals").status_code == 401  # the application, not a stub
    workers_of = children(process.pid)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0
    assert listening(port) == 0
    # The workers are joined before the parent exits; multiprocessing's resource tracker, a
    # child too, ends on its own once the parent's pipe closes: a moment later, at times.
    for pid in workers_of:
        wait_for(partial(ended, pid), 30)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_the_workers_end_with_a_parent_killed_outright(
    server: tuple[subprocess.Popen[bytes], int],
) -> None:
    process, port = server
    workers_of = children(process.pid)
    process.kill()  # SIGKILL: the parent cannot stop its workers itself
    process.wait()
    wait_for(lambda: listening(port) == 0, 30)
    for pid in workers_of:
        wait_for(partial(ended, pid), 30)


def ended(pid: int) -> bool:
    return not Path(f"/proc/{pid}").exists() or zombie(pid)


def zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def test_a_worker_that_dies_is_replaced_on_its_socket(
    server: tuple[subprocess.Popen[bytes], int],
) -> None:
    process, port = server
    listed = set(children(process.pid))
    worker = max(listed)  # spawned last: a worker, not the tracker
    os.kill(worker, signal.SIGKILL)
    wait_for(lambda: len(set(children(process.pid)) - listed) == 1, 30)
    assert listening(port) == 2  # the dead worker's socket stayed open in the parent
    for _ in range(20):  # every connection answered, whichever socket it lands on
        assert httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=30).status_code == 200


def test_a_worker_that_cannot_start_stops_the_server_with_every_socket_closed() -> None:
    import uvicorn

    config = uvicorn.Config("tests.no_such_module:app", log_level="critical")
    sockets = workers.listening_sockets("127.0.0.1", 0, 2, 64)
    handlers = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    with pytest.raises(workers.WorkerFailed):
        workers.serve(config, sockets)
    assert all(sock.fileno() == -1 for sock in sockets)
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == handlers


def test_the_statement_reads_run_at_most_read_threads_at_a_time() -> None:
    running, most, lock = 0, 0, threading.Lock()

    def read(connection: Connection, number: int) -> int:
        nonlocal running, most
        assert connection.in_transaction()
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.05)
        with lock:
            running -= 1
        return number

    engine = create_engine("sqlite://")
    transaction = partial(deps.transaction_on_this_thread, engine)

    async def many() -> list[int]:
        found: list[int] = []

        async def one(number: int) -> None:
            found.append(await deps.run_read(transaction, read, number))

        async with anyio.create_task_group() as group:
            for number in range(8):
                group.start_soon(one, number)
        return found

    assert sorted(anyio.run(many)) == list(range(8))
    assert most == deps.READ_THREADS == 2
