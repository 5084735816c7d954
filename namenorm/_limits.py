"""What one request may ask of `namenorm serve`, and the error that refuses
it: the checks every endpoint makes of the values a request holds, each
failure a `RequestError` with the HTTP status to answer and, when a limit is
why, its name."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from typing import Any

from . import _config
from ._model import _lone_surrogate

_WHOLE = re.compile(r"[0-9]{1,9}")


class RequestError(ValueError):
    """A request the service refuses, and why.

    Attributes:
        status: The HTTP status to answer with (400, 403, 404, 409, 413, 415, 422).
        limit: The limit the request went past ("max_names", ...), if that is why.
    """

    def __init__(self, message: str, *, status: int = 422, limit: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.limit = limit

    def as_json(self) -> dict[str, Any]:
        """The error as the service answers it."""
        found: dict[str, Any] = {"error": str(self), "status": self.status}
        if self.limit is not None:
            found["limit"] = self.limit
        return found


def shown(value: Any) -> str:
    """A value as an error quotes it: its repr, cut short."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**15:
        return f"a number of {value.bit_length()} bits"
    text = repr(value)
    return text if len(text) <= _config.SERVE_SHOWN else text[: _config.SERVE_SHOWN - 3] + "..."


@dataclass(frozen=True)
class Limits:
    """What one request may ask of the service (see `namenorm._config`).

    Attributes:
        max_body_bytes: The bytes of a request's body, or of a GET's query
            string (413 past it).
        max_names: The names of one request: the queries of a batch, the
            names of a /match, the ids of a data extension (422).
        max_name_length: The characters of one name (422).
        max_limit: The candidates one query may ask for (422).
        max_candidates: The candidates of one request, all its names' limits
            added up (422): what keeps an answer's size in bounds.
        max_properties: The properties (attributes) one query may filter on,
            or one data extension fetch (422).
    """

    max_body_bytes: int = _config.SERVE_MAX_BODY_BYTES
    max_names: int = _config.SERVE_MAX_NAMES
    max_name_length: int = _config.SERVE_MAX_NAME_LENGTH
    max_limit: int = _config.SERVE_MAX_LIMIT
    max_candidates: int = _config.SERVE_MAX_CANDIDATES
    max_properties: int = _config.SERVE_MAX_PROPERTIES

    def __post_init__(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{field.name} must be a whole number >= 1, not {value!r}")

    def check_count(self, count: int, what: str, limit: str = "max_names") -> None:
        """Refuse a request of more than the limit `limit` of `what`."""
        most = getattr(self, limit)
        if count > most:
            raise RequestError(
                f"{count:,} {what} in one request; this service takes at most {most:,} "
                f"(send them in several requests, or start it with a higher --{limit.replace('_', '-')})",
                limit=limit,
            )

    def check_name(self, name: str, where: str) -> None:
        """Refuse a name longer than `max_name_length`."""
        if len(name) > self.max_name_length:
            raise RequestError(
                f"{where} is {len(name):,} characters long; this service takes names of at most "
                f"{self.max_name_length:,} (--max-name-length)",
                limit="max_name_length",
            )

    def check_limit(self, limit: Any, where: str) -> int:
        """A query's `limit` (a JSON number), checked: a whole number from 1
        to `max_limit`."""
        whole = isinstance(limit, int) or (isinstance(limit, float) and limit.is_integer())
        if isinstance(limit, bool) or not whole or limit < 1:
            raise RequestError(f"{where} must be a whole number >= 1, not {shown(limit)}")
        return self.check_at_most(int(limit), where, "max_limit")

    def check_at_most(self, value: int, where: str, limit: str) -> int:
        """`value`, if it is at most the limit `limit`."""
        most = getattr(self, limit)
        if value > most:
            raise RequestError(
                f"{where} is {shown(value)}; this service takes at most {most:,} (--{limit.replace('_', '-')})",
                limit=limit,
            )
        return value


def whole_parameter(value: str | None, where: str, default: int, *, minimum: int) -> int:
    """A whole number given as text (a query-string parameter): ASCII digits."""
    if value in (None, ""):
        return default
    assert value is not None
    if not _WHOLE.fullmatch(value) or int(value) < minimum:
        raise RequestError(f"{where} must be a whole number >= {minimum}, not {shown(value)}")
    return int(value)


def check_json_text(value: Any, what: str) -> None:
    """Refuse JSON whose strings are not Unicode text (a lone surrogate,
    which JSON's escapes can write, and no answer could hold)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _lone_surrogate(item):
                raise RequestError(f"{what} holds a lone surrogate (\\ud800 to \\udfff), which is not text", status=400)
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)

