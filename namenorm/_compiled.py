"""A compiled index: a gazetteer and its candidate index in one file, loaded in seconds.

Keying a name (normalize, transliterate, sound units, Metaphone) is what makes
building an index slow; a compiled index stores every name's keys, and the
postings, so that loading it keys nothing. The file is a numpy ``.npz``
archive (a zip of plain arrays), read with ``allow_pickle=False``: opening one
from an untrusted source runs no code. Each member carries a CRC-32 that
zipfile checks, so a truncated or damaged file is refused, never half-loaded.
The arrays' shapes, types and ranges are checked too; a file crafted to
pass those checks with keys that do not unpack fails at the first query that
reaches them, with a GazetteerError.

Its ``meta`` member says what it is: the format and its version, and the
fingerprint of the code and data that keyed its names. A file written by
another format version, or keyed by other tables or code, is stale: the keys in
it are not those a query gets, so it is refused, with the command that
rebuilds it.

Names' keys stay packed until a query reaches them (`namenorm._packed`).
Entities are stored as columns and rebuilt with their shapes checked, not
re-validated in full: their names were checked when the file was built.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import tempfile
import unicodedata
import zipfile
from collections.abc import Sequence
from functools import lru_cache
from importlib import metadata, resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from . import _core
from ._errors import GazetteerError
from ._index import Index, Parts
from ._model import Entity
from ._packed import PackedKeys
from ._version import __version__

#: What a compiled index says it is, and the version of its layout.
FORMAT = "namenorm compiled index"
FORMAT_VERSION = 1
#: The first bytes of every zip file, hence of every compiled index.
ZIP_MAGIC = b"PK\x03\x04"

# The code and data that decide a name's keys: a compiled index keyed by any
# other version of them is stale.
# The compiled core's own digest covers its code, tables and libraries.
_KEYING_MODULES = ("_config.py", "_keys.py", "_index.py", "_packed.py", "_compiled.py")
# The members of the archive, besides meta.
_MEMBERS = (
    *(f"entity_{c}" for c in ("ids", "names", "kinds", "aliases", "alias_counts", "priors", "attrs", "attrs_of")),
    *("entity_of", "texts", "romanized", "sounds", "spaced", "fuzzy", "sizes", "skeleton_sizes"),
    *("keys", "keys_offsets", "grams", "postings", "postings_offsets"),
)


@lru_cache(maxsize=1)
def fingerprint() -> str:
    """A digest of namenorm's version and of the code and data that key names."""
    digest = hashlib.sha256(__version__.encode())
    # Normalization and the libraries that romanize and key change keys too.
    versions = [unicodedata.unidata_version, _core.fingerprint()] + [_version_of(p) for p in ("jellyfish", "regex")]
    digest.update(" ".join(versions).encode())
    package = resources.files("namenorm")
    for module in _KEYING_MODULES:
        digest.update((package / module).read_bytes())
    return digest.hexdigest()


def _version_of(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "unknown"


def is_compiled(path: Path) -> bool:
    """Whether `path` is a file that starts as a compiled index does (a zip archive)."""
    try:
        with path.open("rb") as f:
            return f.read(len(ZIP_MAGIC)) == ZIP_MAGIC
    except OSError:
        return False


def write_index(index: Index, path: str | Path) -> None:
    """Write `index` (its entities, names, keys and postings) to `path` as a compiled index.

    Raises:
        GazetteerError: If an entity's attrs cannot be stored (only JSON
            values can: str, numbers, booleans, None, lists, tables).
        OSError: If the file cannot be written.
    """
    parts = index.parts
    entities = index.entities
    grams = sorted(parts.postings)
    postings = [parts.postings[g] for g in grams]
    meta = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "fingerprint": fingerprint(),
        "namenorm": __version__,
        "entities": len(entities),
        "names": len(index),
    }
    keys = parts.keys
    arrays: dict[str, npt.NDArray[Any]] = {
        "meta": _utf8(json.dumps(meta)),
        **_entity_columns(entities),
        "entity_of": parts.entity_of,
        "texts": _utf8("\0".join(parts.texts)),
        "romanized": _utf8("\0".join(parts.romanized.tolist())),
        "sounds": _utf8("\0".join(parts.sounds.tolist())),
        "spaced": _utf8("\0".join(parts.spaced.tolist())),
        "fuzzy": parts.fuzzy,
        "sizes": parts.sizes,
        "skeleton_sizes": parts.skeleton_sizes,
        "keys": np.frombuffer(keys.blob, dtype=np.uint8),
        "keys_offsets": keys.offsets,
        "grams": _utf8("\0".join(grams)),
        "postings": np.concatenate(postings) if postings else np.zeros(0, dtype=np.int32),
        "postings_offsets": np.cumsum([0, *map(len, postings)], dtype=np.int64),
    }
    # Written beside the target and renamed over it when complete, so that a
    # failed write never leaves half a file where a good one was.
    # Every member is a plain array (text is stored as UTF-8 bytes), so
    # nothing is pickled.
    assert all(a.dtype != object for a in arrays.values())
    target = Path(path)
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
    partial = Path(name)
    try:
        with os.fdopen(handle, "wb") as f:
            np.savez(f, **arrays)  # type: ignore[arg-type]  # the stubs read ** as allow_pickle
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def read_index(path: str | Path) -> Index:
    """Read a compiled index that `write_index` wrote.

    Raises:
        GazetteerError: If the file is not a compiled index, is truncated or
            damaged, was written by another format version, or keyed by
            another version of namenorm's code and tables (rebuild it with
            ``namenorm gazetteer build``).
        OSError: If the file cannot be read.
    """
    where = str(path)
    try:
        loaded = np.load(path, allow_pickle=False)
    except (ValueError, EOFError, zipfile.BadZipFile) as e:
        raise GazetteerError(f"not a namenorm compiled index ({e})", path=where) from e
    if not isinstance(loaded, np.lib.npyio.NpzFile):
        raise GazetteerError("not a namenorm compiled index (a numpy array, not an archive)", path=where)
    with loaded as archive:
        try:
            if "meta" not in archive.files:
                raise GazetteerError("not a namenorm compiled index (it has no meta)", path=where)
            meta = _check_meta(json.loads(_text(archive["meta"])), where)
            # Only the members this version writes: anything else is not read.
            arrays = {name: archive[name] for name in _MEMBERS}
        except GazetteerError:
            raise
        except (ValueError, EOFError, KeyError, zipfile.BadZipFile, struct.error) as e:
            raise GazetteerError(f"a truncated or damaged compiled index ({e})", path=where) from e
    try:
        return _index(arrays, meta, where)
    except GazetteerError:
        raise
    except (KeyError, ValueError, TypeError, IndexError) as e:
        raise GazetteerError(f"a damaged compiled index ({e})", path=where) from e


