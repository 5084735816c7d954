"""The candidate index: built in one process or on every core, alike."""

from __future__ import annotations

import numpy as np
import pytest

from namenorm import Gazetteer, _config
from namenorm._index import Cut, Index
from namenorm._keys import name_keys


def test_keyed_on_every_core_as_in_one_process(monkeypatch: pytest.MonkeyPatch) -> None:
    entities = list(Gazetteer.builtin())
    alone = Index(entities).parts
    monkeypatch.setattr(_config, "PARALLEL_MIN_NAMES", 1)
    monkeypatch.setattr(_config, "KEYING_CHUNK", 7)  # chunks that split entities' names
    parallel = Index(entities).parts
    assert list(parallel.keys) == list(alone.keys)
    assert parallel.texts == alone.texts
    assert parallel.postings.keys() == alone.postings.keys()
    for gram, found in alone.postings.items():
        assert np.array_equal(parallel.postings[gram], found), gram
    for part in ("entity_of", "fuzzy", "romanized", "sounds", "spaced", "sizes", "skeleton_sizes"):
        assert np.array_equal(getattr(parallel, part), getattr(alone, part)), part


def test_the_cheap_cut_keeps_a_misspelled_name_among_many() -> None:
    index = Index(Gazetteer.from_geonames(15000, aliases=False))
    for query, name in [
        ("Bordeuax", "Bordeaux"),
        ("Kuchuk Chekmejeh", "Küçükçekmece"),
        ("Municipio da Praia", "Praia"),
    ]:
        found = [n.text for n in index.lookup(name_keys(query), Cut(limit=20))]
        assert name in found and len(found) == 20, query
