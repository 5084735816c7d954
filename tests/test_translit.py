from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import namenorm
from namenorm._core import abjad_reading, pinyin_reading

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
    ("text", "letters"),
    [
        ("qrwh", "قروه"),  # Qorveh, ق ر و ه
        ("kwmyrk syty", "كوميرك سيتي"),  # Commerce City
        ("dhdsht", "ذدشت"),  # digraphs are one letter
        ("Kakhta", None),  # a capital: a name written out
        ("PYR", None),  # an acronym
        ("panama", None),  # only alif, and nothing else of the script
        ("toul", None),  # vowel letters the script does not write
        ("hadrut-2", None),
        ("cwm", None),  # c stands for no Arabic letter
    ],
)
def test_abjad_reading(text: str, letters: str | None) -> None:
    assert abjad_reading(text) == letters


@given(st.text(alphabet="abcdfghjklmnpqrstvwxyzE -'") | st.text())
def test_abjad_reading_romanizes_back_to_its_consonants(text: str) -> None:
    letters = abjad_reading(text)
    if letters is not None:
        # Read back, every consonant of the name is there, in order (v is
        # waw, which reads back as w).
        def consonants(s: str) -> str:
            return "".join(c for c in s.replace("v", "w") if c not in "aeiouwy ")

        assert consonants(namenorm.transliterate(letters)) == consonants(namenorm.normalize(text))


@pytest.mark.parametrize(
    ("text", "pinyin"),
    [
        ("Ch'ing-p'u-hsien", "qing pu xian"),  # Qingpu
        ("T’ai-pei-hsien", "tai bei xian"),  # Taipei, a curly apostrophe
        ("Chien-shih", "jian shi"),  # ch before i is j; -ih is -i
        ("Shun-i-ch'u", "shun yi chu"),  # a syllable spelled otherwise
        ("Ho-p'u-hsien", "he pu xian"),  # ho is he
        ("Tzu-ch'ang", "zi chang"),  # tzu is zi
        ("Hsin Chu", "xin zhu"),
        ("Sung-chiang-hsien", "song jiang xian"),  # s, and ung is ong
        ("Tzŭ-po-shih", "zi bo shi"),  # tzŭ is zi
        ("Ts'u-hsien", "cu xian"),  # but ts'u is cu
        ("Malih", None),  # not a syllable of Mandarin, though it ends in -ih
        ("Tzu-po", None),  # nothing only Wade-Giles writes
        ("Bat'e", None),  # not syllables of Mandarin
        ("Hadrut", None),
    ],
)
def test_pinyin_reading(text: str, pinyin: str | None) -> None:
    assert pinyin_reading(text) == pinyin
