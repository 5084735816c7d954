"""Stage 6b: find the names in running text and resolve each (`scan`).

Three passes over the words of a text (`namenorm._text`):

1. Exact: every alias of the gazetteer, longest first, on word boundaries,
   in any script; a person's surname alone ("Aliyev") too. An alias that is
   an acronym ("US") matches only in capitals, so "let us know" names no
   country; any other alias only where its first word has a capital (or is
   in a script without capitals).
2. Demonyms ("Armenian", "Azeri": the `demonyms` attr of a place) are found
   and left unlinked. Policy: a demonym is not a mention of its place.
   "Armenian forces" are not Armenia, and rewriting them so would change
   what the text says.
3. Variants: the words left that may be a name (capitalized, or in a script
   without capitals), in runs of words joined by spaces or hyphens, and the
   sub-spans of each run, are resolved. Function words, number words,
   weekdays and months, titles and cue words end a run and are never a
   name. A single word is not tried when it starts a sentence or a line, or
   is a headline's word (a capital says nothing there), or when the text
   also has it in lower case ("Separatist" / "separatist"), or when it has
   fewer than `TEXT_MIN_LETTERS` letters; a line in capitals too long for a
   headline is read for aliases only. A variant is
   kept only when its score, with context, reaches `TEXT_SCORE_CUTOFF`,
   stricter than the resolver's cutoff for a single name.

Context: a cue word next to a span ("Qadr region", "Prime Minister Nicole
Bashinian", "Minsk Group") says its kind: a match of that kind gains
`CUE_WEIGHT`, a match of another kind loses as much. An entity already
found in the document, or related to one found (the gazetteer's
`located_in`, `part_of` and `member_of` attrs, either way), gains
`RELATED_WEIGHT`. The Match of a variant says so in its evidence.
"""

from __future__ import annotations

import bisect
import threading
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import regex

from . import _config
from ._generic import generic_titles
from ._index import TEXT_CUT, is_acronym
from ._loader import RELATIONS
from ._model import Entity, Match, Mention
from ._normalize import normalize
from ._text import Shape, Word, words

if TYPE_CHECKING:
    from ._resolver import Resolver

# Punctuation that ends a sentence, after its last word (and a quote).
_SENTENCE_END = regex.compile(r"[\p{Pf}\p{Pe}'\"]*[.!?]")

# Web and mail addresses are never read for names: a name inside one is not
# a mention, and rewriting it would break the address.
_ADDRESS = regex.compile(r"\b(?:https?://|www\.)\S+|\S+@\S+\.\w+")


@dataclass(frozen=True, slots=True)
class _Alias:
    entity: Entity
    text: str  # the name as the gazetteer writes it
    acronym: bool


