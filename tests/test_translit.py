from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import namenorm

CASES = [
    ("никол пашинян", "nikol pashinyan"),
    ("ереван", "yerevan"),
    ("алиев", "aliyev"),
    ("хцаберд", "khtsaberd"),
    ("փաշինյան", "pashinyan"),
    ("հադրութ", "hadrut"),
    ("երեւան", "yerevan"),
    ("խծաբերդ", "khtsaberd"),
    ("ոսկի", "voski"),
    ("თბილისი", "tbilisi"),
    ("αθήνα", "athina"),
    ("μπακού", "bakou"),
    ("باكو", "baku"),
    ("موسكو", "musku"),
    ("ירושלים", "yroshlim"),
    ("erdoğan", "erdogan"),
    ("kəlbəcər", "kelbecer"),
    ("çaylaqqala", "chaylaqqala"),
    ("stéphane", "stephane"),
    ("hadrut", "hadrut"),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=str)
def test_transliterate(text: str, expected: str) -> None:
    assert namenorm.transliterate(text) == expected


@given(st.text())
def test_transliterate_gives_ascii_words(text: str) -> None:
    out = namenorm.transliterate(namenorm.normalize(text))
    assert out.isascii()
    assert out == " ".join(out.split())
