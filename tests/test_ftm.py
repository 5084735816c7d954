"""FollowTheMoney entities as JSON lines (namenorm/_ftm.py), as OpenSanctions publishes them."""

from __future__ import annotations

import gzip
import json
import pickle
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

import namenorm
from namenorm import Entity, Gazetteer, GazetteerError
from namenorm.cli import main

# Real-looking records: OpenSanctions' ids, names in several scripts.
PUTIN: dict[str, Any] = {
    "id": "Q7747",
    "schema": "Person",
    "properties": {
        "name": ["Vladimir Vladimirovich PUTIN", "Владимир Владимирович Путин"],
        "alias": ["Vladimir Putin", "Путин Владимир"],
        "weakAlias": ["VVP"],
        "previousName": ["Vladimir Platov"],
        "firstName": ["Vladimir"],
        "lastName": ["Putin"],
        "nationality": ["ru"],
        "birthDate": ["1952-10-07"],
        "topics": ["role.pep", "sanction"],
        "gender": ["male"],
    },
}
ROSNEFT: dict[str, Any] = {
    "id": "NK-rosneft",
    "schema": "Company",
    "caption": "Rosneft",
    "referents": ["ofac-12345", "eu-fsf-eu-6789"],
    "datasets": ["us_ofac_sdn", "eu_fsf"],
    "first_seen": "2014-07-16T00:00:00",
    "last_seen": "2024-01-01T00:00:00",
    "target": True,
    "properties": {
        "name": ["Rosneft Oil Company"],
        "alias": ["Роснефть", "ПАО НК Роснефть", "Rosneft Oil Company"],
        "jurisdiction": ["ru"],
        "country": ["ru"],
        "sanctions": [{"id": "sanction-1", "schema": "Sanction", "properties": {"program": ["EO 13662"]}}],
    },
}
SIMPLE = [
    {"id": "org-1", "schema": "Organization", "properties": {"name": ["Hamas"], "alias": ["حماس"]}},
    {"id": "le-1", "schema": "LegalEntity", "properties": {"name": ["Al-Qard Al-Hassan"]}},
    {"id": "pb-1", "schema": "PublicBody", "properties": {"name": ["Central Bank of Iran"], "country": ["ir"]}},
    {"id": "vessel-1", "schema": "Vessel", "properties": {"name": ["SAND SWAN"], "previousName": ["ANA I"]}},
    {"id": "plane-1", "schema": "Airplane", "properties": {"name": ["EP-MNA"]}},
    {
        "id": "parts-1",
        "schema": "Person",
        "properties": {
            "firstName": ["Ramzan"],
            "fatherName": ["Akhmatovich"],
            "lastName": ["KADYROV"],
            "middleName": [],
            "citizenship": ["ru"],
        },
    },
]
SANCTION = {"id": "sanction-2", "schema": "Sanction", "properties": {"entity": ["Q7747"], "program": ["EO 14024"]}}


def write(path: Path, lines: list[Any]) -> Path:
    """Each item a line: a record as JSON, or a str (or bytes) as it is."""
    data = b"".join(
        (line if isinstance(line, bytes) else (line if isinstance(line, str) else json.dumps(line)).encode()) + b"\n"
        for line in lines
    )
    if path.suffix == ".gz":
        path.write_bytes(gzip.compress(data))
    else:
        path.write_bytes(data)
    return path


@pytest.fixture
def entities(tmp_path: Path) -> Path:
    return write(tmp_path / "entities.ftm.json", [PUTIN, "", ROSNEFT, SANCTION, "   ", *SIMPLE])


