"""The world gazetteer (the default), combining gazetteers, and the cache of
compiled gazetteers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from namenorm import Entity, Gazetteer, Resolver
from namenorm._cache import cache_dir, cached
from namenorm._combine import combine, geonameid

from conftest import ROOT


@pytest.fixture(scope="module")
def world() -> Resolver:
    return Resolver(Gazetteer.world())


@pytest.mark.parametrize(
    ("query", "country", "feature"),
    [
        ("Tbilisi", "GE", None),
        ("Deutschland", "DE", "country"),
        ("Москва", "RU", None),
        ("Allemagne", "DE", "country"),  # CLDR's French name
        ("Sakartvelo", "GE", "country"),
        ("Istanbul", "TR", None),  # a city, not its region of the same name
        ("Texas", "US", "region"),
    ],
)
def test_the_world_answers_on_its_own(world: Resolver, query: str, country: str, feature: str | None) -> None:
    m = world.resolve(query)
    assert m is not None, query
    assert m.entity.attrs["country"] == country
    assert m.entity.attrs.get("feature") == feature


def test_a_bare_name_means_its_most_prominent_bearer(world: Resolver) -> None:
    found = world.candidates("Paris", limit=10)
    assert found[0].entity.attrs["country"] == "FR"
    assert not found[0].ambiguous
    # Paris, Texas is among them, sharing what the name says by its people.
    texas = next(m for m in found if m.entity.attrs.get("admin1") == "TX")
    assert texas.score < found[0].score / 10
    london = world.resolve("London")
    assert london is not None and london.entity.id == "place:london"  # the built-in one, merged
    assert london.entity.attrs["geonameid"] == 2643743
    # Namesakes of comparable size stay ambiguous.
    springfield = world.candidates("Springfield")[0]
    assert springfield.ambiguous and springfield.score < 0.5


def test_builtin_places_are_merged_with_geonames(world: Resolver) -> None:
    g = world.gazetteer
    assert "place:moscow" in g and "geonames:524901" not in g
    moscow = g["place:moscow"]
    assert moscow.attrs["geonameid"] == 524901 and "geonames:524901" in moscow.attrs["same_as"]
    assert "Moskau" in moscow.aliases  # a GeoNames alternate name, now its alias
    assert len(g) > 35000
    # The entities of the seed articles are all there, people too.
    for entity in Gazetteer.builtin():
        assert entity.id in g
    assert world.resolve("Nicole Bashinian", kind="person").entity.id == "person:nikol-pashinyan"


def test_every_world_place_says_where_it_is(world: Resolver) -> None:
    places = [e for e in world.gazetteer if e.kind == "place"]
    countries = [e for e in places if e.attrs.get("feature") == "country"]
    assert len(countries) > 240
    assert all(geonameid(e) is not None for e in countries)
    unplaced = [e.id for e in places if "country" not in e.attrs and not e.id.startswith("place:")]
    assert unplaced == []


def test_the_world_is_compiled_once_into_the_cache(tmp_path: Path) -> None:
    Gazetteer.world()  # compiled by now, in this session's cache folder
    compiled = list(cache_dir().glob("world-*.nnx"))
    assert len(compiled) == 1
    written = compiled[0].stat().st_mtime_ns
    # Another process maps it, without building (the file is not written again).
    code = "import namenorm; print(len(namenorm.Gazetteer.world()))"
    # (Away from the checkout, whose namenorm/ has no compiled core when namenorm is installed.)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path)
    assert int(done.stdout) > 30_000, done.stdout
    assert list(cache_dir().glob("world-*.nnx")) == compiled
    assert compiled[0].stat().st_mtime_ns == written


def test_a_damaged_cache_file_is_built_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NAMENORM_CACHE_DIR", str(tmp_path))
    entities = [Entity(id="x:1", name="Hadrut", kind="place"), Entity(id="x:2", name="Shusha", kind="place")]
    built: list[str] = []

    def build(step: object) -> Gazetteer:
        built.append("built")
        return Gazetteer(entities)

    first = cached("tiny", "v1", build, progress=False)
    assert len(first) == 2 and built == ["built"]
    assert len(cached("tiny", "v1", build, progress=False)) == 2 and built == ["built"]
    (path,) = tmp_path.glob("tiny-*.nnx")
    path.write_bytes(path.read_bytes()[:1000])  # truncated
    assert len(cached("tiny", "v1", build, progress=False)) == 2 and len(built) == 2
    cached("tiny", "v2", build, progress=False)  # other sources: built again, the old file gone
    assert len(built) == 3 and len(list(tmp_path.glob("tiny-*.nnx"))) == 1


def test_the_cache_folder_can_be_named() -> None:
    assert str(cache_dir()) == os.environ["NAMENORM_CACHE_DIR"]


def test_combine_merges_the_same_entity() -> None:
    builtin = Entity(
        id="place:hadrut", name="Hadrut", kind="place", aliases=("Гадрут",), attrs={"geonameid": 174875, "country": "AZ"}
    )
    geonames = Entity(id="geonames:174875", name="Hadrut", kind="place", aliases=("Gadrut",), prior=2986)
    mine = Entity(id="mine:7", name="Hadrout", kind="place", attrs={"same_as": "place:hadrut", "note": "mine"})
    other = Entity(id="geonames:1", name="Elsewhere", kind="place")
    (merged, kept) = combine([[builtin], [geonames, other], [mine]])
    assert merged.id == "place:hadrut" and merged.name == "Hadrut"
    assert merged.aliases == ("Гадрут", "Gadrut", "Hadrout")
    assert merged.prior == 2986
    assert merged.attrs == {
        "geonameid": 174875,
        "country": "AZ",
        "note": "mine",
        "same_as": ["geonames:174875", "mine:7"],
    }
    assert kept == other


def test_combine_keeps_apart_what_differs_in_kind() -> None:
    place = Entity(id="geonames:5", name="Georgia", kind="place")
    person = Entity(id="p:1", name="Georgia", kind="person", attrs={"geonameid": 5})
    assert len(combine([[place], [person]])) == 2


def test_combine_finds_people_beside_the_world(world: Resolver) -> None:
    # Putin is a built-in person too: the list says so (same_as), and he
    # is one candidate, not two that make each other ambiguous.
    putin = Entity(
        id="ofac:1",
        name="Vladimir Vladimirovich PUTIN",
        kind="person",
        aliases=("Владимир Путин",),
        attrs={"same_as": "person:vladimir-putin"},
    )
    lavrov = Entity(id="ofac:2", name="Sergey Viktorovich LAVROV", kind="person", aliases=("Сергей Лавров",))
    combined = Resolver(Gazetteer.combine(world.gazetteer, [putin, lavrov]))
    m = combined.resolve("Vladimir Putin", kind="person")
    assert m is not None and m.entity.id == "person:vladimir-putin" and not m.ambiguous
    assert "Vladimir Vladimirovich PUTIN" in m.entity.aliases
    assert m.entity.attrs["same_as"] == ["ofac:1"]
    lavrov_found = combined.resolve("Sergei Lavrov", kind="person")
    assert lavrov_found is not None and lavrov_found.entity.id == "ofac:2"


def test_scan_on_the_world_keeps_to_the_countries_of_the_text(world: Resolver) -> None:
    text = (ROOT / "seeds" / "001_31d5c00c388186c4.txt").read_text(encoding="utf-8")
    found = {m.text: m.match.entity.id for m in world.scan(text)}
    # The garbled villages of Karabakh are found among the places of the
    # country the text is about, as on the built-in gazetteer...
    assert found["Qadr"] == "place:hadrut" and found["Ksabart"] == "place:khtsaberd"
    assert found["Nicole Bashinian"] == "person:nikol-pashinyan"
    # ...and no town of another continent is taken for one (Kinarut, Malaysia).
    assert all(world.gazetteer[e].attrs.get("country") in (None, "AZ", "AM", "RU", "US", "FR", "TR") for e in found.values())
    # A demonym is no mention, though a CLDR locale names Azerbaijan so.
    assert "Azerbaijani" not in found


def test_a_title_makes_a_person_on_the_world(world: Resolver) -> None:
    found = world.scan("Ukrainian President Zelensky met the Minister in Kyiv.")
    assert [(m.text, m.match.entity.attrs.get("country")) for m in found] == [("Kyiv", "UA")]


def test_regions_named_by_a_direction_alone_are_left_out(world: Resolver) -> None:
    regions = [e for e in world.gazetteer if e.attrs.get("feature") == "region"]
    assert not [e.name for e in regions if e.name in ("West", "Western", "Central", "North", "South-West")]
    assert world.scan("Western leaders met in the West.") == []
