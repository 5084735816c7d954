"""The plain JSON API of `namenorm serve`: ``POST /match``, for programs.

For each name, the match `Resolver.resolve` gives (or null) and the
candidates `Resolver.candidates` gives, every field of each `Match`. A
function of parsed JSON to JSON: `namenorm.serve` reads the request and
writes the answer.
"""

from __future__ import annotations

from typing import Any

from . import _config
from ._errors import json_type
from ._limits import Limits, RequestError, shown
from ._model import Entity, Match
from ._served import Served, Turns, ranked

#: The fields of a /match request.
FIELDS = ("names", "kind", "limit", "score_cutoff", "max_false_match", "where")


def match_response(
    served: Served, body: Any, limits: Limits, *, threads: int | None, turns: Turns
) -> dict[str, Any]:
    """The answer to a /match request.

    The body: ``{"names": [...], "kind": null, "limit": 5, "score_cutoff":
    null, "max_false_match": null, "where": null}``; only `names` is needed.

    Raises:
        RequestError: If the body is not such an object, saying what is wrong.
    """
    if not isinstance(body, dict):
        raise RequestError(f"a /match request is a JSON object with a list of names, not a JSON {json_type(body)}")
    unknown = sorted(set(body) - set(FIELDS))
    if unknown:
        raise RequestError(f"unknown field {shown(unknown[0])}; a /match request has {', '.join(FIELDS)}")
    if "names" not in body:
        raise RequestError('a /match request needs "names": a list of names')
    names = body["names"]
    if not isinstance(names, list):
        raise RequestError(f'"names" must be a list of strings, not a JSON {json_type(names)}')
    limits.check_count(len(names), "names")
    for i, name in enumerate(names):
        if not isinstance(name, str):
            raise RequestError(f"names[{i}] must be a string, not a JSON {json_type(name)}")
        limits.check_name(name, f"names[{i}]")
    kind = body.get("kind")
    kinds = None if kind is None else (served.check_kind(kind, '"kind"'),)
    limit = limits.check_limit(body.get("limit", _config.DEFAULT_LIMIT), '"limit"')
    limits.check_count(len(names) * limit, "candidates (names times limit)", "max_candidates")
    bar: dict[str, float] = {}
    for what in ("score_cutoff", "max_false_match"):
        value = body.get(what)
        if value is not None:
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
                raise RequestError(f'"{what}" must be a number in [0, 1], not {shown(value)}')
            bar[what] = float(value)
    where = _where(body.get("where"), limits)
    found = ranked(served, [(name, kinds, limit, where) for name in names], threads=threads, turns=turns, **bar)
    return {
        "results": [
            {
                "query": name,
                "match": match_json(candidates[0]) if answers else None,
                "candidates": [match_json(c) for c in candidates],
            }
            for name, (candidates, answers) in zip(names, found)
        ]
    }


def _where(where: Any, limits: Limits) -> dict[str, list[str]] | None:
    if where is None:
        return None
    if not isinstance(where, dict):
        raise RequestError(f'"where" must be an object of attribute names to values, not a JSON {json_type(where)}')
    limits.check_count(len(where), 'attributes in "where"', "max_properties")
    checked: dict[str, list[str]] = {}
    for key, value in where.items():
        values = value if isinstance(value, list) else [value]
        if not values or not all(isinstance(v, str) for v in values):
            raise RequestError(f'"where"[{shown(key)}] must be a string or a list of strings, not {shown(value)}')
        checked[key] = values
    return checked or None


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
        "prior": e.prior,
        "attrs": dict(e.attrs),
    }
