"""The candidate index, through the core's lookup (core/index.rs)."""

from __future__ import annotations

from namenorm import Gazetteer


def test_the_cheap_cut_keeps_a_misspelled_name_among_many() -> None:
    index = Gazetteer.from_geonames(15000, aliases=False)._candidate_index()
    for query, name in [
        ("Bordeuax", "Bordeaux"),
        ("Kuchuk Chekmejeh", "Küçükçekmece"),
        ("Municipio da Praia", "Praia"),
    ]:
        found = index.lookup(query, 20)
        assert name in found and len(found) == 20, query


def test_an_index_is_built_alike_every_time() -> None:
    entities = list(Gazetteer.builtin())
    assert Gazetteer(entities)._candidate_index().image() == Gazetteer(entities)._candidate_index().image()
