"""Errors raised by namenorm."""

from __future__ import annotations

from pathlib import Path
from typing import Any


class GazetteerError(ValueError):
    """A gazetteer record or file that cannot be used.

    Attributes:
        path: The file the problem is in, if it came from a file.
        line: The 1-based line of the record (or of the syntax error).
        record: The id of the record, when it has one.
        problem: What is wrong, and how to mend it.
    """

    def __init__(
        self,
        problem: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        record: str | None = None,
    ) -> None:
        self.path = str(path) if path is not None else None
        self.line = line
        self.record = record
        self.problem = problem
        super().__init__(self._message())

    def _message(self) -> str:
        where = self.path or "<gazetteer>"
        if self.line is not None:
            where += f":{self.line}"
        if self.record is not None:
            where += f": record {self.record!r}"
        return f"{where}: {self.problem}"


def json_type(value: Any) -> str:
    """What a value read from JSON is, in JSON's words ("array", "string",
    "number", ...), for errors that say what was found instead."""
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return "number"
    return "object"
