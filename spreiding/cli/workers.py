"""``spreiding serve --workers N``: N worker processes, each listening on a socket of its own.

uvicorn's supervisor hands every worker the one listening socket, and the worker that wakes
first accepts every connection then waiting (asyncio and uvloop accept until none is left). A
client keeps its connection, so the clients pile up on one worker: 86 of 100 on one of two was
seen (issue 10), and those clients waited twice as long as the others. Here each worker has a
socket of its own, all bound to the one address with ``SO_REUSEPORT``, and the kernel spreads
new connections over the sockets by a hash of the client's address and port.

The sockets are bound and listening here, in the parent, before any worker starts: an address
in use is told at once, and connections that arrive for a worker still starting (or replaced
after it died) wait in its socket's queue instead of being refused. On Linux a worker is ended
with its parent, even one killed outright (``PR_SET_PDEATHSIG``). Where ``SO_REUSEPORT`` is
missing (Windows), ``spreiding serve`` runs uvicorn's own supervisor instead.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import socket
import sys
import threading
from types import FrameType

import uvicorn
from uvicorn.config import STARTUP_FAILURE

_SPAWN = multiprocessing.get_context("spawn")  # a fresh interpreter: nothing of the parent's
PR_SET_PDEATHSIG = 1  # linux/prctl.h


def supported() -> bool:
    return hasattr(socket, "SO_REUSEPORT")


class WorkerFailed(Exception):
    """A worker stopped before it served: the application or its database cannot start."""


def listening_sockets(host: str, port: int, count: int, backlog: int) -> list[socket.socket]:
    """``count`` sockets listening on ``host``:``port`` together (port 0: one free port, the
    same for all); OSError, with nothing left open, when the address cannot be had."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    made: list[socket.socket] = []
    try:
        for _ in range(count):
            sock = socket.socket(family, socket.SOCK_STREAM)
            made.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            sock.bind((host, port))
            port = sock.getsockname()[1]
            sock.listen(backlog)
            sock.set_inheritable(True)
    except OSError:
        for sock in made:
            sock.close()
        raise
    return made


def _die_with(parent: int) -> None:
    """Ask Linux to send this process SIGTERM when its parent ends, however it ends: a
    supervisor killed with SIGKILL would otherwise leave its workers serving on the port."""
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    if os.getppid() != parent:  # it ended before the request was made
        os.kill(os.getpid(), signal.SIGTERM)


def _work(config: uvicorn.Config, sock: socket.socket, parent: int) -> None:  # a child
    _die_with(parent)
    config.configure_logging()
    uvicorn.Server(config).run(sockets=[sock])


def _start(config: uvicorn.Config, sock: socket.socket) -> multiprocessing.process.BaseProcess:
    process = _SPAWN.Process(target=_work, args=(config, sock, os.getpid()), daemon=False)
    process.start()
    return process


def serve(config: uvicorn.Config, sockets: list[socket.socket]) -> None:
    """One worker on each socket until SIGINT or SIGTERM; a worker that dies is replaced on
    its socket. ``WorkerFailed`` when one stops before it served (every worker is stopped)."""
    stop = threading.Event()

    def on_signal(_number: int, _frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    processes: list[multiprocessing.process.BaseProcess] = []
    try:
        for sock in sockets:  # one by one: those started are stopped if a later one fails
            processes.append(_start(config, sock))
        while not stop.wait(0.5):
            for number, process in enumerate(processes):
                if process.is_alive():
                    continue
                if process.exitcode == STARTUP_FAILURE:
                    raise WorkerFailed(process.pid)
                processes[number] = _start(config, sockets[number])
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()  # SIGTERM: uvicorn finishes the requests it is answering
        for process in processes:
            process.join()
        for sock in sockets:
            sock.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
