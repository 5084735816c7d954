"""The Reconciliation Service API v0.2 (W3C Entity Reconciliation Community
Group, the protocol OpenRefine speaks) over what a service serves: the
manifest, reconciliation queries, suggest (entities, types, properties),
previews and data extension.

Functions of parsed JSON to JSON: `namenorm.serve` reads the requests and
writes the answers. The answers are the library's own: a query's candidates
are `Resolver.candidates`' (same ids, order and scores; the score times 100,
as OpenRefine reads it), and `match` is true exactly where
`Resolver.resolve` would answer with that candidate.
"""

from __future__ import annotations

import datetime
import html
import json
import re
from dataclasses import dataclass
from typing import Any

from . import _config
from ._model import Entity, Match
from ._errors import json_type
from ._limits import Limits, RequestError, shown
from ._served import Served, Turns, ranked
from ._version import __version__

#: The version of the protocol.
VERSION = "0.2"

#: Stable names of namenorm's ids and kinds, whatever host a service is
#: reached by (OpenRefine compares a service's identifierSpace).
IDENTIFIER_SPACE = "urn:namenorm:entity:"
SCHEMA_SPACE = "urn:namenorm:kind:"

_QUERY_FIELDS = frozenset({"query", "type", "limit", "properties", "type_strict"})
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")


@dataclass(frozen=True)
class Query:
    """One reconciliation query, checked.

    Attributes:
        name: The name to reconcile ("" when the query has properties only).
        kinds: Its types (namenorm's kinds), or None for any.
        limit: How many candidates at most.
        where: Its properties as a filter on the entities' attributes.
    """

    name: str
    kinds: tuple[str, ...] | None
    limit: int
    where: dict[str, list[str]] | None


def manifest(served: Served, base: str) -> dict[str, Any]:
    """The service manifest, its URLs under `base` (no trailing slash)."""
    return {
        "versions": [VERSION],
        "name": f"namenorm ({', '.join(served.sources)})",
        "identifierSpace": IDENTIFIER_SPACE,
        "schemaSpace": SCHEMA_SPACE,
        "documentation": f"{base}/",
        "serviceVersion": __version__,
        "defaultTypes": [kind_json(kind) for kind in served.kinds],
        "view": {"url": f"{base}/entity/{{{{id}}}}"},
        "preview": {"url": f"{base}/preview?id={{{{id}}}}", "width": _config.PREVIEW_WIDTH, "height": _config.PREVIEW_HEIGHT},
        "suggest": {
            "entity": {
                "service_url": base,
                "service_path": "/suggest/entity",
                "flyout_service_path": "/flyout/entity?id=${id}",
            },
            "type": {"service_url": base, "service_path": "/suggest/type"},
            "property": {"service_url": base, "service_path": "/suggest/property"},
        },
        "extend": {
            "propose_properties": {"service_url": base, "service_path": "/properties"},
            "property_settings": [],
        },
    }


def kind_json(kind: str) -> dict[str, str]:
    """A kind as a reconciliation type."""
    return {"id": kind, "name": kind.replace("_", " ").capitalize()}


def parse_queries(raw: Any, served: Served, limits: Limits) -> dict[str, Query]:
    """The queries of a batch (``{"q0": {"query": "Gadrut", "type":
    "place", "limit": 3}, ...}``), checked: a `RequestError` says what is
    wrong and where. A query's properties (``[{"pid": "country", "v":
    "AM"}]``) keep only entities whose attribute has one of the values."""
    if not isinstance(raw, dict):
        raise RequestError(f"queries must be a JSON object of queries by key, not a JSON {json_type(raw)}")
    limits.check_count(len(raw), "queries")
    queries = {key: _query(key, value, served, limits) for key, value in raw.items()}
    limits.check_count(sum(q.limit for q in queries.values()), "candidates (the queries' limits)", "max_candidates")
    return queries


