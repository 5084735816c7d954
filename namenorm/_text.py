"""Stage 6a: running text cut into words, with what the scanner asks of each.

A word keeps its place in the text (`start`, `end`), so that a mention found
in it points at the very characters the user gave. Its `key` is what names
are compared on (`namenorm.normalize` of the word: case folded, a dotted
acronym joined). A possessive ending ("Azerbaijan’s") is left outside the
word; hyphens, like spaces, separate words ("Turkey-backed"), and a name
written with a hyphen is matched across it ("Nagorno-Karabakh").
"""

from __future__ import annotations

import tomllib
from enum import Enum
from functools import lru_cache
from importlib import resources
from typing import NamedTuple

import regex

from ._normalize import normalize

# A dotted acronym ("U.N.", "U.S.") is one word; otherwise letters, marks and
# digits, with apostrophes inside ("O'Brien").
_WORD = regex.compile(
    r"(?<![\p{L}\p{M}\p{Nd}])(?:\p{L}\.){2,}(?![\p{L}\p{M}\p{Nd}])"
    r"|[\p{L}\p{M}\p{Nd}]+(?:['\u2019\u02bc][\p{L}\p{M}\p{Nd}]+)*"
)
_APOSTROPHES = "'\u2019\u02bc"
# What may stand between two words of one name: spaces, a hyphen or a dash
# ("Nagorno-Karabakh", "Co-operation"). A comma, a full stop, a quote or a
# line break ends the name (so a name broken across lines of hard-wrapped
# text is read as two).
_JOINER = regex.compile(r"[ \t\u00a0]*(?:\p{Pd}[ \t\u00a0]*)?")
# The full stop of an initial or an abbreviation, then spaces.
_ABBREVIATED = regex.compile(r"\.[ \t\u00a0]+")
# What ends a sentence before a word: its punctuation, or a line break
# (headlines, captions and list items end without a full stop).
_SENTENCE_END = regex.compile(r"[.!?\u2026:;\u2022|]|\n")


class Shape(Enum):
    """How a word is written, which says whether it may be a name."""

    LOWER = "lower"  # "region": not a name in English text
    TITLE = "title"  # "Hadrut": a name, or a word that starts a sentence
    UPPER = "upper"  # "OSCE", "YEREVAN": an acronym or a name in capitals
    UNCASED = "uncased"  # "هادروت": a script without capitals (Arabic, Hebrew, CJK)
    NUMBER = "number"  # "2", "1994"


class Word(NamedTuple):
    """One word of a text.

    Attributes:
        start: Where it starts in the text.
        end: Where it ends (a possessive ending left out).
        text: The word as written.
        key: The word normalized (`namenorm.normalize`), spaces removed.
        shape: How it is written (`Shape`).
        sentence_start: Whether it is the first word of a sentence, a line
            or a list item: a capital there says nothing about a name.
        joined: Whether it follows the previous word with only spaces or a
            hyphen between them, so that both can be words of
            one name.
    """

    start: int
    end: int
    text: str
    key: str
    shape: Shape
    sentence_start: bool
    joined: bool


def words(text: str) -> list[Word]:
    """Cut `text` into words (see `Word`), in text order.

    >>> [(w.text, w.shape.value, w.sentence_start) for w in words("In the Qadr region. Azerbaijan’s")]
    [('In', 'title', True), ('the', 'lower', False), ('Qadr', 'title', False), ('region', 'lower', False), \
('Azerbaijan', 'title', True)]
    """
    found: list[Word] = []
    previous_end = 0
    after_possessive = False
    for match in _WORD.finditer(text):
        start, end = match.span()
        written = match.group(0)
        possessive = len(written) > 2 and written[-2] in _APOSTROPHES and written[-1] in "sS"
        if possessive:
            end -= 2
            written = written[:-2]
        key = _key(written)
        if not key:
            continue
        gap = text[previous_end:start]
        if not found:
            sentence_start, joined = True, False
        elif gap == " ":  # most gaps: a shortcut past the two patterns
            sentence_start, joined = False, not after_possessive
        elif _ABBREVIATED.fullmatch(gap) and (len(found[-1].text) == 1 or found[-1].key in abbreviations()):
            # "John F. Kirby", "St. Petersburg", "Mr. Putin": the full stop of
            # an initial or an abbreviation ends neither a sentence nor a name.
            sentence_start, joined = False, True
        else:
            sentence_start = _SENTENCE_END.search(gap) is not None
            # "Azerbaijan’s Defense": a possessive ends a name.
            joined = not after_possessive and _JOINER.fullmatch(gap) is not None
        found.append(Word(start, end, written, key, _shape(written), sentence_start, joined))
        previous_end = match.end()
        after_possessive = possessive
    return found


@lru_cache(maxsize=1)
def abbreviations() -> frozenset[str]:
    """Words whose full stop ends no sentence ("Mr.", "St."): `abbreviations`
    of data/text.toml, normalized."""
    path = resources.files("namenorm") / "data" / "text.toml"
    listed: list[str] = tomllib.loads(path.read_text(encoding="utf-8"))["abbreviations"]
    return frozenset(normalize(word) for word in listed)


@lru_cache(maxsize=65536)
def _key(word: str) -> str:
    # Cached: a text repeats its words, and normalize is the costly part of cutting it.
    return normalize(word).replace(" ", "")


@lru_cache(maxsize=65536)
def _shape(word: str) -> Shape:
    return shape(word)


def shape(word: str) -> Shape:
    """How `word` is written: lower case, capitalized, all capitals, in a
    script without capitals, or a number.

    >>> [shape(w).value for w in ("region", "Hadrut", "OSCE", "U.S.", "TB2", "هادروت", "1994")]
    ['lower', 'title', 'upper', 'upper', 'upper', 'uncased', 'number']
    """
    cased = [c for c in word if c.isupper() or c.islower()]
    if not cased:
        return Shape.NUMBER if all(c.isdigit() or not c.isalnum() for c in word) else Shape.UNCASED
    if not cased[0].isupper():
        return Shape.LOWER
    if len(cased) > 1 and all(c.isupper() for c in cased):
        return Shape.UPPER
    return Shape.TITLE
