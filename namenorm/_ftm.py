"""Gazetteers from FollowTheMoney entities (https://followthemoney.tech), as
JSON lines: the format OpenSanctions publishes every list in.

Each line is one entity, ``{"id": ..., "schema": "Person", "properties":
{"name": [...], "alias": [...], ...}}``; the "nested" export's extra keys
(``caption``, ``referents``, ``datasets``, ``first_seen``, ...) are ignored.
The file is read a line at a time, so that a file of any size goes through
in bounded memory: nothing here keeps its lines or its entities.

Each entity becomes ``Entity(id=<its FtM id>, kind=..., prior=0)``:

- kind: "person" for a Person; "org" for an Organization, Company,
  LegalEntity or PublicBody; any other schema's name in lower case
  ("vessel", "airplane", ...). The schema itself is kept in ``attrs["schema"]``.
- name: its first ``name`` (for a person with none, "First Middle Father
  Last" of its ``firstName``, ``middleName``, ``fatherName`` and ``lastName``);
  aliases: its other names and its ``alias`` values; previous_names:
  ``previousName``; weak_aliases: ``weakAlias``. Each name once, in order.
- attrs: ``schema``; ``country`` (the ``country``, ``nationality``,
  ``citizenship`` and ``jurisdiction`` codes, lower case as FtM writes them),
  ``birthDate`` and ``topics``, as lists, when it has them.

Entities of the schemata that link or describe other entities and name no
one (`LINK_SCHEMATA`: Sanction, Ownership, Address, ...) are skipped. The
property names are FtM's own (its ``schema/Thing.yaml``, ``LegalEntity.yaml``
and ``Person.yaml``).
"""

from __future__ import annotations

import json
import zlib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ._errors import GazetteerError, json_type
from ._loader import Record, has_letters, open_source
from ._model import Entity

#: What an FtM JSON-lines file is called (``entities.ftm.json`` ends in
#: ``.json``); each may be gzipped (``.json.gz``).
SUFFIXES = (".json", ".jsonl", ".ndjson", ".ijson")

#: The kinds of FtM's schemata of people and organisations; any other
#: schema's kind is its name in lower case.
KINDS = {"Person": "person", "Organization": "org", "Company": "org", "LegalEntity": "org", "PublicBody": "org"}

#: FtM schemata that link entities or describe one (they extend its
#: ``Interval`` or ``Interest``, not ``Thing``, so have no ``name``
#: property): OpenSanctions' exports hold them beside the entities they
#: link, and they are skipped.
LINK_SCHEMATA = frozenset(
    {
        "Address",
        "Associate",
        "ContractAward",
        "CourtCaseParty",
        "Debt",
        "Directorship",
        "Documentation",
        "Employment",
        "Family",
        "Identification",
        "Interest",
        "Membership",
        "Occupancy",
        "Ownership",
        "Passport",
        "Payment",
        "ProjectParticipant",
        "Representation",
        "Sanction",
        "Similar",
        "Succession",
        "UnknownLink",
    }
)

# A person's name parts, in the order a name is made of them when it has no `name`.
_NAME_PARTS = ("firstName", "middleName", "fatherName", "lastName")
# The properties of type country that say where an entity belongs.
_COUNTRIES = ("country", "nationality", "citizenship", "jurisdiction")
# The properties read; an entity's others are passed over.
_READ = frozenset({"name", "alias", "previousName", "weakAlias", *_NAME_PARTS, *_COUNTRIES, "birthDate", "topics"})
# How far into a file of another suffix `is_ftm` looks for its first entity.
_SNIFF_LINES = 100


def is_ftm(path: Path) -> bool:
    """Whether `path` is an FtM JSON-lines file: named so (`SUFFIXES`, maybe
    gzipped), or a file whose first non-blank line is a JSON object with a
    ``schema``."""
    if path.is_dir():
        return False
    if _plain_suffix(path) in SUFFIXES:
        return True
    if path.suffix in (".toml", ".csv", ".txt", ".nnx"):
        return False
    try:
        with open_source(path) as stream:
            for number, raw in enumerate(stream, 1):
                if raw.strip():
                    data = json.loads(raw.decode("utf-8").removeprefix("\ufeff"))
                    return isinstance(data, dict) and "schema" in data
                if number >= _SNIFF_LINES:
                    break
    except (OSError, ValueError, EOFError, RecursionError):
        pass
    return False


def _plain_suffix(path: Path) -> str:
    # The suffix that says what a file holds, under a .gz.
    return Path(path.stem).suffix if path.suffix == ".gz" else path.suffix


def read_ftm(path: str | Path, *, skipped: Counter[str] | None = None) -> Iterator[Record | GazetteerError]:
    """Read an FtM JSON-lines file a line at a time, yielding each entity
    (with its line) or the problem with a line.

    Problems do not stop the reading, so that a check can report them all;
    a repeated id is not looked for here (`Gazetteer.from_ftm` hands ids to
    the index builder, which knows them all; a check keeps its own).

    Args:
        path: The file (gzipped if it ends in ``.gz``).
        skipped: Counts the records of `LINK_SCHEMATA` skipped, by schema.
    """
    where = Path(path)
    number = 0
    try:
        with open_source(where) as stream:
            for number, raw in enumerate(stream, 1):
                item = _line(raw, number, str(where))
                if isinstance(item, str):
                    if skipped is not None:
                        skipped[item] += 1
                elif item is not None:
                    yield item
    except OSError as e:
        # Unreadable (no such file, a folder, no permission) or, midway, a
        # broken gzip stream.
        yield GazetteerError(f"cannot read the file: {e.strerror or e}", path=str(where), line=number or None)
    except (EOFError, zlib.error) as e:
        yield GazetteerError(f"a damaged gzip file: {e}", path=str(where), line=number or None)


