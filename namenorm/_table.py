"""Tables in, tables out: a column of a CSV, Parquet or JSON-lines file
resolved batch by batch, every row and column kept.

The file is read as a stream of record batches, so that a file far larger
than memory goes through; each batch is resolved by `resolve_arrow` (on
every core) and written with the match columns appended (`COLUMNS`). The
output is written beside its target and renamed over it at the end, so a
failure never leaves half a table.

CSV is read with every column as text, so that what is written back is
what was read ("007" stays "007"); JSON lines are read record by record,
so that each record keeps its keys and values as they were, and a name
that is not a string (a number, a list) is no match rather than a failure.
"""

from __future__ import annotations

import codecs
import json
import os
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from ._arrow import FIELDS, Answers, is_text, match_type, pyarrow
from ._resolver import Resolver

#: The columns appended to a table, in order: "namenorm_" and a match field.
COLUMNS = tuple(f"namenorm_{name}" for name, _ in FIELDS)

#: The formats, and the suffixes that name them.
FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl"}

#: How many rows are resolved at a time: enough to share out among the
#: core's threads, few enough that a progress bar moves.
BATCH_ROWS = 16_384


class TableError(ValueError):
    """A table that cannot be read, or resolved as asked; the message names the file."""


def format_of(path: Path, given: str | None) -> str:
    """The format of `path`: `given`, or the one its suffix names.

    Raises:
        TableError: If neither names a format.
    """
    if given is not None:
        return given
    found = FORMATS.get(path.suffix.lower())
    if found is None:
        raise TableError(
            f"{path}: cannot tell its format from the suffix {path.suffix!r}: name a table .csv, .parquet "
            "or .jsonl (or give the format of the input with --format)"
        )
    return found


def resolve_table(
    source: Path,
    column: str,
    target: Path,
    resolver: Resolver,
    *,
    kind: str | None = None,
    source_format: str | None = None,
    target_format: str | None = None,
    delimiter: str = ",",
    encoding: str = "utf-8",
    progress: Callable[[int], None] = lambda rows: None,
) -> tuple[int, int]:
    """Write `source` to `target` with the matches of its `column` appended.

    Args:
        source: The table to read.
        column: The column of names.
        target: Where to write (replaced only once it is whole).
        resolver: The resolver to ask.
        kind: Only entities of this kind.
        source_format, target_format: "csv", "parquet" or "jsonl" (default:
            by suffix). JSON lines are written only from JSON lines.
        delimiter: The one character between the fields of a CSV file, read
            and written (";" as spreadsheets write it in much of Europe, "\t").
        encoding: The text encoding of a CSV file read ("latin-1",
            "cp1252", ...); what is written is UTF-8.
        progress: Called with the number of rows of each batch written.

    Returns:
        The rows written and how many of them matched.

    Raises:
        TableError: If a file cannot be read or written, is not a table of
            its format, lacks `column` (the message lists those it has), or
            already has a column named as a match column is.
    """
    source_format = format_of(source, source_format)
    target_format = format_of(target, target_format)
    if (source_format == "jsonl") != (target_format == "jsonl"):
        raise TableError(f"{target}: JSON lines are written from JSON lines only, not from {source_format}")
    if source.resolve() == target.resolve():
        raise TableError(f"{target}: the output would replace its input; write it elsewhere")
    resolver._check_kind(kind)
    if len(delimiter) != 1 or delimiter in "\r\n\"":
        raise TableError(f"a CSV delimiter is one character, not a quote or a line end: {delimiter!r}")
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise TableError(f"no text encoding is named {encoding!r}") from None
    if source_format == "jsonl":
        write = _jsonl(source, column, resolver, kind)
    else:
        dialect = _Dialect(delimiter, encoding)
        write = _arrow_table(source, source_format, column, target_format, resolver, kind, dialect)
    return _written(target, write, progress)


Writer = Callable[[Any, Callable[[int, int], None]], None]


