"""Stage 7b: find the names in running text and resolve each (`scan`).

Three passes over the words of a text (`namenorm._text`):

1. Aliases as written: every name of the gazetteer, longest first, on word
   boundaries, in any script; a person's surname alone ("Aliyev") too. An
   alias that is an acronym ("US") matches only in capitals, so "let us
   know" names no country; any other alias only where its first word has a
   capital (or is in a script without capitals).
2. Demonyms ("Armenian", "Azeri": the `demonyms` attr of a place) are found
   and left unlinked. Policy: a demonym is not a mention of its place.
   "Armenian forces" are not Armenia, and rewriting them so would change
   what the text says. A word that a variant match finds to be a place's
   name with a demonym ending ("Armenia" + "n") is left unlinked too.
3. Variants: the capitalized words left, in runs of words joined by spaces,
   hyphens or ampersands, and the spans of up to `MAX_SPAN_WORDS` words of
   each run, longest first, are resolved (never a part of a hyphenated
   name: "Nagorno" of "Nagorno-Karabakh"). Words never a name (function and
   number words, weekdays and months), titles and cue words end a run; so
   does a possessive. A single word is not tried where a capital says
   nothing: when it starts a sentence or a line, is a headline's word, is
   written in lower case elsewhere in the text ("Separatist" /
   "separatist"; nor a span of words all so written), or has fewer than
   `TEXT_MIN_LETTERS` letters; a line in
   capitals too long for a headline is read for aliases only. A variant is
   kept only when its score, with context, reaches `TEXT_SCORE_CUTOFF`,
   stricter than the resolver's cutoff for a single name. In a script
   without capitals, where nothing marks a name, each word is tried alone,
   and kept only if it reaches `TEXT_UNCASED_CUTOFF` before context. A span spelled like a real place
   that the gazetteer lacks (the resolver's rival places) is not resolved.

Context (`namenorm._context`): a cue word next to a span ("Qadr region",
"Prime Minister Nicole Bashinian") gains a match of its kind `CUE_WEIGHT`
and costs a match of another kind as much (a title or role rules a place
out: "President Zelensky" is no town); an entity found elsewhere in the
text, or related to one found there, gains `RELATED_WEIGHT`; the countries
the text is about (those of the places it names as written, the most named
and those named a quarter as often) add their places to a span's
candidates, and a place outside them loses `FOREIGN_WEIGHT`: on a gazetteer
of the world, "Kinrut" in a text about Karabakh is Hadrut, not Kinarut,
Malaysia. The variants
are weighed in rounds, each against the names the round before found (the
first against the aliases alone), until two rounds agree or
`CONTEXT_ROUNDS` have run: the order of the text does not matter, and a
name is never evidence for itself. The Match of a variant says what counted
in its evidence.
"""

from __future__ import annotations

import threading
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING

import regex

from . import _config
from ._context import Relations, cue_kind, listed, stop_words
from . import _core
from ._core import is_acronym
from ._model import Entity, Match, Mention
from ._text import Shape, Word, capital_lines, demonym_endings, name_key, never_names, words

if TYPE_CHECKING:
    from ._resolver import Resolver

# Web and mail addresses are never read for names: a name inside one is not
# a mention, and rewriting it would break the address. Their characters are
# ASCII (so that an address ends where Chinese text goes on), and an address
# starts only where none could have started before (so each character is
# read a bounded number of times, whatever the text).
_ADDRESS = regex.compile(
    r"(?<![\w.+\-/:%])(?:https?://|www\.)[\x21-\x7e]++"
    r"|(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]++@[A-Za-z0-9\-]++(?:\.[A-Za-z0-9\-]++)++"
)

Document = dict[str, set[tuple[int, int]]]  # entity id -> the spans it was found at


