"""Stage 7a: running text cut into words, with what the scanner asks of each.

A word keeps its place in the text (`start`, `end`), so that a mention found
in it points at the very characters the user gave. Its `key` is what names
are compared on (`namenorm.normalize` of the word: case folded, a dotted
acronym joined). A possessive ending ("Azerbaijan’s") is left outside the
word; hyphens, like spaces, separate words ("Turkey-backed"), and a name
written with a hyphen is matched across it ("Nagorno-Karabakh").
"""

from __future__ import annotations

import bisect
import tomllib
from collections.abc import Iterator
from enum import Enum
from functools import lru_cache
from importlib import resources
from typing import Any, NamedTuple

import regex

from . import _config
from ._core import APOSTROPHE_MARKS, normalize

# Scripts written without spaces between words: each character is a word
# of its own, so that a name is found inside a run of them (北京 in 我住在北京).
_UNSPACED = r"\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}"
# The characters of a word: letters, marks, digits; and, between two of
# those, the invisible characters that sit inside words (a soft hyphen, the
# zero-width non-joiner and joiner: "Azer\u00adbaijan", "شاه\u200cآباد").
_LETTER = r"(?:(?![{u}])[\p{{L}}\p{{M}}\p{{Nd}}]|[\u00ad\u200c\u200d]+(?=(?![{u}])[\p{{L}}\p{{M}}\p{{Nd}}]))".format(
    u=_UNSPACED
)
# Apostrophes and the marks written like them inside a name ("O'Brien",
# "Ta‘izz", Hebrew geresh and gershayim: "צ׳צ׳ניה", "ארה״ב"): those that
# normalize drops, and the geresh, which it keeps.
_INNER = APOSTROPHE_MARKS + "\u05f3"
# A dotted acronym ("U.N.", "U.S.") is one word; a character of a script
# written without spaces is one; otherwise letters, marks and digits, with
# apostrophes inside.
_WORD = regex.compile(
    r"(?<![\p{L}\p{M}\p{Nd}])(?:\p{L}\.){2,}(?![\p{L}\p{M}\p{Nd}])"
    rf"|[{_UNSPACED}]\p{{M}}*"
    rf"|(?:(?![{_UNSPACED}])[\p{{L}}\p{{M}}\p{{Nd}}]){_LETTER}*(?:[{_INNER}]{_LETTER}+)*"
)
# A run of word characters too long to be a word of a name
# (`MAX_WORD_LETTERS`): not read at all, since `_WORD`, which keeps a
# backtracking point a letter, would need hundreds of bytes a letter.
# Characters of scripts written without spaces are words of their own.
_LONG_RUN = regex.compile(
    rf"[[\p{{L}}\p{{M}}\p{{Nd}}\u00ad\u200c\u200d{_INNER}]--[{_UNSPACED}]]{{{_config.MAX_WORD_LETTERS + 1},}}",
    flags=regex.V1,
)
# The apostrophes of a possessive ending ("Azerbaijan’s").
_APOSTROPHES = "'\u2019\u02bc"
# What may stand between two words of one name: spaces, a hyphen or a dash
# ("Nagorno-Karabakh", "Co-operation"), an ampersand ("Procter & Gamble"), a
# slash ("Biel/Bienne"), the Japanese middle dot and double hyphen
# ("アル・マルジ"), invisible format characters, or nothing (two characters
# of Chinese). A comma, a full stop, a quote or a line break ends the name
# (so a name broken across lines of hard-wrapped text is read as two).
_JOINER = regex.compile(r"[ \t\u00a0\p{Cf}]*(?:[\p{Pd}&/\u30fb\u30a0][ \t\u00a0\p{Cf}]*)?")
# A name of ASCII letters, one space or hyphen between its words.
_PLAIN = regex.compile(r"[A-Za-z]+(?:[ \-][A-Za-z]+)*")
_DASH = regex.compile(r"\p{Pd}")
# The full stop of an initial or an abbreviation, then spaces.
_ABBREVIATED = regex.compile(r"\.[ \t\u00a0]+")
# What ends a sentence before a word: its punctuation, or a line break
# (headlines, captions and list items end without a full stop).
_SENTENCE_END = regex.compile(r"[.!?\u2026:;\u2022|]|\n")
# A full stop after a line's last word (and any closing quotes).
_FULL_STOP_AFTER = regex.compile(r"[\p{Pf}\p{Pe}'\"]*[.!?]")


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
        joined: Whether it follows the previous word with only spaces, a
            hyphen or an ampersand between them, so that both can be words
            of one name.
        possessive: Whether a possessive ending was left out ("Azerbaijan’s"),
            which ends a name not written as an alias ("Azerbaijan’s Defense").
        hyphened: Whether it is joined to the previous word by a hyphen or a
            dash ("Karabakh" of "Nagorno-Karabakh", "2" of "TB-2").
    """

    start: int
    end: int
    text: str
    key: str
    shape: Shape
    sentence_start: bool
    joined: bool
    possessive: bool
    hyphened: bool


def words(text: str) -> list[Word]:
    """Cut `text` into words (see `Word`), in text order.

    >>> [(w.text, w.shape.value, w.sentence_start) for w in words("In the Qadr region. Azerbaijan’s")]
    [('In', 'title', True), ('the', 'lower', False), ('Qadr', 'title', False), ('region', 'lower', False), \
('Azerbaijan', 'title', True)]
    """
    found: list[Word] = []
    previous_end = 0
    for match in _word_matches(text):
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
            sentence_start, joined = False, True
        elif _ABBREVIATED.fullmatch(gap) and (len(found[-1].text) == 1 or found[-1].key in abbreviations()):
            # "John F. Kirby", "St. Petersburg", "Mr. Putin": the full stop of
            # an initial or an abbreviation ends neither a sentence nor a name.
            sentence_start, joined = False, True
        else:
            sentence_start = _SENTENCE_END.search(gap) is not None
            joined = _JOINER.fullmatch(gap) is not None
        hyphened = joined and gap != " " and _DASH.search(gap) is not None
        found.append(Word(start, end, written, key, _shape(written), sentence_start, joined, possessive, hyphened))
        previous_end = match.end()
    return found


def _word_matches(text: str) -> Iterator[regex.Match[str]]:
    # `_WORD`'s matches, in the stretches between runs too long for a word.
    start = 0
    for run in _LONG_RUN.finditer(text):
        yield from _WORD.finditer(text, start, run.start())
        start = run.end()
    yield from _WORD.finditer(text, start)


def name_key(name: str) -> tuple[str, ...]:
    """The keys of a name's words, as `words` cuts them: what an alias is
    found by in a text.

    >>> name_key("Nagorno-Karabakh"), name_key("U.S."), name_key("北京")
    (('nagorno', 'karabakh'), ('us',), ('北', '京'))
    """
    if _PLAIN.fullmatch(name):  # most names: ASCII letters, spaces and hyphens, cut without the machinery
        return tuple(name.lower().replace("-", " ").split())
    return tuple(w.key for w in words(name))


@lru_cache(maxsize=1)
def text_data() -> dict[str, Any]:
    """data/text.toml: the words of running text that the scanner reads around names."""
    return tomllib.loads((resources.files("namenorm") / "data" / "text.toml").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def abbreviations() -> frozenset[str]:
    """Words whose full stop ends no sentence ("Mr.", "St."): `abbreviations`
    of data/text.toml, normalized."""
    return frozenset(normalize(word) for word in text_data()["abbreviations"])


@lru_cache(maxsize=1)
def never_names() -> frozenset[str]:
    """Words that are never a name, even with a capital: function words
    (sentence adverbs among them), number words, weekdays and months
    (data/text.toml), normalized."""
    data = text_data()
    return frozenset(normalize(w) for key in ("function_words", "number_words", "calendar_words") for w in data[key])


@lru_cache(maxsize=1)
def demonym_endings() -> tuple[str, ...]:
    """The endings that make a demonym of a place's name (data/text.toml)."""
    return tuple(text_data()["demonym_endings"])


