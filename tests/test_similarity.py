from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

import namenorm

SIMILARITIES: list[Callable[[str, str], float]] = [namenorm.text_similarity, namenorm.phonetic_similarity]
names = st.text(max_size=40)


@pytest.mark.parametrize("similarity", SIMILARITIES, ids=lambda f: f.__name__)
@given(a=names, b=names)
def test_similarity_is_symmetric_and_in_unit_interval(similarity: Callable[[str, str], float], a: str, b: str) -> None:
    ab = similarity(a, b)
    assert 0.0 <= ab <= 1.0
    assert ab == pytest.approx(similarity(b, a))


@pytest.mark.parametrize("similarity", SIMILARITIES, ids=lambda f: f.__name__)
@given(a=names)
def test_identical_strings_score_one(similarity: Callable[[str, str], float], a: str) -> None:
    assert similarity(a, a) == 1.0


def test_phonetic_similarity_rewards_sound_classes() -> None:
    assert namenorm.phonetic_similarity("Bashinian", "Pashinyan") > namenorm.text_similarity("Bashinian", "Pashinyan")
    assert namenorm.phonetic_similarity("Kinrut", "Hadrut") > namenorm.phonetic_similarity("Paris", "Hadrut")


def test_romanian_letters_written_without_marks_are_close() -> None:
    # ț is ts and ș is sh; written without marks they are t and s.
    assert namenorm.phonetic_similarity("Radauti", "Rădăuți") >= 0.9
    assert namenorm.phonetic_similarity("Timisoara", "Timișoara") >= 0.9


@pytest.mark.parametrize("similarity", SIMILARITIES, ids=lambda f: f.__name__)
def test_a_word_of_400000_letters_is_compared_in_linear_time(similarity: Callable[[str, str], float]) -> None:
    # Its Metaphone key is of its first letters only (rphonetic's encode is
    # quadratic: this took seconds, and four times as long each doubling).
    assert 0.0 <= similarity("a" * 400_000, "Hadrut") < 0.5
    assert similarity("Hadrut" * 100_000, "Hadrut" * 100_000) == 1.0  # compared on their first 2,000 characters
