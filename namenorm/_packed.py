"""Stage 4a: name keys packed into one buffer, for the candidate index.

A gazetteer of a million names would hold a million `NameKeys` objects, and
a compiled index would have to rebuild them all when loaded. Packed as JSON in
one buffer, keys cost a fraction of the memory, cross between processes and
into files as bytes, and are unpacked only for the names a query reaches.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from functools import lru_cache
from typing import Any, overload

import numpy as np
import numpy.typing as npt

from ._errors import GazetteerError
from ._keys import NameKeys, WordKeys

#: How many unpacked keys a `PackedKeys` keeps (a query reaches a few
#: hundred names; a full cache holds about 140 MiB).
UNPACKED_CACHE = 1 << 16


def pack_keys(keys: NameKeys) -> bytes:
    """`keys` as compact JSON, which `unpack_keys` reads back."""
    words = [[w.normalized, w.romanized, w.sound, _units(w.units), w.metaphone, w.optional] for w in keys.words]
    # A one-word name's units are its word's: not stored twice.
    units = None if len(keys.words) == 1 and keys.units == keys.words[0].units else _units(keys.units)
    data = [keys.normalized, words, keys.romanized, keys.sound, units, keys.abjad, keys.syllabic]
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def unpack_keys(data: bytes) -> NameKeys:
    """The keys that `pack_keys` packed.

    Raises:
        ValueError: If `data` is not packed keys (also for the wrong types).
    """
    try:
        normalized, words, romanized, sound, units, abjad, syllabic = json.loads(data)
        word_keys = tuple(
            WordKeys(_str(n), _str(r), _str(s), _unpacked(u), _str(m), _bool(o)) for n, r, s, u, m, o in words
        )
        return NameKeys(
            _str(normalized),
            word_keys,
            _str(romanized),
            _str(sound),
            word_keys[0].units if units is None and len(word_keys) == 1 else _unpacked(units),
            _bool(abjad),
            _bool(syllabic),
        )
    except (TypeError, IndexError) as e:
        raise ValueError(f"not packed name keys: {e}") from e


class PackedKeys(Sequence[NameKeys]):
    """Packed keys, one a name, unpacked when first asked for (and kept a while).

    Args:
        blob: The packed keys, one after the other.
        offsets: Where each starts in `blob`, and where the last ends.
        where: The file they were read from, for errors.
    """

    def __init__(self, blob: memoryview | bytes, offsets: npt.NDArray[np.int64], where: str | None = None) -> None:
        self.blob = blob
        self.offsets = offsets
        self._starts = offsets.tolist()
        self._where = where
        self._unpacked = lru_cache(maxsize=UNPACKED_CACHE)(self._unpack)

    def __reduce__(self) -> tuple[Any, ...]:
        # Without the cache of unpacked keys, which holds a bound method.
        return (PackedKeys, (bytes(self.blob), self.offsets, self._where))

    @classmethod
    def of(cls, packed: Sequence[bytes]) -> PackedKeys:
        """Keys from their packed forms, in order."""
        offsets = np.cumsum([0, *map(len, packed)], dtype=np.int64)
        return cls(b"".join(packed), offsets)

    def __len__(self) -> int:
        return len(self._starts) - 1

    @overload
    def __getitem__(self, position: int) -> NameKeys: ...
    @overload
    def __getitem__(self, position: slice) -> Sequence[NameKeys]: ...
    def __getitem__(self, position: int | slice) -> NameKeys | Sequence[NameKeys]:
        if isinstance(position, slice):
            return [self[i] for i in range(*position.indices(len(self)))]
        if position < 0:
            position += len(self)
        if not 0 <= position < len(self):
            raise IndexError(f"no name {position} among {len(self)}")
        return self._unpacked(position)

    def __iter__(self) -> Iterator[NameKeys]:
        return (self[i] for i in range(len(self)))

    def _unpack(self, position: int) -> NameKeys:
        try:
            return unpack_keys(bytes(self.blob[self._starts[position] : self._starts[position + 1]]))
        except ValueError as e:
            raise GazetteerError(f"a damaged compiled index: the keys of name {position}: {e}", path=self._where) from e


def _units(units: tuple[tuple[str, str], ...]) -> list[str]:
    return [f"{spelling} {sound}" for spelling, sound in units]


def _unpacked(units: Any) -> tuple[tuple[str, str], ...]:
    pairs = tuple(tuple(_str(u).split(" ")) for u in units)
    if any(len(p) != 2 for p in pairs):
        raise TypeError("a sound unit is not a spelling and a class")
    return pairs  # type: ignore[return-value]  # each pair has two items, checked above


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"a str was expected, not {type(value).__name__}")
    return value


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"a bool was expected, not {type(value).__name__}")
    return value
