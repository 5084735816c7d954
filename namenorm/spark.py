"""namenorm on Spark: a column of a DataFrame resolved on the executors.

The gazetteer travels to the executors as a compiled index (one file,
shipped with `SparkContext.addFile`, or read where it lies on storage they
share); each Python worker maps it the first time a task needs it and keeps
it for the tasks after, keyed by the checksum of its bytes, so that nothing is
loaded per partition, let alone per row. Batches go through `mapInArrow`,
so the names reach namenorm as Arrow arrays (see `namenorm.resolve_arrow`).

Needs the optional extra: ``pip install 'namenorm[spark]'`` (and Java 17 or
later, as Spark does).
"""

from __future__ import annotations

import atexit
import itertools
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ._arrow import FIELDS, Answers
from ._compiled import is_compiled, read_index
from ._errors import GazetteerError
from ._gazetteer import Gazetteer
from ._resolver import Resolver

#: The Spark SQL types of a match's fields.
_SPARK_TYPES = {"string": "string", "float64": "double", "bool_": "boolean"}

#: The type of the column `resolve_column` adds, as Spark SQL writes it.
MATCH_DDL = "struct<" + ", ".join(f"{name}: {_SPARK_TYPES[kind]}" for name, kind in FIELDS) + ">"

# On the driver: the compiled index of each gazetteer asked for by name
# (compiled once, into a folder removed at exit).
_compiled: dict[str, Path] = {}
_compiled_lock = threading.Lock()
_folder: list[Path] = []
_serial = itertools.count()

# On a worker: the resolver of each index it has mapped, by checksum,
# its answers so far (by kind and threads), and how many times it has
# mapped an index.
_resolvers: dict[str, Resolver] = {}
_answers: dict[tuple[str, str | None, int], Answers] = {}
_resolvers_lock = threading.Lock()
_loads = [0]


def resolve_column(
    df: Any,
    column: str,
    *,
    gazetteer: Gazetteer | str | os.PathLike[str] = "builtin",
    kind: str | None = None,
    output: str = "namenorm",
    shared: bool = False,
    threads: int = 1,
) -> Any:
    """`df` with a column of the matches of its `column` added.

    Args:
        df: A `pyspark.sql.DataFrame`.
        column: Its column of names (strings).
        gazetteer: What to resolve to, as `Gazetteer.open` reads it: best a
            compiled index (``namenorm gazetteer build ... -o cities.nnx``),
            which is shipped as it is; a TOML file or folder, ``"builtin"``,
            ``"geonames:N"`` or a `Gazetteer` is compiled first, on the
            driver, once a process.
        kind: Only entities of this kind.
        output: The name of the column added: a struct of ``id``, ``name``,
            ``kind``, ``score``, ``false_match``, ``method``, ``alias`` and
            ``ambiguous``, null where there is no match.
        shared: The index's path is one every executor can open (a network
            or cluster file system): it is read there, not shipped.
        threads: The core's threads for each task (Spark already runs a
            task on each core it has).

    Each Python worker resolves a name once and remembers it (see
    `namenorm._arrow.Answers`); rows shared out round robin bring most
    names to every worker, so partition by the names first when they repeat
    (``df.repartition(n, column)``): on a million rows of 40,000 names,
    twice the rows a second on two cores (bench/batch.py).

    Returns:
        A DataFrame (lazy, as Spark's are): every row and column of `df`, in
        its order, and `output`.

    Raises:
        ValueError: If `column` is not a column of `df` (the message lists
            those it has), `output` already is one, or `kind` is not a kind
            of the gazetteer.
        TypeError: If `column` does not hold strings.
        GazetteerError: If the gazetteer or index cannot be read, naming its
            file (checked on the driver first; on an executor, the task
            fails with the same message).
        ImportError: If pyspark or pyarrow is not installed.
    """
    try:
        from pyspark.sql.types import StringType, StructType, _parse_datatype_string
    except ImportError as error:
        raise ImportError("namenorm.spark needs pyspark: pip install 'namenorm[spark]'") from error
    if column not in df.columns:
        raise ValueError(f"no column {column!r}; the DataFrame has {', '.join(map(repr, df.columns)) or 'none'}")
    if not isinstance(df.schema[column].dataType, StringType):
        raise TypeError(f"column {column!r} holds {df.schema[column].dataType.simpleString()}, not names (strings)")
    if output in df.columns:
        raise ValueError(f"the DataFrame already has a column {output!r}; name the matches otherwise (output=)")
    if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
        raise ValueError(f"threads must be a whole number >= 1, not {threads!r}")
    path = _index_of(gazetteer)
    index = read_index(path)  # checked whole, on the driver, before any task
    if kind is not None and kind not in index.kinds():
        raise ValueError(f"unknown kind {kind!r}; this gazetteer has {', '.join(sorted(index.kinds()))}")
    key = key_of(index)
    if shared:
        where = ("path", str(path))
    else:
        shipped = _named_for(path, key)
        df.sparkSession.sparkContext.addFile(str(shipped))
        where = ("file", shipped.name)
    schema = StructType([*df.schema.fields]).add(output, _parse_datatype_string(MATCH_DDL), nullable=True)

    def resolve_batches(batches: Iterator[Any]) -> Iterator[Any]:
        return _resolved(batches, where, key, column, kind, output, threads)

    return df.mapInArrow(resolve_batches, schema)