@dataclass(frozen=True, slots=True)
class _Alias:
    entity: Entity
    text: str  # the name as the gazetteer writes it
    acronym: bool
    surname: bool = False  # a person's surname alone, beside other entities' names


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
        for entity in resolver.gazetteer:
            for name in entity.names:
                key = name_key(name)
                if not key:
                    continue
                exact.setdefault(key, []).append(_Alias(entity, name, is_acronym(name)))
                if entity.kind == "person" and len(key) > 1 and len(key[-1]) >= _config.SURNAME_MIN_LETTERS:
                    surnames.setdefault(key[-1], []).append(_Alias(entity, name, False))
            demonyms.update(key for key in map(name_key, listed(entity.attrs.get("demonyms"))) if key)
        self._exact = {key: _one_each(aliases) for key, aliases in exact.items()}
        self._surnames = {key: _one_each(aliases) for key, aliases in surnames.items()}
        self._demonyms = frozenset(demonyms)
        self._relations = Relations(resolver.gazetteer)
        # The most words of an alias or demonym, by its first word (most
        # words of a text start none); a surname is one word.
        longest: dict[str, int] = dict.fromkeys(self._surnames, 1)
        for key in (*self._exact, *self._demonyms):
            longest[key[0]] = max(longest.get(key[0], 0), len(key))
        self._longest = longest
        # A span's candidates, before context is weighed: names recur from
        # one text to the next, and resolving is the costly part of a scan.
        self._candidates = lru_cache(maxsize=_config.TEXT_CACHE_SIZE)(self._ask)

    def scan(
        self, text: str, *, kinds: Iterable[str] | str | None = None, score_cutoff: float | None = None
    ) -> list[Mention]:
        """The mentions of entities in `text`, in text order. See `Resolver.scan`."""
        if not isinstance(text, str):
            raise TypeError(f"a text must be a str, not {type(text).__name__}")
        wanted = self._check_kinds(kinds)
        cutoff = _config.TEXT_SCORE_CUTOFF if score_cutoff is None else score_cutoff
        if isinstance(cutoff, bool) or not isinstance(cutoff, (int, float)) or not 0.0 <= cutoff <= 1.0:
            raise ValueError(f"score_cutoff must be a number in [0, 1], not {cutoff!r}")
        found = words(text)
        taken = _in_addresses(text, found)
        exact = self._exact_pass(text, found, taken)
        document: Document = {}
        for mention in exact:
            if not mention.match.ambiguous:
                document.setdefault(mention.match.entity.id, set()).add((mention.start, mention.end))
        about = _countries_of([m for m in exact if not m.match.ambiguous])
        # Each round weighs the variants against the names the round before
        # found, until they agree: the order of the text does not matter.
        runs = self._variant_runs(text, found, taken)
        variants: list[Mention] = []
        for _ in range(_config.CONTEXT_ROUNDS):
            known = _copy(document)
            for mention in variants:
                known.setdefault(mention.match.entity.id, set()).add((mention.start, mention.end))
            again = self._variant_pass(text, found, runs, known, cutoff, about)
            if _spans(again) == _spans(variants):
                variants = again
                break
            variants = again
        mentions = sorted([*exact, *variants], key=lambda m: m.start)
        return [m for m in mentions if wanted is None or m.match.entity.kind in wanted]

    def _check_kinds(self, kinds: Iterable[str] | str | None) -> frozenset[str] | None:
        if kinds is None:
            return None
        wanted = frozenset([kinds] if isinstance(kinds, str) else kinds)
        if not wanted:
            raise ValueError("kinds is empty: give one kind or more, or None for every kind")
        for kind in sorted(wanted):
            self.resolver._check_kind(kind)
        return wanted

    # -- passes 1 and 2: aliases and demonyms -------------------------------

    def _exact_pass(self, text: str, found: list[Word], taken: list[bool]) -> list[Mention]:
        hits: list[tuple[int, int, tuple[_Alias, ...], str]] = []
        i = 0
        while i < len(found):
            if taken[i] or found[i].key not in self._longest:
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
        document: Document = {}
        for start, end, aliases, _ in hits:
            if len(aliases) == 1:
                document.setdefault(aliases[0].entity.id, set()).add((start, end))
        return [
            Mention(start, end, text[start:end], self._exact_match(text, (start, end), aliases, method, document))
            for start, end, aliases, method in hits
        ]

    def _longest_at(self, found: list[Word], taken: list[bool], i: int) -> tuple[int, tuple[_Alias, ...], str] | None:
        # The longest alias or demonym that starts at word i, as (words, aliases, method).
        end, most = i + 1, self._longest[found[i].key]
        while end < len(found) and end - i < most and found[end].joined and not taken[end]:
            end += 1
        for stop in range(end, i, -1):
            key = tuple(w.key for w in found[i:stop])
            aliases = tuple(a for a in self._exact.get(key, ()) if _written_as_name(found[i:stop], a.acronym))
            if aliases and stop - i == 1 and found[i].key in self._surnames:
                # A word that is a place's name and a person's surname
                # ("Blinken"): the text decides which (`_exact_match`).
                surnames = tuple(replace(a, surname=True) for a in self._surnames[found[i].key])
                return 1, (*aliases, *surnames), "exact"
            if aliases:
                return stop - i, aliases, "exact"
            if key in self._demonyms and found[i].shape is not Shape.LOWER:
                return stop - i, (), "demonym"
        word = found[i]
        if word.shape in (Shape.TITLE, Shape.UPPER, Shape.UNCASED) and word.key in self._surnames:
            before = found[i - 1] if i else None
            if (
                before is not None
                and word.joined
                and not before.possessive
                and not taken[i - 1]
                and before.shape in (Shape.TITLE, Shape.UPPER)
                and before.key not in stop_words()
            ):
                # "Nikola Pashinyan": the surname of a name written in full,
                # which the variants pass resolves whole.
                return None
            return 1, self._surnames[word.key], "surname"
        return None

    def _exact_match(
        self, text: str, span: tuple[int, int], aliases: tuple[_Alias, ...], method: str, document: Document
    ) -> Match:
        """The Match of words that spell `aliases` of one or more entities:
        those the document makes likely first, then by prior."""
        query = text[span[0] : span[1]]
        near = {a.entity.id: self._relations.near(a.entity.id, document, span) for a in aliases}
        ranked = sorted(aliases, key=lambda a: (not near[a.entity.id], -a.entity.prior, a.entity.id))
        alias = ranked[0]
        if alias.surname:
            method = "surname"
        score = 1.0 if method == "exact" else _config.PARTIAL_NAME_FACTOR
        if method == "exact" and query != alias.text:
            method = "normalized"
        runner = ranked[1] if len(ranked) > 1 else None
        why = near[alias.entity.id] if runner else None
        # A namesake it outweighs tenfold does not make it ambiguous
        # ("Armenia" the country, not the city in Colombia).
        outweighs = runner is not None and alias.entity.prior >= _core.NAMESAKE_LEAD * max(runner.entity.prior, 1.0)
        return Match(
            query=query,
            entity=alias.entity,
            score=score,
            alias=alias.text,
            method=method,
            # Context settles a shared name only when it favours one entity alone.
            ambiguous=runner is not None and not outweighs and (not why or bool(near[runner.entity.id])),
            runner_up=runner.entity if runner else None,
            runner_up_score=score if runner else None,
            evidence=((f"in context: {why}", 0.0),) if why else (),
            similarity=score,
        )

    # -- pass 3: variants -----------------------------------------------------

    def _variant_runs(self, text: str, found: list[Word], taken: list[bool]) -> list[_Run]:
        """The runs of words to look for variants in, each with its cue and
        the spans of it to try, longest first. A number ends a name ("TB-2"),
        never starts one."""
        lower = {w.key for w in found if w.shape is Shape.LOWER}
        headline, shouted = capital_lines(text, found)

        def tried(start: int, stop: int) -> bool:
            # A capital says nothing about one word that starts a sentence,
            # is a headline's, or is written in lower case elsewhere; a
            # surname is asked all the same ("Pashinyan, however, ..."); a
            # word in a script without capitals has none to mislead.
            word = found[start]
            if stop - start > 1:
                # Words that the text also writes in lower case are capitalized
                # as a headline's or a title's are ("Iron Fist", "Human Rights").
                return not all(w.key in lower for w in found[start:stop])
            if word.key in self._surnames:
                return True
            # Too short to tell a variant from another word ("Bok" is no Baku).
            if len(word.key) < _config.TEXT_MIN_LETTERS:
                return False
            return word.shape is Shape.UNCASED or not (word.sentence_start or start in headline or word.key in lower)

        def whole(start: int, stop: int, run: list[int]) -> bool:
            # A span never splits a hyphenated name ("Nagorno-Karabakh" is no
            # "Nagorno"): no hyphen just before it or just after it in the run.
            return not (start > run[0] and found[start].hyphened) and not (stop <= run[-1] and found[stop].hyphened)

        runs = []
        for run in _runs(found, taken):
            if run[0] in shouted:
                continue
            spans = [
                [
                    (start, start + length)
                    for start in range(run[0], run[-1] + 2 - length)
                    if found[start].shape is not Shape.NUMBER
                    and whole(start, start + length, run)
                    and tried(start, start + length)
                ]
                for length in range(min(len(run), _config.MAX_SPAN_WORDS), 0, -1)
            ]
            # "Heydar Aliyev" is not Ilham Aliyev: a capitalized word before a
            # surname is a given name, which the longer span did not match (in
            # a headline it may be any word).
            given = frozenset(start for start in run[1:] if start - 1 not in headline)
            uncased = found[run[0]].shape is Shape.UNCASED
            runs.append(_Run(cue_kind(text, found, run, taken), [level for level in spans if level], given, uncased))
        return runs

    def _variant_pass(
        self, text: str, found: list[Word], runs: list[_Run], document: Document, cutoff: float, about: frozenset[str]
    ) -> list[Mention]:
        mentions: list[Mention] = []
        for run in runs:
            chosen: list[tuple[int, int]] = []
            # The longest spans first, as aliases are found: a span is asked
            # only if no longer one around it was a name.
            for spans in run.spans:
                level: list[tuple[float, int, int, Match]] = []
                for start, stop in spans:
                    if any(start < b and a < stop for a, b in chosen):
                        continue
                    span = (found[start].start, found[stop - 1].end)
                    candidates = self._candidates(text[span[0] : span[1]])
                    local: frozenset[str] = frozenset()
                    if about:
                        # And the places of the countries the text is about,
                        # which a gazetteer of the world may rank below others.
                        near = self._candidates(text[span[0] : span[1]], about)
                        seen = {m.entity.id for m in candidates}
                        local = frozenset(m.entity.id for m in near if m.entity.id not in seen)
                        candidates = (*candidates, *(m for m in near if m.entity.id in local))
                    if run.uncased:
                        # Nothing marks a name there: only a near-certain spelling, before context.
                        candidates = tuple(m for m in candidates if _alike(m) >= _config.TEXT_UNCASED_CUTOFF)
                    match = self._in_context(candidates, run.kind, document, span, cutoff, (about, local))
                    if match is None or match.method == "surname" and start in run.given:
                        continue
                    if stop - start == 1 and _demonym_of(found[start].key, match):
                        continue
                    level.append((match.score, start, stop, match))
                for _score, start, stop, match in sorted(level, key=lambda item: (-item[0], item[1])):
                    if any(start < b and a < stop for a, b in chosen):
                        continue
                    chosen.append((start, stop))
                    span = (found[start].start, found[stop - 1].end)
                    mentions.append(Mention(span[0], span[1], text[span[0] : span[1]], match))
        return mentions

    def _ask(self, span: str, about: frozenset[str] = frozenset()) -> tuple[Match, ...]:
        # A span spelled like a real place the gazetteer lacks ("Paris",
        # "Russia" in a gazetteer of cities) is that place: no candidates.
        # With `about`, only the places of those countries.
        only = self.resolver._only({"country": sorted(about)}) if about else None
        return tuple(self.resolver._ranked(span, limit=_config.TEXT_CANDIDATES, text=True, rivals=False, only=only))

    def _in_context(
        self,
        candidates: Sequence[Match],
        kind: str | None,
        document: Mapping[str, set[tuple[int, int]]],
        span: tuple[int, int],
        cutoff: float,
        context: tuple[frozenset[str], frozenset[str]] = (frozenset(), frozenset()),
    ) -> Match | None:
        """The best of a span's candidates once cues and the document are
        weighed, if it reaches `cutoff`. A title or role next to a span
        makes it a person ("President Zelensky" is no town); a place outside
        the countries the text is about (`about`) loses `FOREIGN_WEIGHT`.
        One found only among the places of those countries (`local`) is
        scored among them, where the false-match rate of the whole
        gazetteer does not apply: it needs the cutoff and the similarity."""
        about, local = context
        weighed: list[Match] = []
        for match in candidates:
            if not self.resolver.accepts(match, max_false_match=1.0 if match.entity.id in local else None):
                continue
            if kind == "person" and match.entity.kind == "place":
                continue
            evidence: list[tuple[str, float]] = []
            if kind is not None:
                agrees = match.entity.kind == kind
                evidence.append((f"cue: {kind}", _config.CUE_WEIGHT if agrees else -_config.CUE_WEIGHT))
            country = match.entity.attrs.get("country")
            if about and match.entity.kind == "place" and isinstance(country, str) and country not in about:
                evidence.append((f"outside the countries of the text: {country}", -_config.FOREIGN_WEIGHT))
            near = self._relations.near(match.entity.id, document, span)
            if near:
                evidence.append((f"in context: {near}", _config.RELATED_WEIGHT))
            score = min(1.0, max(0.0, _alike(match) + sum(weight for _, weight in evidence)))
            weighed.append(replace(match, score=round(score, 4), evidence=(*match.evidence, *evidence)))
        if not weighed:
            return None
        weighed.sort(key=lambda m: (-m.score, m.entity.id))
        best = weighed[0]
        if best.score < cutoff:
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


