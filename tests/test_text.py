from __future__ import annotations

import itertools
import pytest
from hypothesis import given
from hypothesis import strategies as st

from namenorm._text import Shape, name_key, shape, words


def _read(text: str) -> list[tuple[str, str, bool, bool]]:
    return [(w.text, w.key, w.sentence_start, w.joined) for w in words(text)]


def test_a_possessive_is_left_out_and_marked() -> None:
    found = words("Azerbaijan’s army and")
    assert [(w.text, w.possessive) for w in found] == [
        ("Azerbaijan", True),
        ("army", False),
        ("and", False),
    ]


def test_offsets_point_at_the_words() -> None:
    text = "YEREVAN, Armenia (AP) — Azerbaijan’s army. Nagorno-Karabakh\nU.S."
    for w in words(text):
        assert text[w.start : w.end] == w.text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Azerbaijan’s army", [("Azerbaijan", "azerbaijan", True, False), ("army", "army", False, True)]),
        ("Procter & Gamble", [("Procter", "procter", True, False), ("Gamble", "gamble", False, True)]),
        (
            "我住在北京",
            [
                ("我", "我", True, False),
                ("住", "住", False, True),
                ("在", "在", False, True),
                ("北", "北", False, True),
                ("京", "京", False, True),
            ],
        ),
        ("Azer\u00adbaijan", [("Azer\u00adbaijan", "azerbaijan", True, False)]),
        ("شاه\u200cآباد", [("شاه\u200cآباد", "شاهآباد", True, False)]),
        ("Nagorno-Karabakh", [("Nagorno", "nagorno", True, False), ("Karabakh", "karabakh", False, True)]),
        ("the U.S. said", [("the", "the", True, False), ("U.S.", "us", False, True), ("said", "said", False, True)]),
        ("John F. Kirby", [("John", "john", True, False), ("F", "f", False, True), ("Kirby", "kirby", False, True)]),
        ("Mr. Putin", [("Mr", "mr", True, False), ("Putin", "putin", False, True)]),
        ("Baku. Moscow", [("Baku", "baku", True, False), ("Moscow", "moscow", True, False)]),
        ("Baku\nMoscow", [("Baku", "baku", True, False), ("Moscow", "moscow", True, False)]),
        ("Baku, Moscow", [("Baku", "baku", True, False), ("Moscow", "moscow", False, False)]),
        ("O'Brien", [("O'Brien", "obrien", True, False)]),
        ("• Armenia", [("Armenia", "armenia", True, False)]),
    ],
    ids=str,
)
def test_words(text: str, expected: list[tuple[str, str, bool, bool]]) -> None:
    assert _read(text) == expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("region", Shape.LOWER),
        ("Hadrut", Shape.TITLE),
        ("A", Shape.TITLE),
        ("OSCE", Shape.UPPER),
        ("TB2", Shape.UPPER),
        ("Փաշինյան", Shape.TITLE),
        ("هادروت", Shape.UNCASED),
        ("1994", Shape.NUMBER),
    ],
    ids=str,
)
def test_shape(word: str, expected: Shape) -> None:
    assert shape(word) is expected


@given(st.text())
def test_words_never_fail_and_stay_in_order(text: str) -> None:
    found = words(text)
    for before, after in itertools.pairwise(found):
        assert before.end <= after.start
    assert all(text[w.start : w.end] == w.text and w.key for w in found)


@given(st.from_regex(r"[A-Za-z]+(?:[ \-][A-Za-z]+)*", fullmatch=True) | st.text())
def test_name_key_is_the_key_of_the_words(name: str) -> None:
    assert name_key(name) == tuple(w.key for w in words(name))
