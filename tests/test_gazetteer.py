from __future__ import annotations

import pickle
from pathlib import Path

import pytest

import namenorm
from namenorm import Entity, Gazetteer, GazetteerError

from conftest import ROOT

BUILTIN = Gazetteer.builtin()
SHARED = {entity_id for ids in BUILTIN.shared_names().values() for entity_id in ids}
RESOLVER = namenorm.Resolver(BUILTIN)

REQUIRED = """Nikol Pashinyan, Ilham Aliyev, Recep Tayyip Erdoğan, Vladimir Putin, Stéphane Visconti,
Andrew Schofer, Andrzej Kasprzyk, Gegham Stepanyan, John Kirby, António Guterres, Antony Blinken,
Emmanuel Macron, Hadrut, Hin Tager, Khtsaberd, Parukh, Khramort, Taghavard, Stepanakert, Kalbajar,
Nagorno-Karabakh, Republic of Artsakh, Yerevan, Baku, Moscow, Ankara, Armenia, Azerbaijan, Russia,
Turkey, France, United States, RIA Novosti, OSCE Minsk Group,
Organization for Security and Co-operation in Europe, United Nations Security Council, European Union,
Bayraktar TB2"""


def test_builtin_holds_every_required_entity() -> None:
    names = {e.name for e in BUILTIN}
    required = {n.strip() for n in REQUIRED.replace("\n", " ").split(",")}
    assert required <= names


@pytest.mark.parametrize(("entity_id", "alias"), [(e.id, alias) for e in BUILTIN for alias in e.names], ids=str)
def test_every_shipped_alias_resolves_to_its_entity(entity_id: str, alias: str) -> None:
    if entity_id in SHARED and RESOLVER.candidates(alias)[0].ambiguous:
        return  # reported as shared by `namenorm gazetteer check`
    match = RESOLVER.resolve(alias)
    assert match is not None
    assert match.entity.id == entity_id
    assert match.similarity is not None and match.similarity >= 0.98
    assert match.score >= 0.85  # calibrated by kind: an acronym as written ("EU") is right 0.89 of the time


def test_builtin_gazetteer_files_are_sorted_by_id() -> None:
    from namenorm._gazetteer import builtin_path
    from namenorm._loader import gazetteer_files, read_records

    for file in gazetteer_files(builtin_path()):
        ids = [r.entity.id for r in read_records(file) if not isinstance(r, GazetteerError)]
        assert ids == sorted(ids), file


def test_gazetteers_combine_and_pickle() -> None:
    extra = Entity(id="place:shusha", name="Shusha", kind="place", aliases=("Şuşa", "Շուշի"))
    combined = Gazetteer([*BUILTIN, extra])
    assert len(combined) == len(BUILTIN) + 1
    assert combined["place:shusha"] == extra
    assert list(pickle.loads(pickle.dumps(combined))) == list(combined)


def test_duplicate_id_in_python_objects() -> None:
    e = Entity(id="x:1", name="A", kind="place")
    with pytest.raises(GazetteerError, match="x:1"):
        Gazetteer([e, Entity(id="x:1", name="B", kind="place")])


def test_entity_validates_and_copies_its_fields() -> None:
    aliases = ["Gadrut"]
    attrs = {"country": "AZ"}
    e = Entity(id="x:1", name="Hadrut", kind="place", aliases=aliases, prior=3000, attrs=attrs)  # type: ignore[arg-type]
    aliases.append("changed")
    attrs["country"] = "changed"
    assert e.aliases == ("Gadrut",) and e.attrs == {"country": "AZ"} and e.prior == 3000.0
    with pytest.raises(TypeError):
        Entity(id="x:1", name="Hadrut", kind="place", aliases=("ok", 3))  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Entity(id="", name="Hadrut", kind="place")
    with pytest.raises(ValueError):
        Entity(id="x:1", name="Hadrut", kind="place", prior=-1)


GOOD = """
[[entity]]
id = "place:one"
name = "One"
kind = "place"
"""