def test_the_mapping(entities: Path) -> None:
    g = Gazetteer.from_ftm(entities)
    assert len(g) == 8  # the Sanction, which names no one, skipped
    putin = g["Q7747"]
    assert putin == Entity(
        id="Q7747",
        name="Vladimir Vladimirovich PUTIN",
        kind="person",
        aliases=("Владимир Владимирович Путин", "Vladimir Putin", "Путин Владимир"),
        previous_names=("Vladimir Platov",),
        weak_aliases=("VVP",),
        attrs={"schema": "Person", "country": ["ru"], "birthDate": ["1952-10-07"], "topics": ["role.pep", "sanction"]},
    )
    rosneft = g["NK-rosneft"]
    assert rosneft.kind == "org" and rosneft.name == "Rosneft Oil Company"
    assert rosneft.aliases == ("Роснефть", "ПАО НК Роснефть")  # each name once
    assert rosneft.attrs == {"schema": "Company", "country": ["ru"]}  # country and jurisdiction, once
    kinds = {e.id: e.kind for e in g}
    assert kinds == {
        "Q7747": "person",
        "NK-rosneft": "org",
        "org-1": "org",
        "le-1": "org",
        "pb-1": "org",
        "vessel-1": "vessel",
        "plane-1": "airplane",
        "parts-1": "person",
    }
    assert g["vessel-1"].previous_names == ("ANA I",) and g["vessel-1"].attrs == {"schema": "Vessel"}
    kadyrov = g["parts-1"]
    assert kadyrov.name == "Ramzan Akhmatovich KADYROV" and kadyrov.attrs["country"] == ["ru"]


def test_a_resolver_finds_people_by_their_other_names(entities: Path) -> None:
    resolver = namenorm.Resolver(Gazetteer.from_ftm(entities))
    for query, kind in (
        ("Vladimir Putin", "alias"),
        ("Путин Владимир", "alias"),
        ("Vladimir Platov", "previous_name"),
        ("Vladimir Vladimirovich Putin", "name"),
    ):
        match = resolver.resolve(query)
        assert match is not None and match.entity.id == "Q7747", query
        assert match.alias_kind == kind, query
    match = resolver.resolve("Роснефть")
    assert match is not None and match.entity.id == "NK-rosneft" and match.alias_kind == "alias"
    assert resolver.candidates("VVP")[0].alias_kind == "weak_alias"
    assert resolver.resolve("Ramzan Kadyrov", kind="person") is not None


def test_an_id_is_kept_as_it_is_and_attrs_survive_a_compiled_index(entities: Path, tmp_path: Path) -> None:
    g = Gazetteer.from_ftm(entities)
    g.compile(tmp_path / "x.nnx")
    compiled = Gazetteer.load(tmp_path / "x.nnx")
    assert list(compiled) == list(g)
    assert compiled["Q7747"].attrs["topics"] == ["role.pep", "sanction"]


@pytest.mark.parametrize(
    ("line", "problem", "record"),
    [
        ('{"id": "x", "schema": "Person", "properties": {"name": ["A"]', "not JSON", None),
        ("Q7747,Vladimir Putin", "not JSON", None),
        ('["Q7747", "Person"]', "a JSON array, not an object", None),
        ('{"id": "x1", "properties": {"name": ["A B"]}}', "no 'schema'", "x1"),
        ('{"id": "x1", "schema": 7, "properties": {"name": ["A B"]}}', "'schema' must be", "x1"),
        ('{"schema": "Person", "properties": {"name": ["A B"]}}', "no 'id'", None),
        ('{"id": "", "schema": "Person", "properties": {"name": ["A B"]}}', "'id' must be a non-empty string", ""),
        ('{"id": "x1", "schema": "Person", "properties": {}}', "no name", "x1"),
        ('{"id": "x1", "schema": "Person"}', "no name", "x1"),
        ('{"id": "x1", "schema": "Person", "properties": {"name": ["-", "?"]}}', "no name", "x1"),
        ('{"id": "x1", "schema": "Person", "properties": {"name": "A B", "alias": [1]}}', "properties.alias", "x1"),
        ('{"id": "x1", "schema": "Person", "properties": ["A B"]}', "'properties' must be an object", "x1"),
        ('{"id": "x1", "schema": "Company", "properties": {"name": ["\\ud800x"]}}', "lone surrogate", "x1"),
    ],
    ids=str,
)
def test_each_error_names_file_line_and_record(tmp_path: Path, line: str, problem: str, record: str | None) -> None:
    path = write(tmp_path / "bad.jsonl", [PUTIN, "", line, ROSNEFT])
    with pytest.raises(GazetteerError) as caught:
        Gazetteer.from_ftm(path)
    error = caught.value
    assert problem in error.problem
    assert (error.path, error.line, error.record) == (str(path), 3, record)
    assert str(error).startswith(f"{path}:3")


