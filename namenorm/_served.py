"""What `namenorm serve` answers from: a gazetteer and its resolver, loaded
once and replaced whole on a reload, the limits it keeps, and its plain JSON
API (`/match`).

Nothing here speaks HTTP (that is `namenorm.serve`) or the Reconciliation
API (`namenorm._reconcile`): these are functions of parsed JSON to JSON.
"""

from __future__ import annotations

import bisect
import contextlib
import heapq
import itertools
import math
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from . import _config
from ._core import transliterate
from ._errors import json_type
from ._gazetteer import Gazetteer
from ._model import Entity, Match
from ._resolver import Resolver


class RequestError(ValueError):
    """A request the service refuses, and why.

    Attributes:
        status: The HTTP status to answer with (400, 403, 404, 413, 415, 422).
        limit: The limit the request went past ("max_names", ...), if that is why.
    """

    def __init__(self, message: str, *, status: int = 422, limit: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.limit = limit

    def as_json(self) -> dict[str, Any]:
        """The error as the service answers it."""
        found: dict[str, Any] = {"error": str(self), "status": self.status}
        if self.limit is not None:
            found["limit"] = self.limit
        return found


@dataclass(frozen=True)
class Limits:
    """What one request may ask of the service (see `namenorm._config`).

    Attributes:
        max_body_bytes: The bytes of a request's body (413 past it).
        max_names: The names (queries, ids) of one request (422).
        max_name_length: The characters of one name (422).
        max_limit: The candidates one query may ask for (422).
    """

    max_body_bytes: int = _config.SERVE_MAX_BODY_BYTES
    max_names: int = _config.SERVE_MAX_NAMES
    max_name_length: int = _config.SERVE_MAX_NAME_LENGTH
    max_limit: int = _config.SERVE_MAX_LIMIT

    def __post_init__(self) -> None:
        for what in ("max_body_bytes", "max_names", "max_name_length", "max_limit"):
            value = getattr(self, what)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{what} must be a whole number >= 1, not {value!r}")

    def check_names(self, count: int, what: str) -> None:
        """Refuse a request of more than `max_names` names."""
        if count > self.max_names:
            raise RequestError(
                f"{count:,} {what} in one request; this service takes at most {self.max_names:,} "
                "(send them in several requests, or start it with a higher --max-names)",
                limit="max_names",
            )

    def check_name(self, name: str, where: str) -> None:
        """Refuse a name longer than `max_name_length`."""
        if len(name) > self.max_name_length:
            raise RequestError(
                f"{where} is {len(name):,} characters long; this service takes names of at most "
                f"{self.max_name_length:,} (--max-name-length)",
                limit="max_name_length",
            )

    def check_limit(self, limit: Any, where: str) -> int:
        """A query's `limit`, checked: a whole number from 1 to `max_limit`."""
        if isinstance(limit, bool) or not isinstance(limit, (int, float)) or limit != limit or limit < 1:
            raise RequestError(f"{where} must be a whole number >= 1, not {limit!r}")
        if not float(limit).is_integer():
            raise RequestError(f"{where} must be a whole number >= 1, not {limit!r}")
        if limit > self.max_limit:
            raise RequestError(
                f"{where} is {int(limit):,}; this service returns at most {self.max_limit:,} candidates a query",
                limit="max_limit",
            )
        return int(limit)


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
        self._lock = threading.Lock()
        self._prefixes: tuple[list[str], list[tuple[int, bool]]] | None = None
        self._properties: tuple[Counter[str], dict[str, Counter[str]]] | None = None

    @classmethod
    def load(cls, sources: Sequence[str], *, generation: int = 1, **settings: Any) -> Served:
        """Open the gazetteers named (combined if more than one, as
        ``--gazetteer`` does), build their resolver with `settings` and
        measure its false-match rates now, so that the first request waits
        for nothing and a reload swaps in a resolver that is ready.

        Raises:
            GazetteerError: If a gazetteer is not sound (the old one, on a
                reload, goes on serving).
        """
        if not sources:
            raise ValueError("a service needs a gazetteer")
        opened = [Gazetteer.open(source) for source in sources]
        gazetteer = opened[0] if len(opened) == 1 else Gazetteer.combine(*opened)
        resolver = Resolver(gazetteer, **settings)
        resolver.false_match_score()  # measures the false-match rates, if the gazetteer did not carry them
        return cls(resolver, sources, generation)

    def entity(self, entity_id: str) -> Entity | None:
        """The entity of this id, or None."""
        return self.gazetteer[entity_id] if entity_id in self.gazetteer else None

    def check_kind(self, kind: Any, where: str) -> str:
        """`kind`, if it is a kind of this gazetteer."""
        if not isinstance(kind, str):
            raise RequestError(f"{where} must be a str, not a JSON {json_type(kind)}")
        if kind not in self.kinds:
            raise RequestError(f"{where}: unknown kind {kind!r}; this service has {', '.join(self.kinds)}")
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
        with self._lock:
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
        with self._lock:
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


def ask(
    served: Served,
    asks: Sequence[tuple[str, str | None, int, Mapping[str, str | Iterable[str]] | None]],
    *,
    threads: int | None = None,
    turns: Turns | None = None,
) -> list[list[Match]]:
    """The candidates of each (name, kind, limit, where), as
    `Resolver.candidates` ranks them, on the core's threads, a turn of a
    few names at a time while other requests wait (see `Turns`)."""
    found: list[list[Match]] = []
    steps = itertools.repeat(_config.SERVE_CHUNK_ALONE) if turns is None else turns.steps()
    while len(found) < len(asks):
        step = next(steps)
        found += served.resolver._candidates_many(asks[len(found) : len(found) + step], threads=threads)
    return found


def matches(
    served: Served, body: Any, limits: Limits, *, threads: int | None = None, turns: Turns | None = None
) -> dict[str, Any]:
    """The answer to a /match request: for each name, the match `resolve`
    gives (or null) and the candidates `candidates` gives, every field of
    each `Match`.

    The body: ``{"names": [...], "kind": null, "limit": 5, "score_cutoff":
    null, "max_false_match": null, "where": null}``; only `names` is needed.
    """
    if not isinstance(body, dict):
        raise RequestError(f"a /match request is a JSON object with a list of names, not a JSON {json_type(body)}")
    unknown = sorted(set(body) - {"names", "kind", "limit", "score_cutoff", "max_false_match", "where"})
    if unknown:
        raise RequestError(
            f"unknown field {unknown[0]!r}; a /match request has names, kind, limit, score_cutoff, "
            "max_false_match and where"
        )
    if "names" not in body:
        raise RequestError('a /match request needs "names": a list of names')
    names = body["names"]
    if not isinstance(names, list):
        raise RequestError(f'"names" must be a list of str, not a JSON {json_type(names)}')
    limits.check_names(len(names), "names")
    for i, name in enumerate(names):
        if not isinstance(name, str):
            raise RequestError(f"names[{i}] must be a str, not a JSON {json_type(name)}")
        limits.check_name(name, f"names[{i}]")
    kind = body.get("kind")
    if kind is not None:
        served.check_kind(kind, '"kind"')
    limit = limits.check_limit(body.get("limit", _config.DEFAULT_LIMIT), '"limit"')
    bar: dict[str, float] = {}
    for what in ("score_cutoff", "max_false_match"):
        value = body.get(what)
        if value is not None:
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
                raise RequestError(f'"{what}" must be a number in [0, 1], not {value!r}')
            bar[what] = float(value)
    where = _where(body.get("where"))
    found = ask(served, [(name, kind, limit, where) for name in names], threads=threads, turns=turns)
    accepts = served.resolver.accepts
    return {
        "results": [
            {
                "query": name,
                "match": match_json(candidates[0]) if candidates and accepts(candidates[0], **bar) else None,
                "candidates": [match_json(c) for c in candidates],
            }
            for name, candidates in zip(names, found)
        ]
    }


def _where(where: Any) -> dict[str, list[str]] | None:
    if where is None:
        return None
    if not isinstance(where, dict):
        raise RequestError(f'"where" must be an object of attribute names to values, not a JSON {json_type(where)}')
    checked: dict[str, list[str]] = {}
    for key, value in where.items():
        values = value if isinstance(value, list) else [value]
        if not values or not all(isinstance(v, str) for v in values):
            raise RequestError(f'"where"[{key!r}] must be a str or a list of str, not {value!r}')
        checked[key] = values
    return checked


def match_json(m: Match) -> dict[str, Any]:
    """Every field of a `Match`, as JSON (its entity whole, its runner-up by
    id and name)."""
    return {
        "query": m.query,
        "entity": entity_json(m.entity),
        "score": m.score,
        "alias": m.alias,
        "alias_kind": m.alias_kind,
        "method": m.method,
        "ambiguous": m.ambiguous,
        "runner_up": None if m.runner_up is None else {"id": m.runner_up.id, "name": m.runner_up.name},
        "runner_up_score": m.runner_up_score,
        "evidence": [[what, value] for what, value in m.evidence],
        "similarity": m.similarity,
        "ranking": dict(m.ranking),
        "false_match": m.false_match,
        "settles_in_part": m.settles_in_part,
    }


def entity_json(e: Entity) -> dict[str, Any]:
    """Every field of an `Entity`, as JSON."""
    return {
        "id": e.id,
        "name": e.name,
        "kind": e.kind,
        "aliases": list(e.aliases),
        "previous_names": list(e.previous_names),
        "weak_aliases": list(e.weak_aliases),
        "prior": e.prior if math.isfinite(e.prior) else None,
        "attrs": dict(e.attrs),
    }
