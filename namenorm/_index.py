"""Stage 4: the candidate index, from sound-key grams to the names that have them.

A query is scored only against names that share at least half of its
sound-key bigrams, or the Metaphone key (jellyfish) of a word, so an
unrelated name costs nothing. The sound key already folds the letters
that romanizations swap (Hadrut / Gadrut / Khadrut), so a changed first letter
still shares the rest of its grams. A query in Arabic or Hebrew script, which
leaves vowels out, or transcribed through a syllabic script, which adds them
("sutokkuhorumu" for Stockholm), is looked up by its consonant skeleton as
well. When more names qualify than will be scored, cheap rejections come
first: those sharing the most grams, then those most alike by edit distances
that rapidfuzz computes in one batch, are kept for the expensive scores.
"""

from __future__ import annotations

import math
import multiprocessing
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process
from rapidfuzz.distance import JaroWinkler, Levenshtein

from . import _config
from ._keys import NameKeys, name_keys, units_skeleton
from ._model import Entity
from ._packed import PackedKeys, pack_keys


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


def spaced(keys: NameKeys) -> str:
    """The romanized words of a name, with spaces between them."""
    return " ".join(w.romanized for w in keys.words)


def is_acronym(text: str) -> bool:
    """Whether a name is an acronym ("OSCE", "США"): short, and all capitals.

    See `namenorm._config.ACRONYM_MAX_LETTERS`.
    """
    return text.isupper() and sum(c.isalnum() for c in text) <= _config.ACRONYM_MAX_LETTERS


@dataclass(frozen=True, slots=True)
class Cut:
    """How many of the names a query admits `Index.lookup` keeps for scoring.

    Attributes:
        min_shared: A name is admitted if it shares this share of the query's grams.
        limit: At most this many are kept: the most alike.
        preselect: They are chosen among at most this many, those sharing the most grams.
        min_alike: None is kept that is less alike than this (see
            `namenorm._config.CANDIDATE_GRAMS_WEIGHT`; at most 5).
        within: Nor any less alike than the most alike by more than this.
    """

    min_shared: float = _config.CANDIDATE_MIN_SHARED
    limit: int = _config.CANDIDATE_LIMIT
    preselect: int = _config.CANDIDATE_PRESELECT
    min_alike: float = 0.0
    within: float = math.inf


#: The cut for a span of running text (`namenorm.scan`), which needs only
#: the best few entities, and only if they are close; see the TEXT_
#: constants of `namenorm._config`.
TEXT_CUT = Cut(
    min_shared=_config.TEXT_MIN_SHARED,
    limit=_config.TEXT_CANDIDATE_NAMES,
    preselect=_config.TEXT_PRESELECT,
    min_alike=_config.TEXT_MIN_ALIKE,
    within=_config.TEXT_ALIKE_WITHIN,
)


@dataclass(frozen=True, slots=True)
class Parts:
    """What an index is made of, one item a name unless said otherwise: built
    by `Index`, or read from a compiled index (`namenorm._compiled`).

    `romanized`, `sounds` and `spaced` repeat fields of the packed keys as
    arrays, so that the cheap cut compares thousands of names without
    unpacking one.
    """

    entity_of: npt.NDArray[np.int32]  # the entity (position in Index.entities)
    texts: Sequence[str]
    keys: PackedKeys
    fuzzy: npt.NDArray[np.bool_]  # False for acronyms, which only match when spelled the same
    romanized: npt.NDArray[np.object_]
    sounds: npt.NDArray[np.object_]
    spaced: npt.NDArray[np.object_]  # the romanized words, with spaces
    postings: dict[str, npt.NDArray[np.int32]]  # gram -> positions of the names that have it
    sizes: npt.NDArray[np.float64]  # how many grams each name has
    skeleton_sizes: npt.NDArray[np.float64]  # and how many skeleton grams


