from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import namenorm
from namenorm._translit import romanizations

from conftest import read_tsv


@pytest.mark.parametrize(("text", "expected"), read_tsv("transliterate.tsv"), ids=str)
def test_transliterate(text: str, expected: str) -> None:
    assert namenorm.transliterate(text) == expected


@given(st.text())
def test_transliterate_gives_ascii_words(text: str) -> None:
    out = namenorm.transliterate(namenorm.normalize(text))
    assert out.isascii()
    assert out == " ".join(out.split())


def test_word_initial_spelling_wins_at_word_start() -> None:
    assert namenorm.transliterate("Ереван Елена") == "yerevan yelena"
    assert namenorm.transliterate("ее").startswith("ye")


@pytest.mark.parametrize(
    ("text", "other"),
    [("кикути", "kikuchi"), ("цзоучэн", "zoucheng"), ("дэян", "deyang"), ("сиань", "xian")],
    ids=str,
)
def test_other_romanizations(text: str, other: str) -> None:
    found = romanizations(text, limit=8)
    assert found[0] == namenorm.transliterate(text)
    assert other in found
    assert len(found) == len(set(found))


def test_romanizations_are_limited() -> None:
    assert len(romanizations("цзоучэн цзоучэн", limit=3)) == 3
    assert romanizations("moskva", limit=3) == ["moskva"]