def _written(target: Path, write: Writer, progress: Callable[[int], None]) -> tuple[int, int]:
    # `write` writes into a side file beside `target`, which is renamed over
    # it only once whole; on any failure it is removed.
    done = [0, 0]

    def count(rows: int, matched: int) -> None:
        done[0] += rows
        done[1] += matched
        progress(rows)

    # Made as `open` makes a file (its mode by the umask), not private as
    # a temporary file would be, since it becomes the output.
    side = str(target.parent / f".{target.name}.{secrets.token_hex(4)}.part")
    try:
        os.close(os.open(side, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
    except OSError as e:
        raise TableError(f"{target}: cannot write there: {e.strerror or e}") from None
    try:
        write(side, count)
        os.replace(side, target)
    except OSError as e:  # a disk full, say (reading errors name the source)
        Path(side).unlink(missing_ok=True)
        raise TableError(f"{target}: cannot write it: {e}") from None
    except BaseException:
        Path(side).unlink(missing_ok=True)
        raise
    return done[0], done[1]


@dataclass(frozen=True)
class _Dialect:
    """How a CSV file is written: its delimiter and (read) encoding."""

    delimiter: str = ","
    encoding: str = "utf-8"


def _arrow_table(
    source: Path,
    source_format: str,
    column: str,
    target_format: str,
    resolver: Resolver,
    kind: str | None,
    dialect: _Dialect,
) -> Writer:
    pa = pyarrow()
    batches, schema = _read_arrow(pa, source, source_format, dialect)
    _check_columns(source, column, schema.names)
    if target_format == "csv":
        _check_csv_types(pa, source, schema)
    if not is_text(pa, schema.field(column).type):
        raise TableError(f"{source}: column {column!r} holds {schema.field(column).type}, not names (text)")
    matches = match_type()
    fields = [pa.field(name, matches.field(i).type) for i, name in enumerate(COLUMNS)]
    out_schema = pa.schema([*schema, *fields], metadata=schema.metadata)

    answers = Answers(resolver, kind=kind)

    def write(side: str, count: Callable[[int, int], None]) -> None:
        with _arrow_writer(pa, target_format, side, out_schema, dialect) as writer:
            for batch in _sliced(_named(source, batches)):
                found = answers.column(batch.column(column))
                columns = [*batch.columns, *found.flatten()]
                writer.write_batch(pa.RecordBatch.from_arrays(columns, schema=out_schema))
                count(batch.num_rows, batch.num_rows - found.null_count)

    return write


def _read_arrow(pa: Any, source: Path, source_format: str, dialect: _Dialect) -> tuple[Iterator[Any], Any]:
    # A stream of record batches and their schema; nothing read beyond the
    # first block.
    try:
        if source_format == "parquet":
            import pyarrow.parquet as pq

            parquet = pq.ParquetFile(source)
            return parquet.iter_batches(batch_size=BATCH_ROWS), parquet.schema_arrow
        import pyarrow.csv as pacsv

        # Every column as text, so that what is written back is what was read.
        read = pacsv.ReadOptions(encoding=dialect.encoding)
        parse = pacsv.ParseOptions(delimiter=dialect.delimiter)
        names = pacsv.open_csv(source, read_options=read, parse_options=parse).schema.names
        options = pacsv.ConvertOptions(column_types={name: pa.string() for name in names})
        reader = pacsv.open_csv(source, read_options=read, parse_options=parse, convert_options=options)
        return iter(reader), reader.schema
    except OSError as e:
        raise TableError(f"{source}: cannot read it: {getattr(e, 'strerror', None) or e}") from None
    except (pa.ArrowException, ValueError) as e:
        raise TableError(f"{source}: not a {source_format} table: {e}") from None


def _named(source: Path, batches: Iterator[Any]) -> Iterator[Any]:
    # The batches, with any failure to read one named by its file.
    pa = pyarrow()
    try:
        yield from batches
    except OSError as e:
        raise TableError(f"{source}: cannot read it: {e}") from None
    except (pa.ArrowException, ValueError) as e:
        raise TableError(f"{source}: {e}") from None


def _sliced(batches: Iterator[Any]) -> Iterator[Any]:
    for batch in batches:
        for start in range(0, batch.num_rows, BATCH_ROWS):
            yield batch.slice(start, BATCH_ROWS)


def _arrow_writer(pa: Any, target_format: str, side: str, schema: Any, dialect: _Dialect) -> Any:
    if target_format == "parquet":
        import pyarrow.parquet as pq

        return pq.ParquetWriter(side, schema)
    import pyarrow.csv as pacsv

    options = pacsv.WriteOptions(quoting_style="needed", delimiter=dialect.delimiter)
    return pacsv.CSVWriter(side, schema, write_options=options)


def _check_columns(source: Path, column: str, present: list[str]) -> None:
    if column not in present:
        raise TableError(f"{source}: no column {column!r}; it has {', '.join(map(repr, present)) or 'none'}")
    if present.count(column) > 1:
        raise TableError(
            f"{source}: {present.count(column)} columns are named {column!r}, so which holds the names is unclear; "
            "rename all but one"
        )
    taken = [name for name in COLUMNS if name in present]
    if taken:
        raise TableError(f"{source}: it already has a column {taken[0]!r}, which the matches would overwrite")


def _check_csv_types(pa: Any, source: Path, schema: Any) -> None:
    # CSV holds flat values only: a column of lists, tables or maps is
    # refused by name before any work, rather than midway by pyarrow.
    import pyarrow.csv as pacsv

    for field in schema:
        try:
            pacsv.CSVWriter(pa.BufferOutputStream(), pa.schema([field])).close()
        except (pa.ArrowException, ValueError):
            raise TableError(
                f"{source}: column {field.name!r} holds {field.type}, which CSV cannot hold; "
                "write the output as Parquet (-o OUT.parquet)"
            ) from None


def _jsonl(source: Path, column: str, resolver: Resolver, kind: str | None) -> Writer:
    pa = pyarrow()
    try:
        # A byte-order mark is no part of the first record.
        lines = source.open("r", encoding="utf-8-sig", newline="\n")
    except OSError as e:
        raise TableError(f"{source}: cannot read it: {e.strerror or e}") from None
    records = _records(source, lines)
    try:  # the first batch tells whether the records have the column, before any work
        first = _first_batch(records)
        keys = list(dict.fromkeys(key for record in first if record.value is not None for key in record.value))
        if first and not any(record.value is not None and column in record.value for record in first):
            _check_columns(source, column, keys)
        for record in first:
            _check_record(source, record)
    except BaseException:
        lines.close()
        raise

    answers = Answers(resolver, kind=kind)

    def write(side: str, count: Callable[[int, int], None]) -> None:
        with lines, open(side, "w", encoding="utf-8", newline="\n") as out:
            batch = first
            while batch:
                for record in batch:
                    _check_record(source, record)
                names = [_name_of(record.value, column) for record in batch]
                found = answers.column(pa.array(names, type=pa.string()))
                for record, match in zip(batch, found.to_pylist()):
                    if record.value is None:  # a blank line stays one
                        out.write(record.text)
                        continue
                    fields = {name: None if match is None else match[field] for name, (field, _) in zip(COLUMNS, FIELDS)}
                    out.write(_appended(record, fields))
                count(len(batch), len(batch) - found.null_count)
                batch = _first_batch(records)

    return write


class _Record(NamedTuple):
    """A line of a JSON-lines file: its text, its number, and the object it
    holds (None for a blank line)."""

    text: str
    number: int
    value: dict[str, Any] | None


def _records(source: Path, lines: Any) -> Iterator[_Record]:
    number = 0
    try:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                yield _Record(line, number, None)
                continue
            try:
                record = json.loads(line)
            except ValueError as e:
                raise TableError(f"{source}, line {number}: not JSON ({e})") from None
            if not isinstance(record, dict):
                raise TableError(f"{source}, line {number}: a record must be a JSON object, not {type(record).__name__}")
            yield _Record(line, number, record)
    except UnicodeDecodeError as e:
        raise TableError(f"{source}, after line {number}: not UTF-8 ({e.reason})") from None
    except RecursionError:
        raise TableError(f"{source}, line {number + 1}: a record nested too deep to read") from None


def _check_record(source: Path, record: _Record) -> None:
    # Every record, not only the first batch's: a key of its own that a
    # match column would overwrite is refused, never replaced.
    if record.value is None:
        return
    taken = [name for name in COLUMNS if name in record.value]
    if taken:
        raise TableError(
            f"{source}, line {record.number}: the record already has a key {taken[0]!r}, which the matches "
            "would overwrite; rename it"
        )


def _first_batch(records: Iterator[_Record]) -> list[_Record]:
    batch = []
    for item in records:
        batch.append(item)
        if len(batch) == BATCH_ROWS:
            break
    return batch


def _name_of(record: dict[str, Any] | None, column: str) -> str | None:
    # A name that is not a string, or not one UTF-8 can carry (a lone
    # surrogate escaped in the JSON), is no match.
    name = None if record is None else record.get(column)
    if not isinstance(name, str):
        return None
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return None
    return name


def _appended(record: _Record, fields: dict[str, Any]) -> str:
    # The line as it came, every key and value as written (a number beyond
    # a double keeps its digits, a key written twice both times), with the
    # match fields added before its closing brace. White space after the
    # object is JSON's own (json.loads allows no other), then the line end.
    ending = record.text[len(record.text.rstrip("\r\n")) :] or "\n"
    body = record.text.rstrip(" \t\r\n")
    assert body.endswith("}"), "a line that parsed as a JSON object ends with its brace"
    head = body[:-1].rstrip(" \t\r\n")
    added = json.dumps(fields, ensure_ascii=False)
    try:
        added.encode("utf-8")
    except UnicodeEncodeError:  # an entity's text holding a lone surrogate: kept escaped
        added = json.dumps(fields)
    return f"{head}{', ' if record.value else ''}{added[1:-1]}}}{ending}"