def _query(key: str, raw: Any, served: Served, limits: Limits) -> Query:
    where = f"query {shown(key)}"
    if not isinstance(raw, dict):
        raise RequestError(f"{where} must be an object, not a JSON {json_type(raw)}")
    unknown = sorted(set(raw) - _QUERY_FIELDS)
    if unknown:
        raise RequestError(f"{where} has an unknown field {shown(unknown[0])}; a query has {', '.join(sorted(_QUERY_FIELDS))}")
    name = raw.get("query", "")
    if not isinstance(name, str):
        raise RequestError(f"{where}: query must be a string, not a JSON {json_type(name)}")
    limits.check_name(name, f"{where}'s query")
    properties = raw.get("properties")
    if "query" not in raw:
        # The spec allows a query of properties alone; this service finds
        # entities by name, and properties only narrow them (a blank name
        # finds nothing, as `candidates` answers it).
        raise RequestError(f"{where} needs a query: a name (properties only narrow what a name finds)")
    types = raw.get("type")
    kinds: tuple[str, ...] | None = None
    if types is not None:
        listed = types if isinstance(types, list) else [types]
        kinds = tuple(dict.fromkeys(served.check_kind(t, f"{where}'s type") for t in listed)) or None
    type_strict = raw.get("type_strict", "any")
    if type_strict not in ("any", "should", "all"):
        raise RequestError(f"{where}: type_strict must be any, should or all, not {shown(type_strict)}")
    limit = limits.check_limit(raw.get("limit", _config.DEFAULT_LIMIT), f"{where}'s limit")
    return Query(name, kinds, limit, _properties(properties, where, limits))


def _properties(raw: Any, where: str, limits: Limits) -> dict[str, list[str]] | None:
    if raw is None:
        return None
    if not isinstance(raw, list):
        raise RequestError(f"{where}: properties must be an array, not a JSON {json_type(raw)}")
    limits.check_count(len(raw), f"properties in {where}", "max_properties")
    found: dict[str, list[str]] = {}
    for i, item in enumerate(raw):
        if not isinstance(item, dict) or not isinstance(item.get("pid"), str) or "v" not in item:
            raise RequestError(f'{where}: properties[{i}] must be an object with "pid" (a string) and "v"')
        values = item["v"] if isinstance(item["v"], list) else [item["v"]]
        for value in values:
            if isinstance(value, dict) and isinstance(value.get("id"), str):
                value = value["id"]  # another entity, reconciled already
            if isinstance(value, bool):
                value = "true" if value else "false"
            if not isinstance(value, (str, int, float)):
                raise RequestError(
                    f"{where}: properties[{i}]'s value must be a string, number, boolean or "
                    f"{{\"id\": ...}}, not a JSON {json_type(value)}"
                )
            found.setdefault(item["pid"], []).append(value if isinstance(value, str) else _number_text(value))
    return found or None


def _number_text(value: float) -> str:
    # 12.0 is "12", as an attribute 12 reads.
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def reconcile(
    served: Served, queries: dict[str, Query], *, threads: int | None, turns: Turns
) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """The results of a batch: each query's candidates, best first (of
    several types: ranked together, as if the gazetteer held no other)."""
    asks = [(q.name, q.kinds, q.limit, q.where) for q in queries.values()]
    found = ranked(served, asks, threads=threads, turns=turns)
    return {
        key: {"result": [candidate_json(m, answers and i == 0) for i, m in enumerate(candidates)]}
        for key, (candidates, answers) in zip(queries, found)
    }


def candidate_json(m: Match, match: bool) -> dict[str, Any]:
    """A candidate as the protocol has it; `match`: whether it settles its name."""
    return {
        "id": m.entity.id,
        "name": m.entity.name,
        "type": [kind_json(m.entity.kind)],
        "score": round(100 * m.score, 2),
        "match": match,
        "description": _description(m.entity, m),
        "features": [
            {"id": "similarity", "value": m.similarity if m.similarity is not None else m.score},
            {"id": "false_match", "value": m.false_match if m.false_match is not None else 0.0},
            {"id": "ambiguous", "value": m.ambiguous},
        ],
    }


