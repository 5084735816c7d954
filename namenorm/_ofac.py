"""Gazetteers from the US Treasury OFAC's SDN list (Specially Designated
Nationals), in its legacy CSV form, as downloaded (or gzipped).

Two files, Latin-1, no header row, "-0-" for an empty field, maybe ending
in a lone ^Z (0x1A) line:

- ``sdn.csv``: ent_num, SDN_Name, SDN_Type, Program, Title, Call_Sign,
  Vess_type, Tonnage, GRT, Vess_flag, Vess_owner, Remarks;
- ``alt.csv``: ent_num, alt_num, alt_type (aka, fka, nka), alt_name,
  alt_remarks: the other names of each listed entity.

Each listed entity becomes ``Entity(id="ofac:<ent_num>", prior=0)``:

- kind: "person" for an individual, "org" for an entity (no SDN_Type),
  "vessel", "aircraft".
- name: as listed; a person's "SURNAME, Given Names" in the order "Given
  Names SURNAME", so that the surname's capitals mark it (namenorm reads a
  word in capitals in a mixed-case name as the surname). A person's other
  names are turned alike.
- aliases: its a.k.a.s and n.k.a.s of alt.csv; previous_names: its f.k.a.s
  (and the ``f.k.a. 'NAME'`` of its Remarks); weak_aliases: the weak
  a.k.a.s that its Remarks list as ``a.k.a. 'NAME'``.
- attrs: ``program`` (the programs of its Program field), and from its
  Remarks ``birthDate`` ("DOB ...", as written) and ``country`` (its
  "nationality ..." and "citizen ...", the country's name as written), as lists.
"""

from __future__ import annotations

import csv
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ._errors import GazetteerError
from ._loader import Record, has_letters, open_source
from ._model import Entity

#: The fields of a row of sdn.csv and of alt.csv.
SDN_FIELDS = 12
ALT_FIELDS = 5
#: The kind of each SDN_Type ("" for an entity: "-0-" in the file).
KINDS = {"individual": "person", "": "org", "vessel": "vessel", "aircraft": "aircraft"}
#: What each alt_type of alt.csv is to an entity.
ALT_TYPES = {"aka": "alias", "nka": "alias", "fka": "previous_name"}
#: The names alt.csv goes by beside sdn.csv, as OFAC publishes it and as
#: copies of it are often named.
ALT_NAMES = ("alt.csv", "alt.csv.gz", "ofac_alt.csv", "ofac_alt.csv.gz")

_EMPTY = "-0-"
_END_OF_FILE = "\x1a"  # ^Z, which the files end with


def is_csv(path: Path) -> bool:
    """Whether `path` is named as a CSV file (``.csv``, or ``.csv.gz``)."""
    return path.name.endswith((".csv", ".csv.gz"))


def sdn_problem(path: Path) -> str | None:
    """What keeps `path` from being OFAC's sdn.csv, by the shape of its first
    row (12 fields, an ent_num first), or None if nothing does."""
    for item in _rows(path, None):
        if isinstance(item, GazetteerError):
            return item.problem
        _, row = item
        if len(row) == ALT_FIELDS:
            return (
                f"its rows have {ALT_FIELDS} fields, as OFAC's alt.csv has: give sdn.csv, "
                "with this file as its alternate names (--alt-names, or alt=)"
            )
        if len(row) != SDN_FIELDS:
            return f"its first row has {len(row)} fields, not the {SDN_FIELDS} of OFAC's sdn.csv"
        if not row[0].isdigit():
            return f"its first field, {row[0]!r}, is not an ent_num, as that of OFAC's sdn.csv is"
        return None
    return "it holds no row"


def require_sdn(path: Path) -> None:
    """Refuse a file named ``.csv`` that is not shaped as sdn.csv, which is the
    only CSV file read as a gazetteer.

    Raises:
        GazetteerError: Saying what is wrong with its shape.
    """
    problem = sdn_problem(path)
    if problem is not None:
        raise GazetteerError(f"a .csv gazetteer is OFAC's sdn.csv, and this is not: {problem}", path=str(path))


