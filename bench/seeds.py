"""namenorm against rapidfuzz over unidecode-folded names, on the seed cases.

Data: tests/data/seed_variants.tsv (names that must resolve to an entity) and
tests/data/not_in_gazetteer.tsv (names that must not resolve), against the
built-in gazetteer. The baseline is what a user would write today:
`rapidfuzz.process.extractOne(unidecode(q).lower(), names, scorer=fuzz.ratio,
score_cutoff=C)` over every name and alias of the gazetteer, unidecode-folded,
at several cutoffs C. Both run on the same queries in the same process,
interleaved; times are medians per query. namenorm keeps no cache of answers
or word pairs, so repeated rounds do not flatter it.

    pip install rapidfuzz && python bench/seeds.py
"""

from __future__ import annotations

import os
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from rapidfuzz import fuzz, process
from unidecode import unidecode

import namenorm

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
ROUNDS = 20


def rows(name: str) -> list[list[str]]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [line.split("\t") for line in lines if line.strip() and not line.startswith("#")]


def main() -> None:
    cases = [(r[0], r[1]) for r in rows("seed_variants.tsv")] + [(r[0], None) for r in rows("not_in_gazetteer.tsv")]
    gazetteer = namenorm.Gazetteer.builtin()
    resolver = namenorm.Resolver(gazetteer)
    folded = [(unidecode(n).lower(), e.id) for e in gazetteer for n in e.names]
    choices = [f for f, _ in folded]

    def rapidfuzz_at(cutoff: float) -> Callable[[str], str | None]:
        def run(query: str) -> str | None:
            found = process.extractOne(unidecode(query).lower(), choices, scorer=fuzz.ratio, score_cutoff=cutoff)
            return folded[found[2]][1] if found else None

        return run

    def namenorm_run(query: str) -> str | None:
        match = resolver.resolve(query)
        return match.entity.id if match else None

    systems: dict[str, Callable[[str], str | None]] = {"namenorm": namenorm_run}
    systems.update({f"rapidfuzz ratio, cutoff {c}": rapidfuzz_at(c) for c in (60, 70, 80, 90)})
    for run in systems.values():  # warm up: load tables, indexes, lexicons
        for query, _ in cases:
            run(query)
    times: dict[str, list[float]] = {label: [] for label in systems}
    for _ in range(ROUNDS):
        for query, _ in cases:
            for label, run in systems.items():
                start = time.perf_counter()
                run(query)
                times[label].append(time.perf_counter() - start)
    positives = [(q, want) for q, want in cases if want]
    negatives = [q for q, want in cases if not want]
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    known = sum(len(r) > 2 for r in rows("not_in_gazetteer.tsv"))
    print(
        f"data: {len(positives)} seed variants, {len(negatives)} names not in the gazetteer "
        f"({known} of them known namenorm misses); built-in gazetteer, {len(gazetteer)} entities, {len(choices)} names"
    )
    print(f"{'system':28} {'variants right':>15} {'none right':>11} {'median us':>10} {'vs namenorm':>12}")
    base = statistics.median(times["namenorm"])
    for label, run in systems.items():
        right = sum(run(q) == want for q, want in positives)
        none = sum(run(q) is None for q in negatives)
        median = statistics.median(times[label])
        print(
            f"{label:28} {right:>8}/{len(positives):<6} {none:>5}/{len(negatives):<5} {median * 1e6:10.0f} "
            f"{median / base:11.2f}x"
        )


if __name__ == "__main__":
    main()
