"""Stage 4: the candidate index, from sound-key grams to the names that have them.

A query is scored only against names that share at least half of its
sound-key bigrams, or the Metaphone key (jellyfish) of a word, so an
unrelated name costs nothing. The sound key already folds the letters
that romanizations swap (Hadrut / Gadrut / Khadrut), so a changed first letter
still shares the rest of its grams. A query in Arabic or Hebrew script, which
leaves vowels out, or transcribed through a syllabic script, which adds them
("sutokkuhorumu" for Stockholm), is looked up by its consonant skeleton as
well. When more names qualify than will be scored, those most alike in grams
and in spelling (Jaro-Winkler, from rapidfuzz) are kept.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import JaroWinkler

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
    """Names of entities, looked up by the sound-key grams they share with a query.

    Postings are numpy arrays of name positions, so counting the grams a
    query shares with every name is one `numpy.bincount`, not a loop in
    Python; the names that qualify are cut by Jaro-Winkler similarity
    computed in one batch by rapidfuzz.
    """

    __slots__ = ("entities", "names", "_postings", "_sizes", "_skeleton_sizes", "_romanized")

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
        self._postings = {gram: np.array(found, dtype=np.int32) for gram, found in postings.items()}
        self._sizes = np.array(sizes, dtype=np.float64)
        self._skeleton_sizes = np.array(skeleton_sizes, dtype=np.float64)
        self._romanized = [n.keys.romanized for n in names]

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
        found: list[np.ndarray] = []  # positions of names admitted
        alike: list[np.ndarray] = []  # and how alike: the Dice coefficient of the grams that admitted them
        query_grams = grams(query)
        lookups = [(query_grams, self._sizes)]
        if query.abjad or query.syllabic:
            lookups.append((skeleton_grams(query), self._skeleton_sizes))
        for some_grams, sizes in lookups:
            lists = [self._postings[g] for g in some_grams if g in self._postings]
            if not lists:
                continue
            shared = np.bincount(np.concatenate(lists))
            admitted = np.flatnonzero(shared >= min_shared * len(some_grams))
            found.append(admitted)
            # A long name shares many grams with anything, so counts alone favour it.
            alike.append(shared[admitted] / (len(some_grams) + sizes[admitted]))
        floor = math.ceil(min_shared * len(query_grams)) + 1
        for key in metaphones(query):
            # A shared Metaphone key admits a name on its own, as if it shared
            # just over the grams needed.
            if key in self._postings:
                having = self._postings[key]
                found.append(having)
                alike.append(floor / (len(query_grams) + self._sizes[having]))
        if not found:
            return []
        positions, alikeness = _best_of(np.concatenate(found), np.concatenate(alike))
        if len(positions) > limit:
            # Cheaper than scoring them all: rank by grams and by Jaro-Winkler (rapidfuzz, in one batch).
            spelling = process.cdist(
                [query.romanized], [self._romanized[i] for i in positions], scorer=JaroWinkler.normalized_similarity
            )[0]
            alikeness = _config.CANDIDATE_GRAMS_WEIGHT * alikeness + spelling
            # Most alike first, ties by position (lexsort sorts by the last key first).
            positions = np.sort(positions[np.lexsort((positions, -alikeness))[:limit]])
        return [self.names[i] for i in positions.tolist()]


def _best_of(positions: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each position once, in order, with the largest of its values."""
    order = np.lexsort((-values, positions))
    positions, values = positions[order], values[order]
    first = np.ones(len(positions), dtype=bool)
    first[1:] = positions[1:] != positions[:-1]
    return positions[first], values[first]
