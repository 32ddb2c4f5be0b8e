"""API load test: statements of a settled large year under 100 concurrent clients.

``python -m benchmarks.load_bench [--database-url URL] [--clients 100] [--seconds 30]
[--workloads summary,pages,revalidate] [--modes closed,open] [--rate 200] [--limit 100]``

Prepares the database once (the generated 1,000,000-ODV-DBC dataset of ``settlement_bench``,
imported and settled for 2024; default: an SQLite file under ``bench-data/``), starts
``spreiding serve`` on loopback in a subprocess, and for each workload lets ``--clients``
concurrent clients fetch random URLs of it for ``--seconds`` seconds: ``summary`` (a pair's
totals without lines), ``pages`` (every page of the DBC lines of ``--page-pairs`` pairs,
``--limit`` lines a page, the cursors collected first), ``revalidate`` (the same pages with the
ETag held: 304), ``full`` (the whole statement JSON, about 600 kB a pair).

Two modes, each printed:

- ``closed``: every client asks again as soon as it is answered (no think time). This measures
  the most the server answers, not a latency: with the queue always full, a request waits for
  the ``clients - 1`` before it, so the p50 is about ``clients / throughput`` whatever the cost
  of one request (100 clients at 500/s: 200 ms).
- ``open``: the clients together offer ``--rate`` requests a second (each client its share, at
  Poisson arrivals, ``--arrival fixed`` for even spacing), whether or not answers keep up. A
  request's latency counts from when it was due, so one that waits behind a slow answer on its
  client's connection counts that wait (no coordinated omission). This is the latency a user
  sees at that traffic: the figure the target (p99 <= 100 ms) is about, at the rate stated.

The clients speak HTTP/1.1 over raw asyncio streams on one connection each (keep-alive, gzip
accepted as browsers do): a client costs little CPU, as they share the machine's cores with the
server. Prints throughput, p50/p99 latency and errors per workload and mode, the server's CPU
time per request (its workers' user and system seconds over the requests answered: the figure a
shared, loaded machine blurs least), and the load average. Traffic goes to 127.0.0.1 only; each loop is bounded in
time and stops itself. ``measure`` is the same for ``benchmarks.run``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx2

from benchmarks.generate import generate
from benchmarks.versions import versions
from spreiding.services import datasets, settlement
from spreiding.services.access import OPERATOR, create_api_key
from spreiding.store.database import open_database

Urls = list[tuple[str, dict[str, str]]]
TIMEOUT = 30.0


def prepare(url: str, folder: Path) -> tuple[str, int]:
    """Import and settle the dataset (once: the same inputs give the stored run), through the
    services the CLI's ``import`` and ``settle`` call; return an admin key and the run id."""
    with open_database(url) as engine:
        with engine.begin() as connection:
            datasets.import_dataset(connection, datasets.read_folder(folder))
        with engine.begin() as connection:
            run = settlement.settle_year(connection, OPERATOR, year=2024).run
            key = create_api_key(connection, role="admin", label="load test")
    return key, run.run_id