def alt_beside(sdn: Path) -> Path | None:
    """The alt.csv beside `sdn`, if there is one: named as `sdn` is, with
    "alt" for "sdn" (``ofac_sdn.csv.gz``, ``ofac_alt.csv.gz``), or one of
    `ALT_NAMES`."""
    names = [sdn.name.replace("sdn", "alt")] if "sdn" in sdn.name else []
    for name in (*names, *ALT_NAMES):
        beside = sdn.with_name(name)
        if beside != sdn and beside.is_file():
            return beside
    return None


def read_ofac(sdn: str | Path, alt: str | Path | None = None) -> Iterator[Record | GazetteerError]:
    """Read sdn.csv and its alt.csv, yielding each listed entity (with its
    line of sdn.csv) or the problem with a row.

    Problems do not stop the reading, so that a check can report them all.
    The alternate names are read first (a few MB for the whole list), then
    sdn.csv a row at a time.
    """
    sdn_path = Path(sdn)
    others: dict[str, list[tuple[str, str]]] = {}
    first_alt: dict[str, int] = {}
    alt_path = None if alt is None else Path(alt)
    if alt_path is not None:
        for item in _rows(alt_path, ALT_FIELDS):
            if isinstance(item, GazetteerError):
                yield item
                continue
            line, row = item
            ent_num, alt_type, alt_name = row[0], row[2], row[3]
            label = ALT_TYPES.get(alt_type.lower())
            if not ent_num.isdigit():
                yield GazetteerError(
                    f"the ent_num {ent_num!r} is not a whole number", path=alt_path, line=line, record=ent_num or None
                )
            elif label is None:
                yield GazetteerError(
                    f"the alt_type {alt_type!r} is none of {', '.join(ALT_TYPES)}",
                    path=alt_path,
                    line=line,
                    record=f"ofac:{ent_num}",
                )
            else:
                first_alt.setdefault(ent_num, line)
                if alt_name:
                    others.setdefault(ent_num, []).append((label, alt_name))
    listed: dict[str, int] = {}
    for item in _rows(sdn_path, SDN_FIELDS):
        if isinstance(item, GazetteerError):
            if item.record is not None and item.record.isdigit():
                listed.setdefault(item.record, item.line or 0)  # its names are not orphans
            yield _with_id(item)
            continue
        line, row = item
        ent_num = row[0]
        if not ent_num.isdigit():
            yield GazetteerError(
                f"the ent_num {ent_num!r} is not a whole number", path=sdn_path, line=line, record=ent_num or None
            )
            continue
        first = listed.setdefault(ent_num, line)
        if first != line:
            yield GazetteerError(
                f"ent_num {ent_num} repeated: it was first listed at {sdn_path}:{first}",
                path=sdn_path,
                line=line,
                record=f"ofac:{ent_num}",
            )
            continue
        yield _entity(row, others.pop(ent_num, []), str(sdn_path), line)
    if alt_path is not None:
        for ent_num, line in first_alt.items():
            if ent_num not in listed:
                yield GazetteerError(
                    f"ent_num {ent_num} is in no row of {sdn_path.name}: the alternate names of an entity not "
                    "listed (are these files of the same day?)",
                    path=alt_path,
                    line=line,
                    record=f"ofac:{ent_num}",
                )


def _with_id(error: GazetteerError) -> GazetteerError:
    # A row's error names the entity by its id, not its bare ent_num.
    if error.record is None or not error.record.isdigit():
        return error
    return GazetteerError(error.problem, path=error.path, line=error.line, record=f"ofac:{error.record}")


