"""Read gazetteer files: TOML, one `[[entity]]` table per record.

Every problem is reported with the file, the line of the record and its id, so
that a hand-edited gazetteer can be mended where it is wrong.
"""

from __future__ import annotations

import datetime
import gzip
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import IO, Any, cast

from . import _config
from ._core import normalize
from ._errors import GazetteerError
from ._model import Entity, attrs_problem

_RECORD_HEADER = re.compile(r"[ \t]*\[\[[ \t]*entity[ \t]*\]\]")
_TRIPLE_QUOTES = re.compile(r"\"\"\"|\'\'\'")
_TOML_LINE = re.compile(r"at line (\d+)")
_FIELDS = {"id", "name", "kind", "aliases", "previous_names", "weak_aliases", "prior", "attrs"}
#: Attrs that name other entities of the gazetteer by id (see `namenorm._scan`).
RELATIONS = ("located_in", "part_of", "member_of")


@dataclass(frozen=True, slots=True)
class Record:
    """An entity as read from a file, with where it was read."""

    entity: Entity
    path: str
    line: int


def gazetteer_files(path: Path | Traversable) -> list[Path | Traversable]:
    """The TOML files of a gazetteer: the file itself, or a folder's `*.toml`, sorted.

    Raises:
        GazetteerError: If the path does not exist or holds no TOML file.
    """
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise GazetteerError("no such file or folder", path=str(path))
    files: list[Path | Traversable] = sorted(
        (p for p in path.iterdir() if p.name.endswith(".toml") and p.is_file()), key=lambda p: p.name
    )
    if not files:
        raise GazetteerError("the folder holds no .toml gazetteer file", path=str(path))
    return files


def read_records(file: Path | Traversable) -> Iterator[Record | GazetteerError]:
    """Read one gazetteer file, yielding each record or the problem with it.

    Problems do not stop the reading, so that a check can report them all.
    """
    where = str(file)
    try:
        data = file.read_bytes()
    except OSError as e:
        yield GazetteerError(f"cannot read the file: {e.strerror or e}", path=where)
        return
    try:
        # A byte-order mark is no part of the text (most TOML readers skip it).
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        column = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
        yield GazetteerError(f"not UTF-8 (byte {data[e.start]:#04x} at column {column}): save it as UTF-8", path=where, line=line)
        return
    try:
        parsed = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        found = _TOML_LINE.search(str(e))
        yield GazetteerError(f"not valid TOML: {e}", path=where, line=int(found.group(1)) if found else None)
        return
    except RecursionError:
        yield GazetteerError(
            f"nested too deep to read (attrs may nest {_config.MAX_ATTRS_DEPTH} levels)",
            path=where,
            line=_deepest_line(text),
        )
        return
    unknown = sorted(set(parsed) - {"entity"})
    if unknown:
        yield GazetteerError(
            f"unknown top-level key(s) {', '.join(unknown)}; records are [[entity]] tables", path=where, line=1
        )
    records = parsed.get("entity", [])
    if not isinstance(records, list):
        yield GazetteerError("'entity' must be an array of tables, written [[entity]]", path=where)
        return
    if not records and not unknown:
        yield GazetteerError("the file holds no record; each is an [[entity]] table", path=where)
        return
    lines = _record_lines(text)
    if len(lines) != len(records):
        lines = []  # records written inline (entity = [{...}]): no line is known
    for n, raw in enumerate(records):
        yield _record(raw, where, lines[n] if lines else None)


def _deepest_line(text: str) -> int | None:
    # Where nesting too deep for the TOML reader is: the first line that
    # opens more arrays and tables than attrs may nest, if one line does.
    for number, line in enumerate(text.splitlines(), 1):
        if line.count("[") + line.count("{") > _config.MAX_ATTRS_DEPTH:
            return number
    return None


def _record_lines(text: str) -> list[int]:
    # The line of each [[entity]] header, skipping any inside a multi-line string.
    found: list[int] = []
    inside: str | None = None
    for number, line in enumerate(text.splitlines(), 1):
        if inside is None and _RECORD_HEADER.match(line):
            found.append(number)
        for quotes in _TRIPLE_QUOTES.findall(line):
            if inside is None:
                inside = quotes
            elif inside == quotes:
                inside = None
    return found


