"""Stage 5a: similarities between words, each a float in [0, 1].

Edit distances come from jellyfish; this module only decides which forms of a
word are compared and how the distances become one similarity.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal, NamedTuple

import jellyfish

from . import _config
from ._core import equivalent
from ._keys import VOWEL, NameKeys, WordKeys, name_keys, unit_alternatives
from ._weights import Weights

#: How two words were found alike, strongest first.
WordMethod = Literal["normalized", "transliterated", "translated", "phonetic", "fuzzy"]


def ratio(a: str, b: str) -> float:
    """1 minus the Damerau-Levenshtein distance over the longer length.

    >>> ratio("kinrut", "hadrut")
    0.5
    """
    longest = max(len(a), len(b))
    if longest == 0:
        return 1.0
    return 1.0 - jellyfish.damerau_levenshtein_distance(a, b) / longest


Units = tuple[tuple[str, str], ...]


class Reading(NamedTuple):
    """How the two sides of a comparison are written: each without short
    vowels (Arabic, Hebrew script), and the first transcribed through a
    syllabic script (see `NameKeys.abjad` and `NameKeys.syllabic`)."""

    a_abjad: bool = False
    b_abjad: bool = False
    a_syllabic: bool = False

    @classmethod
    def of(cls, a: NameKeys, b: NameKeys) -> Reading:
        """The reading of name `a` compared with name `b`."""
        return cls(a.abjad, b.abjad, a.syllabic)


def phonetic_distance(
    a: Units,
    b: Units,
    *,
    same_class_cost: float = _config.SAME_CLASS_COST,
    a_vowel_cost: float = _config.VOWEL_INDEL_COST,
    b_vowel_cost: float = _config.VOWEL_INDEL_COST,
    a_abjad: bool = False,
    b_abjad: bool = False,
    a_syllabic: bool = False,
) -> float:
    """Edit distance between two sequences of sound units, weighted by sound.

    Substituting a unit that shares a sound class (b/p, k/kh/g/h, s/ts/sh, a
    vowel for a vowel; see `sound_units`) costs `same_class_cost`; one
    romanization of a letter for another (`unit_alternatives`) costs
    `ALTERNATIVE_COST`; deleting a vowel of `a` costs `a_vowel_cost`,
    inserting one of `b` `b_vowel_cost` (lower where the other name is written
    without short vowels); any other edit costs 1. In a name written without
    short vowels (`a_abjad`, `b_abjad`) and compared with one that has them,
    w (waw) and i (ya) agree with the vowels they write (`NEAR_VOWEL_COST`)
    and little with others (`FAR_VOWEL_COST`). In a name transcribed through a
    syllabic script (`a_syllabic`), r and l swap at `ALTERNATIVE_COST`. No
    library offers edit distance with per-pair substitution costs, hence this
    small dynamic program.
    """
    a_cost = _costs(a, a_vowel_cost)
    b_cost = _costs(b, b_vowel_cost)
    # What substituting costs, by the kind of pair (`_pair_kind`).
    costs = (0.0, _config.ALTERNATIVE_COST, same_class_cost, 1.0)
    a_letters = _VOWEL_LETTERS if a_abjad and not b_abjad else {}
    b_reads = [_VOWEL_LETTERS.get(y[0]) if b_abjad and not a_abjad else None for y in b]
    special = bool(a_letters) or any(b_reads) or a_syllabic
    previous = [0.0]
    for cost in b_cost:
        previous.append(previous[-1] + cost)
    for x, x_cost in zip(a, a_cost):
        kinds = [_pair_kind(x, y) for y in b]
        row = [costs[kind] for kind in kinds]
        if special:
            row = [
                cost if kind < 2 else _special_cost(x, y, y_reads, a_letters, a_syllabic, cost)
                for y, y_reads, kind, cost in zip(b, b_reads, kinds, row)
            ]
        current = [previous[0] + x_cost]
        for j, substitute in enumerate(row):
            # min() of three, written out: this loop is most of a query's time.
            s = previous[j] + substitute
            d = previous[j + 1] + x_cost
            i = current[j] + b_cost[j]
            current.append((s if s <= i else i) if s <= d else (d if d <= i else i))  # noqa: FURB136
        previous = current
    return previous[-1]


@lru_cache(maxsize=1 << 14)
def _pair_kind(x: tuple[str, str], y: tuple[str, str]) -> int:
    # 0: one spelling; 1: another romanization of it (`unit_alternatives`);
    # 2: sounds of one class (or classes that share one); 3: anything else.
    # Cached: the units are few, and their pairs recur in every query.
    (x_spelling, x_class), (y_spelling, y_class) = x, y
    if x_spelling == y_spelling:
        return 0
    if (x_spelling, y_spelling) in unit_alternatives():
        return 1
    if x_class == y_class or (len(x_class) + len(y_class) > 2 and not set(x_class).isdisjoint(y_class)):
        return 2
    return 3


def _special_cost(
    x: tuple[str, str],
    y: tuple[str, str],
    y_reads: str | None,
    a_letters: dict[str, str],
    a_syllabic: bool,
    cost: float,
) -> float:
    # Substitutions that depend on how the names are written: waw and ya
    # read as vowels in a name without short vowels, and r for l in a
    # syllabic transcription. Not asked of one spelling or its other
    # romanizations (kinds 0 and 1), which come first.
    (x_spelling, x_class), (y_spelling, y_class) = x, y
    x_reads = a_letters.get(x_spelling)
    if x_reads is not None and y_class[0] == VOWEL:
        return _config.NEAR_VOWEL_COST if y_spelling in x_reads else _config.FAR_VOWEL_COST
    if y_reads is not None and x_class[0] == VOWEL:
        return _config.NEAR_VOWEL_COST if x_spelling in y_reads else _config.FAR_VOWEL_COST
    if a_syllabic and {x_spelling, y_spelling} == {"r", "l"}:
        return _config.ALTERNATIVE_COST
    return cost


# The vowels that waw (w) and ya (i) write in a name without short vowels.
_VOWEL_LETTERS = {"w": "ou", "i": "iey"}


def _costs(units: Units, vowel_cost: float) -> list[float]:
    # What inserting or deleting each unit costs.
    return [vowel_cost if u[1][0] == VOWEL else 1.0 for u in units]


@lru_cache(maxsize=1 << 16)
def units_similarity(a: Units, b: Units, weights: Weights, reading: Reading = Reading()) -> float:
    """Similarity in [0, 1] of two sequences of sound units (`phonetic_distance`
    over the costlier of the two), written as `reading` says. A name written
    without short vowels (`reading.a_abjad`) lacks vowels of the other:
    inserting those is cheap, and the other way round. A name transcribed
    through a syllabic script (`reading.a_syllabic`) has vowels the other
    lacks: deleting those costs `epenthetic_vowel_cost`. Cached: the same word
    pairs recur across a name's aliases and across queries."""
    a_abjad, b_abjad, a_syllabic = reading
    a_vowel = weights.abjad_vowel_indel_cost if b_abjad else weights.vowel_indel_cost
    if a_syllabic:
        a_vowel = weights.epenthetic_vowel_cost
    b_vowel = weights.abjad_vowel_indel_cost if a_abjad else weights.vowel_indel_cost
    longest = max(sum(_costs(a, a_vowel)), sum(_costs(b, b_vowel)))
    if longest == 0:
        return 1.0
    distance = phonetic_distance(
        a,
        b,
        same_class_cost=weights.same_class_cost,
        a_vowel_cost=a_vowel,
        b_vowel_cost=b_vowel,
        a_abjad=a_abjad,
        b_abjad=b_abjad,
        a_syllabic=a_syllabic,
    )
    return max(0.0, 1.0 - distance / longest)