class Http:
    """One keep-alive HTTP/1.1 connection to the server: GET and read the answer (by
    Content-Length, or chunked), nothing more. A connection the server closed while idle is
    opened again before the request is sent."""

    def __init__(self, port: int, key: str) -> None:
        self.port = port
        self.head = f"Host: 127.0.0.1:{port}\r\nX-API-Key: {key}\r\nAccept-Encoding: gzip\r\n"
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def _open(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self.reader is None or self.writer is None or self.reader.at_eof():
            await self.close()
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        return self.reader, self.writer

    async def get(self, path: str, headers: dict[str, str]) -> int:
        """The status of GET ``path``; the body is read and dropped."""
        reader, writer = await self._open()
        extra = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        writer.write(f"GET {path} HTTP/1.1\r\n{self.head}{extra}\r\n".encode())
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            status = int(lines[0].split(" ", 2)[1])
            fields = {
                k.strip().lower(): v.strip() for k, _, v in (x.partition(":") for x in lines[1:])
            }
            if "content-length" in fields:
                await reader.readexactly(int(fields["content-length"]))
            elif fields.get("transfer-encoding") == "chunked":
                while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
                    await reader.readexactly(size + 2)
                await reader.readuntil(b"\r\n")
            if fields.get("connection") == "close":
                await self.close()
        except BaseException:
            await self.close()  # the connection's state is unknown: not used again
            raise
        return status

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    async def one(self, http: Http, url: str, headers: dict[str, str], since: float) -> None:
        """GET ``url``; its latency from ``since`` (when it was due)."""
        try:
            status = await asyncio.wait_for(http.get(url, headers), TIMEOUT)
            if status not in (200, 304):
                self.errors.append(f"{status} {url}")
        except (OSError, ValueError, asyncio.IncompleteReadError, TimeoutError) as exc:
            self.errors.append(f"{type(exc).__name__} {url}")
        self.latencies.append(time.perf_counter() - since)


class Connected:
    """The clients' start line: each opens its connection and is answered once (not counted),
    then all start together, so that a loop measures the server answering 100 connected
    clients and no request's latency holds a handshake. (The first second of a loop stays
    slower than the rest: of a 10-second loop's slowest hundredth, 147 of 147 requests fell in
    it before, 77 of 141 after; why was not found, and a 30-second loop dilutes it.)"""

    def __init__(self, clients: int) -> None:
        self.waiting, self.ready, self.start = clients, asyncio.Event(), 0.0

    async def wait(self, http: Http, first: tuple[str, dict[str, str]]) -> float:
        """When every client has been answered once: the start, on the perf_counter clock."""
        # A failure here is counted in the loop, where the client asks again.
        with contextlib.suppress(OSError, ValueError, asyncio.IncompleteReadError, TimeoutError):
            await asyncio.wait_for(http.get(*first), TIMEOUT)
        self.waiting -= 1
        if not self.waiting:
            self.start = time.perf_counter()
            self.ready.set()
        await self.ready.wait()
        return self.start


async def closed_loop(port: int, key: str, urls: Urls, clients: int, seconds: float) -> Tally:
    """``clients`` clients, each asking again as soon as it is answered, for ``seconds``."""
    tally, connected = Tally(), Connected(clients)

    async def client(number: int) -> None:
        http, rng = Http(port, key), random.Random(number)
        deadline = await connected.wait(http, urls[0]) + seconds
        while time.perf_counter() < deadline:
            url, headers = rng.choice(urls)
            await tally.one(http, url, headers, time.perf_counter())
        await http.close()

    await asyncio.gather(*(client(n) for n in range(clients)))
    return tally


async def open_loop(
    port: int, key: str, urls: Urls, clients: int, seconds: float, rate: float, arrival: str
) -> Tally:
    """``clients`` clients offering ``rate`` requests a second between them for ``seconds``:
    each its share at Poisson (or evenly spaced) times, late or not; the latency of a request
    counts from when it was due."""
    tally, connected = Tally(), Connected(clients)
    mean = clients / rate  # each client's mean interval

    async def client(number: int) -> None:
        http, rng = Http(port, key), random.Random(number)
        start = await connected.wait(http, urls[0]) + 0.1
        deadline = start + seconds
        due = start + (rng.expovariate(1 / mean) if arrival == "poisson" else rng.random() * mean)
        while due < deadline:
            await asyncio.sleep(max(due - time.perf_counter(), 0))
            url, headers = rng.choice(urls)
            await tally.one(http, url, headers, due)
            due += rng.expovariate(1 / mean) if arrival == "poisson" else mean
        await http.close()

    await asyncio.gather(*(client(n) for n in range(clients)))
    return tally


async def sweep(base: str, key: str, urls: list[str], clients: int) -> dict[str, httpx2.Response]:
    """Each URL once, ``clients`` at a time (a warm-up, or to collect what the URLs give)."""
    queue = list(urls)
    found: dict[str, httpx2.Response] = {}

    async def take() -> None:
        async with httpx2.AsyncClient(
            base_url=base, headers={"X-API-Key": key}, timeout=120
        ) as http:
            while queue:
                url = queue.pop()
                try:
                    found[url] = await http.get(url)
                except httpx2.HTTPError as exc:  # counted where it matters: in the loops
                    print(f"  sweep: {type(exc).__name__} {url}")

    await asyncio.gather(*(take() for _ in range(clients)))
    return found


async def page_urls(base: str, key: str, statements: list[str], limit: int) -> list[str]:
    """Every page of every statement's DBC lines, following the ``next`` cursors."""
    every: list[str] = []
    todo = [f"{url}/lines?limit={limit}" for url in statements]
    while todo:
        every += todo
        found = await sweep(base, key, todo, 20)
        todo = [
            f"{url.split('?')[0]}?{urlencode({'limit': limit, 'cursor': cursor})}"
            for url, response in found.items()
            if (cursor := response.json()["next"])
        ]
    return every


def workload(
    name: str, base: str, key: str, statements: list[str], limit: int, page_pairs: int
) -> Urls:
    """The URLs of a workload, with the headers each is sent with."""
    if name == "summary":
        return [(f"{url}/summary", {}) for url in statements]
    if name == "full":
        return [(url, {}) for url in statements]
    sample = random.Random(2024).sample(statements, min(page_pairs, len(statements)))
    pages = asyncio.run(page_urls(base, key, sample, limit))
    if name == "pages":
        return [(url, {}) for url in pages]
    etags = asyncio.run(sweep(base, key, pages, 20))
    return [(url, {"If-None-Match": etags[url].headers["etag"]}) for url in pages]


def percentile(ordered: list[float], share: float) -> float:
    return ordered[max(int(len(ordered) * share) - 1, 0)] * 1000 if ordered else float("nan")


def cpu_seconds(pid: int) -> float:
    """CPU seconds (user and system) spent so far by process ``pid`` and its descendants
    (Linux ``/proc``; 0 elsewhere): what the server spends, which a loaded machine blurs less
    than wall time does."""
    total, todo, tick = 0.0, [pid], os.sysconf("SC_CLK_TCK")
    while todo:
        process = todo.pop()
        try:
            fields = Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()
            children = Path(f"/proc/{process}/task/{process}/children").read_text().split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
        todo += [int(child) for child in children]
    return total


@contextmanager
def server(
    url: str, key: str, port: int, workers: int, root: Path | None
) -> Iterator[tuple[str, int]]:
    """``spreiding serve`` on loopback (the code of checkout ``root``, default this one)."""
    env = os.environ | {"SPREIDING_DATABASE_URL": url}
    if root is not None:
        env["PYTHONPATH"] = str(root.resolve())
    command = [sys.executable, "-m", "spreiding.cli", "serve", "--port", str(port)]
    process = subprocess.Popen([*command, "--workers", str(workers)], env=env, cwd=root)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx2.get(f"{base}/hospitals", headers={"X-API-Key": key}).status_code == 200:
                    break
            except httpx2.HTTPError:
                time.sleep(0.2)
        yield base, process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)


