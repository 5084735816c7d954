"""Stage 2b: the parts of a name that are not the name itself.

Generic words are recognised in romanized form, so this stage follows
transliteration.

Titles ("President") are set aside; articles ("Al-"), "city of" words and
words for kinds of place ("district") are optional; a qualifier after a comma
("Tacoma, Washington"), the Arabic article joined to a word (الديوانية) and a
Lithuanian nominative ending ("Dilizanas") give other readings of a query.
The word lists are data: `data/generic.toml`.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources
from typing import Any

import regex

from ._normalize import normalize
from ._translit import transliterate

Phrases = tuple[tuple[str, ...], ...]


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    path = resources.files("namenorm") / "data" / "generic.toml"
    return tomllib.loads(path.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _generic_words() -> tuple[dict[str, Phrases], dict[str, Phrases], dict[str, Phrases]]:
    # Titles and leading words by their first word, trailing words by their
    # last: a name is checked only against the phrases its own words could
    # start or end.
    data = _data()

    def phrases(end: int, *keys: str) -> dict[str, Phrases]:
        # Compared in romanized form, so that "город" and "gorod" are one word.
        # Longest first, so "prime minister" goes before "minister".
        found = {tuple(transliterate(p).split()) for key in keys for p in data[key]}
        by_word: dict[str, list[tuple[str, ...]]] = {}
        for phrase in sorted(found, key=lambda p: (-len(p), p)):
            by_word.setdefault(phrase[end], []).append(phrase)
        return {word: tuple(listed) for word, listed in by_word.items()}

    return phrases(0, "titles"), phrases(0, "articles", "place_prefixes"), phrases(-1, "place_words")


def generic_titles() -> tuple[str, ...]:
    """The titles and honorifics set aside at the start of a name ("prime minister"), as written in the data."""
    return tuple(_data()["titles"])


def generic_span(words: Sequence[str]) -> tuple[int, int, int]:
    """Find the generic words of a name: titles, and optional words around its core.

    Titles ("President", "Prime Minister") at the start are set aside. After
    them, articles and "city of" words at the start, and words for kinds of
    place at the end, are optional: a name may be written with or without them
    ("Al Diwaniyah" / "Diwaniyah", "Hadrut district" / "Hadrut"). At least one
    word is always left in the core: "President" alone stays "president".

    Args:
        words: The romanized words of a name (see `namenorm.transliterate`).

    Returns:
        (start, core_start, core_end): ``words[:start]`` are titles,
        ``words[core_start:core_end]`` the core, the rest optional.

    >>> generic_span("prime minister nikol pashinyan".split())
    (2, 2, 4)
    >>> generic_span(["hadrut", "district"]), generic_span(["president"]), generic_span(["al", "diwaniyah"])
    ((0, 0, 1), (0, 0, 1), (0, 1, 2))
    """
    titles, leading, trailing = _generic_words()
    start = 0
    while start < len(words) and (
        title := next(
            (
                p
                for p in titles.get(words[start], ())
                if len(words) - start > len(p) and tuple(words[start : start + len(p)]) == p
            ),
            None,
        )
    ):
        start += len(title)
    core_start, core_end = start, len(words)
    changed = True
    while changed and core_end - core_start > 1:
        changed = False
        for phrase in leading.get(words[core_start], ()):
            if core_end - core_start > len(phrase) and tuple(words[core_start : core_start + len(phrase)]) == phrase:
                core_start += len(phrase)
                changed = True
                break
        for phrase in trailing.get(words[core_end - 1], ()):
            if core_end - core_start > len(phrase) and tuple(words[core_end - len(phrase) : core_end]) == phrase:
                core_end -= len(phrase)
                changed = True
                break
    return start, core_start, core_end


@lru_cache(maxsize=1)
def _equivalents() -> dict[str, str]:
    groups: dict[str, list[str]] = _data()["equivalents"]
    return {transliterate(word): english for english, words in groups.items() for word in words}


def equivalent(word: str) -> str | None:
    """The English word that a romanized word translates, if it is one of
    the words names translate rather than transcribe (`[equivalents]` of
    data/generic.toml: saint, east, west, north, south).

    >>> equivalent("vostochny"), equivalent("st"), equivalent("hadrut")
    ('east', 'saint', None)
    """
    return _equivalents().get(word)


# The Arabic article, written joined to its word: الديوانية = al-Diwaniyah.
_ARABIC_ARTICLE = regex.compile(r"^\s*ال(?=\p{Script=Arabic}{2})")


def without_article(text: str) -> str | None:
    """The name without the Arabic article joined to its first word, if it has one.

    >>> without_article("الديوانية")
    'ديوانية'
    """
    stripped = _ARABIC_ARTICLE.sub("", text, count=1)
    return stripped if stripped != text else None


@lru_cache(maxsize=1)
def _case_ending() -> regex.Pattern[str]:
    endings = _data()["case_endings"]
    # After a capitalized stem of four letters or more, at the end of the name.
    return regex.compile(r"(?<=\p{Lu}\p{Ll}{3,})(?:" + "|".join(map(regex.escape, endings)) + r")\s*$")


def without_case_ending(text: str) -> str | None:
    """The name without the Lithuanian nominative ending of its last word
    ("Dilizanas" is Dilijan), when that word is capitalized and has one.

    >>> without_case_ending("Port Žantilis"), without_case_ending("Paris")
    ('Port Žantil', None)
    """
    stripped = _case_ending().sub("", text, count=1)
    return stripped if stripped != text else None


# A trailing qualifier after a comma: "Tacoma, Washington", "کلیئرفیلڈ، یوٹاہ",
# or after two spaces, where a comma was lost ("wrw bych  flwryda", a romanized
# ورو بیچ، فلوریدا).
_QUALIFIER = regex.compile(r"\s*[,\u060c\uff0c]\s*|\s{2,}")


def without_qualifier(text: str) -> str | None:
    """The part of a name before its first comma (or run of spaces), when both
    parts have letters.

    >>> without_qualifier("Tacoma, Washington")
    'Tacoma'
    >>> without_qualifier("Vero Beach  Florida")
    'Vero Beach'
    >>> without_qualifier("Hadrut") is None
    True
    """
    parts = _QUALIFIER.split(text, maxsplit=1)
    if len(parts) == 2 and normalize(parts[0]) and normalize(parts[1]):
        return parts[0]
    return None