@dataclass(frozen=True, slots=True)
class _Cues:
    """Cue phrases, as word keys, with the kind each says: those that come
    before a name by their last word, those after it by their first."""

    before: dict[str, tuple[tuple[tuple[str, ...], str], ...]]
    after: dict[str, tuple[tuple[tuple[str, ...], str], ...]]
    words: frozenset[str]  # every word of a cue phrase


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    path = resources.files("namenorm") / "data" / "text.toml"
    return tomllib.loads(path.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _never_names() -> frozenset[str]:
    data = _data()
    return frozenset(normalize(w) for key in ("function_words", "number_words", "calendar_words") for w in data[key])


@lru_cache(maxsize=1)
def _cues() -> _Cues:
    data = _data()["cues"]
    # A title before a name is a cue for a person ("Prime Minister Nicole Bashinian").
    listed = {(kind, "before"): list(cues["before"]) for kind, cues in data.items()}
    listed[("person", "before")] += generic_titles()
    listed.update({(kind, "after"): list(cues["after"]) for kind, cues in data.items()})
    before: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    after: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for (kind, where), phrases in sorted(listed.items()):
        for phrase in phrases:
            key = tuple(normalize(phrase).split())
            if where == "before":
                before.setdefault(key[-1], []).append((key, kind))
            else:
                after.setdefault(key[0], []).append((key, kind))

    def longest_first(
        found: dict[str, list[tuple[tuple[str, ...], str]]],
    ) -> dict[str, tuple[tuple[tuple[str, ...], str], ...]]:
        return {word: tuple(sorted(set(cues), key=lambda c: (-len(c[0]), c))) for word, cues in found.items()}

    words = frozenset(w for cues in (*before.values(), *after.values()) for phrase, _ in cues for w in phrase)
    return _Cues(before=longest_first(before), after=longest_first(after), words=words)


class Scanner:
    """Finds the mentions of one resolver's entities in running text.

    Built once per resolver (`Resolver.scan` keeps it); its tables of
    aliases, surnames, demonyms and relations are read from the gazetteer.
    Immutable once built and safe to share between threads.
    """

    def __init__(self, resolver: Resolver) -> None:
        self.resolver = resolver
        exact: dict[tuple[str, ...], list[_Alias]] = {}
        surnames: dict[str, list[_Alias]] = {}
        demonyms: set[tuple[str, ...]] = set()
        related: dict[str, set[str]] = {}
        for entity in resolver.gazetteer:
            for name in entity.names:
                key = tuple(normalize(name).split())
                if key:
                    exact.setdefault(key, []).append(_Alias(entity, name, is_acronym(name)))
                if entity.kind == "person" and len(key) > 1 and len(key[-1]) > 2:
                    surnames.setdefault(key[-1], []).append(_Alias(entity, name, False))
            for demonym in _listed(entity.attrs.get("demonyms")):
                demonyms.add(tuple(normalize(demonym).split()))
            for relation in RELATIONS:
                for other in _listed(entity.attrs.get(relation)):
                    if other in resolver.gazetteer and other != entity.id:
                        related.setdefault(entity.id, set()).add(other)
                        related.setdefault(other, set()).add(entity.id)
        self._exact = {key: _one_each(aliases) for key, aliases in exact.items()}
        self._surnames = {key: _one_each(aliases) for key, aliases in surnames.items()}
        self._demonyms = frozenset(demonyms)
        self._related = {entity: frozenset(others) for entity, others in related.items()}
        # A span's candidates, before context is weighed: names recur from
        # one text to the next, and resolving is the costly part of a scan.
        self._candidates = lru_cache(maxsize=_config.TEXT_CACHE_SIZE)(self._ask)
        self._longest = max((len(key) for key in (*self._exact, *self._demonyms)), default=0)
        # The first words of aliases, demonyms and surnames.
        self._first_words = frozenset(key[0] for key in (*self._exact, *self._demonyms)) | frozenset(self._surnames)

    def scan(self, text: str, *, kinds: Iterable[str] | str | None = None) -> list[Mention]:
        """The mentions of entities in `text`, in text order. See `Resolver.scan`."""
        if not isinstance(text, str):
            raise TypeError(f"a text must be a str, not {type(text).__name__}")
        wanted = self._check_kinds(kinds)
        found = words(text)
        taken = _in_addresses(text, found)
        exact = self._exact_pass(text, found, taken)
        document = {m.match.entity.id for m in exact}
        variants = self._variant_pass(text, found, taken, document)
        mentions = sorted([*exact, *variants], key=lambda m: m.start)
        return [m for m in mentions if wanted is None or m.match.entity.kind in wanted]

    def _check_kinds(self, kinds: Iterable[str] | str | None) -> frozenset[str] | None:
        if kinds is None:
            return None
        wanted = frozenset([kinds] if isinstance(kinds, str) else kinds)
        known = {e.kind for e in self.resolver.gazetteer}
        unknown = sorted(wanted - known)
        if unknown:
            raise ValueError(
                f"unknown kind(s) {', '.join(map(repr, unknown))}; this gazetteer has {', '.join(sorted(known))}"
            )
        return wanted

    # -- pass 1 and 2: aliases and demonyms ---------------------------------

    def _exact_pass(self, text: str, found: list[Word], taken: list[bool]) -> list[Mention]:
        hits: list[tuple[int, int, tuple[_Alias, ...], str]] = []
        i = 0
        first_words = self._first_words
        while i < len(found):
            if taken[i] or found[i].key not in first_words:  # most words start no name
                i += 1
                continue
            hit = self._longest_at(found, taken, i)
            if hit is None:
                i += 1
                continue
            length, aliases, method = hit
            for k in range(i, i + length):
                taken[k] = True
            if aliases:  # a demonym takes its words and links nothing
                hits.append((found[i].start, found[i + length - 1].end, aliases, method))
            i += length
        # A name that several entities share is settled, if it can be, by the
        # entities the text names unambiguously ("Alexandria" near "Virginia").
        document = {aliases[0].entity.id for _, _, aliases, _ in hits if len(aliases) == 1}
        return [
            Mention(start, end, text[start:end], self._exact_match(text[start:end], aliases, method, document))
            for start, end, aliases, method in hits
        ]

    def _exact_match(self, query: str, aliases: tuple[_Alias, ...], method: str, document: set[str]) -> Match:
        """The Match of words that spell `aliases` of one or more entities:
        those the document makes likely first (see `_near`), then by prior."""
        ranked = sorted(aliases, key=lambda a: (not self._near(a.entity.id, document), -a.entity.prior, a.entity.id))
        alias = ranked[0]
        score = 1.0 if method == "exact" else _config.PARTIAL_NAME_FACTOR
        if method == "exact" and query != alias.text:
            method = "normalized"
        runner = ranked[1] if len(ranked) > 1 else None
        near = self._near(alias.entity.id, document) if runner else None
        return Match(
            query=query,
            entity=alias.entity,
            score=score,
            alias=alias.text,
            method=method,
            # Context settles a shared name only when it favours one entity alone.
            ambiguous=runner is not None and (not near or bool(self._near(runner.entity.id, document))),
            runner_up=runner.entity if runner else None,
            runner_up_score=score if runner else None,
            evidence=((f"in context: {near}", 0.0),) if near else (),
            similarity=score,
        )

    def _longest_at(self, found: list[Word], taken: list[bool], i: int) -> tuple[int, tuple[_Alias, ...], str] | None:
        # The longest alias or demonym that starts at word i, as (words, aliases, method).
        end = i + 1
        while end < len(found) and end - i < self._longest and found[end].joined and not taken[end]:
            end += 1
        for stop in range(end, i, -1):
            key = tuple(w.key for w in found[i:stop])
            aliases = tuple(a for a in self._exact.get(key, ()) if _written_as_name(found[i:stop], a.acronym))
            if aliases:
                return stop - i, aliases, "exact"
            if key in self._demonyms and found[i].shape is not Shape.LOWER:
                return stop - i, (), "demonym"
        first = found[i]
        if first.shape in (Shape.TITLE, Shape.UPPER, Shape.UNCASED) and first.key in self._surnames:
            before = found[i - 1] if i else None
            if before and first.joined and not taken[i - 1] and _may_be_name(before):
                # "Nikola Pashinyan": the surname of a name written in full,
                # which the variants pass resolves whole.
                return None
            return 1, self._surnames[first.key], "surname"
        return None

    # -- pass 3: variants -----------------------------------------------------

    def _variant_pass(self, text: str, found: list[Word], taken: list[bool], document: set[str]) -> list[Mention]:
        lower = {w.key for w in found if w.shape is Shape.LOWER}
        headline, shouted = _capital_lines(text, found)
        mentions: list[Mention] = []

        def tried(start: int, stop: int) -> bool:
            # A capital says nothing about one word that starts a sentence,
            # is a headline's, or is written in lower case elsewhere; a
            # surname is asked all the same ("Pashinyan, however, ...").
            word = found[start]
            if stop - start > 1 or word.key in self._surnames:
                return True
            # Too short to tell a variant from another word ("Bok" is no Baku).
            short = len(word.key) < _config.TEXT_MIN_LETTERS
            return not (short or word.sentence_start or start in headline or word.key in lower)

        for run in _runs(found, taken):
            if run[0] in shouted:
                continue
            kind = _cue_kind(found, run, _cues())
            chosen: list[tuple[int, int]] = []
            # The longest spans first, as aliases are found: a span is asked
            # only if no longer one around it was a name. A number ends a
            # name ("TB-2"), never starts one.
            for length in range(min(len(run), _config.MAX_SPAN_WORDS), 0, -1):
                level: list[tuple[float, int, Match]] = []
                for start in range(run[0], run[-1] + 2 - length):
                    stop = start + length
                    if found[start].shape is Shape.NUMBER or not tried(start, stop):
                        continue
                    if any(start < b and a < stop for a, b in chosen):
                        continue
                    query = text[found[start].start : found[stop - 1].end]
                    match = self._in_context(self._candidates(query), kind, document)
                    if match is None:
                        continue
                    if match.method == "surname" and start > run[0] and start - 1 not in headline:
                        # "Heydar Aliyev" is not Ilham Aliyev: a capitalized word
                        # before a surname is a given name, which the longer
                        # span did not match (in a headline it may be any word).
                        continue
                    level.append((match.score, start, match))
                for _score, start, match in sorted(level, key=lambda item: (-item[0], item[1])):
                    stop = start + length
                    if any(start < b and a < stop for a, b in chosen):
                        continue
                    chosen.append((start, stop))
                    begin, end = found[start].start, found[stop - 1].end
                    mentions.append(Mention(begin, end, text[begin:end], match))
                    document.add(match.entity.id)
        return mentions

    def _ask(self, span: str) -> tuple[Match, ...]:
        return tuple(self.resolver._ranked(span, limit=_config.TEXT_CANDIDATES, cut=TEXT_CUT))

    def _in_context(self, candidates: Sequence[Match], kind: str | None, document: set[str]) -> Match | None:
        """The best of a span's candidates once cues and the document are weighed,
        if it is sure enough for running text."""
        weighed: list[Match] = []
        for match in candidates:
            if not self.resolver.accepts(match):
                continue
            evidence: list[tuple[str, float]] = []
            if kind is not None:
                agrees = match.entity.kind == kind
                evidence.append((f"cue: {kind}", _config.CUE_WEIGHT if agrees else -_config.CUE_WEIGHT))
            near = self._near(match.entity.id, document)
            if near:
                evidence.append((f"in context: {near}", _config.RELATED_WEIGHT))
            score = min(1.0, max(0.0, match.score + sum(weight for _, weight in evidence)))
            weighed.append(replace(match, score=round(score, 4), evidence=(*match.evidence, *evidence)))
        if not weighed:
            return None
        weighed.sort(key=lambda m: (-m.score, m.entity.id))
        best = weighed[0]
        if best.score < _config.TEXT_SCORE_CUTOFF:
            return None
        if len(weighed) > 1:
            runner = weighed[1]
            best = replace(
                best,
                runner_up=runner.entity,
                runner_up_score=runner.score,
                ambiguous=best.score - runner.score <= self.resolver.ambiguity_margin,
            )
        return best

    def _near(self, entity_id: str, document: set[str]) -> str | None:
        # Why the document makes this entity likely: itself, or a related one, found there.
        if entity_id in document:
            return "found elsewhere in the text"
        related = sorted(self._related.get(entity_id, frozenset()) & document)
        return f"related to {', '.join(related)}" if related else None


def _listed(value: Any) -> list[str]:
    """An attr that holds one string or a list of them, as a list."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)):
        return [v for v in value if isinstance(v, str)]
    return []


def _one_each(aliases: list[_Alias]) -> tuple[_Alias, ...]:
    # One alias per entity: the first, which is its canonical name when that matches.
    seen: dict[str, _Alias] = {}
    for alias in aliases:
        seen.setdefault(alias.entity.id, alias)
    return tuple(seen.values())


def _written_as_name(span: Sequence[Word], acronym: bool) -> bool:
    """Whether words that spell an alias are written as a name: an acronym in
    capitals ("US", not "us"), any other name with a capital first (or in a
    script without capitals)."""
    if acronym:
        return all(w.shape in (Shape.UPPER, Shape.UNCASED, Shape.NUMBER) for w in span)
    if span[0].shape not in (Shape.TITLE, Shape.UPPER, Shape.UNCASED):
        return False
    # A one-word alias that is also a function word ("May", "Of") is a name
    # only where no sentence starts with it.
    return not (len(span) == 1 and span[0].sentence_start and span[0].key in _never_names())


def _in_addresses(text: str, found: list[Word]) -> list[bool]:
    """For each word, whether it lies in a web or mail address."""
    addresses = [m.span() for m in _ADDRESS.finditer(text)] if any(c in text for c in ("://", "www.", "@")) else []
    if not addresses:
        return [False] * len(found)
    return [any(a <= w.start < b for a, b in addresses) for w in found]


def _capital_lines(text: str, found: list[Word]) -> tuple[set[int], set[int]]:
    """The words of lines written in capitals: headlines ("Azerbaijan
    Threatens to Crush Armenia"), where a capital says nothing about a single
    word, and of those lines too long for a headline (text in capitals), where
    it says nothing at all: only aliases are found there, and asking every
    span of a run of capitalized words would cost too much."""
    never = _never_names()
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
        elif not _SENTENCE_END.match(text, found[members[-1]].end):
            # A headline ends without a full stop; a short line that has one is a sentence.
            headline.update(members)
    return headline, shouted


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    # Cue words and titles are never part of a name ("Prime Minister Nicole
    # Bashinian", "Qadr Region"); a name that has one is found exactly.
    return _never_names() | _cues().words


def _may_be_name(word: Word) -> bool:
    """Whether a word may be part of a name: capitalized or in a script
    without capitals, and not a function, cue or title word."""
    return word.shape in (Shape.TITLE, Shape.UPPER, Shape.UNCASED) and word.key not in _stop_words()


def _runs(found: list[Word], taken: list[bool]) -> list[list[int]]:
    """Runs of words that may be a name (`_may_be_name`), joined by spaces
    or hyphens, not yet taken; a number joins a run by a hyphen ("TB-2")."""
    runs: list[list[int]] = []
    current: list[int] = []
    for i, word in enumerate(found):
        name_like = not taken[i] and (
            _may_be_name(word) or word.shape is Shape.NUMBER and bool(current) and word.joined
        )
        if name_like and current and word.joined:
            current.append(i)
            continue
        if current:
            runs.append(current)
        current = [i] if name_like and word.shape is not Shape.NUMBER else []
    if current:
        runs.append(current)
    return runs


def _cue_kind(found: list[Word], run: list[int], cues: _Cues) -> str | None:
    """The kind that cue words around a run name, in its sentence: after it
    ("Qadr region"), or before it ("villages of Hintagarh and Ksabart",
    "President Recep")."""
    following = run[-1] + 1
    if following < len(found) and not found[following].sentence_start:
        for phrase, kind in cues.after.get(found[following].key, ()):
            if tuple(w.key for w in found[following : following + len(phrase)]) == phrase:
                return kind
    start = run[0]
    # "villages of Hintagarh and Ksabart": a run after "and" shares the cue
    # of the name before it.
    while start >= 2 and found[start - 1].key == "and" and found[start - 2].shape is not Shape.LOWER:
        start -= 2
        while start > 0 and found[start - 1].shape is not Shape.LOWER and found[start].joined:
            start -= 1
    if start == 0 or found[start].sentence_start:
        return None
    for phrase, kind in cues.before.get(found[start - 1].key, ()):
        if start >= len(phrase) and tuple(w.key for w in found[start - len(phrase) : start]) == phrase:
            return kind
    return None


_scanner_lock = threading.Lock()


def scanner_of(resolver: Resolver) -> Scanner:
    """The resolver's Scanner, built on first use."""
    with _scanner_lock:
        held: Scanner | None = getattr(resolver, "_scanner", None)
        if held is None:
            held = Scanner(resolver)
            object.__setattr__(resolver, "_scanner", held)
        return held


def rewrite(text: str, mentions: Sequence[Mention]) -> str:
    """`text` with each mention replaced by its entity's canonical name;
    everything else as it was, character for character."""
    parts: list[str] = []
    at = 0
    for mention in mentions:
        parts += [text[at : mention.start], mention.match.entity.name]
        at = mention.end
    parts.append(text[at:])
    return "".join(parts)
