"""API load test: statements of a settled large year under 100 concurrent clients.

``python -m benchmarks.load_bench [--database-url URL] [--clients 100] [--seconds 30]
[--workloads summary,pages,full] [--limit 100]``

Prepares the database once (the generated 1,000,000-ODV-DBC dataset of ``settlement_bench``,
imported and settled for 2024; default: an SQLite file under ``bench-data/``), starts
``spreiding serve`` on loopback in a subprocess, and for each workload lets ``--clients``
concurrent clients fetch random URLs of it for ``--seconds`` seconds: ``summary`` (a pair's
totals without lines), ``pages`` (every page of the DBC lines of ``--page-pairs`` pairs, ``--limit`` lines a
page, the cursors collected first), ``revalidate`` (the same pages with the ETag held:
304), ``full`` (the whole statement JSON, about 600 kB a pair). Prints throughput, p50/p99
latency and errors per workload, and the load average, as the machine may be shared. Traffic
goes to 127.0.0.1 only; each loop is bounded in time and stops itself.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import httpx2

from benchmarks.generate import generate
from spreiding.services import datasets, settlement
from spreiding.services.access import OPERATOR, create_api_key
from spreiding.store.database import open_database


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


async def client(
    base: str,
    key: str,
    urls: list[tuple[str, dict[str, str]]],
    deadline: float,
    latencies: list[float],
    errors: list[str],
) -> None:
    async with httpx2.AsyncClient(base_url=base, headers={"X-API-Key": key}, timeout=30) as http:
        rng = random.Random(len(latencies))
        while time.perf_counter() < deadline:
            url, headers = rng.choice(urls)
            started = time.perf_counter()
            try:
                response = await http.get(url, headers=headers)
                if response.status_code not in (200, 304):
                    errors.append(f"{response.status_code} {url}")
            except httpx2.HTTPError as exc:
                errors.append(f"{type(exc).__name__} {url}")
            latencies.append(time.perf_counter() - started)


async def load(
    base: str, key: str, urls: list[tuple[str, dict[str, str]]], clients: int, seconds: float
) -> tuple[list[float], list[str]]:
    """``clients`` concurrent clients on random URLs for ``seconds``."""
    latencies: list[float] = []
    errors: list[str] = []
    deadline = time.perf_counter() + seconds
    await asyncio.gather(
        *(client(base, key, urls, deadline, latencies, errors) for _ in range(clients))
    )
    return latencies, errors


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
                except httpx2.HTTPError as exc:  # counted where it matters: in ``load``
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
) -> list[tuple[str, dict[str, str]]]:
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url")
    parser.add_argument("--data", type=Path, default=Path("bench-data"))
    parser.add_argument("--odv-dbcs", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--port", type=int, default=8977)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--workloads", default="summary,pages,revalidate,full")
    parser.add_argument("--limit", type=int, default=100, help="lines a page (pages)")
    parser.add_argument("--page-pairs", type=int, default=40, help="pairs whose pages are read")
    parser.add_argument("--key", help="with --run-id: the database is prepared, skip it")
    parser.add_argument("--run-id", type=int)
    parser.add_argument("--warmup", type=int, default=1, help="passes over every URL first")
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

    env = os.environ | {"SPREIDING_DATABASE_URL": url}
    command = [sys.executable, "-m", "spreiding.cli", "serve", "--port", str(args.port)]
    server = subprocess.Popen([*command, "--workers", str(args.workers)], env=env)
    base = f"http://127.0.0.1:{args.port}"
    rows = []
    try:
        for _ in range(100):
            try:
                if httpx2.get(f"{base}/hospitals", headers={"X-API-Key": key}).status_code == 200:
                    break
            except httpx2.HTTPError:
                time.sleep(0.2)
        refs = httpx2.get(
            f"{base}/settlement-runs/{run_id}/statements", headers={"X-API-Key": key}, timeout=120
        ).json()
        statements = [ref["json_url"] for ref in refs]
        for name in args.workloads.split(","):
            urls = workload(name, base, key, statements, args.limit, args.page_pairs)
            for _ in range(args.warmup):  # each worker keeps the summaries and statements it made
                asyncio.run(sweep(base, key, [u for u, _ in urls], args.clients))
            latencies, errors = asyncio.run(load(base, key, urls, args.clients, args.seconds))
            ordered = sorted(latencies)
            load_average = os.getloadavg()[0]
            rows.append((name, len(urls), len(ordered), errors, ordered, load_average))
            print(
                f"{name}: {len(urls):,} URLs, {len(ordered):,} requests "
                f"({len(ordered) / args.seconds:,.1f}/s), errors {len(errors)}, "
                f"p50 {percentile(ordered, 0.5):.1f} ms, p99 {percentile(ordered, 0.99):.1f} ms, "
                f"load average {load_average:.1f}"
            )
            if errors:
                print("  first errors:", errors[:5])
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(
        f"\n{len(statements)} pairs; {args.clients} clients, {args.seconds:.0f} s a workload, "
        f"{args.workers} workers, {url.split(':')[0]} (target p99 <= 100 ms, zero errors)"
    )
    print("| workload | URLs | requests/s | p50 ms | p99 ms | errors | load average |")
    print("|---|---|---|---|---|---|---|")
    for name, count, done, errors, ordered, load_average in rows:
        print(
            f"| {name} | {count:,} | {done / args.seconds:,.0f} | {percentile(ordered, 0.5):.0f} "
            f"| {percentile(ordered, 0.99):.0f} | {len(errors)} | {load_average:.1f} |"
        )


if __name__ == "__main__":
    main()