def _countries_of(mentions: Sequence[Mention]) -> frozenset[str]:
    """The countries a text is about: those of the places it names as
    written, each named at least `ABOUT_SHARE` times as often as the most
    named one (a country in passing is not what a text is about)."""
    counts: dict[str, int] = {}
    for mention in mentions:
        entity = mention.match.entity
        country = entity.attrs.get("country")
        if entity.kind == "place" and isinstance(country, str):
            counts[country] = counts.get(country, 0) + 1
    if not counts:
        return frozenset()
    most = max(counts.values())
    return frozenset(c for c, n in counts.items() if n >= most * _config.ABOUT_SHARE)


def _alike(match: Match) -> float:
    """What a variant's text score starts from: its similarity. (Its
    `score`, a probability, and its false-match rate have decided, through
    `Resolver.accepts`, whether it may be a mention at all.)"""
    return match.score if match.similarity is None else match.similarity


@dataclass(frozen=True, slots=True)
class _Run:
    """A run of words that may hold names (see `_runs`), as the variants pass reads it."""

    kind: str | None  # what its cue words say
    spans: list[list[tuple[int, int]]]  # (start, stop) word positions to try, by length, longest first
    given: frozenset[int]  # positions after a word that would be a given name before a surname
    uncased: bool  # in a script without capitals


