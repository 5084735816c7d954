"""`namenorm resolve --table`: CSV, Parquet and JSON lines in and out, every row and column kept."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

import namenorm
from namenorm import _table
from namenorm.cli import main

from conftest import read_tsv

VARIANTS = [variant for variant, _ in read_tsv("seed_variants.tsv")]
CITIES: list[str | None] = [*VARIANTS[:12], None, "", "x" * 100_000, "Պաշինյան", "Gadrut", "Nowhereville"]
MATCHES = [f"namenorm_{name}" for name in namenorm._arrow.match_type().names]


def table() -> pa.Table:
    # Nulls, non-ASCII text, and columns beside the names: a code with a
    # leading zero, text with commas, quotes and line breaks, numbers.
    n = len(CITIES)
    return pa.table(
        {
            "code": [f"{i:03d}" for i in range(n)],
            "city": CITIES,
            "note": [None if i % 5 == 0 else f'é, "{i}"\nline' for i in range(n)],
            "n": list(range(n)),
        }
    )


def expected_matches() -> list[Any]:
    return namenorm.resolve_arrow(pa.array(CITIES, type=pa.string())).to_pylist()


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(argv)
    return code, capsys.readouterr().err


def matches_of(out: pa.Table) -> list[Any]:
    rows = out.select(MATCHES).to_pylist()
    return [None if row["namenorm_id"] is None else {k.removeprefix("namenorm_"): v for k, v in row.items()} for row in rows]


def test_parquet_round_trips(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pq.write_table(table(), tmp_path / "in.parquet")
    code, err = run(["resolve", "--table", str(tmp_path / "in.parquet"), "--column", "city", "-o", str(tmp_path / "out.parquet")], capsys)
    assert code == 0, err
    out = pq.read_table(tmp_path / "out.parquet")
    assert out.column_names == [*table().column_names, *MATCHES]
    assert out.select(table().column_names).equals(table())
    assert matches_of(out) == expected_matches()
    assert f"{len(CITIES)} rows" in err


def test_csv_round_trips_as_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Written by pyarrow as a user's CSV would be, read back as text: "000"
    # stays "000", and an empty cell an empty string (CSV has no null).
    source = table().set_column(3, "n", pa.array([str(i) for i in range(len(CITIES))]))
    pacsv.write_csv(source, tmp_path / "in.csv")
    code, err = run(["resolve", "--table", str(tmp_path / "in.csv"), "--column", "city", "-o", str(tmp_path / "out.csv")], capsys)
    assert code == 0, err
    names = {name: pa.string() for name in [*source.column_names, *MATCHES]}
    out = pacsv.read_csv(tmp_path / "out.csv", convert_options=pacsv.ConvertOptions(column_types=names, strings_can_be_null=False))
    assert out.column_names == [*source.column_names, *MATCHES]
    want = pacsv.read_csv(tmp_path / "in.csv", convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in source.column_names}))
    assert out.select(source.column_names).equals(want)
    assert out["code"].to_pylist()[:2] == ["000", "001"]
    ids = [None if m is None else m["id"] for m in expected_matches()]
    assert [v or None for v in out["namenorm_id"].to_pylist()] == ids


def test_csv_to_parquet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pacsv.write_csv(table().select(["code", "city"]), tmp_path / "in.csv")
    code, err = run(["resolve", "--table", str(tmp_path / "in.csv"), "--column", "city", "-o", str(tmp_path / "out.parquet")], capsys)
    assert code == 0, err
    out = pq.read_table(tmp_path / "out.parquet")
    assert out["code"].to_pylist() == table()["code"].to_pylist()
    assert [m and m["id"] for m in matches_of(out)] == [m and m["id"] for m in expected_matches()]


def test_json_lines_round_trip_record_by_record(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Each record keeps its keys and values; a name that is not a string, or
    # is missing, is no match; a blank line stays one.
    records: list[dict[str, Any] | None] = [
        {"city": c, "n": i, "tags": ["é", {"x": None}]} for i, c in enumerate(CITIES)
    ]
    records[3] = {"city": 5, "n": 3}
    records[4] = {"n": 4}
    records.insert(6, None)
    lines = ["\n" if r is None else json.dumps(r, ensure_ascii=False) + "\n" for r in records]
    (tmp_path / "in.jsonl").write_text("".join(lines), encoding="utf-8")
    code, err = run(["resolve", "--table", str(tmp_path / "in.jsonl"), "--column", "city", "-o", str(tmp_path / "out.jsonl")], capsys)
    assert code == 0, err
    out = (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(out) == len(records) and out[6] == ""
    for line, record in zip(out, records):
        if record is None:
            continue
        got = json.loads(line)
        assert {k: v for k, v in got.items() if not k.startswith("namenorm_")} == record
        assert list(got)[: len(record)] == list(record)  # in order
        name = record.get("city")
        want = namenorm.resolve(name) if isinstance(name, str) and name else None
        assert got["namenorm_id"] == (want.entity.id if want else None)
        assert got["namenorm_score"] == (want.score if want else None)


def test_a_missing_column_is_refused_before_any_work(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pq.write_table(table(), tmp_path / "in.parquet")
    (tmp_path / "in.jsonl").write_text('{"town": "Qadr"}\n', encoding="utf-8")
    for source in ("in.parquet", "in.jsonl"):
        target = tmp_path / ("out" + Path(source).suffix)
        code, err = run(["resolve", "--table", str(tmp_path / source), "--column", "name", "-o", str(target)], capsys)
        assert code == 2
        assert "no column 'name'" in err and source in err
    assert "'code', 'city', 'note', 'n'" in run(["resolve", "--table", str(tmp_path / "in.parquet"), "--column", "x", "-o", str(tmp_path / "o.parquet")], capsys)[1]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "in.parquet"]


def test_a_column_that_holds_no_text_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pq.write_table(table(), tmp_path / "in.parquet")
    code, err = run(["resolve", "--table", str(tmp_path / "in.parquet"), "--column", "n", "-o", str(tmp_path / "o.parquet")], capsys)
    assert code == 2 and "column 'n' holds int64, not names" in err


def test_match_columns_already_there_are_not_overwritten(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pq.write_table(table().append_column("namenorm_id", pa.array(["mine"] * len(CITIES))), tmp_path / "in.parquet")
    code, err = run(["resolve", "--table", str(tmp_path / "in.parquet"), "--column", "city", "-o", str(tmp_path / "o.parquet")], capsys)
    assert code == 2 and "already has a column 'namenorm_id'" in err


@pytest.mark.parametrize("suffix", [".parquet", ".csv", ".jsonl"])
def test_an_unreadable_table_is_named_and_leaves_nothing(suffix: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / f"bad{suffix}"
    source.write_bytes(b'{"city": "Qadr"}\n' + b"\xff\xfe not a table \x00\n" * 3)
    target = tmp_path / f"out{suffix}"
    target.write_text("what was there before\n", encoding="utf-8")
    code, err = run(["resolve", "--table", str(source), "--column", "city", "-o", str(target)], capsys)
    assert code == 2 and str(source) in err, err
    assert target.read_text(encoding="utf-8") == "what was there before\n"  # untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == [source.name, target.name]  # no side file


def test_a_failure_midway_leaves_no_half_table(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    # Line 5 of 6 is not JSON: the first batches were written, then the
    # side file is removed and the target never appears.
    monkeypatch.setattr(_table, "BATCH_ROWS", 2)
    lines = ['{"city": "Qadr"}'] * 4 + ["{oops"] + ['{"city": "Kinrut"}']
    (tmp_path / "in.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, err = run(["resolve", "--table", str(tmp_path / "in.jsonl"), "--column", "city", "-o", str(tmp_path / "out.jsonl")], capsys)
    assert code == 2 and "line 5: not JSON" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]


def test_a_corrupt_index_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    index = tmp_path / "cities.nnx"
    namenorm.Gazetteer.builtin().compile(index)
    data = bytearray(index.read_bytes())
    data[len(data) // 2] ^= 0xFF
    index.write_bytes(bytes(data))
    pq.write_table(table(), tmp_path / "in.parquet")
    code, err = run(["resolve", "--table", str(tmp_path / "in.parquet"), "--column", "city", "-o", str(tmp_path / "o.parquet"), "--gazetteer", str(index)], capsys)
    assert code == 2 and str(index) in err and "checksum" in err
    assert not (tmp_path / "o.parquet").exists()


def test_every_gazetteer_spelling(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # A compiled index, a TOML folder, 'builtin' and geonames:N, the same way.
    index = tmp_path / "builtin.nnx"
    namenorm.Gazetteer.builtin().compile(index)
    pq.write_table(pa.table({"city": ["Gadrut", "Ереван"]}), tmp_path / "in.parquet")
    ids = {}
    for gazetteer in (str(index), "gazetteer", "builtin", "geonames:15000"):
        out = tmp_path / "out.parquet"
        code, err = run(["resolve", "--table", str(tmp_path / "in.parquet"), "--column", "city", "-o", str(out), "--gazetteer", gazetteer], capsys)
        assert code == 0, err
        ids[gazetteer] = pq.read_table(out)["namenorm_id"].to_pylist()
    assert ids[str(index)] == ids["gazetteer"] == ids["builtin"]
    assert ids["builtin"][0] == "place:hadrut"
    assert ids["geonames:15000"][1] == "geonames:616052"  # Yerevan


def test_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pq.write_table(table(), tmp_path / "in.parquet")
    source = str(tmp_path / "in.parquet")
    assert "missing -o" in run(["resolve", "--table", source, "--column", "city"], capsys)[1]
    assert "takes no NAME" in run(["resolve", "Qadr", "--table", source, "--column", "city", "-o", "x.parquet"], capsys)[1]
    assert "replace its input" in run(["resolve", "--table", source, "--column", "city", "-o", source], capsys)[1]
    assert "cannot tell its format" in run(["resolve", "--table", source, "--column", "city", "-o", str(tmp_path / "o.xlsx")], capsys)[1]
    assert "unknown kind" in run(["resolve", "--table", source, "--column", "city", "-o", str(tmp_path / "o.parquet"), "--kind", "ship"], capsys)[1]
    assert "no such file" in run(["resolve", "--table", str(tmp_path / "none.csv"), "--column", "city", "-o", "o.csv"], capsys)[1]
    (tmp_path / "names.txt").write_text("city\nQadr\n", encoding="utf-8")
    assert "--format" in run(["resolve", "--table", str(tmp_path / "names.txt"), "--column", "city", "-o", str(tmp_path / "o.csv")], capsys)[1]
    assert main(["resolve", "--table", str(tmp_path / "names.txt"), "--format", "csv", "--column", "city", "-o", str(tmp_path / "o.csv")]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.parquet", "names.txt", "o.csv"]


def test_through_a_subprocess(tmp_path: Path) -> None:
    pq.write_table(table(), tmp_path / "in.parquet")
    done = subprocess.run(
        [sys.executable, "-P", "-m", "namenorm", "resolve", "--table", str(tmp_path / "in.parquet"), "--column", "city", "-o", str(tmp_path / "out.parquet")],
        capture_output=True, text=True, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert matches_of(pq.read_table(tmp_path / "out.parquet")) == expected_matches()


def test_a_match_key_in_any_json_record_is_refused_naming_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Past the first batch (2 rows here, as 16,384 are by default), a record
    # of the user's own with a key named as a match column is refused, not
    # overwritten; nothing is written.
    monkeypatch.setattr(_table, "BATCH_ROWS", 2)
    lines = [json.dumps({"city": "Qadr"})] * 4 + [json.dumps({"city": "Qadr", "namenorm_id": "mine"})]
    (tmp_path / "in.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, err = run(["resolve", "--table", str(tmp_path / "in.jsonl"), "--column", "city", "-o", str(tmp_path / "out.jsonl")], capsys)
    assert code == 2 and "in.jsonl, line 5" in err and "'namenorm_id'" in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]


def test_json_lines_keep_every_value_as_written(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # A number beyond a double, an integer beyond 64 bits, a key written
    # twice, escapes, spacing and a CRLF line end: each line comes out as it
    # went in, the match fields added before its closing brace.
    lines = [
        '{"city": "Gadrut", "x": 1e400, "big": 123456789012345678901234567890, "y": -0.0}',
        '{ "city" : "Qadr" ,"city": "Gadrut", "s": "\\ud800\\u00e9\\n" }  \r',
        "{}",
        '{"city": null, "deep": [[[[{"a": [1.50]}]]]]}',
    ]
    (tmp_path / "in.jsonl").write_bytes(("\n".join(lines) + "\n").encode("utf-8"))
    code, err = run(["resolve", "--table", str(tmp_path / "in.jsonl"), "--column", "city", "-o", str(tmp_path / "out.jsonl")], capsys)
    assert code == 0, err
    out = (tmp_path / "out.jsonl").read_bytes().decode("utf-8").split("\n")
    assert out[1].endswith("\r")  # its line end as it came
    for written, line in zip(lines, out):
        head = written.rstrip(" \r")[:-1].rstrip()
        assert line.startswith(head), (written, line)
        added = json.loads(line.replace("1e400", "0").replace("\\ud800", ""))
        assert list(added)[-len(MATCHES):] == MATCHES
    assert json.loads(out[0])["namenorm_id"] == "place:hadrut"
    assert json.loads(out[1])["namenorm_id"] == "place:hadrut"  # the key's last value, as JSON readers take it
    assert json.loads(out[2])["namenorm_id"] is None


def test_a_byte_order_mark_is_not_part_of_the_first_record(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "in.jsonl").write_bytes(b"\xef\xbb\xbf" + b'{"city": "Gadrut"}\n')
    code, err = run(["resolve", "--table", str(tmp_path / "in.jsonl"), "--column", "city", "-o", str(tmp_path / "out.jsonl")], capsys)
    assert code == 0, err
    assert json.loads((tmp_path / "out.jsonl").read_text(encoding="utf-8"))["namenorm_id"] == "place:hadrut"


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_a_name_column_written_twice_is_refused_by_name(suffix: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / f"in{suffix}"
    if suffix == ".csv":
        source.write_text("name,name\nBaku,Qadr\n", encoding="utf-8")
    else:
        pq.write_table(pa.table([pa.array(["Baku"]), pa.array(["Qadr"])], names=["name", "name"]), source)
    code, err = run(["resolve", "--table", str(source), "--column", "name", "-o", str(tmp_path / f"out{suffix}")], capsys)
    assert code == 2 and str(source) in err and "2 columns are named 'name'" in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == [source.name]


def test_other_columns_written_twice_are_kept(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "in.csv").write_text("name,x,x\nGadrut,1,2\n", encoding="utf-8")
    code, err = run(["resolve", "--table", str(tmp_path / "in.csv"), "--column", "name", "-o", str(tmp_path / "out.csv")], capsys)
    assert code == 0, err
    header, row = (tmp_path / "out.csv").read_text(encoding="utf-8").splitlines()
    assert header.startswith('"name","x","x","namenorm_id"') and row.startswith('"Gadrut","1","2","place:hadrut"')


def test_a_nested_column_cannot_go_to_csv_and_says_which(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pq.write_table(pa.table({"name": ["Gadrut"], "codes": [[1, 2]]}), tmp_path / "in.parquet")
    code, err = run(["resolve", "--table", str(tmp_path / "in.parquet"), "--column", "name", "-o", str(tmp_path / "out.csv")], capsys)
    assert code == 2 and "in.parquet" in err and "column 'codes'" in err and "Parquet" in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.parquet"]
    code, err = run(["resolve", "--table", str(tmp_path / "in.parquet"), "--column", "name", "-o", str(tmp_path / "out.parquet")], capsys)
    assert code == 0, err
    assert pq.read_table(tmp_path / "out.parquet")["codes"].to_pylist() == [[1, 2]]
