from __future__ import annotations

import pytest

import namenorm
from namenorm._keys import name_keys

from conftest import read_tsv


@pytest.mark.parametrize(("a", "b"), read_tsv("same_sound.tsv"), ids=str)
def test_sound_key_folds_confusable_sounds(a: str, b: str) -> None:
    assert namenorm.sound_key(a) == namenorm.sound_key(b)


@pytest.mark.parametrize(("a", "b"), [("hadrut", "kinrut"), ("paris", "parukh"), ("kerry", "kirby")], ids=str)
def test_sound_key_keeps_other_consonants_apart(a: str, b: str) -> None:
    assert namenorm.sound_key(a) != namenorm.sound_key(b)


def test_skeleton_drops_vowels() -> None:
    assert namenorm.skeleton_key("hadrut") == namenorm.skeleton_key("hdrt") == "KTRT"


def test_alternative_romanizations_are_single_sound_units() -> None:
    from namenorm._keys import unit_alternatives

    pairs = unit_alternatives()  # raises if a table's alternative is not one sound unit
    assert ("kh", "h") in pairs and ("h", "kh") in pairs  # х: BGN kh, English h
    assert ("b", "p") in pairs  # Western Armenian


def test_an_alternative_romanization_costs_less_than_another_sound_of_its_class() -> None:
    from namenorm._similarity import phonetic_distance
    from namenorm._keys import sound_units

    alternative = phonetic_distance(sound_units("khabarovsk"), sound_units("habarovsk"))
    same_class = phonetic_distance(sound_units("khabarovsk"), sound_units("qabarovsk"))
    assert alternative < same_class


@pytest.mark.parametrize(
    ("text", "syllabic"),
    [
        ("bureisuburijji", True),  # Japanese katakana: Bracebridge
        ("seutalajagola", True),  # Korean hangul: Stara Zagora
        ("ao si lu", True),  # Chinese pinyin: Oslo
        ("Maruberya", False),  # capitalized: a name written out
        ("hadrut", False),  # a closed syllable
        ("oslo", False),  # too short to tell
    ],
    ids=str,
)
def test_syllabic_transcriptions_are_recognised(text: str, syllabic: bool) -> None:
    assert name_keys(text).syllabic is syllabic


@pytest.mark.parametrize(
    ("query", "name", "other"),
    [
        ("macuura", "matsuura", "mabuura"),  # c is ts in Slavic transcriptions of Japanese
        ("tsitsihar", "qiqihar", "bibihar"),  # q is the ch of pinyin
        ("tunkha", "tunja", "tunda"),  # j is the kh of Spanish
        ("awanta", "huanta", "buanta"),  # h is mute in Romance spellings
    ],
    ids=str,
)
def test_a_letter_read_two_ways_is_near_its_other_sound(query: str, name: str, other: str) -> None:
    # The other reading of a letter costs less than a sound of another class.
    from namenorm._keys import sound_units
    from namenorm._similarity import phonetic_distance

    assert phonetic_distance(sound_units(query), sound_units(name)) < phonetic_distance(
        sound_units(query), sound_units(other)
    )