class Index:
    """Names of entities, looked up by the sound-key grams they share with a query.

    Postings are numpy arrays of name positions, so counting the grams a
    query shares with every name is one `numpy.bincount`, not a loop in
    Python; the names that qualify are cut by edit distances computed in
    one batch by rapidfuzz. Built from entities here, or read from a compiled
    index (`namenorm._compiled`), whose name keys are decoded only when a
    query reaches them.
    """

    __slots__ = ("_romanized_names", "entities", "parts")

    def __init__(self, entities: Iterable[Entity]) -> None:
        self.entities: tuple[Entity, ...] = tuple(entities)
        named = [(position, text) for position, entity in enumerate(self.entities) for text in entity.names]
        size = _config.KEYING_CHUNK
        chunks = [[text for _, text in named[i : i + size]] for i in range(0, len(named), size)]
        processes = min(os.cpu_count() or 1, len(chunks))
        if len(named) < _config.PARALLEL_MIN_NAMES or processes == 1 or multiprocessing.current_process().daemon:
            keyed: Iterable[_Keyed] = map(_key_names, chunks)
            pool = None
        else:
            # Keying is most of the build: on every core, each chunk coming
            # back packed (bytes and arrays, cheap to send).
            pool = multiprocessing.Pool(processes)
            keyed = pool.imap(_key_names, chunks)
        entity_of: list[int] = []
        texts: list[str] = []
        packed: list[bytes] = []
        romanized: list[str] = []
        sounds: list[str] = []
        spaced: list[str] = []
        sizes: list[int] = []
        skeleton_sizes: list[int] = []
        postings: dict[str, list[npt.NDArray[np.int32]]] = {}
        try:
            for start, chunk in zip(range(0, len(named), size), keyed, strict=True):
                offset = len(texts)
                for i in chunk.kept:
                    entity_of.append(named[start + i][0])
                    texts.append(named[start + i][1])
                packed += chunk.packed
                romanized += chunk.romanized
                sounds += chunk.sounds
                spaced += chunk.spaced
                sizes += chunk.sizes
                skeleton_sizes += chunk.skeleton_sizes
                for gram, (begin, end) in chunk.spans.items():
                    postings.setdefault(gram, []).append(chunk.positions[begin:end] + offset)
        finally:
            if pool is not None:
                pool.terminate()
        self.parts = Parts(
            entity_of=np.array(entity_of, dtype=np.int32),
            texts=texts,
            keys=PackedKeys.of(packed),
            fuzzy=np.array([not is_acronym(t) for t in texts], dtype=bool),
            romanized=np.array(romanized, dtype=object),
            sounds=np.array(sounds, dtype=object),
            spaced=np.array(spaced, dtype=object),
            postings={gram: np.concatenate(found) for gram, found in postings.items()},
            sizes=np.array(sizes, dtype=np.float64),
            skeleton_sizes=np.array(skeleton_sizes, dtype=np.float64),
        )
        self._romanized_names: frozenset[str] | None = None

    @classmethod
    def from_parts(cls, entities: tuple[Entity, ...], parts: Parts) -> Index:
        """An index of `entities` made of `parts`, as a compiled index stores them."""
        index = cls.__new__(cls)
        index.entities = entities
        index.parts = parts
        index._romanized_names = None
        return index

    def __len__(self) -> int:
        """How many names the index holds."""
        return len(self.parts.texts)

    def name(self, position: int) -> IndexedName:
        """The name at `position`, with its keys."""
        return IndexedName(
            int(self.parts.entity_of[position]),
            self.parts.texts[position],
            self.parts.keys[position],
            bool(self.parts.fuzzy[position]),
        )

    def romanized_names(self) -> frozenset[str]:
        """Every name, romanized (`NameKeys.romanized`): made on first use, once."""
        if self._romanized_names is None:
            # Two threads may both make it; either result is the same.
            self._romanized_names = frozenset(self.parts.romanized)
        return self._romanized_names

    def lookup(self, query: NameKeys, cut: Cut = Cut()) -> list[IndexedName]:
        """The names that share at least `cut.min_shared` of the query's grams,
        or a word's Metaphone key, in index order: at most `cut.limit` of
        them, the most alike (Dice coefficient of grams, plus similarities of
        spelling and sound), chosen among the `cut.preselect` that share the
        most grams, and none less alike than `cut.min_alike` or than the most
        alike less `cut.within`.

        A query written without short vowels (Arabic or Hebrew script) or
        with vowels its name lacks (`NameKeys.syllabic`) is looked up by its
        consonant skeleton too (`skeleton_grams`).
        """
        # How alike each name is: the Dice coefficient of the grams that
        # admitted it (0: not admitted); dense, as a query admits thousands.
        best = np.zeros(len(self), dtype=np.float64)
        query_grams = grams(query)
        lookups = [(query_grams, self.parts.sizes)]
        if query.abjad or query.syllabic:
            lookups.append((skeleton_grams(query), self.parts.skeleton_sizes))
        for some_grams, sizes in lookups:
            lists = [self.parts.postings[g] for g in some_grams if g in self.parts.postings]
            if not lists:
                continue
            shared = np.bincount(np.concatenate(lists))
            admitted = np.flatnonzero(shared >= cut.min_shared * len(some_grams))
            # A long name shares many grams with anything, so counts alone favour it.
            _raise(best, admitted, shared[admitted] / (len(some_grams) + sizes[admitted]))
        floor = math.ceil(cut.min_shared * len(query_grams)) + 1
        for key in metaphones(query):
            # A shared Metaphone key admits a name on its own, as if it shared
            # just over the grams needed.
            if key in self.parts.postings:
                having = self.parts.postings[key]
                _raise(best, having, floor / (len(query_grams) + self.parts.sizes[having]))
        positions = np.flatnonzero(best)
        alikeness = best[positions]
        if len(positions) > cut.preselect:
            # Too many to compare even cheaply (a short query, a huge gazetteer): those sharing most grams first.
            positions, alikeness = _most_alike(positions, alikeness, cut.preselect)
        if len(positions) > cut.limit or (cut.min_alike or cut.within < math.inf) and len(positions):
            # Cheaper than scoring them all: rank by grams, and by spelling and
            # sound as edit distances see them (rapidfuzz, in one batch each).
            alikeness = _config.CANDIDATE_GRAMS_WEIGHT * alikeness
            # The token set ratio (0 to 100) sees a name that is part of the
            # other, or the same words in another order ("Municipio da Praia"
            # / "Praia"), which spellings compared whole miss.
            romanized = self.parts.romanized[positions]
            for scorer, asked, keys, scale in (
                (JaroWinkler.normalized_similarity, query.romanized, romanized, 1.0),
                (Levenshtein.normalized_similarity, query.romanized, romanized, 1.0),
                (Levenshtein.normalized_similarity, query.sound, self.parts.sounds[positions], 1.0),
                (fuzz.token_set_ratio, spaced(query), self.parts.spaced[positions], 0.01),
            ):
                alikeness += scale * process.cdist([asked], keys, scorer=scorer)[0]
            if cut.min_alike or cut.within < math.inf:
                lowest = max(cut.min_alike, alikeness.max(initial=0.0) - cut.within)
                alike = alikeness >= lowest
                positions, alikeness = positions[alike], alikeness[alike]
            if len(positions) > cut.limit:
                positions, alikeness = _most_alike(positions, alikeness, cut.limit)
        return [self.name(i) for i in positions.tolist()]


