"""The resolver: a gazetteer, its index, and the settings to decide with.

The matching itself is the compiled core's (`namenorm._core.Resolver`: keys,
candidate index, scoring, ranking and decision, one pass a query, without
the GIL); this is its Python face: arguments checked, answers made into
`Match` objects, and batches streamed.
"""

from __future__ import annotations

import os
import sys
import threading
import tomllib
from collections.abc import Iterable, Iterator, Mapping, Sequence, Sized
from functools import lru_cache
from importlib import resources
from itertools import islice
from typing import Any

from tqdm import tqdm

from . import _config, _core
from ._gazetteer import Gazetteer
from ._model import Match, Mention
from ._scan import rewrite, scanner_of
from ._weights import Weights

#: One query of a batch (`Resolver._candidates_many`): the name, its kinds
#: (None: any), how many candidates, and the `where` filter.
Ask = tuple[str, tuple[str, ...] | None, int, Mapping[str, str | Iterable[str]] | None]


def _data(name: str) -> tuple[Any, dict[str, Any]]:
    path = resources.files("namenorm") / "data" / name
    return path, tomllib.loads(path.read_text(encoding="utf-8"))


def _weights_of(path: Any, table: dict[str, Any], names: list[str], refit: str) -> tuple[float, ...]:
    if tuple(table) != tuple(names):
        raise RuntimeError(f"{path}: weights for {tuple(table)}, expected {tuple(names)}; refit with {refit}")
    return tuple(float(table[n]) for n in names)


#: The kinds of entity ranked and scored apart, in the order the core takes
#: their rankers and calibrations: "place" stands for any kind but the others.
KINDS = ("place", "person", "org")


@lru_cache(maxsize=1)
def fitted() -> dict[str, _core.Ranker]:
    """The shipped rankers, from data/ranker.toml: (weights, depth, window)
    of each of `KINDS`, as `_core.Resolver` takes them.

    Fitted by bench/fit_ranker.py; see the core's `rank`.
    """
    path, data = _data("ranker.toml")
    found = {}
    for kind in KINDS:
        table = data[kind]
        weights = _weights_of(path, table["weights"], _core.FEATURES, f"bench/fit_ranker.py --kind {kind}")
        found[kind] = weights, int(table["depth"]), float(table["window"])
    return found


@lru_cache(maxsize=1)
def calibration() -> dict[str, _core.Calibration]:
    """The shipped calibrations of scores, from data/calibration.toml:
    (intercept, weights) of each of `KINDS`, as `_core.Resolver` takes them.

    Fitted by bench/fit_trust.py; see the core's `calibrate`.
    """
    path, data = _data("calibration.toml")
    found = {}
    for kind in KINDS:
        table = data[kind]
        weights = _weights_of(path, table["weights"], _core.FACTS, f"bench/fit_trust.py --kind {kind}")
        found[kind] = float(table["intercept"]), weights
    return found


def core_settings(
    rankers: dict[str, _core.Ranker] | None = None, calibrations: dict[str, _core.Calibration] | None = None
) -> tuple[tuple[_core.Ranker, _core.Ranker, _core.Ranker], tuple[_core.Calibration, _core.Calibration, _core.Calibration]]:
    """The rankers and calibrations of `KINDS` as `_core.Resolver` takes
    them: the shipped ones, each kind given replacing its own."""
    r, c = {**fitted(), **(rankers or {})}, {**calibration(), **(calibrations or {})}
    return (r["place"], r["person"], r["org"]), (c["place"], c["person"], c["org"])


