"""Stage 5: score a query against one name of an entity.

A name matches when every word of it agrees with a word of the entity's name
(in any order, joined or split), so that a full name whose other part
contradicts the entry ("Heydar Aliyev" against "Ilham Aliyev") does not match.
People may also be named in part: by surname, without a middle name, or with
initials. Any other entity named in part ("Mantes" for
Mantes-la-Jolie), or with words its name lacks ("Kansanshi Mine"), ranks
but never resolves a name by itself (method "partial"); optional words
(articles, "city of", "district") may be missing at a small cost.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import _config
from ._keys import NameKeys, WordKeys
from ._model import Entity
from ._similarity import Reading, forms_similarity, word_similarity
from ._weights import Weights


@dataclass(frozen=True, slots=True)
class NameScore:
    """The score of a query against one name, with how it was reached."""

    score: float
    method: str
    evidence: tuple[tuple[str, float], ...]
    fuzzy: bool = False  # some word agreed only by spelling or sound, not as written


@dataclass(frozen=True, slots=True)
class Scored:
    """One name of an entity scored against the query (or one reading of it)."""

    entity: Entity
    alias: str
    score: NameScore
    query: NameKeys
    name: NameKeys


def score_name(
    query: NameKeys, name: NameKeys, *, person: bool, fuzzy: bool = True, weights: Weights = Weights()
) -> NameScore | None:
    """Score `query` against one name of an entity.

    Args:
        query: The prepared query.
        name: A prepared name (canonical or alias) of the entity.
        person: Whether the entity is a person, whose names may be given in part.
        fuzzy: Whether anything but an equal spelling may match (not for acronyms).
        weights: The weights to score with.

    Returns:
        The score, or None when the query cannot be this name: a word of the
        query (other than an optional one) has no counterpart, a person's
        surname disagrees, or an acronym is spelled otherwise.
    """
    if not query.words or not name.words:
        return None
    if query.compact == name.compact:
        return NameScore(1.0, "normalized", ())
    if query.romanized == name.romanized:
        similarity = _config.TRANSLITERATED_SIMILARITY
        return NameScore(similarity, "transliterated", ((f"both romanized as {query.romanized!r}", similarity),))
    if not fuzzy:
        return None
    reading = Reading.of(query, name)
    candidates: list[NameScore] = []
    # One word against the whole name: joined words ("Hintagarh" / "Hin Tager").
    # People are compared word by word, so that a given name alone is not a match.
    if len(query.words) == 1 and (len(name.words) == 1 or _may_join(query, name, person)):
        candidates.append(_whole(query, name, weights, reading))
    elif len(name.words) == 1 and not query.abjad and _may_join(query, name, person):
        # The query's words run together ("Kuchuk Chekmejeh" / "Küçükçekmece"):
        # only a close spelling counts, as extra words would otherwise vanish
        # into it; never a name without short vowels (Arabic, Hebrew script),
        # whose joined consonants are alike too many names ("Del City" / Tilst).
        whole = _whole(query, name, weights, reading)
        if whole.score >= _config.SPLIT_MIN_SIMILARITY:
            candidates.append(whole)
    if len(query.words) > 1 or len(name.words) > 1:
        aligned = _aligned(query.words, name.words, person, weights, reading)
        if aligned is not None:
            candidates.append(aligned)
    return max(candidates, key=lambda s: s.score, default=None)


def _compared(q: WordKeys, n: WordKeys) -> str:
    # Each word as written, and as romanized where that differs.
    label = "~".join(w.normalized + (f" [{w.romanized}]" if w.romanized != w.normalized else "") for w in (q, n))
    if q.romanized != n.romanized and q.metaphone == n.metaphone:
        label += f" (same Metaphone {q.metaphone})"
    return label


def _may_join(query: NameKeys, name: NameKeys, person: bool) -> bool:
    # Words run together keep the sound they start with ("Hintagarh" / "Hin
    # Tager"); a word that starts elsewhere lacks a word of the name ("Taghlar"
    # / "Hin Taghlar"). People are compared word by word, so that a given name
    # alone is not a match.
    return not person and query.sound[:1] == name.sound[:1]


def _whole(query: NameKeys, name: NameKeys, weights: Weights, reading: Reading) -> NameScore:
    # Words joined: "Hintagarh" against "Hin Tager", "TB-2" against "TB2".
    similarity, method = forms_similarity(query.romanized, query.units, name.romanized, name.units, weights, reading)
    return NameScore(similarity, method, ((f"{query.romanized}~{name.romanized}", similarity),), fuzzy=True)


def _aligned(
    query: tuple[WordKeys, ...],
    name: tuple[WordKeys, ...],
    person: bool,
    weights: Weights,
    reading: Reading,
) -> NameScore | None:
    scored: list[tuple[float, str, int, int]] = []
    for i, q in enumerate(query):
        for j, n in enumerate(name):
            if person and (len(q.romanized) == 1 or len(n.romanized) == 1):
                if q.romanized[:1] == n.romanized[:1]:
                    scored.append((weights.initial_similarity, "initials", i, j))
                continue
            # A surname is not translated: Kanye West is not Kanye Ouest.
            similarity, word_method = word_similarity(q, n, weights, reading, translated=not person)
            if not person and (q.optional or n.optional) and similarity < _config.OPTIONAL_MATCH_MIN:
                continue  # an optional word is left unmatched rather than matched badly
            scored.append((similarity, word_method, i, j))
    # Greedy one-to-one assignment, best pairs first; ties by position.
    scored.sort(key=lambda s: (-s[0], s[2], s[3]))
    pairs: dict[int, tuple[float, str, int]] = {}
    taken: set[int] = set()
    for similarity, pair_method, i, j in scored:
        if i not in pairs and j not in taken:
            pairs[i] = (similarity, pair_method, j)
            taken.add(j)
    if not pairs or all(pairs[i][1] == "initials" for i in pairs):
        return None
    factor = 1.0
    method = min(pairs.values())[1]  # the weakest word decides the method
    if len(pairs) < len(query):
        spare = [q for i, q in enumerate(query) if i not in pairs]
        if person:
            return None  # a word of the query matches nothing in the person's name
        factor *= weights.optional_word_factor ** sum(q.optional for q in spare)
        if not all(q.optional for q in spare):
            # A place named with more than its name ("Kansanshi Mine", "Old
            # Delhi"): weak evidence, as the other words may name another place.
            factor *= weights.extra_words_factor
            method = "partial"
    matched = sorted(taken)
    if any(m == "initials" for _, m, _ in pairs.values()):
        method = "initials"
    last = len(name) - 1
    if person and last in taken:
        surname, surname_method = next((s, m) for s, m, j in pairs.values() if j == last)
        if surname < weights.surname_cutoff or surname_method == "initials":
            return None  # another surname is another person; an initial proves none
    if len(matched) < len(name) and not person:
        spare = [n for j, n in enumerate(name) if j not in taken]
        factor *= weights.optional_word_factor ** sum(n.optional for n in spare)
        if not all(n.optional for n in spare):
            # Part of a place's name ("Mantes" of "Mantes-la-Jolie") is enough
            # to rank, never enough to resolve alone (see `Resolver.resolve`).
            factor *= weights.partial_place_factor
            method = "partial"
    elif len(matched) < len(name):
        is_suffix = matched == list(range(matched[0], len(name)))
        if last not in taken or not (0 in taken or is_suffix):
            return None
        factor *= weights.partial_name_factor
        method = "surname" if matched == [last] else "partial"
    order = [pairs[i][2] for i in sorted(pairs)]
    if order != sorted(order):
        factor *= weights.reorder_factor
    evidence = tuple((_compared(query[i], name[j]), similarity) for i, (similarity, _, j) in sorted(pairs.items()))
    fuzzy = any(m in ("phonetic", "fuzzy") for _, m, _ in pairs.values())
    return NameScore(min(s for s, _, _ in pairs.values()) * factor, method, evidence, fuzzy)