def test_a_repeated_id_says_where_it_was_first_seen(tmp_path: Path) -> None:
    path = write(tmp_path / "dup.ndjson", [ROSNEFT, "", PUTIN, *SIMPLE, {**PUTIN, "properties": {"name": ["Putin"]}}])
    with pytest.raises(GazetteerError, match=r"dup.ndjson:10: record 'Q7747': duplicate id: already used at .*:3$"):
        Gazetteer.from_ftm(path)
    with pytest.raises(GazetteerError, match="an earlier entity has it"):
        Gazetteer.from_entities([Entity(id="x", name="A", kind="place"), Entity(id="x", name="B", kind="place")])


def test_a_file_not_utf8_unreadable_or_empty(tmp_path: Path) -> None:
    jose = '{"id": "x", "schema": "Person", "properties": {"name": ["Jos\xe9"]}}'.encode("latin-1")
    latin1 = write(tmp_path / "latin1.jsonl", [PUTIN, jose])
    with pytest.raises(GazetteerError, match=r"latin1.jsonl:2: not UTF-8 \(byte 0xe9"):
        Gazetteer.from_ftm(latin1)
    with pytest.raises(GazetteerError, match="missing.json: cannot read the file"):
        Gazetteer.from_ftm(tmp_path / "missing.json")
    with pytest.raises(GazetteerError, match="cannot read the file"):
        Gazetteer.from_ftm(tmp_path)
    with pytest.raises(GazetteerError, match="holds no entity"):
        Gazetteer.from_ftm(write(tmp_path / "blank.json", ["", "  ", SANCTION]))
    damaged = tmp_path / "damaged.json.gz"
    damaged.write_bytes(gzip.compress(json.dumps(PUTIN).encode() * 50)[:-20])
    with pytest.raises(GazetteerError, match="damaged.json.gz"):
        Gazetteer.from_ftm(damaged)