class Resolver:
    """Resolves names to the entities of one gazetteer.

    Immutable once built, safe to share between threads (the core releases
    the GIL while it works, so threads resolve side by side), and picklable.

    Args:
        gazetteer: The entities to resolve to.
        score_cutoff: `resolve` returns None below this score (a
            probability: see `Match.score`).
        max_false_match: `resolve` returns None when a name that is not in
            this gazetteer scores as high as the best match more often than
            this (see `Match.false_match`). By default 0.03 for a person,
            who is screened and has namesakes, and 0.05 for any other kind:
            `namenorm._config`'s `MAX_FALSE_MATCH_PERSON` and
            `MAX_FALSE_MATCH`.
        ambiguity_margin: A match is ambiguous when another entity scores
            within this margin of it.
        weights: Scoring weights (see `namenorm.Weights`).
        rival_places: Lower (by `RIVAL_FACTOR`, below the cutoff) a fuzzy
            match of a query spelled exactly like a real place that is not in
            the gazetteer (a GeoNames city of 1,000+ people, or a country):
            "Paris" is Paris, not a misspelling of Parukh. Such a match still
            ranks among candidates.

    >>> from namenorm import Entity, Gazetteer
    >>> r = Resolver(Gazetteer([Entity(id="x:1", name="Hadrut", kind="place", aliases=("Гадрут",))]))
    >>> r.resolve("Gadrut").entity.id
    'x:1'
    """

    __slots__ = (
        "gazetteer",
        "score_cutoff",
        "max_false_match",
        "ambiguity_margin",
        "weights",
        "rival_places",
        "_kinds",
        "_filters",
        "_attributes",
        "_filter_lock",
        "_scanner",
        "_core",
    )

    def __init__(
        self,
        gazetteer: Gazetteer,
        *,
        score_cutoff: float = _config.SCORE_CUTOFF,
        max_false_match: float | None = None,
        ambiguity_margin: float = _config.AMBIGUITY_MARGIN,
        weights: Weights = Weights(),
        rival_places: bool = True,
    ) -> None:
        if not isinstance(gazetteer, Gazetteer):
            raise TypeError(f"a Resolver needs a Gazetteer, not {type(gazetteer).__name__}")
        if not isinstance(weights, Weights):
            raise TypeError(f"weights must be a namenorm.Weights, not {type(weights).__name__}")
        _check_unit("score_cutoff", score_cutoff)
        if max_false_match is not None:
            _check_unit("max_false_match", max_false_match)
        _check_unit("ambiguity_margin", ambiguity_margin)
        self.gazetteer = gazetteer
        self.score_cutoff = score_cutoff
        self.max_false_match = max_false_match
        self.ambiguity_margin = ambiguity_margin
        self.weights = weights
        self.rival_places = rival_places
        index = gazetteer._candidate_index()
        self._kinds = gazetteer._kinds()
        self._filters: dict[frozenset[tuple[str, frozenset[str]]], list[int]] = {}
        self._attributes: list[dict[str, dict[str, set[int]]]] = []  # built on first use (a Resolver is frozen)
        self._filter_lock = threading.Lock()
        core = _core.Resolver(
            index, weights.as_core(), *core_settings(), float(ambiguity_margin), bool(rival_places)
        )
        self._core = core  # last: once it is set, the Resolver is frozen (see __setattr__)

    def __setattr__(self, name: str, value: Any) -> None:
        if hasattr(self, "_core"):
            raise AttributeError(f"a Resolver is immutable; build a new one instead of setting {name!r}")
        object.__setattr__(self, name, value)

    def __reduce__(self) -> tuple[Any, ...]:
        # The index travels with the gazetteer that holds it.
        return (_rebuild, (self.gazetteer, self._settings()))

    def _settings(self) -> dict[str, Any]:
        return {
            "score_cutoff": self.score_cutoff,
            "max_false_match": self.max_false_match,
            "ambiguity_margin": self.ambiguity_margin,
            "weights": self.weights,
            "rival_places": self.rival_places,
        }

    def candidates(
        self,
        name: str,
        *,
        kind: str | None = None,
        limit: int = _config.DEFAULT_LIMIT,
        score_cutoff: float = 0.0,
        where: Mapping[str, str | Iterable[str]] | None = None,
    ) -> list[Match]:
        """The entities `name` may refer to, best first.

        Args:
            name: The name to look up, in any script.
            kind: Only entities of this kind.
            limit: How many at most.
            score_cutoff: Leave out entities scoring less (default: none left out).
            where: Only entities whose `attrs` have these values, as if the
                gazetteer held no other: ``{"country": "ir"}``, or any of
                several, ``{"country": ["ir", "iq"]}``. An attribute that is a
                list matches if one of its values does; values are compared
                as text, ignoring case. An entity without the attribute is
                left out.

        Returns:
            Up to `limit` matches, in the order of their scores (the
            fitted ranker's order on equal scores: similarity, spelling,
            sound and prior; see data/ranker.toml). Empty for a blank name.

        Raises:
            TypeError: If `name` is not a str.
            ValueError: If `kind` is not a kind of this gazetteer, or `limit` < 1.
            TypeError: If `where` is not a mapping of attribute names to a
                text or texts.
        """
        return self._ranked(name, kind=kind, limit=limit, score_cutoff=score_cutoff, only=self._only(where))

    def _ranked(
        self,
        name: str,
        *,
        kind: str | None = None,
        limit: int = _config.DEFAULT_LIMIT,
        score_cutoff: float = 0.0,
        text: bool = False,
        rivals: bool = True,
        only: list[int] | None = None,
    ) -> list[Match]:
        # `candidates`, scoring the names of the index that the core's cut
        # keeps: fewer for a span of running text (text=True, the core's
        # TEXT_CUT). rivals=False: a name spelled like a real place the
        # gazetteer lacks gets no candidates (running text: it is that
        # place), rather than fuzzy ones scaled below the cutoff.
        _check_query(name, limit)
        self._check_kind(kind)
        _check_unit("score_cutoff", score_cutoff)
        # More than the names of any gazetteer is as many as there are.
        found = self._core.candidates(name, kind, min(limit, 2**32 - 1), float(score_cutoff), text, rivals, only)
        return [self._match(name, answer) for answer in found]

    def _candidates_many(
        self,
        asks: Sequence[Ask],
        *,
        threads: int | None = None,
        score_cutoff: float | None = None,
        max_false_match: float | None = None,
    ) -> list[tuple[list[Match], bool]]:
        # `candidates` of each (name, kinds, limit, where), on `threads` of
        # the core's threads without the GIL (default: one a core), and
        # whether `resolve` would answer with the first (the core decides,
        # as `resolve` does): the batches of `namenorm.serve`. Every ask is
        # checked before any is scored; a filter is handed to the core once.
        checked: list[tuple[str, list[str], int, int | None]] = []
        onlies: list[list[int]] = []
        handed: dict[int, int] = {}
        for name, kinds, limit, where in asks:
            _check_query(name, limit)
            for kind in kinds or ():
                self._check_kind(kind)
            only = self._only(where)
            at = None if only is None else handed.setdefault(id(only), len(handed))
            if at is not None and at == len(onlies):
                onlies.append(only)  # type: ignore[arg-type]
            checked.append((name, list(kinds or ()), min(limit, 2**32 - 1), at))
        bar = self._bar(score_cutoff, max_false_match)
        found = self._core.candidates_many(checked, onlies, bar, _cores() if threads is None else threads)
        return [
            ([self._match(name, answer) for answer in answers], settled)
            for (name, *_), (answers, settled) in zip(asks, found)
        ]

    def _match(self, query: str, answer: _core.Candidate) -> Match:
        entity, (alias, alias_kind), score, false_match, similarity, (method, in_part), ambiguous, runner, runner_score, evidence, features, _ = (
            answer
        )
        entity_of = self.gazetteer._entity
        return Match(
            query=query,
            entity=entity_of(entity),
            score=round(score, 4),
            false_match=round(false_match, 6),
            alias=alias,
            alias_kind=alias_kind,
            method=method,
            settles_in_part=in_part,
            ambiguous=ambiguous,
            runner_up=None if runner is None else entity_of(runner),
            runner_up_score=None if runner_score is None else round(runner_score, 4),
            evidence=tuple((what, round(s, 4)) for what, s in evidence),
            similarity=round(similarity, 4),
            ranking=tuple((f, round(x, 4)) for f, x in zip(_core.FEATURES, features)),
        )

    def _only(self, where: Mapping[str, str | Iterable[str]] | None) -> list[int] | None:
        # The positions of the entities `where` allows, or None for all:
        # from an index of every attribute's values (one pass over the
        # gazetteer, on first use), kept for the last FILTER_CACHE filters.
        if where is None:
            return None
        if not isinstance(where, Mapping):
            raise TypeError(f"where must be a mapping of attribute names to values, not {type(where).__name__}")
        wanted: list[tuple[str, frozenset[str]]] = []
        for key, value in where.items():
            if not isinstance(key, str):
                raise TypeError(f"where's keys must be attribute names (str), not {key!r}")
            values = [value] if isinstance(value, str) else value
            if not isinstance(values, Iterable) or isinstance(values, (bytes, Mapping)):
                raise TypeError(f"where[{key!r}] must be a str or an iterable of str, not {type(value).__name__}")
            texts = list(values)
            if not all(isinstance(v, str) for v in texts):
                raise TypeError(f"where[{key!r}] must be a str or an iterable of str, not {value!r}")
            wanted.append((key, frozenset(v.casefold() for v in texts)))
        if not wanted:
            return None
        filter_key = frozenset(wanted)
        found = self._filters.get(filter_key)
        if found is None:
            index = self._attribute_index()
            found = sorted(
                set.intersection(
                    *(set().union(*(index.get(key, {}).get(v, ()) for v in values)) for key, values in wanted)
                )
            )
            with self._filter_lock:
                if len(self._filters) >= _config.FILTER_CACHE:
                    self._filters.pop(next(iter(self._filters)), None)
                self._filters[filter_key] = found
        return found

    def _attribute_index(self) -> dict[str, dict[str, set[int]]]:
        # For each attribute, the positions of the entities by each of its
        # values (casefolded; each value of a list).
        with self._filter_lock:
            if not self._attributes:
                index: dict[str, dict[str, set[int]]] = {}
                for position, entity in enumerate(self.gazetteer):
                    for key, attr in entity.attrs.items():
                        for item in attr if isinstance(attr, list) else [attr]:
                            if item is not None and not isinstance(item, (dict, list)):
                                index.setdefault(key, {}).setdefault(str(item).casefold(), set()).add(position)
                self._attributes.append(index)
            return self._attributes[0]

    def _check_kind(self, kind: str | None) -> None:
        if kind is not None and kind not in self._kinds:
            raise ValueError(f"unknown kind {kind!r}; this gazetteer has {', '.join(sorted(self._kinds))}")

    def resolve(
        self,
        name: str,
        *,
        kind: str | None = None,
        score_cutoff: float | None = None,
        max_false_match: float | None = None,
        where: Mapping[str, str | Iterable[str]] | None = None,
    ) -> Match | None:
        """The entity `name` refers to, or None when nothing is close enough.

        Args:
            name: The name to resolve, in any script.
            kind: Only entities of this kind.
            score_cutoff: Overrides the resolver's cutoff for this call.
            max_false_match: Overrides the resolver's `max_false_match` for
                this call.
            where: Only entities whose `attrs` have these values (see
                `candidates`): ``resolve("Ali Hassan", where={"country":
                "ir"})``. The match is decided among them alone, so another
                entity elsewhere does not make it ambiguous.

        Returns:
            The best match, with `ambiguous` set when another entity came
            within the margin; None for a blank name or when the best
            candidate is not accepted (see `accepts`), even if the runner-up
            would be: the ranking says the name is more likely what it
            cannot settle.

        Raises:
            TypeError: If `name` is not a str.
            ValueError: If `kind` is not a kind of this gazetteer.
        """
        cutoff, rate = self._bar(score_cutoff, max_false_match)
        if not isinstance(name, str):
            raise TypeError(f"a name must be a str, not {type(name).__name__}")
        self._check_kind(kind)
        found = self._core.resolve(name, kind, cutoff, rate, self._only(where))
        return None if found is None else self._match(name, found)

    def accepts(
        self, match: Match, *, score_cutoff: float | None = None, max_false_match: float | None = None
    ) -> bool:
        """Whether a best candidate resolves its name by itself.

        It must reach the cutoff and its false-match rate must be at most
        `max_false_match` (the resolver's, unless given), its similarity
        must be at least `namenorm._config.MIN_SIMILARITY` (0.65: the
        calibration is fitted where a name that far off never leads by
        much, and is not trusted where one does because little else is
        there), and it must not be
        matched only in part or with words its name lacks (method
        "partial") unless `Match.settles_in_part`: "Union" is not the Soviet
        Union, "Kansanshi Mine" not Kansanshi, "Council" not the UN Security
        Council; `candidates` ranks them, nothing settles them. People are
        named in part all the time (no middle name, a second surname left
        out), and their score says how sure that is.
        """
        return not _core.refusals(*self._decision(match, score_cutoff, max_false_match))

    def refusals(
        self, match: Match, *, score_cutoff: float | None = None, max_false_match: float | None = None
    ) -> list[str]:
        """Why `accepts` refuses a best candidate: each condition it fails,
        in words ("score 0.3021 is below the cutoff 0.55"); empty if it
        accepts it."""
        return _core.refusals(*self._decision(match, score_cutoff, max_false_match))

    def _decision(
        self, match: Match, score_cutoff: float | None, max_false_match: float | None
    ) -> tuple[float, float, float, str, bool, float, float]:
        # What the core's accepts and refusals read of a match, and the bar.
        cutoff, rate = self._bar(score_cutoff, max_false_match)
        false_match = 0.0 if match.false_match is None else match.false_match
        similarity = match.score if match.similarity is None else match.similarity
        if rate is None:
            rate = _config.max_false_match_of(match.entity.kind)
        return match.score, false_match, similarity, match.method, match.settles_in_part, cutoff, rate

    def _bar(self, score_cutoff: float | None, max_false_match: float | None) -> tuple[float, float | None]:
        # The cutoff and false-match rate a call asks for, checked (None:
        # the default of each kind).
        cutoff = self.score_cutoff if score_cutoff is None else score_cutoff
        rate = self.max_false_match if max_false_match is None else max_false_match
        _check_unit("score_cutoff", cutoff)
        if rate is not None:
            _check_unit("max_false_match", rate)
            rate = float(rate)
        return float(cutoff), rate

    def false_match_score(self, rate: float | None = None, *, latin: bool = True) -> float:
        """The lowest score whose false-match rate on this gazetteer is at
        most `rate` (default: the resolver's `max_false_match`, or the
        default one of places, `MAX_FALSE_MATCH`): where `resolve` starts to
        answer, whatever the cutoff, for a query written in Latin letters
        (`latin=False`: in another script).

        Measured, like every false-match rate, by resolving a background of
        real names that this gazetteer lacks, once, when first needed (see
        `Match.false_match`).
        """
        rate = (self.max_false_match or _config.MAX_FALSE_MATCH) if rate is None else rate
        _check_unit("rate", rate)
        return self._core.score_at(float(rate), not latin)

    def scan(
        self, text: str, *, kinds: Iterable[str] | str | None = None, score_cutoff: float | None = None
    ) -> list[Mention]:
        """Find the names of this gazetteer's entities in running text.

        Aliases are found as written, longest first, on word boundaries, in
        any script; variants ("Qadr region", "Nicole Bashinian") among the
        capitalized words left, when they are sure enough for running text
        (`namenorm._config.TEXT_SCORE_CUTOFF`), with cue words and the other
        entities of the text weighed. Demonyms ("Armenian") are not mentions
        of their place. See `namenorm._scan` for the rules.

        A variant's score is weighed with its context (see its evidence), on
        fewer candidate names than `resolve` scores (the core's `TEXT_CUT`),
        so it can differ from what `resolve` gives the same words.

        Args:
            text: Any text.
            kinds: Only mentions of entities of these kinds (a kind, or several).
            score_cutoff: The score a variant needs, with its context
                (default `TEXT_SCORE_CUTOFF`, 0.75). Aliases found as written
                are always kept; a variant is never kept that `accepts`
                refuses (below the resolver's own cutoff, or a place named
                in part), nor, in a script without capitals, below
                `TEXT_UNCASED_CUTOFF`.

        Returns:
            The mentions, in text order, none overlapping.

        Raises:
            TypeError: If `text` is not a str.
            ValueError: If a kind is not a kind of this gazetteer, `kinds`
                is empty, or `score_cutoff` is not in [0, 1].
        """
        return scanner_of(self).scan(text, kinds=kinds, score_cutoff=score_cutoff)

    def normalize_text(
        self, text: str, *, kinds: Iterable[str] | str | None = None, score_cutoff: float | None = None
    ) -> str:
        """`text` with each mention (see `scan`) replaced by its entity's
        canonical name; everything else kept character for character."""
        return rewrite(text, self.scan(text, kinds=kinds, score_cutoff=score_cutoff))

    def resolve_many(
        self,
        names: Iterable[str],
        *,
        kind: str | None = None,
        processes: int | None = None,
        chunksize: int = _config.CHUNKSIZE,
        progress: bool | None = None,
    ) -> Iterator[Match | None]:
        """Resolve each name as `resolve` does, on several threads that share
        this resolver's index, yielding the answers in input order as they come.

        Args:
            names: The names; read as they are needed, so a file or a
                generator streams through.
            kind: Only entities of this kind.
            processes: How many threads resolve at once (default: one per
                core this process may use); 1 resolves on this thread. (The
                name is from when they were processes: threads share one
                index, where processes each held a copy.)
            chunksize: How many names each thread takes at a time.
            progress: Show a progress bar (tqdm) on stderr; by default, when
                stderr is a terminal.

        Raises:
            TypeError: If a name is not a str (when its answer is reached).
            ValueError: If `kind` is not a kind of this gazetteer, or
                `processes` or `chunksize` is < 1.
        """
        self._check_kind(kind)
        threads = _cores() if processes is None else processes
        for what, value in (("processes", threads), ("chunksize", chunksize)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{what} must be a whole number >= 1, not {value!r}")
        answers = self._resolve_in_batches(iter(names), kind, threads, chunksize)
        if progress is None:
            progress = sys.stderr.isatty()
        if progress:
            total = len(names) if isinstance(names, Sized) else None
            answers = iter(tqdm(answers, total=total, unit=" names", desc="resolving", file=sys.stderr))
        return answers

    def _resolve_in_batches(
        self, names: Iterator[str], kind: str | None, threads: int, chunksize: int
    ) -> Iterator[Match | None]:
        # A batch of names at a time goes to the core, which resolves it on
        # `threads` threads without the GIL; the answers come back in order.
        cutoff, rate = self._bar(None, None)
        while batch := list(islice(names, threads * chunksize)):
            bad = next((i for i, name in enumerate(batch) if not isinstance(name, str)), None)
            asked = batch if bad is None else batch[:bad]
            for name, found in zip(asked, self._core.resolve_many(asked, kind, cutoff, rate, threads)):
                yield None if found is None else self._match(name, found)
            if bad is not None:
                raise TypeError(f"a name must be a str, not {type(batch[bad]).__name__}")


def _cores() -> int:
    """How many cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not Linux
        return os.cpu_count() or 1


def _check_query(name: Any, limit: Any) -> None:
    # A query's name and limit, as `candidates` takes them.
    if not isinstance(name, str):
        raise TypeError(f"a name must be a str, not {type(name).__name__}")
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ValueError(f"limit must be a whole number >= 1, not {limit!r}")


def _check_unit(what: str, value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= value <= 1.0:
        raise ValueError(f"{what} must be a number in [0, 1], not {value!r}")


def _rebuild(gazetteer: Gazetteer, settings: dict[str, Any]) -> Resolver:
    return Resolver(gazetteer, **settings)