def _description(e: Entity, m: Match | None = None) -> str:
    # "place in AM; matched the alias 'Гадрут' (transliterated)"
    country = e.attrs.get("country")
    if isinstance(country, list):
        country = ", ".join(str(c) for c in country)
    text = e.kind + (f" in {country}" if isinstance(country, str) and country else "")
    if m is not None and m.alias != e.name:
        what = {"alias": "alias", "previous_name": "previous name", "weak_alias": "weak alias"}.get(m.alias_kind, "name")
        text += f"; matched the {what} {m.alias!r} ({m.method})"
    elif m is not None:
        text += f"; matched its name ({m.method})"
    return text


def suggest_entities(
    served: Served, prefix: str, *, kind: str | None, cursor: int, limit: int = _config.SUGGEST_LIMIT
) -> dict[str, Any]:
    """Entities for an autocomplete: those with a name that starts with
    `prefix` (the most prominent first), then those `candidates` ranks
    for it (a misspelt or transliterated prefix)."""
    wanted = cursor + limit
    found = {e.id: e for e in served.by_prefix(prefix, kind, wanted)}
    if len(found) < wanted and prefix.strip():
        for m in served.resolver.candidates(prefix, kind=kind, limit=wanted):
            if m.similarity is not None and m.similarity >= _config.MIN_SIMILARITY:
                found.setdefault(m.entity.id, m.entity)
    page = list(found.values())[cursor:wanted]
    return {
        "result": [
            {"id": e.id, "name": e.name, "description": _description(e), "notable": [kind_json(e.kind)]}
            for e in page
        ]
    }


def suggest_types(served: Served, prefix: str) -> dict[str, Any]:
    """The kinds that start with `prefix` (any kind for an empty one)."""
    folded = prefix.strip().casefold()
    return {"result": [kind_json(k) for k in served.kinds if kind_json(k)["name"].casefold().startswith(folded)]}


def suggest_properties(served: Served, prefix: str, kind: str | None = None) -> dict[str, Any]:
    """The attributes whose name starts with `prefix`."""
    folded = prefix.strip().casefold()
    return {
        "result": [
            {"id": name, "name": name.replace("_", " ")}
            for name, _ in _extendable(served, kind)
            if name.casefold().startswith(folded) or name.replace("_", " ").casefold().startswith(folded)
        ]
    }


def propose_properties(served: Served, kind: str | None, limit: int) -> dict[str, Any]:
    """The properties that data extension can fetch for entities of `kind`,
    the most common first."""
    found: dict[str, Any] = {
        "properties": [
            {"id": name, "name": name.replace("_", " "), "description": f"held by {count:,} entities"}
            for name, count in _extendable(served, kind)[:limit]
        ],
        "limit": limit,
    }
    if kind is not None:
        found["type"] = kind
    return found


def _extendable(served: Served, kind: str | None) -> list[tuple[str, int]]:
    # An entity's attributes, and what every entity has: its names and prior.
    every = served.count(kind)
    return [*served.properties(kind), ("aliases", every), ("prior", every)]


def parse_extend(raw: Any, limits: Limits) -> tuple[list[str], list[str]]:
    """The ids and property ids of a data-extension query (``{"ids": [...],
    "properties": [{"id": "country"}, ...]}``), checked."""
    if not isinstance(raw, dict):
        raise RequestError(f"extend must be a JSON object with ids and properties, not a JSON {json_type(raw)}")
    ids, properties = raw.get("ids"), raw.get("properties")
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise RequestError('extend needs "ids": an array of entity ids (strings)')
    if not isinstance(properties, list) or not all(
        isinstance(p, dict) and isinstance(p.get("id"), str) for p in properties
    ):
        raise RequestError('extend needs "properties": an array of objects with an "id" (a string)')
    limits.check_count(len(ids), "ids")
    limits.check_count(len(properties), "properties", "max_properties")
    for i, entity_id in enumerate(ids):
        limits.check_name(entity_id, f"ids[{i}]")
    return ids, list(dict.fromkeys(p["id"] for p in properties))


