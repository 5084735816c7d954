"""namenorm.duckdb: namenorm_resolve() in DuckDB's SQL, row for row as resolve_arrow answers."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

import namenorm
import namenorm.duckdb
from namenorm import GazetteerError

from conftest import read_tsv

VARIANTS = [variant for variant, _ in read_tsv("seed_variants.tsv")]
NAMES: list[str | None] = [*VARIANTS, None, "", "x" * 100_000, "Nowhereville", *VARIANTS]


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    namenorm.duckdb.register(con)
    con.execute("CREATE TABLE t (n INTEGER, city VARCHAR, note VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?, ?, ?)", [(i, c, f"é{i}") for i, c in enumerate(NAMES)])
    return con


def test_a_column_row_for_row(con: duckdb.DuckDBPyConnection) -> None:
    got = con.sql("SELECT n, city, note, namenorm_resolve(city) AS m FROM t ORDER BY n").fetchall()
    want = namenorm.resolve_arrow(pa.array(NAMES, type=pa.string())).to_pylist()
    assert [row[3] for row in got] == want
    assert [(row[0], row[1], row[2]) for row in got] == [(i, c, f"é{i}") for i, c in enumerate(NAMES)]


def test_fields_in_sql(con: duckdb.DuckDBPyConnection) -> None:
    got = con.sql(
        "SELECT m.id, m.score > 0.5, m.method FROM (SELECT namenorm_resolve(city) AS m FROM t WHERE city = 'Qadr')"
    ).fetchall()
    assert got == [("place:hadrut", True, "phonetic")] * 2
    assert con.execute("SELECT count(*) FROM t WHERE namenorm_resolve(city).id IS NULL").fetchone() == (
        sum(1 for m in namenorm.resolve_arrow(pa.array(NAMES, type=pa.string())).to_pylist() if m is None),
    )


def test_more_rows_than_a_vector() -> None:
    # DuckDB hands a function 2,048 rows at a time; every vector answers.
    con = duckdb.connect()
    namenorm.duckdb.register(con)
    got = con.execute(
        "SELECT count(*), count(m.id) FROM (SELECT namenorm_resolve(CASE WHEN i % 3 = 0 THEN 'Qadr' "
        "WHEN i % 3 = 1 THEN NULL ELSE 'Kinrut' END) AS m FROM range(5000) r(i))"
    ).fetchone()
    assert got == (5000, 5000 - 1667)


def test_own_gazetteer_name_and_kind(tmp_path: Path) -> None:
    index = tmp_path / "builtin.nnx"
    namenorm.Gazetteer.builtin().compile(index)
    con = duckdb.connect()
    namenorm.duckdb.register(con, gazetteer=index, kind="person", name="who")
    assert con.execute("SELECT who('Qadr'), who('Nicole Bashinian').id").fetchone() == (None, "person:nikol-pashinyan")


def test_bad_registrations_fail_at_once(tmp_path: Path) -> None:
    con = duckdb.connect()
    with pytest.raises(ValueError, match="unknown kind"):
        namenorm.duckdb.register(con, kind="ship")
    broken = tmp_path / "broken.nnx"
    broken.write_bytes(b"NAMENORM" + b"\0" * 200)
    with pytest.raises(GazetteerError, match="broken.nnx"):
        namenorm.duckdb.register(con, gazetteer=broken)
    with pytest.raises(duckdb.BinderException, match="namenorm_resolve"):
        namenorm.duckdb.register(con)
        con.sql("SELECT namenorm_resolve(42)").fetchall()