def test_a_byte_order_mark_and_windows_line_ends_are_no_part_of_an_entity(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    putin, rosneft = (json.dumps(record).encode() for record in (PUTIN, ROSNEFT))
    path.write_bytes(b"\xef\xbb\xbf" + putin + b"\r\n\r\n" + rosneft + b"\r\n")
    assert [e.id for e in Gazetteer.from_ftm(path)] == ["Q7747", "NK-rosneft"]


def test_gzipped_and_detected_by_suffix_or_content(tmp_path: Path) -> None:
    records = [PUTIN, ROSNEFT, *SIMPLE]
    for name in ("targets.nested.json.gz", "x.jsonl", "x.ndjson", "x.ijson", "x.ftm.json", "entities.data"):
        g = Gazetteer.open(write(tmp_path / name, ["", *records]))
        assert len(g) == 8 and g["Q7747"].kind == "person", name
    assert Gazetteer.load(str(tmp_path / "x.jsonl"))["NK-rosneft"].kind == "org"


def test_a_resolver_over_it_pickles(entities: Path) -> None:
    resolver = namenorm.Resolver(Gazetteer.from_ftm(entities))
    copy = pickle.loads(pickle.dumps(resolver))
    # It travels as its index, which holds its entities: the source file is not read again.
    entities.unlink()
    assert list(copy.gazetteer) == list(resolver.gazetteer)
    for query in ("Vladimir Putin", "Роснефть", "SAND SWAN", "Hamas"):
        assert copy.candidates(query) == resolver.candidates(query), query
    assert pickle.loads(pickle.dumps(copy.gazetteer))["Q7747"] == resolver.gazetteer["Q7747"]


def test_from_entities_keeps_no_entity_until_asked() -> None:
    names = ["Hadrut", "Shusha"]
    g = Gazetteer.from_entities(Entity(id=f"x:{n}", name=name, kind="place") for n, name in enumerate(names))
    assert g._entities == [None, None] and g._kinds() == frozenset({"place"})
    assert g["x:1"].name == "Shusha"
    with pytest.raises(TypeError):
        Gazetteer.from_entities(["Hadrut"])  # type: ignore[list-item]
    with pytest.raises(GazetteerError, match="attrs"):
        Gazetteer.from_entities([Entity(id="x", name="A", kind="place", attrs={"area": float("nan")})])


def test_cli_build_resolve_and_check(entities: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "ftm.nnx"
    assert main(["gazetteer", "build", str(entities), "-o", str(out)]) == 0
    assert "8 entities" in capsys.readouterr().out
    for gazetteer in (entities, out):
        assert main(["resolve", "--json", "--gazetteer", str(gazetteer), "Vladimir Putin", "Rosneft"]) == 0
        first, second = (json.loads(line) for line in capsys.readouterr().out.splitlines())
        assert first["match"]["id"] == "Q7747" and first["match"]["kind"] == "person"
        assert second["match"]["id"] == "NK-rosneft"
    assert main(["resolve", "--gazetteer", str(entities), "--kind", "vessel", "SAND SWAN"]) == 0
    assert "vessel-1" in capsys.readouterr().out
    assert main(["gazetteer", "check", str(entities)]) == 0
    report = capsys.readouterr().out
    assert "note: 1 record skipped, of schemata that link entities and name no one (1 Sanction)" in report
    assert report.endswith("8 entities, 0 errors, 0 shared names\n")


def test_cli_check_reports_every_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(
        tmp_path / "bad.json",
        [PUTIN, "{", '{"id": "y"}', {**ROSNEFT, "id": "Q7747"}, '{"id": "z", "schema": "Person"}', ROSNEFT],
    )
    assert main(["gazetteer", "check", str(path)]) == 2
    lines = capsys.readouterr().out.splitlines()
    errors = [line for line in lines if line.startswith("error:")]
    assert [e.split(":")[2] for e in errors] == ["2", "3", "4", "5"]
    assert "duplicate id: already used at" in errors[2] and errors[2].endswith(":1")
    assert lines[-1] == "2 entities, 4 errors, 0 shared names"
    assert main(["gazetteer", "build", str(path), "-o", str(tmp_path / "x.nnx")]) == 2
    assert "bad.json:2: not JSON" in capsys.readouterr().err


def test_reading_keeps_memory_bounded(tmp_path: Path) -> None:
    # A file of 200,000 small entities is read a line at a time: Python's
    # peak allocation stays a small part of the file, whatever its size
    # (the names are held by the index the core builds, not by Python).
    count = 200_000
    path = tmp_path / "big.ftm.json"
    given = ["Ivan", "Olga", "Ahmed", "Li", "Anna", "Fatima", "Юрий", "Мария", "محمد", "José"]
    family = ["Petrov", "Smith", "Hassan", "Wang", "Garcia", "Сидоров", "Ким", "Novák"]
    with path.open("w", encoding="utf-8") as f:
        for n in range(count):
            name = f"{given[n % len(given)]} {family[n // len(given) % len(family)]} {n}"
            record = {"id": f"e-{n}", "schema": "Person" if n % 3 else "Company", "properties": {"name": [name]}}
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
    size = path.stat().st_size
    tracemalloc.start()
    try:
        g = Gazetteer.from_ftm(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(g) == count
    assert peak < size / 4, (peak, size)
    assert g[f"e-{count - 1}"].name.endswith(str(count - 1))
