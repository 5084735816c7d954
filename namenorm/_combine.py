"""Combine gazetteers: the same real entity in two sources becomes one.

Two entities are the same when they share an id, a GeoNames place (an id
``geonames:N`` or ``attrs["geonameid"]`` N), or one names the other in
``attrs["same_as"]`` (an id or a list of ids), and they are of one kind.
The merged entity is the first source's: its id, name and kind; the names
of the others become its aliases (but for the first's ``demonyms``) (their previous names and weak aliases
stay so); its prior is the largest; its attrs are the union, the first
source's values kept where two differ, with ``geonameid`` if any of them is
a GeoNames place and ``same_as`` listing the ids of the others.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from ._model import Entity


def combine(sources: Sequence[Iterable[Entity]]) -> list[Entity]:
    """The entities of `sources` (in order), each real entity once.

    >>> a = Entity(id="place:hadrut", name="Hadrut", kind="place", attrs={"geonameid": 174875})
    >>> b = Entity(id="geonames:174875", name="Hadrut", kind="place", aliases=("Gadrut",), prior=2986)
    >>> [(e.id, e.aliases, e.prior, e.attrs["same_as"]) for e in combine([[a], [b]])]
    [('place:hadrut', ('Gadrut',), 2986.0, ['geonames:174875'])]
    """
    entities = [e for source in sources for e in source]
    parent = list(range(len(entities)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_with: dict[tuple[str, str], int] = {}
    for i, entity in enumerate(entities):
        for key in _keys(entity):
            j = first_with.setdefault((entity.kind, key), i)
            a, b = root(i), root(j)
            if a != b:
                parent[max(a, b)] = min(a, b)  # the earlier one leads
    groups: dict[int, list[Entity]] = {}
    for i, entity in enumerate(entities):
        groups.setdefault(root(i), []).append(entity)
    return [group[0] if len(group) == 1 else _merged(group) for _, group in sorted(groups.items())]


def geonameid(entity: Entity) -> int | None:
    """The GeoNames place an entity is, if it says so."""
    if entity.id.startswith("geonames:") and entity.id[9:].isdigit():
        return int(entity.id[9:])
    value = entity.attrs.get("geonameid")
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _keys(entity: Entity) -> Iterator[str]:
    yield entity.id
    gid = geonameid(entity)
    if gid is not None:
        yield f"geonames:{gid}"
    same = entity.attrs.get("same_as")
    for other in [same] if isinstance(same, str) else same if isinstance(same, list) else []:
        if isinstance(other, str):
            yield other


def _merged(group: list[Entity]) -> Entity:
    lead, others = group[0], group[1:]
    aliases = [*lead.aliases]
    for other in others:
        aliases += [other.name, *other.aliases]
    previous = [n for e in group for n in e.previous_names]
    weak = [n for e in group for n in e.weak_aliases]
    attrs: dict[str, Any] = {}
    for entity in reversed(group):
        attrs.update(entity.attrs)
    gid = next((g for g in map(geonameid, group) if g is not None), None)
    if gid is not None:
        attrs["geonameid"] = gid
    same_as = attrs.get("same_as")
    listed = [same_as] if isinstance(same_as, str) else list(same_as) if isinstance(same_as, list) else []
    attrs["same_as"] = [i for i in dict.fromkeys([*listed, *(e.id for e in others)]) if i != lead.id]
    if not attrs["same_as"]:
        del attrs["same_as"]
    # A demonym is never a name of its place ("Azerbaijani", which some
    # locale's name of Azerbaijan may be): the lead's say which.
    demonyms = lead.attrs.get("demonyms")
    taken = {lead.name, *(demonyms if isinstance(demonyms, list) else ())}
    return Entity(
        id=lead.id,
        name=lead.name,
        kind=lead.kind,
        aliases=_unique(aliases, taken),
        prior=max(e.prior for e in group),
        attrs=attrs,
        previous_names=_unique(previous, {lead.name, *aliases}),
        weak_aliases=_unique(weak, {lead.name, *aliases, *previous}),
    )


def _unique(names: list[str], taken: set[str]) -> tuple[str, ...]:
    return tuple(n for n in dict.fromkeys(names) if n not in taken)