def key_of(index: Any) -> str:
    """What a worker keeps a compiled index (a `_core.Index`) by: the
    checksum of its bytes. (An index keyed by another namenorm is refused
    when loaded.)"""
    return f"{index.checksum:016x}"


def _index_of(gazetteer: Gazetteer | str | os.PathLike[str]) -> Path:
    # A compiled index's own path; any other gazetteer compiled (once).
    if isinstance(gazetteer, (str, os.PathLike)):
        given = Path(os.fspath(gazetteer))
        if given.is_file() and is_compiled(given):
            return given
    with _compiled_lock:
        name = None if isinstance(gazetteer, Gazetteer) else os.fspath(gazetteer)
        if name is not None and name in _compiled:
            return _compiled[name]
        path = _scratch() / f"gazetteer-{next(_serial)}.nnx"
        Gazetteer.open(gazetteer).compile(path)
        if name is not None:
            _compiled[name] = path
        return path


def _named_for(path: Path, key: str) -> Path:
    # The index under a name of its checksum: Spark ships files by base
    # name, so two indexes of one name would collide. A hard link, or a
    # copy across file systems (Spark does not ship a symbolic link).
    named = _scratch() / f"namenorm-{key}.nnx"
    if not named.exists():
        try:
            os.link(path, named)
        except OSError:
            shutil.copyfile(path, named)
    return named


def _scratch() -> Path:
    if not _folder:
        _folder.append(Path(tempfile.mkdtemp(prefix="namenorm-spark-")))
        atexit.register(shutil.rmtree, _folder[0], True)
    return _folder[0]


def _resolved(
    batches: Iterator[Any],
    where: tuple[str, str],
    key: str,
    column: str,
    kind: str | None,
    output: str,
    threads: int,
) -> Iterator[Any]:
    # On a worker: each batch with its matches appended.
    import pyarrow as pa

    answers = _worker_answers(where, key, kind, threads)
    for batch in batches:
        found = answers.column(batch.column(column))
        yield pa.RecordBatch.from_arrays([*batch.columns, found], names=[*batch.schema.names, output])


def _worker_answers(where: tuple[str, str], key: str, kind: str | None, threads: int) -> Answers:
    # The answers of the index `key`, mapped the first time a task of this
    # worker asks for it; kept, with the names answered, for later tasks.
    with _resolvers_lock:
        resolver = _resolvers.get(key)
        if resolver is None:
            how, name = where
            if how == "file":
                from pyspark import SparkFiles

                path = Path(SparkFiles.get(name))
            else:
                path = Path(name)
            index = read_index(path)
            if key_of(index) != key:
                raise GazetteerError(
                    "the compiled index changed after the job was planned: its checksum is not the one the "
                    "driver read",
                    path=str(path),
                )
            resolver = _resolvers[key] = Resolver(Gazetteer._of_index(index, str(path)))
            _loads[0] += 1
        answers = _answers.get((key, kind, threads))
        if answers is None:
            answers = _answers[key, kind, threads] = Answers(resolver, kind=kind, threads=threads)
        return answers