def _demonym_of(key: str, match: Match) -> bool:
    """Whether a word is a demonym of the place it matched: the place's name
    with a demonym ending ("Armenian", "Azerbaijani"), which a gazetteer that
    lists no demonyms would otherwise take for a misspelling of it."""
    if match.entity.kind != "place":
        return False
    name = "".join(name_key(match.alias))
    return key.startswith(name) and key[len(name) :] in demonym_endings()


def _copy(document: Document) -> Document:
    return {entity: set(spans) for entity, spans in document.items()}


def _spans(mentions: list[Mention]) -> list[tuple[int, int, str]]:
    return [(m.start, m.end, m.match.entity.id) for m in mentions]


def _one_each(aliases: list[_Alias]) -> tuple[_Alias, ...]:
    # One alias per entity: the first, which is its canonical name when that matches.
    seen: dict[str, _Alias] = {}
    for alias in aliases:
        seen.setdefault(alias.entity.id, alias)
    return tuple(seen.values())


def _written_as_name(span: Sequence[Word], acronym: bool) -> bool:
    """Whether words that spell an alias are written as a name: an acronym in
    capitals ("US", "G7", not "us"), any other name with a capital first (or
    in a script without capitals)."""
    if acronym:
        return all(w.text.isupper() or w.shape in (Shape.UNCASED, Shape.NUMBER) for w in span)
    if span[0].shape not in (Shape.TITLE, Shape.UPPER, Shape.UNCASED):
        return False
    if len(span) > 1:
        return True
    word = span[0]
    # A word never a name ("March", "May", "Of": a town each) is that word,
    # whatever the gazetteer holds; and a short word in capitals is an
    # acronym ("UN" is no "Un", a town in India).
    short_capitals = word.shape is Shape.UPPER and len(word.key) <= _config.TEXT_ACRONYM_LETTERS
    return word.key not in never_names() and not short_capitals