MALFORMED = [
    ("bad_toml", '[[entity]]\nid = "place:x"\nname = "X\n', 3, None, "not valid TOML"),
    ("missing_id", GOOD + '\n[[entity]]\nname = "Two"\nkind = "place"\n', 7, None, "missing 'id'"),
    ("missing_name", GOOD + '\n[[entity]]\nid = "place:two"\nkind = "place"\n', 7, "place:two", "missing 'name'"),
    ("missing_kind", GOOD + '\n[[entity]]\nid = "place:two"\nname = "Two"\n', 7, "place:two", "missing 'kind'"),
    ("duplicate_id", GOOD + GOOD, 7, "place:one", "duplicate id"),
    (
        "alias_not_str",
        GOOD + '\n[[entity]]\nid = "place:two"\nname = "Two"\nkind = "place"\naliases = ["Deux", 2]\n',
        7,
        "place:two",
        "alias 2 is not a string",
    ),
    (
        "huge_prior",
        GOOD + '\n[[entity]]\nid = "place:two"\nname = "Two"\nkind = "place"\nprior = ' + "9" * 400 + "\n",
        7,
        "place:two",
        "prior",
    ),
    (
        "no_letters",
        GOOD + '\n[[entity]]\nid = "place:two"\nname = "???"\nkind = "place"\n',
        7,
        "place:two",
        "no letters or digits",
    ),
    (
        "header_in_string",
        '[[entity]]\nid = "place:one"\nname = "One"\nkind = "place"\nattrs = { note = """\n[[entity]]\n""" }\n'
        '\n[[entity]]\nid = "place:two"\nkind = "place"\n',
        9,
        "place:two",
        "missing 'name'",
    ),
    (
        "unknown_field",
        GOOD + '\n[[entity]]\nid = "place:two"\nname = "Two"\nkind = "place"\nalias = "x"\n',
        7,
        "place:two",
        "unknown field",
    ),
    (
        "attrs_too_deep",
        GOOD + '\n[[entity]]\nid = "place:two"\nname = "Two"\nkind = "place"\nattrs = { a = ' + "[" * 100 + "]" * 100 + " }\n",
        7,
        "place:two",
        "nested deeper than 64 levels",
    ),
    (
        "attrs_infinite",
        GOOD + '\n[[entity]]\nid = "place:two"\nname = "Two"\nkind = "place"\nattrs = { area = inf }\n',
        7,
        "place:two",
        "attrs['area'] is inf, which JSON cannot hold",
    ),
    ("empty", "# entities to come\n", None, None, "the file holds no record"),
]


@pytest.mark.parametrize(("case", "text", "line", "record", "problem"), MALFORMED, ids=lambda v: str(v)[:20])
def test_malformed_gazetteer_names_file_line_record(
    tmp_path: Path, case: str, text: str, line: int, record: str | None, problem: str
) -> None:
    path = tmp_path / f"{case}.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(GazetteerError) as caught:
        Gazetteer.load(path)
    error = caught.value
    assert error.path == str(path)
    assert error.line == line
    assert error.record == record
    assert problem in str(error)
    assert str(path) in str(error)


def test_load_folder_and_missing_path(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "b.toml").write_text(GOOD.replace("one", "two").replace("One", "Two"), encoding="utf-8")
    assert [e.id for e in Gazetteer.load(tmp_path)] == ["place:one", "place:two"]
    with pytest.raises(GazetteerError, match="no such file"):
        Gazetteer.load(tmp_path / "nothing")
    with pytest.raises(GazetteerError, match="no .toml"):
        Gazetteer.load(tmp_path / "empty" if (tmp_path / "empty").mkdir() is None else tmp_path)


def test_shared_names_are_reported() -> None:
    g = Gazetteer(
        [
            Entity(id="place:a", name="Georgia", kind="place"),
            Entity(id="place:b", name="Georgia", kind="place", aliases=("Sakartvelo",)),
        ]
    )
    assert g.shared_names() == {"georgia": ["place:a", "place:b"]}
    # A tie is a coin toss: listed, flagged, and not resolved.
    resolver = namenorm.Resolver(g)
    assert resolver.candidates("Georgia")[0].ambiguous
    assert resolver.resolve("Georgia") is None