def capital_lines(text: str, found: list[Word]) -> tuple[set[int], set[int]]:
    """The positions of the words of lines written in capitals: headlines
    ("Azerbaijan Threatens to Crush Armenia"), where a capital says nothing
    about a single word; and, among them, of lines too long for a headline
    (text in capitals), where it says nothing at all.

    A line counts if it has at least `HEADLINE_MIN_WORDS` words (function
    words and numbers left out), `HEADLINE_CAPITALS` of them capitalized; a
    headline ends without a full stop (a short line that has one is a
    sentence); a line of more than `HEADLINE_MAX_WORDS` is text in capitals.
    """
    never = never_names()
    breaks = [m.start() for m in regex.finditer("\n", text)]
    lines: dict[int, list[int]] = {}
    for i, word in enumerate(found):
        lines.setdefault(bisect.bisect(breaks, word.start), []).append(i)
    headline: set[int] = set()
    shouted: set[int] = set()
    for members in lines.values():
        counted = [found[i] for i in members if found[i].shape is not Shape.NUMBER and found[i].key not in never]
        capitals = sum(w.shape in (Shape.TITLE, Shape.UPPER) for w in counted)
        if len(counted) < _config.HEADLINE_MIN_WORDS or capitals < _config.HEADLINE_CAPITALS * len(counted):
            continue
        if len(counted) > _config.HEADLINE_MAX_WORDS:
            shouted.update(members)
            headline.update(members)
        elif not _FULL_STOP_AFTER.match(text, found[members[-1]].end):
            headline.update(members)
    return headline, shouted


@lru_cache(maxsize=_config.WORD_CACHE_SIZE)
def _key(word: str) -> str:
    # Cached: a text repeats its words, and normalize is the costly part of
    # cutting it. A word of ASCII letters and digits only normalizes to its
    # lower case.
    if word.isascii() and word.isalnum():
        return word.lower()
    return normalize(word).replace(" ", "")


@lru_cache(maxsize=_config.WORD_CACHE_SIZE)
def _shape(word: str) -> Shape:
    return shape(word)


def shape(word: str) -> Shape:
    """How `word` is written: lower case, capitalized, all capitals, in a
    script without capitals, or a number.

    >>> [shape(w).value for w in ("region", "Hadrut", "OSCE", "U.S.", "TB2", "هادروت", "1994")]
    ['lower', 'title', 'upper', 'upper', 'upper', 'uncased', 'number']
    """
    # Georgian is written without capitals, though Unicode files its letters as lower case.
    cased = [c for c in word if (c.isupper() or c.islower()) and not "\u10d0" <= c <= "\u10ff"]
    if not cased:
        return Shape.NUMBER if all(c.isdigit() or not c.isalnum() for c in word) else Shape.UNCASED
    if not cased[0].isupper():
        return Shape.LOWER
    if len(cased) > 1 and all(c.isupper() for c in cased):
        return Shape.UPPER
    return Shape.TITLE
