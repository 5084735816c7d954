"""namenorm in DuckDB's SQL: a vectorized function that resolves a column.

>>> import duckdb, namenorm.duckdb
>>> con = duckdb.connect()
>>> namenorm.duckdb.register(con)
>>> con.sql("SELECT namenorm_resolve('Qadr').id AS id").fetchall()
[('place:hadrut',)]

Needs the optional extra: ``pip install 'namenorm[duckdb]'``.
"""

from __future__ import annotations

import os
from typing import Any

from ._arrow import FIELDS, Answers
from ._gazetteer import Gazetteer
from ._resolver import Resolver

#: The SQL types of a match's fields.
_SQL_TYPES = {"string": "VARCHAR", "float64": "DOUBLE", "bool_": "BOOLEAN"}

#: The SQL type `namenorm_resolve` returns.
RETURN_TYPE = "STRUCT(" + ", ".join(f"{name} {_SQL_TYPES[kind]}" for name, kind in FIELDS) + ")"


def register(
    connection: Any,
    *,
    gazetteer: Gazetteer | str | os.PathLike[str] = "builtin",
    kind: str | None = None,
    name: str = "namenorm_resolve",
) -> None:
    """Register ``namenorm_resolve(name VARCHAR)`` on a DuckDB connection.

    The function is given a vector of names at a time (DuckDB's Arrow
    functions), resolves each distinct one once on the core's threads, and
    returns a ``STRUCT`` of ``id``, ``name``, ``kind``, ``score``,
    ``false_match``, ``method``, ``alias`` and ``ambiguous``; NULL where
    there is no match (see `namenorm.resolve_arrow`)::

        SELECT city, namenorm_resolve(city).id, namenorm_resolve(city).score FROM t

    Args:
        connection: A `duckdb.DuckDBPyConnection`.
        gazetteer: What to resolve to, as `Gazetteer.open` reads it: a
            compiled index, a TOML file or folder, ``"builtin"`` or
            ``"geonames:N"``; loaded now, once.
        kind: Only entities of this kind.
        name: The function's name in SQL.

    Raises:
        GazetteerError: If the gazetteer cannot be read, naming its file.
        ValueError: If `kind` is not a kind of the gazetteer.
        ImportError: If duckdb or pyarrow is not installed.
    """
    try:
        import duckdb
    except ImportError as error:
        raise ImportError("namenorm.duckdb needs duckdb: pip install 'namenorm[duckdb]'") from error
    answers = Answers(Resolver(Gazetteer.open(gazetteer)), kind=kind)

    def resolve(names: Any) -> Any:
        return answers.column(names)

    connection.create_function(
        name, resolve, ["VARCHAR"], duckdb.sqltype(RETURN_TYPE), type="arrow", null_handling="special"
    )