def forms_similarity(
    a_romanized: str,
    a_units: Units,
    b_romanized: str,
    b_units: Units,
    weights: Weights,
    reading: Reading = Reading(),
) -> tuple[float, WordMethod]:
    """The better of spelling and phonetic similarity of two romanized forms,
    written as `reading` says."""
    spelling = ratio(a_romanized, b_romanized)
    sound = units_similarity(a_units, b_units, weights, reading)
    if sound > spelling:
        return sound, "phonetic"
    return spelling, "fuzzy"


def word_similarity(
    a: WordKeys, b: WordKeys, weights: Weights, reading: Reading = Reading(), *, translated: bool = True
) -> tuple[float, WordMethod]:
    """How alike two words are, and by which of their forms.

    1.0 for the same normalized word; `TRANSLITERATED_SIMILARITY` for the same
    romanization; if `translated`, `EQUIVALENT_WORD_SIMILARITY` for words that
    translate each other ("vostochny", "east": see
    `namenorm._core.equivalent`); otherwise the better of the spelling
    ratio and the phonetic similarity of the romanizations.
    """
    if a.normalized == b.normalized:
        return 1.0, "normalized"
    if a.romanized == b.romanized:
        return _config.TRANSLITERATED_SIMILARITY, "transliterated"
    english = equivalent(a.romanized) if translated else None
    if english is not None and english == equivalent(b.romanized):
        return _config.EQUIVALENT_WORD_SIMILARITY, "translated"
    return forms_similarity(a.romanized, a.units, b.romanized, b.units, weights, reading)


def text_similarity(a: str, b: str) -> float:
    """Spelling similarity of two names after normalization and transliteration.

    Symmetric, in [0, 1], and 1 for names that normalize alike.

    >>> text_similarity("Пашинян", "Pashinyan")
    1.0
    """
    return ratio(name_keys(a).romanized, name_keys(b).romanized)


def phonetic_similarity(a: str, b: str, *, weights: Weights = Weights()) -> float:
    """Sound-weighted similarity of two names after transliteration.

    1 minus `phonetic_distance` over the larger name's weight (a consonant
    weighs 1, a vowel `vowel_indel_cost`). Symmetric, in [0, 1], and 1 for
    names that romanize alike.

    >>> round(phonetic_similarity("Ksabart", "Khtsaberd"), 2)
    0.79
    """
    ka, kb = name_keys(a), name_keys(b)
    # Symmetric: a syllabic reading would favour one side.
    return units_similarity(ka.units, kb.units, weights, Reading(ka.abjad, kb.abjad))