def _rows(path: Path, fields: int | None) -> Iterator[tuple[int, list[str]] | GazetteerError]:
    # Each row of a file, with its first line, its fields stripped and
    # "-0-" made empty; blank lines and the ^Z line skipped; a row of
    # another number of fields than `fields` is an error.
    line = 0
    try:
        # Latin-1, as OFAC writes them: any byte is a character.
        with open_source(path, "latin-1") as stream:
            reader = csv.reader(stream)
            for row in reader:
                start, line = line + 1, reader.line_num
                cells = [cell.strip(" \t" + _END_OF_FILE) for cell in row]
                if not any(cells):
                    continue
                cells = ["" if cell == _EMPTY else cell for cell in cells]
                if fields is not None and len(cells) != fields:
                    which = "sdn" if fields == SDN_FIELDS else "alt"
                    yield GazetteerError(
                        f"{len(cells)} fields, not {fields}: is this OFAC's {which}.csv?",
                        path=path,
                        line=start,
                        record=cells[0] or None,
                    )
                    continue
                yield start, cells
    except OSError as e:
        yield GazetteerError(f"cannot read the file: {e.strerror or e}", path=path, line=line or None)
    except (EOFError, zlib.error) as e:
        yield GazetteerError(f"a damaged gzip file: {e}", path=path, line=line or None)
    except csv.Error as e:
        yield GazetteerError(f"not CSV: {e}", path=path, line=line + 1)


def _entity(row: list[str], others: list[tuple[str, str]], where: str, line: int) -> Record | GazetteerError:
    ent_num, name, sdn_type, program, remarks = row[0], row[1], row[2], row[3], row[11]
    entity_id = f"ofac:{ent_num}"
    kind = KINDS.get(sdn_type.lower(), sdn_type.lower())
    if not has_letters(name):
        return GazetteerError("no name (SDN_Name, the second field, is empty)", path=where, line=line, record=entity_id)
    person = kind == "person"
    births, countries, weak, former = _remarks(remarks)

    def written(text: str) -> str:
        return _given_first(text) if person else text

    name = written(name)
    seen = {name}
    groups: list[list[str]] = [
        [written(n) for label, n in others if label == "alias"],
        [*(written(n) for label, n in others if label == "previous_name"), *(written(n) for n in former)],
        [written(n) for n in weak],
    ]
    kept: list[tuple[str, ...]] = []
    for group in groups:
        fresh = [n for n in dict.fromkeys(group) if n not in seen and has_letters(n)]
        seen.update(fresh)
        kept.append(tuple(fresh))
    attrs: dict[str, Any] = {}
    programs = [p.strip("[] ") for p in program.split("] [")]
    for key, listed in (("program", programs), ("birthDate", births), ("country", countries)):
        listed = list(dict.fromkeys(v for v in listed if v))
        if listed:
            attrs[key] = listed
    try:
        entity = Entity(
            id=entity_id,
            name=name,
            kind=kind,
            aliases=kept[0],
            previous_names=kept[1],
            weak_aliases=kept[2],
            attrs=attrs,
        )
    except (TypeError, ValueError) as e:
        return GazetteerError(str(e), path=where, line=line, record=entity_id)
    return Record(entity, where, line)


def _given_first(name: str) -> str:
    """A person's "SURNAME, Given Names" as "Given Names SURNAME" (at the
    first comma); a name without one as it is."""
    surname, comma, given = name.partition(",")
    if not comma or not surname.strip() or not given.strip():
        return name
    return f"{given.strip()} {surname.strip()}"


def _remarks(text: str) -> tuple[list[str], list[str], list[str], list[str]]:
    """The birth dates, countries (nationality, citizenship), weak a.k.a.s
    and f.k.a.s that the Remarks field lists, each as written: its parts
    are separated by ";", and the last ends with a full stop."""
    births: list[str] = []
    countries: list[str] = []
    weak: list[str] = []
    former: list[str] = []
    text = text.strip()
    for part in text.removesuffix(".").split(";"):
        part = part.strip()
        fact = part.removeprefix("alt. ")
        if fact.startswith("DOB "):
            births.append(fact.removeprefix("DOB ").strip())
        elif fact.startswith(("nationality ", "citizen ")):
            countries.append(fact.partition(" ")[2].strip())
        elif part.startswith("a.k.a. '"):
            weak.append(_unquoted(part.removeprefix("a.k.a. ")))
        elif part.startswith("f.k.a. '"):
            former.append(_unquoted(part.removeprefix("f.k.a. ")))
    return births, countries, weak, former


def _unquoted(text: str) -> str:
    # 'NAME' as NAME; a name may hold quotes of its own ('KATA'IB
    # HIZBALLAH'), and the field may cut the last one off.
    return text.removeprefix("'").removesuffix("'").strip()

