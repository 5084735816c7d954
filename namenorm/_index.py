"""Stage 4: the candidate index, from sound-key grams to the names that have them.

A query is scored only against names that share at least half of its
sound-key bigrams, or the Metaphone key (jellyfish) of a word, so an
unrelated name costs nothing. The sound key already folds the letters
that romanizations swap (Hadrut / Gadrut / Khadrut), so a changed first letter
still shares the rest of its grams. A query in Arabic or Hebrew script, which
leaves vowels out, or transcribed through a syllabic script, which adds them
("sutokkuhorumu" for Stockholm), is looked up by its consonant skeleton as
well. When more names qualify than will be scored, those most alike in grams
and in spelling (Jaro-Winkler, from jellyfish) are kept.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import jellyfish

from . import _config
from ._keys import NameKeys, name_keys, units_skeleton
from ._model import Entity


@dataclass(frozen=True, slots=True)
class IndexedName:
    """One name (canonical or alias) of an entity, prepared for scoring."""

    entity: int  # position in Index.entities
    text: str
    keys: NameKeys
    fuzzy: bool  # False for acronyms, which only match when spelled the same


def grams(keys: NameKeys) -> set[str]:
    """The bigrams of each word's sound key, with word boundaries, and of the joined key."""
    found: set[str] = set()
    for sound in [*(f"^{w.sound}$" for w in keys.words), keys.sound]:
        found.update(sound[i : i + 2] for i in range(len(sound) - 1))
    return found


def skeleton_grams(keys: NameKeys) -> set[str]:
    """The bigrams of each word's consonant skeleton, with word boundaries, and
    of the joined skeleton; marked with "#" apart from `grams`.

    Arabic and Hebrew script leave short vowels out and write long ones with
    waw (w) and ya (i): in a name so written, w is read both as a consonant
    and as a vowel, so that "twnk" (ټونک) shares T-N-K with "Tonk" and "krw"
    (کرو) K-R-P with "Crewe".
    """
    found: set[str] = set()
    for waw_is_vowel in {False, keys.abjad}:
        words = [units_skeleton(w.units, waw_is_vowel=waw_is_vowel) for w in keys.words]
        for skeleton in [*(f"^{w}$" for w in words), "".join(words)]:
            found.update("#" + skeleton[i : i + 2] for i in range(len(skeleton) - 1))
    return found


def metaphones(keys: NameKeys) -> set[str]:
    """The Metaphone keys of a name's words, as postings keys; one-letter keys say too little."""
    return {"=" + w.metaphone for w in keys.words if len(w.metaphone) > 1}


def is_acronym(text: str) -> bool:
    """Whether a name is an acronym ("OSCE", "США"): short, and all capitals.

    See `namenorm._config.ACRONYM_MAX_LETTERS`.
    """
    letters = [c for c in text if c.isalnum()]
    return len(letters) <= _config.ACRONYM_MAX_LETTERS and text.isupper()


class Index:
    """Names of entities, looked up by the sound-key grams they share with a query."""

    __slots__ = ("entities", "names", "_postings", "_sizes", "_skeleton_sizes")

    def __init__(self, entities: Iterable[Entity]) -> None:
        self.entities: tuple[Entity, ...] = tuple(entities)
        names: list[IndexedName] = []
        postings: dict[str, list[int]] = {}
        sizes: list[int] = []
        skeleton_sizes: list[int] = []
        for position, entity in enumerate(self.entities):
            for text in entity.names:
                keys = name_keys(text)
                if not keys.words:
                    continue
                name_grams = grams(keys)
                name_skeleton = skeleton_grams(keys)
                for gram in name_grams | name_skeleton | metaphones(keys):
                    postings.setdefault(gram, []).append(len(names))
                sizes.append(len(name_grams))
                skeleton_sizes.append(len(name_skeleton))
                names.append(IndexedName(position, text, keys, not is_acronym(text)))
        self.names: tuple[IndexedName, ...] = tuple(names)
        self._postings = postings
        self._sizes = sizes
        self._skeleton_sizes = skeleton_sizes

    def lookup(
        self,
        query: NameKeys,
        *,
        min_shared: float = _config.CANDIDATE_MIN_SHARED,
        limit: int = _config.CANDIDATE_LIMIT,
    ) -> list[IndexedName]:
        """The names that share at least `min_shared` of the query's grams, or a
        word's Metaphone key; at most `limit` of them, those most alike first
        (Dice coefficient of grams, plus Jaro-Winkler similarity of spelling).

        A query written without short vowels (Arabic or Hebrew script) or
        with vowels its name lacks (`NameKeys.syllabic`) is looked up by its
        consonant skeleton too (`skeleton_grams`).
        """
        alike: dict[int, float] = {}  # name -> how alike: the Dice coefficient of the grams that admitted it
        lookups = [(grams(query), self._sizes)]
        if query.abjad or query.syllabic:
            lookups.append((skeleton_grams(query), self._skeleton_sizes))
        for query_grams, sizes in lookups:
            shared: Counter[int] = Counter()
            for gram in query_grams:
                shared.update(self._postings.get(gram, ()))
            needed = min_shared * len(query_grams)
            for i, count in shared.items():
                if count >= needed:
                    # A long name shares many grams with anything, so counts alone favour it.
                    alike[i] = max(alike.get(i, 0.0), count / (len(query_grams) + sizes[i]))
        size = len(lookups[0][0])
        floor = math.ceil(min_shared * size) + 1
        for key in metaphones(query):
            # A shared Metaphone key admits a name on its own, as if it shared
            # just over the grams needed.
            for i in self._postings.get(key, ()):
                alike[i] = max(alike.get(i, 0.0), floor / (size + self._sizes[i]))
        if len(alike) > limit:
            # Cheaper than scoring them all: rank by grams and by Jaro-Winkler (jellyfish).
            for i in alike:
                alike[i] = _config.CANDIDATE_GRAMS_WEIGHT * alike[i] + jellyfish.jaro_winkler_similarity(
                    query.romanized, self.names[i].keys.romanized
                )
        hits = sorted(alike, key=lambda i: (-alike[i], i))[:limit]
        return [self.names[i] for i in sorted(hits)]
