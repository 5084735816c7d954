"""What `namenorm serve` answers from: a gazetteer and its resolver, loaded
once and replaced whole on a reload, with the tables its suggest and data
extension read (built on first use); and how a batch of names takes turns on
the core's threads with the other requests.

The protocols over it are `namenorm._reconcile` (the Reconciliation API)
and `namenorm._api` (`/match`); HTTP is `namenorm.serve`.
"""

from __future__ import annotations

import bisect
import contextlib
import heapq
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Any

from . import _config
from ._core import transliterate
from ._errors import json_type
from ._gazetteer import Gazetteer, open_all
from ._limits import RequestError, shown
from ._model import Entity, Match
from ._resolver import Ask, Resolver


class Served:
    """A gazetteer and its resolver as a service answers from them, with
    what suggest and data extension read of them (each built on first use,
    once, under a lock). Immutable: a reload builds another.

    Args:
        resolver: The resolver (its gazetteer is the one served).
        sources: The gazetteers named when it was loaded ("builtin", a path).
        generation: 1 for the first load, one more for each reload.
    """

    def __init__(self, resolver: Resolver, sources: Sequence[str], generation: int = 1) -> None:
        self.resolver = resolver
        self.gazetteer: Gazetteer = resolver.gazetteer
        self.sources = tuple(sources)
        self.generation = generation
        self.loaded_at = time.time()
        self.kinds = sorted(self.gazetteer._kinds())
        self._prefix_lock = threading.Lock()
        self._count_lock = threading.Lock()
        self._prefixes: tuple[list[str], list[tuple[int, bool]]] | None = None
        self._properties: tuple[Counter[str], dict[str, Counter[str]]] | None = None

    @classmethod
    def load(cls, sources: Sequence[str], *, generation: int = 1, **settings: Any) -> Served:
        """Open the gazetteers named (combined if more than one, as
        ``--gazetteer`` does), build their resolver with `settings` and
        measure its false-match rates and build its table of prefixes now,
        so that no request waits for them and a reload swaps in a resolver
        that is ready.

        Raises:
            GazetteerError: If a gazetteer is not sound (the old one, on a
                reload, goes on serving).
        """
        if not sources:
            raise ValueError("a service needs a gazetteer")
        resolver = Resolver(open_all(sources), **settings)
        resolver.false_match_score()  # measures the false-match rates, if the gazetteer did not carry them
        served = cls(resolver, sources, generation)
        served._prefix_table()  # so that the first suggest waits for nothing either (2 s on 34,006 cities)
        return served

    def entity(self, entity_id: str) -> Entity | None:
        """The entity of this id, or None."""
        return self.gazetteer[entity_id] if entity_id in self.gazetteer else None

    def check_kind(self, kind: Any, where: str) -> str:
        """`kind`, if it is a kind of this gazetteer."""
        if not isinstance(kind, str):
            raise RequestError(f"{where} must be a string, not a JSON {json_type(kind)}")
        if kind not in self.kinds:
            raise RequestError(f"{where}: unknown kind {shown(kind)}; this service has {', '.join(self.kinds)}")
        return kind

    def by_prefix(self, prefix: str, kind: str | None, limit: int) -> list[Entity]:
        """The entities with a name of which a word starts with `prefix`
        (compared as both are transliterated into Latin letters: "Гад" and
        "Gad" both find Hadrut, "Pash" finds Nikol Pashinyan): those whose
        name starts with it first, then the most prominent (by prior), then
        by id."""
        key = transliterate(prefix).strip()
        if not key:
            return []
        keys, positions = self._prefix_table()
        start = bisect.bisect_left(keys, key)
        end = bisect.bisect_left(keys, key + "\U0010ffff", lo=start)
        first: dict[int, bool] = {}
        for i in range(start, end):
            position, whole = positions[i]
            first[position] = first.get(position, False) or whole
        entity_of = self.gazetteer._entity
        wanted = ((entity_of(p), whole) for p, whole in first.items())
        best = heapq.nsmallest(
            limit,
            ((e, whole) for e, whole in wanted if kind is None or e.kind == kind),
            key=lambda ew: (not ew[1], -ew[0].prior, ew[0].id),
        )
        return [e for e, _ in best]

    def _prefix_table(self) -> tuple[list[str], list[tuple[int, bool]]]:
        # Every name transliterated, from each of its words on, sorted, with
        # its entity's position and whether it is the name's first word.
        with self._prefix_lock:
            if self._prefixes is None:
                pairs = sorted(
                    (words[i:], (position, i == 0))
                    for position, entity in enumerate(self.gazetteer)
                    for words in {transliterate(name) for name in entity.names}
                    for i in range(len(words))
                    if i == 0 or words[i - 1] == " "
                )
                self._prefixes = ([k for k, _ in pairs], [p for _, p in pairs])
            return self._prefixes

    def properties(self, kind: str | None) -> list[tuple[str, int]]:
        """The attributes the entities of `kind` (or of every kind) have,
        the most common first, with how many have each."""
        found: Counter[str] = Counter()
        for each, counts in self._counted()[1].items():
            if kind is None or each == kind:
                found.update(counts)
        return sorted(found.items(), key=lambda kv: (-kv[1], kv[0]))

    def count(self, kind: str | None) -> int:
        """How many entities are of `kind` (of any kind: None)."""
        return len(self.gazetteer) if kind is None else self._counted()[0][kind]

    def _counted(self) -> tuple[Counter[str], dict[str, Counter[str]]]:
        # The entities of each kind, and their attributes: one pass, once.
        with self._count_lock:
            if self._properties is None:
                kinds: Counter[str] = Counter()
                counted: dict[str, Counter[str]] = {}
                for entity in self.gazetteer:
                    kinds[entity.kind] += 1
                    counted.setdefault(entity.kind, Counter()).update(entity.attrs.keys())
                self._properties = (kinds, counted)
            return self._properties

    def health(self) -> dict[str, Any]:
        """What /healthz says."""
        return {
            "status": "ok",
            "gazetteer": list(self.sources),
            "entities": len(self.gazetteer),
            "kinds": self.kinds,
            "generation": self.generation,
            "loaded_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.loaded_at)),
        }