def _check_meta(meta: Any, where: str) -> dict[str, Any]:
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise GazetteerError("not a namenorm compiled index", path=where)
    rebuild = "rebuild it with `namenorm gazetteer build SOURCE -o FILE`"
    if meta.get("version") != FORMAT_VERSION:
        raise GazetteerError(
            f"a compiled index of format version {meta.get('version')!r}; this namenorm reads version "
            f"{FORMAT_VERSION}: {rebuild}",
            path=where,
        )
    if meta.get("fingerprint") != fingerprint():
        raise GazetteerError(
            f"a stale compiled index: namenorm {meta.get('namenorm')} keyed its names, and this namenorm "
            f"({__version__}) keys them otherwise: {rebuild}",
            path=where,
        )
    return meta


def _index(arrays: dict[str, npt.NDArray[Any]], meta: dict[str, Any], where: str) -> Index:
    entities = _entities(arrays, meta["entities"], where)
    count = meta["names"]
    texts, romanized, sounds, spaced = (
        _text(arrays[name]).split("\0") if count else [] for name in ("texts", "romanized", "sounds", "spaced")
    )
    entity_of = arrays["entity_of"]
    keys_offsets = arrays["keys_offsets"]
    lengths = [len(a) for a in (entity_of, arrays["fuzzy"], arrays["sizes"], arrays["skeleton_sizes"])]
    lengths += [len(texts), len(romanized), len(sounds), len(spaced)]
    if any(n != count for n in lengths) or len(keys_offsets) != count + 1:
        raise GazetteerError("a damaged compiled index: its names are not as its meta says", path=where)
    _check_positions(entity_of, len(entities), "entity", where)
    _check_offsets(keys_offsets, len(arrays["keys"]), where)
    grams = _text(arrays["grams"]).split("\0") if len(arrays["grams"]) else []
    offsets = arrays["postings_offsets"]
    postings = arrays["postings"]
    if len(offsets) != len(grams) + 1:
        raise GazetteerError("a damaged compiled index: its postings are not as its grams", path=where)
    _check_offsets(offsets, len(postings), where)
    _check_positions(postings, count, "name", where)
    parts = Parts(
        entity_of=entity_of.astype(np.int32, copy=False),
        texts=texts,
        keys=PackedKeys(arrays["keys"].data, keys_offsets, where),
        fuzzy=arrays["fuzzy"].astype(bool, copy=False),
        romanized=np.array(romanized, dtype=object),
        sounds=np.array(sounds, dtype=object),
        spaced=np.array(spaced, dtype=object),
        postings={g: postings[offsets[i] : offsets[i + 1]].astype(np.int32, copy=False) for i, g in enumerate(grams)},
        sizes=arrays["sizes"].astype(np.float64, copy=False),
        skeleton_sizes=arrays["skeleton_sizes"].astype(np.float64, copy=False),
    )
    return Index.from_parts(entities, parts)


def _check_positions(positions: npt.NDArray[Any], bound: int, what: str, where: str) -> None:
    if positions.dtype.kind not in "iu" or (len(positions) and (positions.min() < 0 or positions.max() >= bound)):
        raise GazetteerError(f"a damaged compiled index: an {what} position out of range", path=where)