def test_open_reads_every_spelling_of_a_gazetteer(tmp_path: Path) -> None:
    builtin = Gazetteer.builtin()
    assert Gazetteer.open("builtin") is builtin and Gazetteer.open(builtin) is builtin
    builtin.compile(tmp_path / "b.nnx")
    assert [e.id for e in Gazetteer.open(tmp_path / "b.nnx")] == [e.id for e in builtin]
    assert [e.id for e in Gazetteer.open(str(ROOT / "gazetteer"))] == [e.id for e in builtin]
    assert len(Gazetteer.open("geonames:15000")) > 30_000
    with pytest.raises(ValueError, match="geonames:N takes a number"):
        Gazetteer.open("geonames:many")
    with pytest.raises(ValueError, match="not 77"):
        Gazetteer.open("geonames:77")
    with pytest.raises(GazetteerError, match="no such file"):
        Gazetteer.open(tmp_path / "none.toml")
    with pytest.raises(TypeError, match="not int"):
        Gazetteer.open(5)  # type: ignore[arg-type]


def test_toml_nested_past_what_the_reader_can_read_names_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from namenorm.cli import main

    path = tmp_path / "deep.toml"
    path.write_text(GOOD + "attrs = { a = " + "[" * 5000 + "]" * 5000 + " }\n", encoding="utf-8")
    with pytest.raises(GazetteerError, match="nested too deep") as caught:
        Gazetteer.load(path)
    assert caught.value.path == str(path) and caught.value.line == 6
    assert main(["gazetteer", "check", str(path)]) == 2
    assert f"{path}:6: nested too deep" in capsys.readouterr().out
    assert main(["resolve", "--gazetteer", str(path), "One"]) == 2
    assert f"gazetteer error: {path}:6: nested too deep" in capsys.readouterr().err


def test_toml_dates_are_kept_as_their_iso_text_by_check_and_build_alike(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from namenorm.cli import main

    path = tmp_path / "dated.toml"
    path.write_text(GOOD + "attrs = { when = 1979-05-27T07:32:00Z, born = 1979-05-27, at = [07:32:00] }\n", encoding="utf-8")
    want = {"when": "1979-05-27T07:32:00+00:00", "born": "1979-05-27", "at": ["07:32:00"]}
    assert Gazetteer.load(path)["place:one"].attrs == want
    assert main(["gazetteer", "check", str(path)]) == 0
    assert "1 entities, 0 errors" in capsys.readouterr().out
    assert main(["gazetteer", "build", str(path), "-o", str(tmp_path / "dated.nnx")]) == 0
    assert Gazetteer.load(tmp_path / "dated.nnx")["place:one"].attrs == want


def test_a_byte_order_mark_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD.encode("utf-8"))
    assert [e.id for e in Gazetteer.load(path)] == ["place:one"]


def test_bytes_that_are_not_utf8_are_placed_by_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes((GOOD + 'aliases = ["Un"]\n').encode("utf-8").replace(b'"Un"', b'"\xc9un"'))
    with pytest.raises(GazetteerError, match=r"not UTF-8 \(byte 0xc9 at column 13\)") as caught:
        Gazetteer.load(path)
    assert caught.value.line == 6 and caught.value.path == str(path)


def test_previous_names_and_weak_aliases_are_read_from_toml(tmp_path: Path) -> None:
    path = tmp_path / "people.toml"
    path.write_text(
        '[[entity]]\nid = "person:1"\nname = "Hossein VAZIRI"\nkind = "person"\naliases = ["Hosein Vaziri"]\n'
        'previous_names = ["Hossein Nosratollah VAZIRI"]\nweak_aliases = ["Abu Hossein"]\n',
        encoding="utf-8",
    )
    entity = Gazetteer.load(path)["person:1"]
    assert (entity.aliases, entity.previous_names, entity.weak_aliases) == (
        ("Hosein Vaziri",),
        ("Hossein Nosratollah VAZIRI",),
        ("Abu Hossein",),
    )
    path.write_text('[[entity]]\nid = "person:1"\nname = "A B"\nkind = "person"\nweak_aliases = "AB"\n', encoding="utf-8")
    with pytest.raises(GazetteerError, match="'weak_aliases' must be a list of strings"):
        Gazetteer.load(path)
