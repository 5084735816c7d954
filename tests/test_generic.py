from __future__ import annotations

import pytest

from namenorm._core import generic_span, without_article, without_case_ending, without_qualifier

from conftest import read_tsv


@pytest.mark.parametrize(("words", "expected"), read_tsv("generic_words.tsv"), ids=str)
def test_generic_words_are_set_aside(words: str, expected: str) -> None:
    split = words.split()
    _, core_start, core_end = generic_span(split)
    assert " ".join(split[core_start:core_end]) == expected


@pytest.mark.parametrize(
    ("text", "head"),
    [
        ("Tacoma, Washington", "Tacoma"),
        ("کلیئرفیلڈ، یوٹاہ", "کلیئرفیلڈ"),
        ("Hadrut", None),
        (", ,", None),
        ("Hadrut,", None),
    ],
    ids=str,
)
def test_without_qualifier(text: str, head: str | None) -> None:
    assert without_qualifier(text) == head


@pytest.mark.parametrize(("text", "bare"), [("الديوانية", "ديوانية"), ("ال", None), ("Al Diwaniyah", None)], ids=str)
def test_without_article(text: str, bare: str | None) -> None:
    assert without_article(text) == bare


@pytest.mark.parametrize(
    ("text", "stem"),
    [
        ("Londonas", "London"),
        ("Sent Katerinsas", "Sent Katerins"),  # St. Catharines
        ("Paryžius", "Paryži"),
        ("Paris", None),  # a stem of four letters at least
        ("londonas", None),  # a capitalized word only
        ("Londonas Town", None),  # on the last word only
    ],
    ids=str,
)
def test_without_case_ending(text: str, stem: str | None) -> None:
    assert without_case_ending(text) == stem
