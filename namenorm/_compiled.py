"""A compiled index: a gazetteer and its candidate index in one file, mapped
when loaded.

The file's layout, and every check made of it when it is opened, belong to
the compiled core (`core/layout.rs`, `core/store.rs`, `core/check.rs`): loading keys nothing and copies
nothing, and a file that is not one, is stale (keyed by another version of
namenorm), truncated or damaged anywhere is refused whole. This module is
the Python side of it: what a file is called and the errors that name it,
the attrs of entities (stored as JSON), and the `Entity` of a stored one.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import _core
from ._errors import GazetteerError
from ._model import Entity, attrs_problem

#: The first bytes of a compiled index of this version.
MAGIC = _core.MAGIC
#: The first bytes of one of the first version (a numpy .npz archive).
_OLD_MAGIC = b"PK\x03\x04"


#: What a compiled index is called (`namenorm gazetteer build ... -o cities.nnx`).
SUFFIX = ".nnx"


def is_compiled(path: Path) -> bool:
    """Whether `path` is a compiled index: a file named so (`SUFFIX`), or one
    that starts as a compiled index does (of this version or the first)."""
    if path.suffix == SUFFIX and not path.is_dir():
        return True
    try:
        with path.open("rb") as f:
            start = f.read(len(MAGIC))
    except OSError:
        return False
    return start == MAGIC or start.startswith(_OLD_MAGIC)


def read_index(path: Path) -> _core.Index:
    """Map a compiled index.

    Raises:
        GazetteerError: If the file is not a compiled index, is truncated or
            damaged, was written by another format version, or keyed by
            another version of namenorm's code and tables (rebuild it with
            ``namenorm gazetteer build``).
        OSError: If the file cannot be read.
    """
    try:
        with path.open("rb") as f:
            start = f.read(len(MAGIC))
    except OSError as e:
        raise GazetteerError(f"cannot read the file: {e.strerror or e}", path=str(path)) from None
    if start != MAGIC and not start.startswith(_OLD_MAGIC):
        raise GazetteerError(f"not a namenorm compiled index (it does not start with {MAGIC!r})", path=str(path))
    old = start.startswith(_OLD_MAGIC)
    if old:
        # The first version was a numpy .npz archive with a meta member;
        # any other zip is no compiled index at all.
        try:
            with zipfile.ZipFile(path) as archive:
                old = "meta.npy" in archive.namelist()
        except (zipfile.BadZipFile, OSError, ValueError):
            old = False
        if old:
            raise GazetteerError(
                f"a compiled index of format version 1; this namenorm reads version {_core.FORMAT_VERSION}: "
                "rebuild it with `namenorm gazetteer build SOURCE -o FILE`",
                path=str(path),
            )
        raise GazetteerError("not a namenorm compiled index (a zip archive)", path=str(path))
    try:
        return _core.Index.load(str(path))
    except _core.StoreError as e:
        raise GazetteerError(str(e), path=str(path)) from None


def write_index(
    index: _core.Index, path: str | Path, entities: Sequence[Entity] | None, measured: _core.Resolver
) -> None:
    """Write `index` to `path` as a compiled index, with the attrs of
    `entities` (its entities, in order), or those it holds if None, and
    what `measured` (a resolver of it with the default settings) measured of
    its false-match background, so that loading it measures nothing.

    Raises:
        GazetteerError: If an entity's attrs cannot be stored (only JSON
            values can: str, numbers, booleans, None, lists, tables), or a
            string of it holds a lone surrogate.
        OSError: If the file cannot be written.
    """
    attrs = None if entities is None else [_attrs_json(e) for e in entities]
    try:
        index.write(str(path), attrs, measured)
    except _core.StoreError as e:
        raise OSError(str(e)) from None


def _attrs_json(entity: Entity) -> str:
    for text in (entity.id, entity.kind, *entity.names):
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise GazetteerError(
                f"a lone surrogate in {text!r}, which a compiled index (UTF-8) cannot store", record=entity.id
            ) from None
    problem = attrs_problem(entity.attrs)
    if problem is not None:
        raise GazetteerError(f"its attrs cannot be stored in a compiled index: {problem}", record=entity.id)
    return json.dumps(dict(entity.attrs), ensure_ascii=False, sort_keys=True, allow_nan=False)


def entity_at(index: _core.Index, position: int, path: str | None) -> Entity:
    """The entity at `position` of a stored index, as it was compiled.

    Its fields were checked when the file was built and again when it was
    loaded (the core's checks), so it is made without `Entity`'s own checks,
    which would normalize every name again.

    Raises:
        GazetteerError: If its attrs are not a JSON table.
    """
    fields = index.entity(position)
    if fields is None:
        raise IndexError(f"no entity {position} among {index.entities}")
    entity_id, name, kind, aliases, prior, attrs_json = fields
    attrs: Any = {}
    if attrs_json is not None:
        try:
            attrs = json.loads(attrs_json)
        except ValueError:
            attrs = None
        if not isinstance(attrs, dict):
            raise GazetteerError("a damaged compiled index: an entity's attrs are not a table", path=path, record=entity_id)
    return Entity._trusted(entity_id, name, kind, aliases, prior, attrs)