def extend(served: Served, ids: list[str], properties: list[str]) -> dict[str, Any]:
    """The values of `properties` for each entity of `ids` (none for an id
    the gazetteer lacks): attributes that name another entity of the
    gazetteer come as that entity, ISO dates as dates."""
    rows: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for entity_id in ids:
        entity = served.entity(entity_id)
        rows[entity_id] = {pid: [] if entity is None else _values(served, entity, pid) for pid in properties}
    return {"meta": [{"id": pid, "name": pid.replace("_", " ")} for pid in properties], "rows": rows}


def _values(served: Served, entity: Entity, pid: str) -> list[dict[str, Any]]:
    if pid == "aliases":
        return [{"str": name} for name in entity.names[1:]]
    if pid == "prior":
        return [{"float": entity.prior}]
    value = entity.attrs.get(pid)
    items = value if isinstance(value, list) else [value]
    return [cell for cell in (_cell(served, item) for item in items) if cell is not None]


def _cell(served: Served, value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return {"str": "true" if value else "false"}
    if isinstance(value, int):
        return {"int": value}
    if isinstance(value, float):
        return {"float": value}
    if isinstance(value, str):
        other = served.entity(value)
        if other is not None:
            return {"id": other.id, "name": other.name}
        if _ISO_DATE.match(value) and _is_date(value):
            return {"date": f"{value}T00:00:00Z"}
        return {"str": value}
    return {"str": json.dumps(value, ensure_ascii=False, sort_keys=True)}


def _is_date(text: str) -> bool:
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def flyout(served: Served, entity_id: str) -> dict[str, Any]:
    """The suggest flyout of an entity: a few lines of HTML."""
    entity = _known(served, entity_id)
    return {"id": entity.id, "html": _card(entity, heading="h3")}


def preview(served: Served, entity_id: str, *, full: bool = False) -> str:
    """The HTML page of an entity: its names, aliases and attributes (`full`:
    the page its view URL opens; otherwise the preview OpenRefine frames)."""
    entity = _known(served, entity_id)
    size = "" if full else f"width:{_config.PREVIEW_WIDTH - 20}px;"
    return (
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
        f"<title>{html.escape(entity.name)}</title>"
        "<style>body{font:14px/1.4 sans-serif;margin:8px;" + size + "}"
        "h1,h3{font-size:18px;margin:0 0 4px}"
        ".id,.kind{color:#555}table{border-collapse:collapse}"
        "td,th{text-align:left;vertical-align:top;padding:1px 8px 1px 0}</style>"
        f"</head><body>{_card(entity, heading='h1')}</body></html>\n"
    )


def _known(served: Served, entity_id: str) -> Entity:
    entity = served.entity(entity_id)
    if entity is None:
        raise RequestError(f"no entity has the id {shown(entity_id)}", status=404)
    return entity


def _card(e: Entity, *, heading: str) -> str:
    esc = html.escape
    names = [
        ("aliases", e.aliases),
        ("previous names", e.previous_names),
        ("weak aliases", e.weak_aliases),
    ]
    rows = "".join(
        f'<tr><th>{esc(what)}</th><td class="names">{esc(" · ".join(listed))}</td></tr>'
        for what, listed in names
        if listed
    )
    rows += "".join(
        f'<tr><th>{esc(str(key))}</th><td class="attr">{esc(_attr_text(value))}</td></tr>'
        for key, value in sorted(e.attrs.items())
    )
    if e.prior:
        rows += f"<tr><th>prior</th><td>{e.prior:,.0f}</td></tr>"
    return (
        f'<{heading} class="name">{esc(e.name)}</{heading}>'
        f'<div><span class="kind">{esc(e.kind)}</span> · <span class="id">{esc(e.id)}</span></div>'
        f"<table>{rows}</table>"
    )


def _attr_text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_attr_text(v) for v in value)
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)
