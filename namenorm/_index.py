"""Stage 4: the candidate index, from sound-key grams to the names that have them.

A query is scored only against names that share at least half of its
sound-key bigrams, or the Metaphone key (jellyfish) of a word, so an
unrelated name costs nothing. The sound key already folds the letters
that romanizations swap (Hadrut / Gadrut / Khadrut), so a changed first letter
still shares the rest of its grams.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from . import _config
from ._keys import NameKeys, name_keys
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

    __slots__ = ("entities", "names", "_postings", "_sizes")

    def __init__(self, entities: Iterable[Entity]) -> None:
        self.entities: tuple[Entity, ...] = tuple(entities)
        names: list[IndexedName] = []
        postings: dict[str, list[int]] = {}
        sizes: list[int] = []
        for position, entity in enumerate(self.entities):
            for text in entity.names:
                keys = name_keys(text)
                if not keys.words:
                    continue
                name_grams = grams(keys)
                for gram in name_grams | metaphones(keys):
                    postings.setdefault(gram, []).append(len(names))
                sizes.append(len(name_grams))
                names.append(IndexedName(position, text, keys, not is_acronym(text)))
        self.names: tuple[IndexedName, ...] = tuple(names)
        self._postings = postings
        self._sizes = sizes

    def lookup(
        self,
        query: NameKeys,
        *,
        min_shared: float = _config.CANDIDATE_MIN_SHARED,
        limit: int = _config.CANDIDATE_LIMIT,
    ) -> list[IndexedName]:
        """The names that share at least `min_shared` of the query's grams, or a
        word's Metaphone key; at most `limit` of them, those that share most first."""
        query_grams = grams(query)
        shared: Counter[int] = Counter()
        for gram in query_grams:
            shared.update(self._postings.get(gram, ()))
        needed = min_shared * len(query_grams)
        for key in metaphones(query):
            # A shared Metaphone key admits a name on its own.
            for i in self._postings.get(key, ()):
                shared[i] = max(shared[i], math.ceil(needed)) + 1
        hits = [i for i, count in shared.items() if count >= needed]
        if len(hits) > limit:
            # Keep the names most alike in grams (Dice coefficient): a long name
            # shares many grams with anything, so counts alone favour it.
            size = len(query_grams)
            hits = sorted(hits, key=lambda i: (-shared[i] / (size + self._sizes[i]), i))[:limit]
        return [self.names[i] for i in sorted(hits)]
