"""A compiled index: a gazetteer and its candidate index in one file, loaded in seconds.

Keying a name (normalize, transliterate, sound units, Metaphone) is what makes
building an index slow; a compiled index stores every name's keys, and the
postings, so that loading it keys nothing. The file is a numpy ``.npz``
archive (a zip of plain arrays), read with ``allow_pickle=False``: opening one
from an untrusted source runs no code. Each member carries a CRC-32 that
zipfile checks, so a truncated or damaged file is refused, never half-loaded.

Its ``meta`` member says what it is: the format and its version, and the
fingerprint of the code and data that keyed its names. A file written by
another format version, or keyed by other tables or code, is stale: the keys in
it are not those a query gets, so it is refused, with the command that
rebuilds it.

Names' keys are decoded when a query first reaches them (`_StoredKeys`).
Entities are rebuilt with their types checked, not re-validated in full:
their names were checked when the file was built.
"""

from __future__ import annotations

import hashlib
import json
import struct
import zipfile
from collections.abc import Iterator, Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, overload

import numpy as np
import numpy.typing as npt

from ._version import __version__
from ._errors import GazetteerError
from ._index import Index
from ._keys import NameKeys, WordKeys
from ._model import Entity

#: What a compiled index says it is, and the version of its layout.
FORMAT = "namenorm compiled index"
FORMAT_VERSION = 1
#: The first bytes of every zip file, hence of every compiled index.
ZIP_MAGIC = b"PK\x03\x04"

# The code and data that decide a name's keys: a compiled index keyed by any
# other version of them is stale.
_KEYING_MODULES = ("_normalize.py", "_translit.py", "_keys.py", "_generic.py", "_index.py", "_compiled.py")
_KEYING_DATA = ("generic.toml", "translit")
# Keys decoded and kept at once; a query touches at most a few hundred names.
_DECODED_CACHE = 1 << 16


@lru_cache(maxsize=1)
def fingerprint() -> str:
    """A digest of namenorm's version and of the code and data that key names."""
    digest = hashlib.sha256(__version__.encode())
    package = resources.files("namenorm")
    for module in _KEYING_MODULES:
        digest.update((package / module).read_bytes())
    for name in _KEYING_DATA:
        item = package / "data" / name
        files = sorted(item.iterdir(), key=lambda f: f.name) if item.is_dir() else [item]
        for file in files:
            digest.update(file.name.encode() + b"\0" + file.read_bytes())
    return digest.hexdigest()


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
    parts = index.parts()
    entities = [_entity_record(e) for e in index.entities]
    grams = sorted(parts["postings"])
    postings = [parts["postings"][g] for g in grams]
    meta = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "fingerprint": fingerprint(),
        "namenorm": __version__,
        "entities": len(entities),
        "names": len(index),
    }
    keys_blob, keys_offsets = _joined([_encode_keys(k) for k in parts["keys"]])
    arrays: dict[str, npt.NDArray[Any]] = {
        "meta": _utf8(json.dumps(meta)),
        "entities": _utf8(json.dumps(entities, ensure_ascii=False)),
        "entity_of": parts["entity_of"],
        "texts": _utf8("\0".join(parts["texts"])),
        "romanized": _utf8("\0".join(parts["romanized"])),
        "sounds": _utf8("\0".join(parts["sounds"])),
        "fuzzy": parts["fuzzy"],
        "sizes": parts["sizes"],
        "skeleton_sizes": parts["skeleton_sizes"],
        "keys": keys_blob,
        "keys_offsets": keys_offsets,
        "grams": _utf8("\0".join(grams)),
        "postings": np.concatenate(postings) if postings else np.zeros(0, dtype=np.int32),
        "postings_offsets": np.cumsum([0, *map(len, postings)], dtype=np.int64),
    }
    with Path(path).open("wb") as f:
        np.savez(f, allow_pickle=False, **arrays)


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
            arrays = {name: archive[name] for name in archive.files}
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
    entities = tuple(_entity(record, where) for record in json.loads(_text(arrays["entities"])))
    if len(entities) != meta["entities"] or len({e.id for e in entities}) != len(entities):
        raise GazetteerError("a damaged compiled index: its entities are not as its meta says", path=where)
    count = meta["names"]
    texts, romanized, sounds = (
        _text(arrays[name]).split("\0") if count else [] for name in ("texts", "romanized", "sounds")
    )
    entity_of = arrays["entity_of"]
    keys_offsets = arrays["keys_offsets"]
    lengths = [len(a) for a in (entity_of, arrays["fuzzy"], arrays["sizes"], arrays["skeleton_sizes"])]
    lengths += [len(texts), len(romanized), len(sounds)]
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
    return Index.from_parts(
        entities,
        entity_of=entity_of.astype(np.int32, copy=False),
        texts=texts,
        keys=_StoredKeys(arrays["keys"].tobytes(), keys_offsets.tolist(), where),
        fuzzy=arrays["fuzzy"].astype(bool, copy=False),
        romanized=romanized,
        sounds=sounds,
        postings={g: postings[offsets[i] : offsets[i + 1]].astype(np.int32, copy=False) for i, g in enumerate(grams)},
        sizes=arrays["sizes"].astype(np.float64, copy=False),
        skeleton_sizes=arrays["skeleton_sizes"].astype(np.float64, copy=False),
    )


