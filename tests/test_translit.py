from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import namenorm

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