class Turns:
    """How many requests are matching names: a batch takes short turns on
    the core's threads while others match or came during its last turn,
    longer ones when it is alone."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._active = 0
        self._started = 0

    @contextlib.contextmanager
    def taken(self) -> Iterator[None]:
        """Count a request as matching while it is inside."""
        with self._lock:
            self._active += 1
            self._started += 1
        try:
            yield
        finally:
            with self._lock:
                self._active -= 1

    def steps(self) -> Iterator[int]:
        """How many names each turn of a batch takes, one turn after another."""
        seen = self._started
        while True:
            crowded = self._active > 1 or self._started != seen
            seen = self._started
            yield _config.SERVE_CHUNK if crowded else _config.SERVE_CHUNK_ALONE


def ranked(
    served: Served,
    asks: Sequence[Ask],
    *,
    threads: int | None,
    turns: Turns,
    score_cutoff: float | None = None,
    max_false_match: float | None = None,
) -> list[tuple[list[Match], bool]]:
    """The candidates of each (name, kinds, limit, where), as
    `Resolver.candidates` ranks them, and whether `Resolver.resolve` would
    answer with the first (at this cutoff and false-match rate, by default
    the resolver's); on the core's threads, a turn of a few names at a time
    while other requests wait (see `Turns`)."""
    found: list[tuple[list[Match], bool]] = []
    steps = turns.steps()
    while len(found) < len(asks):
        step = next(steps)
        found += served.resolver._candidates_many(
            asks[len(found) : len(found) + step],
            threads=threads,
            score_cutoff=score_cutoff,
            max_false_match=max_false_match,
        )
    return found