def _line(raw: bytes, number: int, where: str) -> Record | GazetteerError | str | None:
    # A line's entity, the problem with it, the schema of a link skipped
    # (a str), or None for a blank line.
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        return GazetteerError(
            f"not UTF-8 (byte {raw[e.start]:#04x} at column {e.start + 1}): save it as UTF-8", path=where, line=number
        )
    if number == 1:
        text = text.removeprefix("\ufeff")
    if not text.strip():
        return None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        return GazetteerError(
            f"not JSON ({e.msg} at column {e.colno}): each line is one FtM entity, a JSON object",
            path=where,
            line=number,
        )
    except RecursionError:
        return GazetteerError("nested too deep to read: each line is one FtM entity", path=where, line=number)
    if not isinstance(data, dict):
        return GazetteerError(
            f"a JSON {json_type(data)}, not an object: each line is one FtM entity, "
            '{"id": ..., "schema": ..., "properties": {...}}',
            path=where,
            line=number,
        )
    return _entity(data, where, number)


def _entity(data: dict[str, Any], where: str, line: int) -> Record | GazetteerError | str:
    entity_id = data.get("id")
    shown = entity_id if isinstance(entity_id, str) else None

    def problem(what: str) -> GazetteerError:
        return GazetteerError(what, path=where, line=line, record=shown)

    schema = data.get("schema")
    if schema is None:
        return problem("no 'schema': every FtM entity names its schema (Person, Company, ...)")
    if not isinstance(schema, str) or not schema.strip():
        return problem(f"'schema' must be the name of a schema (Person, Company, ...), not {schema!r}")
    if schema in LINK_SCHEMATA:
        return schema
    if entity_id is None:
        return problem("no 'id': every FtM entity has one")
    if not isinstance(entity_id, str) or not entity_id.strip():
        return problem(f"'id' must be a non-empty string, not {entity_id!r}")
    properties = data.get("properties", {})
    if not isinstance(properties, dict):
        return problem(f"'properties' must be an object of lists of strings, not a JSON {json_type(properties)}")
    values: dict[str, list[str]] = {}
    for key, found in properties.items():
        if key not in _READ:
            continue  # most of an entity's properties, looked at no further
        if isinstance(found, str):
            found = [found]
        if not isinstance(found, list) or not all(isinstance(v, str) for v in found):
            return problem(f'properties.{key} must be a list of strings, like ["..."]')
        values[key] = [v.strip() for v in found if v.strip()]
    names = [n for n in values.get("name", ()) if has_letters(n)]
    if not names:
        built = " ".join(values[part][0] for part in _NAME_PARTS if values.get(part))
        if has_letters(built):
            names = [built]
    if not names:
        return problem(
            "no name: its properties have no 'name' (nor, for a person, firstName or lastName) with letters or digits"
        )
    others = _labelled(
        names[0],
        ([*names[1:], *values.get("alias", ())], "alias"),
        (values.get("previousName", []), "previous_name"),
        (values.get("weakAlias", []), "weak_alias"),
    )
    attrs: dict[str, Any] = {"schema": schema}
    countries = [c for key in _COUNTRIES for c in values.get(key, ())]
    for key in ("country", "birthDate", "topics"):
        listed = countries if key == "country" else values.get(key)
        if listed:
            attrs[key] = list(dict.fromkeys(listed))
    # Every field was checked here (id and kind non-empty, each name with
    # letters or digits), so Entity's own checks, which would normalize
    # each name again, are not run: this is the loop over every line.
    entity = Entity._trusted(entity_id, names[0], KINDS.get(schema, schema.lower()), others, 0.0, attrs)
    return Record(entity, where, line)


def _labelled(name: str, *groups: tuple[list[str], str]) -> list[tuple[str, str]]:
    # Each group's names with letters or digits, in order, each with the
    # group's label, without those of the name or of an earlier group.
    seen = {name}
    kept: list[tuple[str, str]] = []
    for names, label in groups:
        for n in names:
            if n not in seen and has_letters(n):
                seen.add(n)
                kept.append((n, label))
    return kept


def first_line(path: str | Path, entity_id: str) -> int | None:
    """The line of `path` where the entity `entity_id` is first, if any:
    read again only when an id is found repeated, so that reading needs
    no table of every id."""
    needle = json.dumps(entity_id, ensure_ascii=False).encode("utf-8")
    escaped = json.dumps(entity_id).encode("utf-8")
    try:
        with open_source(Path(path)) as stream:
            for number, raw in enumerate(stream, 1):
                if needle in raw or escaped in raw:
                    try:
                        data = json.loads(raw)
                    except (ValueError, RecursionError):
                        continue
                    if isinstance(data, dict) and data.get("id") == entity_id:
                        return number
    except (OSError, EOFError, zlib.error):
        return None
    return None