def _check_offsets(offsets: npt.NDArray[Any], end: int, where: str) -> None:
    if offsets.dtype.kind not in "iu" or offsets[0] != 0 or offsets[-1] != end or np.any(np.diff(offsets) < 0):
        raise GazetteerError("a damaged compiled index: offsets out of order", path=where)


def _entity_columns(entities: Sequence[Entity]) -> dict[str, npt.NDArray[Any]]:
    # Entities as columns: joined strings split in one call, and numbers as
    # arrays, load far faster than a JSON record each. Attrs are few distinct
    # tables (a country code, say), stored once each.
    attrs: dict[str, int] = {}
    attrs_of = []
    for entity in entities:
        if any("\0" in text for text in (entity.id, entity.name, entity.kind, *entity.aliases)):
            # NUL separates the strings of a column.
            raise GazetteerError("a NUL character in its id, name, kind or an alias", record=entity.id)
        try:
            text = json.dumps(dict(entity.attrs), ensure_ascii=False, sort_keys=True)
            same = json.loads(text) == entity.attrs
        except (TypeError, ValueError) as e:
            raise GazetteerError(f"its attrs cannot be stored in a compiled index ({e})", record=entity.id) from e
        if not same:
            raise GazetteerError(
                "its attrs would not load back as they are (only str keys, and JSON values: str, numbers, "
                "booleans, None, lists and tables)",
                record=entity.id,
            )
        attrs_of.append(attrs.setdefault(text, len(attrs)))
    return {
        "entity_ids": _utf8("\0".join(e.id for e in entities)),
        "entity_names": _utf8("\0".join(e.name for e in entities)),
        "entity_kinds": _utf8("\0".join(e.kind for e in entities)),
        "entity_aliases": _utf8("\0".join(a for e in entities for a in e.aliases)),
        "entity_alias_counts": np.array([len(e.aliases) for e in entities], dtype=np.int64),
        "entity_priors": np.array([e.prior for e in entities], dtype=np.float64),
        "entity_attrs": _utf8("[" + ",".join(attrs) + "]"),
        "entity_attrs_of": np.array(attrs_of, dtype=np.int64),
    }


def _entities(arrays: dict[str, npt.NDArray[Any]], count: int, where: str) -> tuple[Entity, ...]:
    # The names were checked when the index was built; here only the shape
    # and the types are, which is all that stands between a damaged file and
    # a wrong answer, at a fraction of the cost of Entity's own checks.
    def damaged(what: str) -> GazetteerError:
        return GazetteerError(f"a damaged compiled index: {what}", path=where)

    columns = [_text(arrays[f"entity_{c}"]).split("\0") if count else [] for c in ("ids", "names", "kinds")]
    counts = arrays["entity_alias_counts"]
    priors = arrays["entity_priors"]
    attrs_of = arrays["entity_attrs_of"]
    aliases = _text(arrays["entity_aliases"]).split("\0") if counts.sum() else []
    attrs = json.loads(_text(arrays["entity_attrs"]))
    lengths = [len(c) for c in columns] + [len(counts), len(priors), len(attrs_of)]
    if any(n != count for n in lengths) or len(aliases) != counts.sum():
        raise damaged("its entities are not as its meta says")
    if any("" in c for c in (*columns, aliases)) or len(set(columns[0])) != count:
        raise damaged("an entity without an id, a name or a kind, or two with one id")
    if counts.dtype.kind not in "iu" or counts.ndim != 1 or np.any(counts < 0):
        raise damaged("an entity's count of aliases is not a whole number >= 0")
    if priors.dtype != np.float64 or priors.ndim != 1 or not np.all(np.isfinite(priors) & (priors >= 0)):
        raise damaged("an entity's prior is not a number >= 0")
    if not isinstance(attrs, list) or not all(isinstance(a, dict) for a in attrs):
        raise damaged("an entity's attrs are not a table")
    _check_positions(attrs_of, len(attrs), "attrs", where)
    # Entities share a table of attrs only through a copy of their own: a
    # shallow one while its values are flat, a fresh parse when they nest.
    nested = [any(isinstance(v, (list, dict)) for v in a.values()) for a in attrs]
    texts = [json.dumps(a) for a in attrs]

    def own(a: int) -> dict[str, Any]:
        return json.loads(texts[a]) if nested[a] else dict(attrs[a])

    ends = np.cumsum(counts).tolist()
    return tuple(
        Entity._trusted(entity_id, name, kind, tuple(aliases[end - n : end]), prior, own(a))
        for entity_id, name, kind, n, end, prior, a in zip(
            *columns, counts.tolist(), ends, priors.tolist(), attrs_of.tolist(), strict=True
        )
    )


def _utf8(text: str) -> npt.NDArray[np.uint8]:
    return np.frombuffer(text.encode(), dtype=np.uint8)


def _text(array: npt.NDArray[Any]) -> str:
    if array.dtype != np.uint8 or array.ndim != 1:
        raise ValueError("a text member is not bytes")
    return array.tobytes().decode()
