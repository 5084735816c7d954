"""The resolver: a gazetteer, its index, and the settings to decide with."""

from __future__ import annotations

import multiprocessing
import os
import sys
import unicodedata
from collections.abc import Iterable, Iterator, Sized
from dataclasses import replace
from typing import Any

from tqdm import tqdm

from . import _config
from ._decide import decide
from ._gazetteer import Gazetteer
from ._index import Cut
from ._keys import NameKeys, name_keys
from ._model import Match, Mention
from ._rank import fitted
from ._readings import readings
from ._rivals import rival_names
from ._scan import rewrite, scanner_of
from ._score import NameScore, Scored, score_name
from ._weights import Weights


class Resolver:
    """Resolves names to the entities of one gazetteer.

    Immutable once built, safe to share between threads, and picklable.

    Args:
        gazetteer: The entities to resolve to.
        score_cutoff: `resolve` returns None below this score.
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
        "ambiguity_margin",
        "weights",
        "rival_places",
        "_index",
        "_own_names",
        "_kinds",
        "_scanner",
    )

    def __init__(
        self,
        gazetteer: Gazetteer,
        *,
        score_cutoff: float = _config.SCORE_CUTOFF,
        ambiguity_margin: float = _config.AMBIGUITY_MARGIN,
        weights: Weights = Weights(),
        rival_places: bool = True,
    ) -> None:
        if not isinstance(gazetteer, Gazetteer):
            raise TypeError(f"a Resolver needs a Gazetteer, not {type(gazetteer).__name__}")
        _check_unit("score_cutoff", score_cutoff)
        _check_unit("ambiguity_margin", ambiguity_margin)
        self.gazetteer = gazetteer
        self.score_cutoff = score_cutoff
        self.ambiguity_margin = ambiguity_margin
        self.weights = weights
        self.rival_places = rival_places
        index = gazetteer._candidate_index()
        self._own_names = index.romanized_names()
        self._kinds = frozenset(e.kind for e in gazetteer)
        self._index = index  # last: once it is set, the Resolver is frozen (see __setattr__)

    def __setattr__(self, name: str, value: Any) -> None:
        if hasattr(self, "_index"):
            raise AttributeError(f"a Resolver is immutable; build a new one instead of setting {name!r}")
        object.__setattr__(self, name, value)

    def __reduce__(self) -> tuple[Any, ...]:
        # The index travels with the gazetteer that holds it.
        return (_rebuild, (self.gazetteer, self._settings()))

    def _settings(self) -> dict[str, Any]:
        return {
            "score_cutoff": self.score_cutoff,
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
    ) -> list[Match]:
        """The entities `name` may refer to, best first.

        Args:
            name: The name to look up, in any script.
            kind: Only entities of this kind.
            limit: How many at most.
            score_cutoff: Leave out entities scoring less (default: none left out).

        Returns:
            Up to `limit` matches, best first by the fitted ranker (similarity,
            spelling, sound and prior; see data/ranker.toml), then the entity
            id. Empty for a blank name.

        Raises:
            TypeError: If `name` is not a str.
            ValueError: If `kind` is not a kind of this gazetteer, or `limit` < 1.
        """
        return self._ranked(name, kind=kind, limit=limit, score_cutoff=score_cutoff)

    def _ranked(
        self,
        name: str,
        *,
        kind: str | None = None,
        limit: int = _config.DEFAULT_LIMIT,
        score_cutoff: float = 0.0,
        cut: Cut = Cut(),
        rivals: bool = True,
    ) -> list[Match]:
        # `candidates`, scoring the names of the index that `cut` keeps (see
        # `Index.lookup`): fewer for a span of running text (`TEXT_CUT`).
        # rivals=False: a name spelled like a real place the gazetteer lacks
        # gets no candidates (running text: it is that place), rather than
        # fuzzy ones scaled below the cutoff.
        if not isinstance(name, str):
            raise TypeError(f"a name must be a str, not {type(name).__name__}")
        self._check_kind(kind)
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise ValueError(f"limit must be a whole number >= 1, not {limit!r}")
        _check_unit("score_cutoff", score_cutoff)
        # Cheap bound first: normalization never shrinks a name tenfold.
        if len(name) > 10 * _config.MAX_NAME_LENGTH:
            return []
        query = name_keys(name)
        if not query.words or len(query.normalized) > _config.MAX_NAME_LENGTH:
            return []
        if not rivals and self._is_rival(query.core):
            return []
        return decide(
            name,
            self._scored(name, query, kind, cut),
            score_cutoff=score_cutoff,
            ambiguity_margin=self.ambiguity_margin,
            limit=limit,
            ranker=fitted(),
            weights=self.weights,
        )

    def _scored(
        self,
        name: str,
        query: NameKeys,
        kind: str | None,
        cut: Cut = Cut(),
    ) -> list[Scored]:
        # Every candidate name scored against the query and its other readings.
        scored = self._score(query, unicodedata.normalize("NFC", name.strip()), kind, cut)
        if any(s.score.method in ("exact", "normalized") for s in scored):
            return scored  # a name as written: other readings could only compete with it
        for reading in readings(name, query):
            for item in self._score(
                name_keys(reading.text), unicodedata.normalize("NFC", reading.text.strip()), kind, cut
            ):
                if reading.people or item.entity.kind != "person":
                    scored.append(_scaled(item, reading.factor, reading.note))
        return scored

    def _score(self, query: NameKeys, exact: str, kind: str | None, cut: Cut) -> list[Scored]:
        scored: list[Scored] = []
        for indexed in self._index.lookup(query, cut):
            entity = self._index.entities[indexed.entity]
            if kind is not None and entity.kind != kind:
                continue
            if indexed.text == exact:
                result: NameScore | None = NameScore(1.0, "exact", ())
            else:
                result = score_name(
                    query, indexed.keys, person=entity.kind == "person", fuzzy=indexed.fuzzy, weights=self.weights
                )
            if result is not None:
                scored.append(Scored(entity, indexed.text, result, query, indexed.keys))
        if any(s.score.fuzzy for s in scored) and self._is_rival(query.core):
            # The query is spelled like another real place: a fuzzy match may
            # still rank, but never resolves the name by itself.
            note = "spelled like another place (GeoNames)"
            scored = [_scaled(s, _config.RIVAL_FACTOR, note) if s.score.fuzzy else s for s in scored]
        return scored

    def _check_kind(self, kind: str | None) -> None:
        if kind is not None and kind not in self._kinds:
            raise ValueError(f"unknown kind {kind!r}; this gazetteer has {', '.join(sorted(self._kinds))}")

    def _is_rival(self, romanized: str) -> bool:
        return self.rival_places and romanized not in self._own_names and romanized in rival_names()

    def resolve(self, name: str, *, kind: str | None = None, score_cutoff: float | None = None) -> Match | None:
        """The entity `name` refers to, or None when nothing is close enough.

        Args:
            name: The name to resolve, in any script.
            kind: Only entities of this kind.
            score_cutoff: Overrides the resolver's cutoff for this call.

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
        cutoff = self.score_cutoff if score_cutoff is None else score_cutoff
        _check_unit("score_cutoff", cutoff)
        found = self.candidates(name, kind=kind, limit=2, score_cutoff=0.0)
        if not found or not self.accepts(found[0], score_cutoff=cutoff):
            return None
        return found[0]

    def accepts(self, match: Match, *, score_cutoff: float | None = None) -> bool:
        """Whether a best candidate resolves its name by itself.

        It must reach the cutoff (the resolver's, unless `score_cutoff` is
        given), and not be an entity other than a person matched only in
        part or with words its name lacks (method "partial": "Union" is not
        the Soviet Union, "Kansanshi Mine" not Kansanshi), which `candidates`
        ranks but nothing settles. People are named in part all the time
        (surname only, no middle name).
        """
        cutoff = self.score_cutoff if score_cutoff is None else score_cutoff
        return match.score >= cutoff and not (match.method == "partial" and match.entity.kind != "person")

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
        fewer candidate names than `resolve` scores (`_index.TEXT_CUT`), so
        it can differ from what `resolve` gives the same words.

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
        """Resolve each name as `resolve` does, on several processes, yielding
        the answers in input order as they come.

        Args:
            names: The names; read as they are needed, so a file or a
                generator streams through.
            kind: Only entities of this kind.
            processes: How many worker processes (default: one per core);
                1 resolves in this process.
            chunksize: How many names a worker takes at a time.
            progress: Show a progress bar (tqdm) on stderr; by default, when
                stderr is a terminal.

        Raises:
            TypeError: If a name is not a str (when its answer is reached).
            ValueError: If `kind` is not a kind of this gazetteer, or
                `processes` or `chunksize` is < 1.
        """
        self._check_kind(kind)
        processes = (os.cpu_count() or 1) if processes is None else processes
        for what, value in (("processes", processes), ("chunksize", chunksize)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{what} must be a whole number >= 1, not {value!r}")
        if processes == 1:
            answers: Iterator[Match | None] = (self.resolve(name, kind=kind) for name in names)
        else:
            answers = self._resolve_on(processes, names, kind, chunksize)
        if progress is None:
            progress = sys.stderr.isatty()
        if progress:
            total = len(names) if isinstance(names, Sized) else None
            answers = iter(tqdm(answers, total=total, unit=" names", desc="resolving", file=sys.stderr))
        return answers

    def _resolve_on(
        self, processes: int, names: Iterable[str], kind: str | None, chunksize: int
    ) -> Iterator[Match | None]:
        # Each worker gets this resolver once, at its start (forked, or pickled
        # and rebuilt where processes are spawned), not with every name.
        with multiprocessing.Pool(processes, initializer=_start_worker, initargs=(self, kind)) as pool:
            yield from pool.imap(_resolve_in_worker, names, chunksize)


_worker: tuple[Resolver, str | None] | None = None


def _start_worker(resolver: Resolver, kind: str | None) -> None:
    global _worker
    _worker = (resolver, kind)


def _resolve_in_worker(name: str) -> Match | None:
    assert _worker is not None, "a worker resolves only after _start_worker"
    resolver, kind = _worker
    return resolver.resolve(name, kind=kind)


def _scaled(item: Scored, factor: float, note: str) -> Scored:
    """`item` with its score times `factor`, and why in its evidence."""
    score = item.score
    return replace(item, score=replace(score, score=score.score * factor, evidence=(*score.evidence, (note, factor))))


def _check_unit(what: str, value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= value <= 1.0:
        raise ValueError(f"{what} must be a number in [0, 1], not {value!r}")


def _rebuild(gazetteer: Gazetteer, settings: dict[str, Any]) -> Resolver:
    return Resolver(gazetteer, **settings)