@dataclass(frozen=True, slots=True)
class _Keyed:
    """A chunk of names keyed: those with words (`kept`, positions in the
    chunk), their packed keys and gram counts, and the chunk's postings (each
    gram's run of `positions`, which count kept names only)."""

    kept: list[int]
    packed: list[bytes]
    romanized: list[str]
    sounds: list[str]
    spaced: list[str]
    sizes: list[int]
    skeleton_sizes: list[int]
    spans: dict[str, tuple[int, int]]
    positions: npt.NDArray[np.int32]


def _key_names(texts: list[str]) -> _Keyed:
    # Filled name by name; the postings are added at the end.
    keyed = _Keyed([], [], [], [], [], [], [], {}, np.zeros(0, dtype=np.int32))
    postings: dict[str, list[int]] = {}
    for i, text in enumerate(texts):
        keys = name_keys(text)
        if not keys.words:
            continue
        name_grams, name_skeleton = grams(keys), skeleton_grams(keys)
        for gram in name_grams | name_skeleton | metaphones(keys):
            postings.setdefault(gram, []).append(len(keyed.kept))
        keyed.kept.append(i)
        keyed.packed.append(pack_keys(keys))
        keyed.romanized.append(keys.romanized)
        keyed.sounds.append(keys.sound)
        keyed.spaced.append(spaced(keys))
        keyed.sizes.append(len(name_grams))
        keyed.skeleton_sizes.append(len(name_skeleton))
    ends = np.cumsum([len(found) for found in postings.values()]).tolist()
    spans = {gram: (end - len(found), end) for (gram, found), end in zip(postings.items(), ends, strict=True)}
    positions = np.array([i for found in postings.values() for i in found], dtype=np.int32)
    return replace(keyed, spans=spans, positions=positions)


def _raise(best: npt.NDArray[np.float64], positions: npt.NDArray[Any], values: npt.NDArray[np.float64]) -> None:
    """Raise `best` at `positions` (each once) to `values` where they are larger."""
    best[positions] = np.maximum(best[positions], values)


def _most_alike(
    positions: npt.NDArray[Any], values: npt.NDArray[np.float64], count: int
) -> tuple[npt.NDArray[Any], npt.NDArray[np.float64]]:
    """The `count` positions of largest value, ties to the first; `positions`
    ascending, as they come back. A partition, not a sort: linear time."""
    threshold = np.partition(values, len(values) - count)[len(values) - count]
    above = np.flatnonzero(values > threshold)
    tied = np.flatnonzero(values == threshold)[: count - len(above)]
    keep = np.sort(np.concatenate([above, tied]))
    return positions[keep], values[keep]
