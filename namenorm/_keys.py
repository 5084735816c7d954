"""Stage 3: keys that survive the ways scripts and translations respell a name.

`sound_units` splits a romanized name into units of one sound each, with the
classes of sounds that romanizations and translations confuse:

    labials       p b f v ph (w)                 -> P
    dentals       t d th dh                      -> T
    velars        k g q c h kh gh ck (x, ch, j)  -> K
    sibilants     s z c(e/i/y) ts dz sh zh dzh (j, ch, x, c, q, soft g) -> S
    l m n r       kept                           -> L M N R
    vowels        a e i o u y (w, j, h)          -> a

A spelling in brackets also belongs to another class ("ch" is s in English,
k in German). `sound_key` keeps one letter per class and one "a" per run of
vowels, so "Hadrut", "Gadrut", "Khadrut" all read "KaTRaT" and "Bashinian"
and "Pashinyan" both read "PaSaNaN"; `skeleton_key` drops the vowels too.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import lru_cache

import jellyfish
import regex

from ._core import alternatives, generic_span, normalize, romanize

_ABJAD = regex.compile(r"[\p{Script=Arabic}\p{Script=Hebrew}]")
# A word of open syllables: consonant (or none), one or two vowels, n or ng at most.
_OPEN_SYLLABLES = regex.compile(
    r"(?:(?:[kgsztdnhbpmrwyfjclqx]|sh|ch|ts|zh|[kgnhbpmr]y|kk|tt|pp|ss|jj|tch)?[aeiou]{1,2}(?:ng|n)?)+"
)

#: The class of every vowel (a e i o u y) in sound keys and units.
VOWEL = "a"

# A sound unit is one letter or one of these spellings of a single sound.
_UNIT = regex.compile(r"tsch|dzh|sch|tch|kh|gh|ck|ph|th|dh|sh|ch|zh|ts|tz|dz|dj|.")
# A unit's classes: the first is its own (used in sound keys); any further
# class is another sound the spelling has in some language: "ch" is K in
# German and Italian, "w" a vowel in Welsh and in Persian romanizations, "j" the
# y of German and Slavic spellings (and kh in Spanish), "x" is ks, "c" is ts
# in Slavic, Hungarian and pinyin spellings ("Macuura" for Matsuura, "Lu-cou"
# for Luzhou), "q" the ch of pinyin (Qiqihar, "Tsitsihar"), and "h" is mute in
# Romance spellings ("awanta" for Huanta).
_CLASS_OF: dict[str, str] = {
    **dict.fromkeys(["p", "b", "f", "v", "ph"], "P"),
    "w": "P" + VOWEL,
    **dict.fromkeys(["t", "d", "th", "dh"], "T"),
    **dict.fromkeys(["k", "g", "kh", "gh", "ck"], "K"),
    "h": "K" + VOWEL,
    "q": "KS",
    "c": "KS",
    "x": "KS",
    **dict.fromkeys(["s", "z", "sh", "zh", "ts", "tz", "dz", "dj", "sch", "tch", "tsch", "dzh"], "S"),
    "ch": "SK",
    "j": "S" + VOWEL + "K",
    **dict.fromkeys(["a", "e", "i", "o", "u", "y"], VOWEL),
}
# Before these, c is s ("Nice") and g may be j ("Georgia").
_SOFT_BEFORE = frozenset("eiy")
_SOFT = {"c": "S", "g": "KS"}
# Spellings of one sound that swap freely: compared as the same unit.
_SAME_SOUND = {"ck": "k", "ph": "f"}
_REPEATS = regex.compile(r"(.)\1+")


def sound_units(romanized: str) -> tuple[tuple[str, str], ...]:
    """Split a romanized name into sound units, each with its sound classes.

    A unit is a letter or a spelling of one sound ("kh", "sh", "dzh"); doubled
    letters count once. Spaces are ignored. The classes are a string: the
    unit's own class first, then any other it can stand for ("ch": "SK").

    >>> sound_units("farrukh")
    (('f', 'P'), ('a', 'a'), ('r', 'r'), ('u', 'a'), ('kh', 'K'))
    """
    compact = romanized.replace(" ", "")
    word_ends = set(itertools.accumulate(len(w) for w in romanized.split()))
    units: list[tuple[str, str]] = []
    for m in _UNIT.finditer(compact):
        spelling = m.group(0)
        sound = _CLASS_OF.get(spelling, spelling)
        if spelling in _SOFT and compact[m.end() : m.end() + 1] in _SOFT_BEFORE:
            sound = _SOFT[spelling]
        elif spelling == "h" and m.end() in word_ends and units and units[-1][1] == VOWEL:
            # A final h after a vowel is mute ("Makkah", "Diwaniyah"): it weighs as a vowel.
            sound = VOWEL + "K"
        spelling = _SAME_SOUND.get(spelling, spelling)
        if spelling == "c":
            spelling = "s" if sound == "S" else "k"
        if not units or units[-1][0] != spelling:
            units.append((spelling, sound))
    return tuple(units)


@lru_cache(maxsize=1)
def unit_alternatives() -> frozenset[tuple[str, str]]:
    """The spellings of one sound that romanizations swap (see
    `namenorm._core.alternatives`), as sound units, both ways round.

    Raises:
        ValueError: If a romanization or alternative is not one sound unit.
    """
    pairs: set[tuple[str, str]] = set()
    for primary, other in alternatives():
        units = sound_units(primary), sound_units(other)
        if any(len(u) != 1 for u in units):
            raise ValueError(f"alternative romanization {primary!r} / {other!r}: each must be one sound unit")
        a, b = units[0][0][0], units[1][0][0]
        if a != b:
            pairs.update([(a, b), (b, a)])
    return frozenset(pairs)


def sound_key(romanized: str) -> str:
    """The sound-class key of a romanized word or name (spaces are ignored).

    Args:
        romanized: Lowercase ASCII, as `namenorm.transliterate` returns.

    Returns:
        One capital letter per consonant class (P T K S, and L M N R as
        themselves) and ``a`` per run of vowels; repeated classes collapse.
        Digits are kept.

    >>> sound_key("hadrut"), sound_key("gadrut"), sound_key("qadr")
    ('KaTRaT', 'KaTRaT', 'KaTR')
    >>> sound_key("bashinian") == sound_key("pashinyan")
    True
    """
    return _key_of(sound_units(romanized))


def _key_of(units: tuple[tuple[str, str], ...]) -> str:
    classes = "".join(sound[0].upper() if sound[0] != VOWEL else VOWEL for _, sound in units)
    return _REPEATS.sub(r"\1", classes)


def skeleton_key(romanized: str) -> str:
    """The consonant skeleton: `sound_key` without its vowels.

    >>> skeleton_key("hadrut"), skeleton_key("hdrwt")
    ('KTRT', 'KTRPT')
    """
    return units_skeleton(sound_units(romanized))


def units_skeleton(units: tuple[tuple[str, str], ...], *, waw_is_vowel: bool = False) -> str:
    """The consonant skeleton of sound units: one capital per consonant class,
    repeats collapsed. With `waw_is_vowel`, w counts as the vowel it writes in
    Arabic and Hebrew script and is left out too.

    >>> units_skeleton(sound_units("twnk")), units_skeleton(sound_units("twnk"), waw_is_vowel=True)
    ('TPNK', 'TNK')
    """
    consonants = [
        sound[0].upper() for spelling, sound in units if sound[0] != VOWEL and not (waw_is_vowel and spelling == "w")
    ]
    return "".join(c for i, c in enumerate(consonants) if not i or consonants[i - 1] != c)


@dataclass(frozen=True, slots=True)
class WordKeys:
    """One word of a name in each of the forms it is compared in."""

    normalized: str
    romanized: str
    sound: str
    units: tuple[tuple[str, str], ...]
    metaphone: str  # jellyfish's Metaphone of the romanized word
    optional: bool = False  # an article, "city of" or "district": a place's name may go without


@dataclass(frozen=True, slots=True)
class NameKeys:
    """A name prepared for comparison: its words and their joined forms.

    Attributes:
        normalized: The whole normalized name, generic words included.
        words: The words that name the entity (titles set aside; articles and
            words for kinds of place kept, marked optional).
        romanized: The romanized words joined without spaces.
        sound: The sound key of `romanized`.
        units: The sound units of `romanized` (see `sound_units`).
        abjad: Whether the name is written in Arabic or Hebrew script, which
            leave short vowels out.
        syllabic: Whether the name looks transcribed through a syllabic
            script (Japanese, Korean, Chinese), which adds vowels the name
            lacks and has one of r and l: lowercase, as such transcriptions
            are written, at least five letters, and every word a run of open
            syllables ("bureisuburijji" for Bracebridge, "ao si lu" for Oslo).
    """

    normalized: str
    words: tuple[WordKeys, ...]
    romanized: str
    sound: str
    units: tuple[tuple[str, str], ...]
    abjad: bool  # written in a script without short vowels (Arabic, Hebrew)
    syllabic: bool  # a transcription through a syllabic script: "bureisuburijji"

    @property
    def compact(self) -> str:
        """The normalized words joined without spaces."""
        return "".join(w.normalized for w in self.words)

    @property
    def core(self) -> str:
        """The romanized words joined without spaces, optional words left out."""
        return "".join(w.romanized for w in self.words if not w.optional)


def name_keys(text: str) -> NameKeys:
    """Normalize, strip generic words, transliterate and key a name.

    Args:
        text: Any string.

    Returns:
        Its `NameKeys`; a name with no letters or digits has no words.

    >>> k = name_keys("Prime Minister Nicole Bashinian")
    >>> [w.romanized for w in k.words], k.sound
    (['nicole', 'bashinian'], 'NaKaLaPaSaNaN')
    """
    normalized = normalize(text)
    split = normalized.split()
    forms = [_word_forms(word) for word in split]
    start, core_start, core_end = generic_span([romanized for romanized, *_ in forms])
    words = tuple(
        WordKeys(word, romanized, sound, units, metaphone, not core_start <= position < core_end)
        for position, (word, (romanized, sound, units, metaphone)) in enumerate(zip(split, forms))
        if position >= start and romanized
    )
    # The whole name's units, with the word ends known (a mute h ends a word).
    if len(words) == 1:
        units, sound = words[0].units, words[0].sound
    else:
        units = sound_units(" ".join(w.romanized for w in words))
        sound = _key_of(units)
    abjad = bool(_ABJAD.search(normalized))
    syllabic = text.islower() and len(normalized) >= 5 and all(_OPEN_SYLLABLES.fullmatch(w) for w in split)
    return NameKeys(normalized, words, "".join(w.romanized for w in words), sound, units, abjad, syllabic)


@lru_cache(maxsize=1 << 18)
def _word_forms(word: str) -> tuple[str, str, tuple[tuple[str, str], ...], str]:
    # A normalized word's romanization, sound key, sound units and Metaphone.
    # Cached: words recur across the names of a gazetteer ("San", "de",
    # a city's name in the many languages that spell it alike).
    romanized = romanize(word).replace(" ", "")
    units = sound_units(romanized)
    return romanized, _key_of(units), units, jellyfish.metaphone(romanized)
