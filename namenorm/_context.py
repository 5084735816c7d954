"""Stage 7c: what the rest of a text says about a span of it.

Two kinds of context weigh a variant found in running text (`namenorm._scan`):

- cue words next to it, in its sentence, that say what kind of entity it
  names ("the Qadr region": a place; "Prime Minister Nicole Bashinian": a
  person; "Minsk Group": an org), from data/text.toml and the titles of
  data/generic.toml;
- the other entities the text names: an entity found elsewhere in it, or
  related to one found there (the gazetteer's `located_in`, `part_of` and
  `member_of` attrs, counted both ways: Hadrut lies in Nagorno-Karabakh,
  Khtsaberd in Hadrut), is likelier than one the text says nothing of.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ._core import generic_titles
from ._loader import RELATIONS
from ._model import Entity
from ._text import Shape, Word, name_key, never_names, text_data

Cue = tuple[tuple[str, ...], str]  # a phrase (word keys) and the kind it says


@dataclass(frozen=True, slots=True)
class Cues:
    """Cue phrases with the kind each says: those that come before a name by
    their last word, those after it by their first; `many` are the phrases
    before a name that introduce a list of names ("villages of")."""

    before: dict[str, tuple[Cue, ...]]
    after: dict[str, tuple[Cue, ...]]
    many: frozenset[tuple[str, ...]]
    words: frozenset[str]  # every word of a cue phrase


@lru_cache(maxsize=1)
def cues() -> Cues:
    """The cue words of data/text.toml; a title before a name ("President",
    generic.toml's titles, but not "the") is a cue for a person."""
    data = text_data()["cues"]
    before: dict[str, set[Cue]] = {}
    after: dict[str, set[Cue]] = {}
    many: set[tuple[str, ...]] = set()
    for kind, phrases in data.items():
        titles = [t for t in generic_titles() if t not in never_names()] if kind == "person" else []
        for phrase in [*phrases["before"], *phrases["before_many"], *titles]:
            key = name_key(phrase)
            before.setdefault(key[-1], set()).add((key, kind))
        many.update(name_key(phrase) for phrase in phrases["before_many"])
        for phrase in phrases["after"]:
            key = name_key(phrase)
            after.setdefault(key[0], set()).add((key, kind))

    def longest_first(found: dict[str, set[Cue]]) -> dict[str, tuple[Cue, ...]]:
        return {word: tuple(sorted(found[word], key=lambda c: (-len(c[0]), c))) for word in found}

    words = frozenset(w for found in (*before.values(), *after.values()) for phrase, _ in found for w in phrase)
    return Cues(before=longest_first(before), after=longest_first(after), many=frozenset(many), words=words)


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """Words that are never part of a name found as a variant: those never
    a name, and cue words and titles ("Prime Minister Nicole Bashinian",
    "Qadr Region"). A name that has one is found as an alias."""
    return never_names() | cues().words


def cue_kind(text: str, found: list[Word], run: list[int], taken: list[bool]) -> str | None:
    """The kind that cue words around a run of words say, in its sentence:
    after it, with only a space or a hyphen between ("Qadr region"), or
    before it ("President Recep"); a run in a list after a cue that
    introduces several names shares it ("villages of Hintagarh and
    Ksabart")."""
    table = cues()
    following = run[-1] + 1
    if following < len(found) and found[following].joined:
        for phrase, kind in table.after.get(found[following].key, ()):
            if tuple(w.key for w in found[following : following + len(phrase)]) == phrase:
                return kind
    for start, listed in ((run[0], False), (_listed_start(text, found, run[0], taken), True)):
        if start == 0 or found[start].sentence_start:
            continue
        for phrase, kind in table.before.get(found[start - 1].key, ()):
            if (not listed or phrase in table.many) and tuple(
                w.key for w in found[max(0, start - len(phrase)) : start]
            ) == phrase:
                return kind
    return None


def _listed_start(text: str, found: list[Word], start: int, taken: list[bool]) -> int:
    # The first word of a list of names that the one at `start` ends: back
    # over "X and", "X, " while X is a name (found, or capitalized), within
    # the sentence.
    def name_word(i: int) -> bool:
        word = found[i]
        return taken[i] or (word.shape in (Shape.TITLE, Shape.UPPER) and word.key not in stop_words())

    while start > 0 and not found[start].sentence_start:
        before = found[start - 1]
        if before.key == "and" and not before.sentence_start and start >= 2 and name_word(start - 2):
            start -= 2
        elif text[before.end : found[start].start].strip() == "," and name_word(start - 1):
            start -= 1
        else:
            break
        while start > 0 and found[start].joined and not found[start].sentence_start and name_word(start - 1):
            start -= 1
    return start


class Relations:
    """The entities related to each entity of a gazetteer, either way."""

    __slots__ = ("_related",)

    def __init__(self, entities: Iterable[Entity]) -> None:
        entities = list(entities)
        known = {e.id for e in entities}
        related: dict[str, set[str]] = {}
        for entity in entities:
            for relation in RELATIONS:
                for other in listed(entity.attrs.get(relation)):
                    if other in known and other != entity.id:
                        related.setdefault(entity.id, set()).add(other)
                        related.setdefault(other, set()).add(entity.id)
        self._related = {entity: frozenset(others) for entity, others in related.items()}

    def near(self, entity_id: str, document: Mapping[str, set[tuple[int, int]]], span: tuple[int, int]) -> str | None:
        """Why the document makes an entity likely for the span at `span`:
        the entity itself found at another span, or a related one found.

        Args:
            entity_id: The entity.
            document: The entities found in the text, with their spans.
            span: The span asked about: what was found at its words, or at
                some of them, is no evidence for it.
        """

        def elsewhere(entity: str) -> bool:
            # Found at words apart from these: a name, or a part of it, is no evidence for itself.
            return any(end <= span[0] or span[1] <= start for start, end in document.get(entity, ()))

        if elsewhere(entity_id):
            return "found elsewhere in the text"
        found = sorted(other for other in self._related.get(entity_id, ()) if elsewhere(other))
        return f"related to {', '.join(found)}" if found else None


def listed(value: Any) -> list[str]:
    """The strings of an attr that holds a list of them (`located_in`,
    `demonyms`); nothing for any other value."""
    return [v for v in value if isinstance(v, str)] if isinstance(value, (list, tuple)) else []
