"""API load test: statements (JSON) of a settled large year under 100 concurrent clients.

``python -m benchmarks.load_bench [--database-url URL] [--clients 100] [--seconds 30]``

Prepares the database once (the generated 1,000,000-ODV-DBC dataset of ``settlement_bench``,
imported and settled for 2024; default: an SQLite file under ``bench-data/``), starts
``spreiding serve`` on loopback in a subprocess, lets ``--clients`` concurrent clients fetch the
statement JSON of random hospital pairs for ``--seconds`` seconds, and prints throughput and
p50/p99 latency. Traffic goes to 127.0.0.1 only; the loop is bounded in time and stops itself.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

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
    base: str, key: str, urls: list[str], deadline: float, latencies: list[float], errors: list[str]
) -> None:
    async with httpx2.AsyncClient(base_url=base, headers={"X-API-Key": key}, timeout=30) as http:
        rng = random.Random(len(latencies))
        while time.perf_counter() < deadline:
            url = rng.choice(urls)
            started = time.perf_counter()
            try:
                response = await http.get(url)
                if response.status_code != 200:
                    errors.append(f"{response.status_code} {url}")
            except httpx2.HTTPError as exc:
                errors.append(f"{type(exc).__name__} {url}")
            latencies.append(time.perf_counter() - started)


async def load(
    base: str, key: str, urls: list[str], clients: int, seconds: float, *, sweep: bool = False
) -> tuple[list[float], list[str]]:
    """``clients`` concurrent clients: for ``seconds`` on random URLs, or (``sweep``) once
    through ``urls`` shared between them."""
    latencies: list[float] = []
    errors: list[str] = []
    if sweep:
        queue = list(urls)

        async def take() -> None:
            async with httpx2.AsyncClient(
                base_url=base, headers={"X-API-Key": key}, timeout=120
            ) as http:
                while queue:
                    await http.get(queue.pop())

        await asyncio.gather(*(take() for _ in range(clients)))
        return latencies, errors
    deadline = time.perf_counter() + seconds
    await asyncio.gather(
        *(client(base, key, urls, deadline, latencies, errors) for _ in range(clients))
    )
    return latencies, errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url")
    parser.add_argument("--odv-dbcs", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--port", type=int, default=8977)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=3, help="passes over every statement first")
    args = parser.parse_args()
    folder = Path("bench-data") / f"settle-{args.odv_dbcs}-30"
    if not (folder / "dbcs.csv").exists():
        generate(folder, hospitals=30, odv_dbcs=args.odv_dbcs, year=2024)
    url = args.database_url or f"sqlite:///{Path('bench-data') / f'load-{args.odv_dbcs}.db'}"
    started = time.perf_counter()
    key, run_id = prepare(url, folder)
    print(f"prepared {url}: run {run_id} in {time.perf_counter() - started:.1f} s")

    env = os.environ | {"SPREIDING_DATABASE_URL": url}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "spreiding.cli",
            "serve",
            "--port",
            str(args.port),
            "--workers",
            str(args.workers),
        ],
        env=env,
    )
    base = f"http://127.0.0.1:{args.port}"
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
        urls = [ref["json_url"] for ref in refs]
        warmed = time.perf_counter()
        if args.warmup:
            # Each worker keeps the statements it made: ask for every one a few times first.
            asyncio.run(load(base, key, urls * args.warmup, args.clients, 0, sweep=True))
            print(
                f"warm-up: {args.warmup} passes over {len(urls)} statements in {time.perf_counter() - warmed:.1f} s"
            )
        latencies, errors = asyncio.run(load(base, key, urls, args.clients, args.seconds))
    finally:
        server.terminate()
        server.wait(timeout=30)
    ordered = sorted(latencies)
    p50 = statistics.median(ordered) * 1000
    p99 = ordered[int(len(ordered) * 0.99) - 1] * 1000 if ordered else float("nan")
    print(f"statements: {len(urls)} pairs; {args.clients} clients for {args.seconds:.0f} s")
    print(
        f"requests: {len(latencies):,} ({len(latencies) / args.seconds:,.1f}/s), errors: {len(errors)}"
    )
    print(f"latency: p50 {p50:.1f} ms, p99 {p99:.1f} ms (target p99 <= 100 ms, zero errors)")
    if errors:
        print("first errors:", errors[:5])


if __name__ == "__main__":
    main()
