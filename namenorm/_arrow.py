"""A column of names in, a column of matches out: Arrow arrays, resolved on
the core's threads.

Every way namenorm reads a table (`resolve_arrow`, ``namenorm resolve
--table``, the DuckDB function, Spark) comes through here, so that a row
answers the same everywhere. Each chunk is dictionary-encoded first: a
column of a million rows names far fewer places, and each distinct name is
resolved once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import _config
from ._resolver import Resolver, _cores

if TYPE_CHECKING:
    import pyarrow as pa

#: The fields of a match, in order, and their Arrow types (see `match_type`).
FIELDS: tuple[tuple[str, str], ...] = (
    ("id", "string"),
    ("name", "string"),
    ("kind", "string"),
    ("score", "float64"),
    ("false_match", "float64"),
    ("method", "string"),
    ("alias", "string"),
    ("alias_kind", "string"),
    ("ambiguous", "bool_"),
)


def pyarrow() -> Any:
    """pyarrow, or an ImportError that says how to install it."""
    try:
        import pyarrow
    except ImportError as error:
        raise ImportError("namenorm's tables need pyarrow: pip install 'namenorm[arrow]'") from error
    return pyarrow


def match_type() -> pa.StructType:
    """The Arrow type of a match: a struct of `FIELDS`."""
    pa = pyarrow()
    return pa.struct([pa.field(name, getattr(pa, kind)()) for name, kind in FIELDS])


def resolve_arrow(
    names: Any, *, resolver: Resolver | None = None, kind: str | None = None, threads: int | None = None
) -> pa.StructArray | pa.ChunkedArray:
    """Resolve a column of names, as `Resolver.resolve` resolves each.

    Args:
        names: An Arrow array of strings: a pyarrow `Array` or
            `ChunkedArray` (string, large_string, string_view, or a
            dictionary of strings), or any object that exports one through
            the Arrow PyCapsule interface (a pandas or Polars Series, a
            DuckDB result's column, ...).
        resolver: The resolver to ask (default: the built-in gazetteer's).
        kind: Only entities of this kind.
        threads: How many of the core's threads resolve at once (default:
            one per core this process may use).

    Returns:
        One match a row, in order, a struct of `id`, `name`, `kind` (of the
        entity), `score`, `false_match` (see `Match`), `method`, `alias`,
        `alias_kind` and `ambiguous`; null where `resolve` returns None: a null, blank
        or overlong name, or nothing close enough. A `StructArray` for an
        array, a `ChunkedArray` for a chunked one or a stream.

    Raises:
        ImportError: If pyarrow is not installed.
        TypeError: If `names` is not an Arrow array, or holds something else
            than text (numbers, say: name the column that holds the names).
        ValueError: If `kind` is not a kind of the gazetteer, or `threads` < 1.

    >>> import pyarrow as pa
    >>> matches = resolve_arrow(pa.array(["Nicole Bashinian", None, "Gadrut", "Nowhereville"]))
    >>> matches.field("id").to_pylist()
    ['person:nikol-pashinyan', None, 'place:hadrut', None]
    """
    if resolver is None:
        from . import _builtin_resolver

        resolver = _builtin_resolver()
    return Answers(resolver, kind=kind, threads=threads).column(names)


class Answers:
    """A resolver's answers to the names of one table, each distinct name
    resolved once: a column names the same places again and again.

    Remembers up to `namenorm._config.TABLE_NAMES` names (then forgets them
    all and starts again), so that its memory is bounded however long the
    table. Safe to share between threads.

    Args:
        resolver: The resolver to ask.
        kind: Only entities of this kind.
        threads: How many of the core's threads resolve at once (default:
            one per core this process may use).

    Raises:
        TypeError: If `resolver` is not a `Resolver`.
        ValueError: If `kind` is not a kind of its gazetteer, or `threads` < 1.
    """

    def __init__(self, resolver: Resolver, *, kind: str | None = None, threads: int | None = None) -> None:
        if not isinstance(resolver, Resolver):
            raise TypeError(f"resolver must be a namenorm.Resolver, not {type(resolver).__name__}")
        resolver._check_kind(kind)
        threads = _cores() if threads is None else threads
        if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
            raise ValueError(f"threads must be a whole number >= 1, not {threads!r}")
        self.resolver = resolver
        self.kind = kind
        self.threads = threads
        self._known: dict[str, tuple[Any, ...] | None] = {}

    def column(self, names: Any) -> pa.StructArray | pa.ChunkedArray:
        """The matches of a column of names, as `resolve_arrow` returns them."""
        pa = pyarrow()
        column = _arrow_of(pa, names)
        _check_text(pa, column.type)
        if isinstance(column, pa.ChunkedArray):
            return pa.chunked_array([self._chunk(pa, chunk) for chunk in column.chunks], type=match_type())
        return self._chunk(pa, column)

    def _chunk(self, pa: Any, chunk: Any) -> Any:
        # Each distinct name of the chunk answered once, then taken back to its rows.
        if pa.types.is_null(chunk.type):
            return pa.nulls(len(chunk), type=match_type())
        encoded = chunk if pa.types.is_dictionary(chunk.type) else chunk.dictionary_encode()
        distinct = [name or "" for name in encoded.dictionary.to_pylist()]
        known = self._known
        asked = [name for name in distinct if name not in known]
        if len(known) + len(asked) > _config.TABLE_NAMES:
            known.clear()
            asked = distinct
        cutoff, rate = self.resolver._bar(None, None)
        entity_of = self.resolver.gazetteer._entity
        for name, answer in zip(asked, self.resolver._core.resolve_many(asked, self.kind, cutoff, rate, self.threads)):
            if answer is None:
                known[name] = None
                continue
            position, (alias, alias_kind), score, false_match, _, (method, _), ambiguous, *_ = answer
            entity = entity_of(position)
            known[name] = (
                entity.id,
                entity.name,
                entity.kind,
                round(score, 4),
                round(false_match, 6),
                method,
                alias,
                alias_kind,
                ambiguous,
            )
        rows = [known[name] for name in distinct]
        kinds = match_type()
        arrays = [
            pa.array([None if row is None else row[i] for row in rows], type=kinds.field(i).type)
            for i in range(len(FIELDS))
        ]
        missing = pa.array([row is None for row in rows], type=pa.bool_())
        return pa.StructArray.from_arrays(arrays, fields=list(kinds), mask=missing).take(encoded.indices)


def _arrow_of(pa: Any, names: Any) -> Any:
    # An Arrow array or chunked array, whatever exported it.
    if isinstance(names, (pa.Array, pa.ChunkedArray)):
        return names
    if hasattr(names, "__arrow_c_array__"):
        return pa.array(names)
    if hasattr(names, "__arrow_c_stream__"):
        return pa.chunked_array(names)
    raise TypeError(
        f"resolve_arrow takes an Arrow array of names (pyarrow, or an object with the Arrow PyCapsule "
        f"interface, such as a pandas or Polars Series), not {type(names).__name__}; for a list of str, "
        "use Resolver.resolve_many"
    )


def is_text(pa: Any, kind: Any) -> bool:
    """Whether an Arrow type holds names: text, a dictionary of text, or only nulls."""
    if pa.types.is_dictionary(kind):
        kind = kind.value_type
    return bool(
        pa.types.is_string(kind)
        or pa.types.is_large_string(kind)
        or pa.types.is_string_view(kind)
        or pa.types.is_null(kind)
    )


def _check_text(pa: Any, kind: Any) -> None:
    if not is_text(pa, kind):
        raise TypeError(f"names must be text, not {kind}: resolve the column that holds the names")
