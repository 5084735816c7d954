"""namenorm.spark: a column of a real Spark DataFrame (local[2]) resolved on its executors."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

import namenorm
import namenorm.spark
from namenorm import GazetteerError

from conftest import ROOT, read_tsv

pyspark = pytest.importorskip("pyspark", reason="the test extra installs pyspark")
from pyspark.errors import PythonException  # noqa: E402
from pyspark.sql import SparkSession  # noqa: E402

VARIANTS = [variant for variant, _ in read_tsv("seed_variants.tsv")]
NAMES: list[str | None] = [*VARIANTS, None, "", "x" * 100_000, "Nowhereville", "Paris", *VARIANTS[:9]]


@pytest.fixture(scope="module")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SparkSession]:
    os.environ["PYSPARK_PYTHON"] = sys.executable  # the workers run this interpreter, with namenorm
    # Started away from the checkout: the Python workers start in the
    # driver's folder, where namenorm's source (without the compiled core of
    # an installed namenorm) would shadow the installed package.
    here = os.getcwd()
    os.chdir(tmp_path_factory.mktemp("spark"))
    try:
        session = (
            SparkSession.builder.master("local[2]")
            .appName("namenorm-tests")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "4")
            .getOrCreate()
        )
    finally:
        os.chdir(here)
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def frame(spark: SparkSession, partitions: int = 3) -> Any:
    rows = [(i, name, f"é{i}" if i % 4 else None) for i, name in enumerate(NAMES)]
    return spark.createDataFrame(rows, "n int, city string, note string").repartition(partitions)


def expected() -> list[Any]:
    return namenorm.resolve_arrow(pa.array(NAMES, type=pa.string())).to_pylist()


def as_dict(value: Any) -> Any:
    return None if value is None else value.asDict()


def test_every_row_and_column_kept_and_matched(spark: SparkSession) -> None:
    out = namenorm.spark.resolve_column(frame(spark), "city")
    assert out.columns == ["n", "city", "note", "namenorm"]
    rows = sorted(out.collect(), key=lambda r: r.n)
    assert [(r.n, r.city, r.note) for r in rows] == [(i, c, f"é{i}" if i % 4 else None) for i, c in enumerate(NAMES)]
    assert [as_dict(r.namenorm) for r in rows] == expected()


def test_fields_in_spark_sql(spark: SparkSession) -> None:
    out = namenorm.spark.resolve_column(frame(spark), "city", output="m", kind="place")
    out.createOrReplaceTempView("resolved")
    got = spark.sql("SELECT m.id, m.method FROM resolved WHERE city = 'Kinrut'").collect()
    assert [(r.id, r.method) for r in got] == [("place:hadrut", "phonetic")] * NAMES.count("Kinrut")
    assert spark.sql("SELECT count(*) AS c FROM resolved WHERE city = 'Nicole Bashinian' AND m IS NULL").first().c == 1


def test_each_worker_maps_the_index_once(spark: SparkSession, tmp_path: Path) -> None:
    # Eight partitions, twice, on two cores: a worker loads an index the
    # first time one of its tasks needs it, and keeps it.
    index = tmp_path / "builtin.nnx"
    namenorm.Gazetteer.builtin().compile(index)
    for _ in range(2):
        assert namenorm.spark.resolve_column(frame(spark, 8), "city", gazetteer=index).count() == len(NAMES)

    def loads(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        import namenorm.spark as worker

        for _ in batches:
            pass
        yield pa.RecordBatch.from_pylist([{"pid": os.getpid(), "loads": worker._loads[0], "keys": list(worker._resolvers)}])

    probe = frame(spark, 8).mapInArrow(loads, "pid long, loads long, keys array<string>").collect()
    seen = {r.pid: (r.loads, r.keys) for r in probe}
    key = namenorm.spark.key_of(namenorm._compiled.read_index(index))
    assert any(key in keys for _, keys in seen.values())
    # One load of each index a worker holds: never one per task.
    assert all(n == len(keys) for n, keys in seen.values()), seen


def test_every_gazetteer_spelling(spark: SparkSession, tmp_path: Path) -> None:
    index = tmp_path / "builtin.nnx"
    namenorm.Gazetteer.builtin().compile(index)
    answers = []
    for gazetteer in (index, str(ROOT / "gazetteer"), "builtin", namenorm.Gazetteer.builtin()):
        out = namenorm.spark.resolve_column(frame(spark, 2), "city", gazetteer=gazetteer)
        answers.append(sorted((r.n, as_dict(r.namenorm)) for r in out.collect()))
    assert answers[0] == answers[1] == answers[2] == answers[3]
    assert [m for _, m in answers[0]] == expected()


def test_bad_arguments_are_refused_before_any_job(spark: SparkSession, tmp_path: Path) -> None:
    df = frame(spark)
    with pytest.raises(ValueError, match="no column 'name'; the DataFrame has 'n', 'city', 'note'"):
        namenorm.spark.resolve_column(df, "name")
    with pytest.raises(TypeError, match="column 'n' holds int"):
        namenorm.spark.resolve_column(df, "n")
    with pytest.raises(ValueError, match="already has a column 'note'"):
        namenorm.spark.resolve_column(df, "city", output="note")
    with pytest.raises(ValueError, match="unknown kind"):
        namenorm.spark.resolve_column(df, "city", kind="ship")
    broken = tmp_path / "broken.nnx"
    broken.write_bytes(b"NAMENORM" + b"\0" * 200)
    with pytest.raises(GazetteerError, match="broken.nnx"):
        namenorm.spark.resolve_column(df, "city", gazetteer=broken)


def test_an_index_damaged_on_the_executors_fails_the_job_naming_it(spark: SparkSession, tmp_path: Path) -> None:
    # Read where it lies (shared=True), damaged after the job was planned.
    # (Of its own entities: a worker that holds an index of the same bytes
    # would rightly not read it again.)
    index = tmp_path / "shared.nnx"
    own = namenorm.Entity(id="place:damaged-test", name="Damagedtown", kind="place")
    namenorm.Gazetteer([*namenorm.Gazetteer.builtin(), own]).compile(index)
    out = namenorm.spark.resolve_column(frame(spark, 2), "city", gazetteer=index, shared=True)
    data = bytearray(index.read_bytes())
    data[len(data) // 2] ^= 0xFF
    index.write_bytes(bytes(data))
    with pytest.raises(PythonException) as failure:
        out.collect()
    assert str(index) in str(failure.value)
