"""Scoring rules, each on a small gazetteer of real places. (How words run
together, word against word, is tested in the core: core/score.rs.)"""

from __future__ import annotations

import pytest

from conftest import read_tsv

from namenorm import Entity, Gazetteer, Resolver

PLACES = Resolver(
    Gazetteer(
        [
            Entity(id="geonames:4166673", name="Ocala", kind="place"),
            Entity(id="geonames:5812944", name="Tacoma", kind="place"),
            Entity(id="geonames:99347", name="Al Diwaniyah", kind="place"),
            Entity(id="geonames:2657896", name="Zürich", kind="place"),
            Entity(id="geonames:104515", name="Makkah", kind="place"),
            Entity(id="geonames:6697380", name="Tacloban", kind="place"),
            Entity(id="geonames:742394", name="Küçükçekmece", kind="place"),
            Entity(id="geonames:5109177", name="Binghamton", kind="place"),
        ]
    ),
    rival_places=False,
)

CASES = [
    ("ao ka la", "geonames:4166673", "written syllable by syllable"),
    ("Tacoma, Washington", "geonames:5812944", "a qualifier after a comma"),
    ("ٹاکوما، واشنگٹن", "geonames:5812944", "a qualifier after an Arabic comma"),
    ("الديوانية", "geonames:99347", "the Arabic article joined to the word"),
    ("Ed-Diwaniya", "geonames:99347", "another spelling of the article"),
    ("Цюрих", "geonames:2657896", "ch read as kh"),
    ("Makka", "geonames:104515", "a mute final h"),
    ("Lungsod ng Tacloban", "geonames:6697380", "'city of' in Tagalog"),
    ("Kuchuk Chekmejeh", "geonames:742394", "a one-word name written in two"),
    ("bing-eomteon", "geonames:5109177", "a one-word name transcribed in two"),
]


@pytest.mark.parametrize(("query", "entity_id", "rule"), CASES, ids=str)
def test_rule(query: str, entity_id: str, rule: str) -> None:
    match = PLACES.resolve(query)
    assert match is not None, rule
    assert match.entity.id == entity_id, rule


def test_qualifier_is_reported() -> None:
    match = PLACES.resolve("Tacoma, Washington")
    assert match is not None
    assert any("after the comma" in what for what, _ in match.evidence)
    assert "after the comma" in match.explain()


def test_syllables_are_joined_only_when_short() -> None:
    # "France 24" is not France written syllable by syllable.
    france = Resolver(Gazetteer([Entity(id="place:france", name="France", kind="place")]))
    assert france.resolve("France 24") is None


def test_optional_words_do_not_merge_entities() -> None:
    # "Kota Kinabalu" and "Kinabalu" are different places; "Al" is a given name.
    r = Resolver(
        Gazetteer(
            [
                Entity(id="geonames:1733432", name="Kota Kinabalu", kind="place"),
                Entity(id="place:kinabalu", name="Kinabalu", kind="place"),
                Entity(id="person:al-gore", name="Al Gore", kind="person"),
            ]
        ),
        rival_places=False,
    )
    for query, entity_id in [("Kota Kinabalu", "geonames:1733432"), ("Kinabalu", "place:kinabalu")]:
        match = r.resolve(query)
        assert match is not None and match.entity.id == entity_id and not match.ambiguous
    assert r.resolve("Ed Gore") is None
    gore = r.resolve("Gore")
    assert gore is not None and gore.method == "surname"


PERSON_CASES = read_tsv("person_names.tsv")
PEOPLE = Resolver(
    Gazetteer(
        [
            Entity(id=f"person:{i}", name=name, kind="person")
            for i, name in enumerate(sorted({row[1] for row in PERSON_CASES}))
        ]
    )
)


@pytest.mark.parametrize(("query", "listed", "expected", "why"), PERSON_CASES, ids=lambda v: str(v)[:24])
def test_a_persons_name_as_people_write_it(query: str, listed: str, expected: str, why: str) -> None:
    found = PEOPLE.candidates(query, kind="person")
    resolved = PEOPLE.resolve(query, kind="person")
    if expected == "never":
        assert resolved is None or resolved.entity.name != listed, why
        return
    assert found and found[0].entity.name == listed, why
    if expected == "first":
        assert resolved is not None and resolved.entity.name == listed, why
