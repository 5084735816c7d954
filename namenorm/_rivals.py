"""Rival names: real places that are not in the gazetteer.

A query spelled exactly like another real place ("Paris", "Hadera") names
that place; it is not a corruption of a similar gazetteer entry ("Parukh",
"Hadrut"). The lexicon is generated from GeoNames by `tools/make_rivals.py`
and loaded on first use.
"""

from __future__ import annotations

import gzip
from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=1)
def rival_names() -> frozenset[str]:
    """The romanized, space-free names of GeoNames cities (1,000+ people) and countries."""
    data = (resources.files("namenorm") / "data" / "rivals.txt.gz").read_bytes()
    return frozenset(gzip.decompress(data).decode("utf-8").split("\n")) - {""}
