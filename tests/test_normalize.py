from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import namenorm

from conftest import read_tsv


def _unquote(value: str) -> str:
    return "" if value == '""' else value


@pytest.mark.parametrize(("text", "expected"), read_tsv("normalize.tsv"), ids=str)
def test_normalize(text: str, expected: str) -> None:
    assert namenorm.normalize(_unquote(text)) == _unquote(expected)


def test_normalize_rejects_non_str() -> None:
    with pytest.raises(TypeError):
        namenorm.normalize(b"Hadrut")  # type: ignore[arg-type]


@given(st.text())
def test_normalize_is_idempotent(text: str) -> None:
    once = namenorm.normalize(text)
    assert namenorm.normalize(once) == once


@pytest.mark.parametrize("joiner", ["\u00ad", "\u200d", "\u200c", "\u2060", "\u200f"], ids=repr)
def test_invisible_format_characters_do_not_split_words(joiner: str) -> None:
    assert namenorm.normalize(f"Pashin{joiner}yan") == "pashinyan"