def _record(raw: Any, where: str, line: int | None) -> Record | GazetteerError:
    if not isinstance(raw, dict):
        return GazetteerError("a record must be a table", path=where, line=line)
    record_id = raw.get("id")
    shown = record_id if isinstance(record_id, str) else None

    def problem(what: str) -> GazetteerError:
        return GazetteerError(what, path=where, line=line, record=shown)

    for key in ("id", "name"):
        if key not in raw:
            return problem(f"missing '{key}': every record needs id, name and kind")
    if "kind" not in raw:
        return problem("missing 'kind': every record needs id, name and kind (person, place, org, ...)")
    unknown = sorted(set(raw) - _FIELDS)
    if unknown:
        return problem(f"unknown field(s) {', '.join(unknown)}; allowed: {', '.join(sorted(_FIELDS))}")
    named: dict[str, list[str]] = {}
    for key in ("aliases", "previous_names", "weak_aliases"):
        names = named[key] = raw.get(key, [])
        if not isinstance(names, list):
            return problem(f"'{key}' must be a list of strings, like {key} = [\"Gadrut\"]")
        for alias in names:
            if not isinstance(alias, str):
                return problem(f'alias {alias!r} is not a string; quote it, like "{alias}"')
    attrs = _dates_as_text(raw.get("attrs", {}), 0)
    if isinstance(attrs, dict):
        for key in (*RELATIONS, "demonyms"):
            listed = attrs.get(key)
            if listed is not None and (
                not isinstance(listed, list) or not all(isinstance(v, str) and v.strip() for v in listed)
            ):
                example = '["place:nagorno-karabakh"]' if key in RELATIONS else '["Armenian", "Armenians"]'
                return problem(f"attrs.{key} must be a list of non-empty strings, like {key} = {example}")
        unstorable = attrs_problem(attrs)
        if unstorable is not None:
            return problem(unstorable)
    try:
        entity = Entity(
            id=raw["id"],
            name=raw["name"],
            kind=raw["kind"],
            aliases=tuple(named["aliases"]),
            previous_names=tuple(named["previous_names"]),
            weak_aliases=tuple(named["weak_aliases"]),
            prior=raw.get("prior", 0.0),
            attrs=attrs,
        )
    except (TypeError, ValueError) as e:
        return problem(str(e))
    return Record(entity, where, line or 0)


def _dates_as_text(value: Any, depth: int) -> Any:
    # TOML's dates and times become their ISO 8601 text, as JSON writes
    # them (a birth date of 1979-05-27 is "1979-05-27"); what nests deeper
    # than attrs may is left for `attrs_problem` to report.
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if depth > _config.MAX_ATTRS_DEPTH:
        return value
    if isinstance(value, dict):
        return {key: _dates_as_text(item, depth + 1) for key, item in value.items()}
    if isinstance(value, list):
        return [_dates_as_text(item, depth + 1) for item in value]
    return value


def read_gazetteer(path: Path | Traversable) -> tuple[list[Entity], list[GazetteerError]]:
    """Read every file of a gazetteer, keeping going past problems.

    Returns:
        The entities that were read (each id once, the first record kept) and
        every problem found, duplicate ids included, in file order.

    Raises:
        GazetteerError: If the path does not exist or holds no TOML file.
    """
    entities: list[Entity] = []
    errors: list[GazetteerError] = []
    first_seen: dict[str, Record] = {}
    for file in gazetteer_files(path):
        for item in read_records(file):
            if isinstance(item, GazetteerError):
                errors.append(item)
                continue
            first = first_seen.setdefault(item.entity.id, item)
            if first is not item:
                errors.append(_problem(item, f"duplicate id: already used at {first.path}:{first.line}"))
                continue
            entities.append(item.entity)
    return entities, errors


def unknown_relations(path: Path | Traversable) -> list[GazetteerError]:
    """The relations (`located_in`, `part_of`, `member_of`) of a gazetteer's
    records to ids none of its files has: not errors, as the files may be
    combined with a gazetteer that has them (the built-in one), but worth a
    look, as a typo reads the same."""
    records = [item for file in gazetteer_files(path) for item in read_records(file) if isinstance(item, Record)]
    known = {record.entity.id for record in records}
    return [
        _problem(record, f"attrs.{relation} names {other!r}, which is no entity of these files")
        for record in records
        for relation in RELATIONS
        for other in record.entity.attrs.get(relation, ())
        if other not in known
    ]


def _problem(record: Record, what: str) -> GazetteerError:
    return GazetteerError(what, path=record.path, line=record.line, record=record.entity.id)


def has_letters(text: str) -> bool:
    """Whether a name normalizes to something: one that does not (the odd
    "-" or "?" of FtM data or OFAC's lists) could never match, and is left
    out."""
    return bool(normalize(text))


def open_source(path: Path, encoding: str | None = None) -> IO[Any]:
    """A list's file to read, gunzipped if it is named ``.gz``: its bytes,
    or its text in `encoding` (lines kept as written, for csv)."""
    if encoding is None:
        return cast(IO[bytes], gzip.open(path, "rb")) if path.name.endswith(".gz") else path.open("rb")
    if path.name.endswith(".gz"):
        return gzip.open(path, "rt", encoding=encoding, newline="")
    return path.open(encoding=encoding, newline="")