def _in_addresses(text: str, found: list[Word]) -> list[bool]:
    """For each word, whether it lies in a web or mail address."""
    taken = [False] * len(found)
    if "://" not in text and "www." not in text and "@" not in text:
        return taken
    starts = [w.start for w in found]
    for address in _ADDRESS.finditer(text):
        first = bisect_left(starts, address.start())
        for i in range(first, bisect_left(starts, address.end())):
            taken[i] = True
    return taken


def _runs(found: list[Word], taken: list[bool]) -> list[list[int]]:
    """Runs of words that may be a name: capitalized, not a stop word (see
    `namenorm._context.stop_words`), not yet taken, joined by spaces,
    hyphens or ampersands; a number joins a run by a hyphen ("TB-2"); a
    possessive ends one ("Azerbaijan’s Defense"). A word of a script without
    capitals is a run of its own: nothing there says where a name ends."""
    stop = stop_words()
    runs: list[list[int]] = []
    current: list[int] = []
    for i, word in enumerate(found):
        if taken[i]:
            name_like = False
        elif word.shape is Shape.NUMBER:
            name_like = bool(current) and word.hyphened
        else:
            name_like = word.shape in (Shape.TITLE, Shape.UPPER, Shape.UNCASED) and word.key not in stop
        if name_like and current and word.joined and not found[i - 1].possessive and word.shape is not Shape.UNCASED:
            current.append(i)
            continue
        if current:
            runs.append(current)
        current = [i] if name_like and word.shape is not Shape.NUMBER else []
        if current and word.shape is Shape.UNCASED:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    return runs


_scanner_lock = threading.Lock()


def scanner_of(resolver: Resolver) -> Scanner:
    """The resolver's Scanner, built on first use."""
    held: Scanner | None = getattr(resolver, "_scanner", None)
    if held is not None:
        return held
    with _scanner_lock:
        held = getattr(resolver, "_scanner", None)
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
