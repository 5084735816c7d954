from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import namenorm
from namenorm._normalize import strip_generic

CASES = [
    ("Nikol Pashinyan", "nikol pashinyan"),
    ("  NIKOL   PASHINYAN ", "nikol pashinyan"),
    ("U.N. Security Council", "un security council"),
    ("U.S.", "us"),
    ("Bayraktar TB-2", "bayraktar tb 2"),
    ("Nagorno–Karabakh", "nagorno karabakh"),
    ("Hin T’agher", "hin tagher"),
    ("Co-operation", "co operation"),
    ("Pashinyan, Nikol", "pashinyan nikol"),
    ("ＡＢＣ", "abc"),
    ("Straße", "strasse"),
    ("Erdoğan", "erdoğan"),
    ("Փաշինյան", "փաշինյան"),
    ("ПАШИНЯН", "пашинян"),
    ("...", ""),
    ("", ""),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=str)
def test_normalize(text: str, expected: str) -> None:
    assert namenorm.normalize(text) == expected


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("prime minister nikol pashinyan", "nikol pashinyan"),
        ("president recep tayyip erdoğan", "recep tayyip erdoğan"),
        ("hadrut district", "hadrut"),
        ("the gadrut region", "gadrut"),
        ("president", "president"),
        ("region", "region"),
    ],
    ids=str,
)
def test_strip_generic(words: str, expected: str) -> None:
    assert " ".join(strip_generic(words.split())) == expected


def test_normalize_rejects_non_str() -> None:
    with pytest.raises(TypeError):
        namenorm.normalize(b"Hadrut")  # type: ignore[arg-type]


@given(st.text())
def test_normalize_is_idempotent(text: str) -> None:
    once = namenorm.normalize(text)
    assert namenorm.normalize(once) == once