def _check_positions(positions: npt.NDArray[Any], bound: int, what: str, where: str) -> None:
    if positions.dtype.kind not in "iu" or (len(positions) and (positions.min() < 0 or positions.max() >= bound)):
        raise GazetteerError(f"a damaged compiled index: an {what} position out of range", path=where)


def _check_offsets(offsets: npt.NDArray[Any], end: int, where: str) -> None:
    if offsets.dtype.kind not in "iu" or offsets[0] != 0 or offsets[-1] != end or np.any(np.diff(offsets) < 0):
        raise GazetteerError("a damaged compiled index: offsets out of order", path=where)


class _StoredKeys(Sequence[NameKeys]):
    """The names' keys as stored, each decoded when first asked for (and kept a while)."""

    def __init__(self, blob: bytes, offsets: list[int], where: str) -> None:
        self._blob = blob
        self._offsets = offsets
        self._where = where
        self._decoded = lru_cache(maxsize=_DECODED_CACHE)(self._decode)

    def __len__(self) -> int:
        return len(self._offsets) - 1

    @overload
    def __getitem__(self, position: int) -> NameKeys: ...
    @overload
    def __getitem__(self, position: slice) -> Sequence[NameKeys]: ...
    def __getitem__(self, position: int | slice) -> NameKeys | Sequence[NameKeys]:
        if isinstance(position, slice):
            return [self[i] for i in range(*position.indices(len(self)))]
        return self._decoded(position)

    def __iter__(self) -> Iterator[NameKeys]:
        return (self[i] for i in range(len(self)))

    def _decode(self, position: int) -> NameKeys:
        data = self._blob[self._offsets[position] : self._offsets[position + 1]]
        try:
            return _decode_keys(json.loads(data))
        except (ValueError, TypeError, IndexError) as e:
            raise GazetteerError(f"a damaged compiled index: the keys of name {position}: {e}", path=self._where) from e


def _encode_keys(keys: NameKeys) -> str:
    words = [[w.normalized, w.romanized, w.sound, _units(w.units), w.metaphone, w.optional] for w in keys.words]
    return json.dumps(
        [keys.normalized, words, keys.romanized, keys.sound, _units(keys.units), keys.abjad, keys.syllabic],
        ensure_ascii=False,
        separators=(",", ":"),
    )


def _units(units: tuple[tuple[str, str], ...]) -> list[str]:
    return [f"{spelling} {sound}" for spelling, sound in units]


def _decode_keys(data: Any) -> NameKeys:
    normalized, words, romanized, sound, units, abjad, syllabic = data
    return NameKeys(
        _str(normalized),
        tuple(WordKeys(_str(n), _str(r), _str(s), _unpacked(u), _str(m), _bool(o)) for n, r, s, u, m, o in words),
        _str(romanized),
        _str(sound),
        _unpacked(units),
        _bool(abjad),
        _bool(syllabic),
    )


def _unpacked(units: Any) -> tuple[tuple[str, str], ...]:
    pairs = tuple(tuple(_str(u).split(" ")) for u in units)
    if any(len(p) != 2 for p in pairs):
        raise ValueError("a sound unit is not a spelling and a class")
    return pairs  # type: ignore[return-value]  # each pair has two items, checked above


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"a str was expected, not {type(value).__name__}")
    return value


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"a bool was expected, not {type(value).__name__}")
    return value


def _entity_record(entity: Entity) -> list[Any]:
    try:
        json.dumps(dict(entity.attrs))
    except (TypeError, ValueError) as e:
        raise GazetteerError(f"its attrs cannot be stored in a compiled index ({e})", record=entity.id) from e
    return [entity.id, entity.name, entity.kind, list(entity.aliases), entity.prior, dict(entity.attrs)]


def _entity(record: Any, where: str) -> Entity:
    # The names were checked when the index was built; here only the shape
    # and the types are, which is all that stands between a damaged file and
    # a wrong answer, at a fraction of the cost of Entity's own checks.
    try:
        entity_id, name, kind, aliases, prior, attrs = record
        ok = (
            all(isinstance(v, str) and v for v in (entity_id, name, kind))
            and isinstance(aliases, list)
            and all(isinstance(a, str) and a for a in aliases)
            and isinstance(prior, (int, float))
            and not isinstance(prior, bool)
            and prior >= 0
            and isinstance(attrs, dict)
        )
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise GazetteerError("a damaged compiled index: an entity record is not as namenorm writes it", path=where)
    return Entity._trusted(entity_id, name, kind, tuple(aliases), float(prior), attrs)


def _joined(items: list[str]) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.int64]]:
    encoded = [item.encode() for item in items]
    offsets = np.cumsum([0, *map(len, encoded)], dtype=np.int64)
    return np.frombuffer(b"".join(encoded), dtype=np.uint8), offsets


def _utf8(text: str) -> npt.NDArray[np.uint8]:
    return np.frombuffer(text.encode(), dtype=np.uint8)


def _text(array: npt.NDArray[Any]) -> str:
    if array.dtype != np.uint8 or array.ndim != 1:
        raise ValueError("a text member is not bytes")
    return array.tobytes().decode()
