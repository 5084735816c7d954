"""The compiled index: a gazetteer and its candidate index in one file."""

from __future__ import annotations

import datetime
import pickle
import zipfile
from pathlib import Path

import pytest
from conftest import read_tsv
from hypothesis import given, settings
from hypothesis import strategies as st

from namenorm import Entity, Gazetteer, GazetteerError, Resolver
from namenorm.cli import main


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("compiled") / "builtin.nnx"
    Gazetteer.builtin().compile(path)
    return path


def test_loads_the_same_entities(compiled: Path) -> None:
    loaded = Gazetteer.load(compiled)
    builtin = Gazetteer.builtin()
    assert len(loaded) == len(builtin)
    for entity in builtin:
        assert loaded[entity.id] == entity
        assert loaded[entity.id].attrs == entity.attrs


def test_resolves_as_the_gazetteer_it_was_built_from(compiled: Path) -> None:
    built, loaded = Resolver(Gazetteer.builtin()), Resolver(Gazetteer.load(compiled))
    queries = [row[0] for row in read_tsv("seed_variants.tsv")] + [row[0] for row in read_tsv("not_in_gazetteer.tsv")]
    for query in queries:
        assert loaded.candidates(query) == built.candidates(query), query


def _damaged(compiled: Path, tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "damaged.nnx"
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("keep", [0.1, 0.5, 0.9, 0.999], ids=str)
def test_a_truncated_file_is_refused(compiled: Path, tmp_path: Path, keep: float) -> None:
    data = compiled.read_bytes()
    path = _damaged(compiled, tmp_path, data[: int(len(data) * keep)])
    with pytest.raises(GazetteerError, match="compiled index") as error:
        Gazetteer.load(path)
    assert error.value.path == str(path)


def test_a_damaged_file_is_refused(compiled: Path, tmp_path: Path) -> None:
    data = bytearray(compiled.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one byte in the middle of the sections
    with pytest.raises(GazetteerError, match="truncated or damaged.*checksum"):
        Gazetteer.load(_damaged(compiled, tmp_path, bytes(data)))


def test_a_foreign_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "foreign.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("hello.txt", "not an index")
    with pytest.raises(GazetteerError, match="not a namenorm compiled index"):
        Gazetteer.load(path)
    path = tmp_path / "foreign.nnx"
    path.write_bytes(b"NAMENORM" + b"\0" * 20)
    with pytest.raises(GazetteerError, match="not a namenorm compiled index"):
        Gazetteer.load(path)


def test_a_file_of_the_first_format_asks_to_be_rebuilt(tmp_path: Path) -> None:
    path = tmp_path / "old.nnx"
    with zipfile.ZipFile(path, "w") as z:  # what version 1 was: a numpy .npz with a meta member
        z.writestr("meta.npy", b"")
    with pytest.raises(GazetteerError, match="format version 1.*gazetteer build"):
        Gazetteer.load(path)


def _header_changed(compiled: Path, tmp_path: Path, at: int, value: bytes) -> Path:
    data = bytearray(compiled.read_bytes())
    data[at : at + len(value)] = value
    return _damaged(compiled, tmp_path, bytes(data))


def test_a_stale_file_is_refused(compiled: Path, tmp_path: Path) -> None:
    # The fingerprint of the keying code and data (bytes 16 to 80) of another namenorm.
    path = _header_changed(compiled, tmp_path, 16, b"0" * 64)
    with pytest.raises(GazetteerError, match="stale compiled index.*gazetteer build"):
        Gazetteer.load(path)
    path = _header_changed(compiled, tmp_path, 8, (7).to_bytes(4, "little"))
    with pytest.raises(GazetteerError, match="format version 7"):
        Gazetteer.load(path)


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_randomly_damaged_files_are_refused_never_half_loaded(data: st.DataObject) -> None:
    # Bytes flipped, cut off, overwritten or inserted anywhere: refused with
    # a GazetteerError, or (the bytes unchanged) loaded whole. The core's
    # own tests damage files whose checksum is then mended, so that every
    # later check is reached too (core/check.rs).
    image = _IMAGE[0]
    mutated = bytearray(image)
    for _ in range(data.draw(st.integers(1, 4))):
        kind = data.draw(st.sampled_from(["flip", "cut", "overwrite", "insert"]))
        at = data.draw(st.integers(0, max(0, len(mutated) - 1)))
        if kind == "flip" and mutated:
            mutated[at] ^= data.draw(st.integers(1, 255))
        elif kind == "cut":
            del mutated[at:]
        elif kind == "overwrite":
            chunk = data.draw(st.binary(min_size=1, max_size=16))
            mutated[at : at + len(chunk)] = chunk
        else:
            mutated[at:at] = data.draw(st.binary(min_size=1, max_size=16))
    path = _TMP[0] / "mutated.nnx"
    path.write_bytes(bytes(mutated))
    if bytes(mutated) == image:
        assert len(Gazetteer.load(path)) == len(Gazetteer.builtin())
        return
    try:
        Gazetteer.load(path)
    except GazetteerError as e:
        assert e.path == str(path)
    else:
        raise AssertionError("a damaged file was loaded")


_IMAGE: list[bytes] = []
_TMP: list[Path] = []


@pytest.fixture(autouse=True, scope="module")
def _image(compiled: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    _IMAGE[:] = [compiled.read_bytes()]
    _TMP[:] = [tmp_path_factory.mktemp("mutated")]


def test_attrs_that_json_cannot_hold_name_the_record(tmp_path: Path) -> None:
    entity = Entity(id="x:1", name="Hadrut", kind="place", attrs={"founded": datetime.date(1900, 1, 1)})
    with pytest.raises(GazetteerError, match="x:1.*attrs"):
        Gazetteer([entity]).compile(tmp_path / "x.nnx")


@pytest.mark.parametrize(
    "entity",
    [
        Entity(id="x:1", name="Hadrut", kind="place", attrs={1: "one"}),
        Entity(id="x:1", name="Hadrut", kind="place", attrs={"pair": (1, 2)}),
        Entity(id="x:1", name="Hadrut", kind="place", aliases=["Gad\udc80rut"]),
        Entity(id="x:1", name="Hadrut", kind="place", attrs={"area": float("inf")}),
        Entity(id="x:1", name="Hadrut", kind="place", attrs={"note": ["Gad\udc80rut"]}),
    ],
    ids=["int key", "tuple", "lone surrogate", "infinite", "lone surrogate in attrs"],
)
def test_what_would_not_load_back_is_refused_with_its_record(entity: Entity, tmp_path: Path) -> None:
    with pytest.raises(GazetteerError, match="x:1"):
        Gazetteer([entity]).compile(tmp_path / "x.nnx")
    assert not list(tmp_path.iterdir())  # not even a partial file


def test_attrs_nested_deeper_than_json_readers_go_are_refused_with_their_record(tmp_path: Path) -> None:
    # Built in Python, 3,000 deep: Python's own recursion would give out.
    deep: dict[str, object] = {}
    inner = deep
    for _ in range(3000):
        inner["a"] = inner = {}
    entity = Entity(id="x:deep", name="Hadrut", kind="place", attrs=deep)
    with pytest.raises(GazetteerError, match="x:deep.*nested deeper than 64 levels"):
        Gazetteer([entity]).compile(tmp_path / "x.nnx")
    assert not list(tmp_path.iterdir())


def test_nested_attrs_load_back_each_entity_its_own(tmp_path: Path) -> None:
    attrs = {"codes": ["AM", "ARM"], "country": "AM"}
    entities = [Entity(id=f"x:{i}", name=name, kind="place", attrs=attrs) for i, name in enumerate(["Goris", "Sisian"])]
    Gazetteer(entities).compile(tmp_path / "x.nnx")
    loaded = Gazetteer.load(tmp_path / "x.nnx")
    assert loaded["x:0"].attrs == attrs
    loaded["x:0"].attrs["codes"].append("changed")
    assert loaded["x:1"].attrs == attrs


def test_an_empty_gazetteer_round_trips(tmp_path: Path) -> None:
    Gazetteer([]).compile(tmp_path / "empty.nnx")
    loaded = Gazetteer.load(tmp_path / "empty.nnx")
    assert len(loaded) == 0
    assert Resolver(loaded).resolve("Hadrut") is None


def test_cli_builds_and_resolves_with_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "built.nnx"
    assert main(["gazetteer", "build", "builtin", "-o", str(path)]) == 0
    assert "entities" in capsys.readouterr().out
    assert main(["resolve", "--gazetteer", str(path), "--json", "Gadrut"]) == 0
    assert '"place:hadrut"' in capsys.readouterr().out


def test_cli_build_from_a_geonames_dump(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    columns = ["616052", "Yerevan", "Yerevan", "Erevan,Ереван", "40.18", "44.51", "P", "PPLC", "AM", "", "11"]
    columns += ["", "", "", "1093485", "", "989", "Asia/Yerevan", "2023-01-01"]
    dump = tmp_path / "cities.txt"
    dump.write_text("\t".join(columns) + "\n", encoding="utf-8")
    path = tmp_path / "dump.nnx"
    assert main(["gazetteer", "build", str(dump), "-o", str(path)]) == 0
    assert main(["resolve", "--gazetteer", str(path), "Ереван"]) == 0
    assert "geonames:616052" in capsys.readouterr().out


def test_cli_build_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["gazetteer", "build", "geonames:7", "-o", str(tmp_path / "x.nnx")]) == 2
    assert "geonames:7" in capsys.readouterr().err
    assert main(["gazetteer", "build", "builtin", "--min-population", "5", "-o", str(tmp_path / "x.nnx")]) == 2
    assert "GeoNames dump" in capsys.readouterr().err
    assert main(["gazetteer", "build", str(tmp_path / "missing.txt"), "-o", str(tmp_path / "x.nnx")]) == 2
    assert "missing.txt" in capsys.readouterr().err
    assert main(["gazetteer", "build", "builtin", "-o", str(tmp_path / "no" / "such" / "x.nnx")]) == 2
    assert "x.nnx" in capsys.readouterr().err
    assert not (tmp_path / "x.nnx").exists()


def test_a_pickled_resolver_keeps_its_index(compiled: Path) -> None:
    # As a spawned worker gets it: the compiled index travels as its path,
    # and is mapped again, not re-keyed.
    resolver = Resolver(Gazetteer.load(compiled))
    copy = pickle.loads(pickle.dumps(resolver))
    assert copy.gazetteer._path == str(compiled)
    for query in ("Gadrut", "Nicole Bashinian", "Kinrut"):
        assert copy.candidates(query) == resolver.candidates(query)
    built = Resolver(Gazetteer(Gazetteer.builtin()))
    built_copy = pickle.loads(pickle.dumps(built))
    assert built_copy.gazetteer._index is not None  # the index's bytes travelled with it
    assert built_copy.candidates("Kinrut") == built.candidates("Kinrut")


def test_a_nul_in_a_name_round_trips(tmp_path: Path) -> None:
    entity = Entity(id="x:\0", name="Hadrut", kind="place", aliases=("Gad\0rut",))
    Gazetteer([entity]).compile(tmp_path / "x.nnx")
    assert Gazetteer.load(tmp_path / "x.nnx")["x:\0"] == entity


def test_the_kinds_of_names_load_back(tmp_path: Path) -> None:
    entity = Entity(
        id="person:1",
        name="Hossein VAZIRI",
        kind="person",
        aliases=("Hosein Vaziri",),
        previous_names=("Hossein Nosratollah VAZIRI",),
        weak_aliases=("Abu Hossein",),
    )
    Gazetteer([entity]).compile(tmp_path / "x.nnx")
    loaded = Gazetteer.load(tmp_path / "x.nnx")["person:1"]
    assert loaded == entity
    assert Resolver(Gazetteer.load(tmp_path / "x.nnx")).candidates("Abu Hossein")[0].alias_kind == "weak_alias"