def measure(
    url: str,
    key: str,
    run_id: int,
    *,
    seconds: float = 30,
    clients: int = 100,
    rate: float = 200,
    arrival: str = "poisson",
    modes: tuple[str, ...] = ("closed", "open"),
    workloads: tuple[str, ...] = ("summary", "pages", "revalidate"),
    limit: int = 100,
    page_pairs: int = 40,
    workers: int = 2,
    warmup: int = 1,
    port: int = 8977,
    root: Path | None = None,
    report: bool = False,
) -> dict[str, dict[str, Any]]:
    """Per workload and mode (``"pages, open"``): clients, mode, p50_ms, p99_ms, errors, rps
    (answered a second), offered (requests a second offered; None when closed), load average,
    server_cpu_ms (the server's CPU seconds over the requests answered, in ms)."""
    found: dict[str, dict[str, Any]] = {}
    with server(url, key, port, workers, root) as (base, pid):
        refs = httpx2.get(
            f"{base}/settlement-runs/{run_id}/statements", headers={"X-API-Key": key}, timeout=120
        ).json()
        statements = [ref["json_url"] for ref in refs]
        for name in workloads:
            urls = workload(name, base, key, statements, limit, page_pairs)
            for _ in range(warmup):  # each worker keeps the summaries and statements it made
                asyncio.run(sweep(base, key, [u for u, _ in urls], clients))
            for mode in modes:
                cpu = cpu_seconds(pid)
                if mode == "closed":
                    tally = asyncio.run(closed_loop(port, key, urls, clients, seconds))
                    label = "closed loop"
                else:
                    tally = asyncio.run(open_loop(port, key, urls, clients, seconds, rate, arrival))
                    label = f"open loop, {rate:g}/s offered ({arrival})"
                cpu = cpu_seconds(pid) - cpu
                ordered = sorted(tally.latencies)
                figures = {
                    "clients": clients,
                    "mode": label,
                    "urls": len(urls),
                    "requests": len(ordered),
                    "p50_ms": percentile(ordered, 0.5),
                    "p99_ms": percentile(ordered, 0.99),
                    "errors": len(tally.errors),
                    "rps": len(ordered) / seconds,
                    "offered": None if mode == "closed" else rate,
                    "load_average": os.getloadavg()[0],
                    # The server's CPU per request (both workers), whatever the load.
                    "server_cpu_ms": cpu / max(len(ordered), 1) * 1000,
                }
                found[f"{name}, {mode}"] = figures
                if report:
                    print(
                        f"{name}, {label}: {len(urls):,} URLs, {len(ordered):,} requests "
                        f"({figures['rps']:,.1f}/s), errors {len(tally.errors)}, "
                        f"p50 {figures['p50_ms']:.1f} ms, p99 {figures['p99_ms']:.1f} ms, "
                        f"server CPU {figures['server_cpu_ms']:.2f} ms a request, "
                        f"load average {figures['load_average']:.1f}",
                        flush=True,
                    )
                    if tally.errors:
                        print("  first errors:", tally.errors[:5])
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url")
    parser.add_argument("--data", type=Path, default=Path("bench-data"))
    parser.add_argument("--odv-dbcs", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--port", type=int, default=8977)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--workloads", default="summary,pages,revalidate")
    parser.add_argument("--modes", default="closed,open", help="closed, open or both")
    parser.add_argument("--rate", type=float, default=200, help="open: requests a second")
    parser.add_argument("--arrival", choices=("poisson", "fixed"), default="poisson")
    parser.add_argument("--limit", type=int, default=100, help="lines a page (pages)")
    parser.add_argument("--page-pairs", type=int, default=40, help="pairs whose pages are read")
    parser.add_argument("--key", help="with --run-id: the database is prepared, skip it")
    parser.add_argument("--run-id", type=int)
    parser.add_argument("--warmup", type=int, default=1, help="passes over every URL first")
    parser.add_argument("--server-root", type=Path, help="serve another checkout's code")
    args = parser.parse_args()
    folder = args.data / f"settle-{args.odv_dbcs}-30"
    if not (folder / "dbcs.csv").exists():
        generate(folder, hospitals=30, odv_dbcs=args.odv_dbcs, year=2024)
    url = args.database_url or f"sqlite:///{args.data / f'load-{args.odv_dbcs}.db'}"
    if args.key and args.run_id:  # prepared before: its admin key and run
        key, run_id = args.key, args.run_id
    else:
        started = time.perf_counter()
        key, run_id = prepare(url, folder)
        print(f"prepared {url}: run {run_id}, key {key} in {time.perf_counter() - started:.1f} s")
    found = measure(
        url,
        key,
        run_id,
        seconds=args.seconds,
        clients=args.clients,
        rate=args.rate,
        arrival=args.arrival,
        modes=tuple(args.modes.split(",")),
        workloads=tuple(args.workloads.split(",")),
        limit=args.limit,
        page_pairs=args.page_pairs,
        workers=args.workers,
        warmup=args.warmup,
        port=args.port,
        root=args.server_root,
        report=True,
    )
    print(
        f"\n{args.clients} clients, {args.seconds:.0f} s a workload and mode, {args.workers} "
        f"workers, {url.split(':')[0]} (target p99 <= 100 ms, zero errors)"
    )
    print(versions())
    print(
        "| workload | mode | URLs | requests/s | p50 ms | p99 ms | errors "
        "| server CPU ms a request | load average |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for name, f in found.items():
        print(
            f"| {name.split(',')[0]} | {f['mode']} | {f['urls']:,} | {f['rps']:,.0f} "
            f"| {f['p50_ms']:.0f} | {f['p99_ms']:.0f} | {f['errors']} | {f['server_cpu_ms']:.2f} "
            f"| {f['load_average']:.1f} |"
        )


if __name__ == "__main__":
    main()
