"""OFAC's SDN list in its legacy CSV form (namenorm/_ofac.py): sdn.csv and alt.csv."""

from __future__ import annotations

import gzip
import pickle
import re
import shlex
from pathlib import Path

import pytest

import namenorm
from namenorm import Entity, Gazetteer, GazetteerError
from namenorm.cli import main

from conftest import ROOT

# As OFAC writes them: Latin-1, CRLF, "-0- " for an empty field, a ^Z line at the end.
SDN_ROWS = [
    '306,"BANCO NACIONAL DE CUBA",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"a.k.a. \'BNC\'."',
    (
        '4243,"SAND SWAN","vessel","CUBA",-0- ,"P3QG3","General Cargo","2595","1116","Cyprus",'
        '"Sand & Swan Navigation Co. Ltd.","f.k.a. \'ANA I\'."'
    ),
    (
        '22790,"MADURO MOROS, Nicolas","individual","VENEZUELA] [IRAN-CON-ARMS-EO",'
        '"President of the Bolivarian Republic of Venezuela",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,'
        '"DOB 23 Nov 1962; POB Caracas, Venezuela; citizen Venezuela; Gender Male; Cedula No. 5892464 (Venezuela)."'
    ),
    (
        '8886,"ZULKARNAEN","individual","SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"DOB 1963; alt. DOB 1962; POB '
        "Gebang village, Masaran, Sragen, Central Java, Indonesia; nationality Indonesia; a.k.a. 'ZULKARNAN'; "
        "a.k.a. 'ZULKARNAIN'; a.k.a. 'KATA'IB AL-ZULKARNAIN'.\""
    ),
    (
        '25000,"MUÑOZ GARCÍA, José Ángel","individual","SDNTK",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,'
        '"DOB 01 Jan 1970; nationality Mexico; alt. nationality Spain; citizen Mexico."'
    ),
    (
        '15011,"EP-MNA","aircraft","IRAN",-0- ,-0- ,"Airbus A320",-0- ,-0- ,"Iran",-0- ,'
        '"Aircraft Construction Sign 0412; Aircraft Operator MAHAN AIR."'
    ),
]
ALT_ROWS = [
    '306,220,"aka","NATIONAL BANK OF CUBA",-0- ',
    '22790,35001,"aka","MADURO, Nicolas",-0- ',
    '22790,35002,"fka","MOROS, Nicolas Maduro",-0- ',
    '25000,35003,"nka","MUNOZ, Jose",-0- ',
    '25000,35004,"aka","GARCIA, Pepe",-0- ',
]


def write(path: Path, rows: list[str], *, end: bool = True) -> Path:
    data = "".join(row + "\r\n" for row in rows).encode("latin-1") + (b"\x1a" if end else b"")
    path.write_bytes(gzip.compress(data) if path.name.endswith(".gz") else data)
    return path


@pytest.fixture
def sdn(tmp_path: Path) -> Path:
    write(tmp_path / "alt.csv", ALT_ROWS)
    return write(tmp_path / "sdn.csv", SDN_ROWS)


def test_the_mapping(sdn: Path) -> None:
    g = Gazetteer.from_ofac(sdn)  # alt.csv found beside it
    assert [e.id for e in g] == ["ofac:306", "ofac:4243", "ofac:22790", "ofac:8886", "ofac:25000", "ofac:15011"]
    assert g["ofac:22790"] == Entity(
        id="ofac:22790",
        name="Nicolas MADURO MOROS",
        kind="person",
        aliases=("Nicolas MADURO",),
        previous_names=("Nicolas Maduro MOROS",),
        attrs={"program": ["VENEZUELA", "IRAN-CON-ARMS-EO"], "birthDate": ["23 Nov 1962"], "country": ["Venezuela"]},
    )
    bank = g["ofac:306"]
    assert (bank.kind, bank.name, bank.aliases, bank.weak_aliases) == (
        "org",
        "BANCO NACIONAL DE CUBA",
        ("NATIONAL BANK OF CUBA",),
        ("BNC",),
    )
    assert bank.attrs == {"program": ["CUBA"]}
    vessel = g["ofac:4243"]
    assert (vessel.kind, vessel.previous_names) == ("vessel", ("ANA I",))
    zulkarnaen = g["ofac:8886"]
    assert zulkarnaen.name == "ZULKARNAEN"
    assert zulkarnaen.weak_aliases == ("ZULKARNAN", "ZULKARNAIN", "KATA'IB AL-ZULKARNAIN")
    assert zulkarnaen.attrs == {"program": ["SDGT"], "birthDate": ["1963", "1962"], "country": ["Indonesia"]}
    munoz = g["ofac:25000"]  # Latin-1 read as it is
    assert munoz.name == "José Ángel MUÑOZ GARCÍA" and munoz.aliases == ("Jose MUNOZ", "Pepe GARCIA")
    assert munoz.attrs["country"] == ["Mexico", "Spain"]
    assert g["ofac:15011"].kind == "aircraft"


def test_without_alt_names(tmp_path: Path) -> None:
    g = Gazetteer.from_ofac(write(tmp_path / "sdn.csv", SDN_ROWS))
    assert g["ofac:22790"].aliases == () and g["ofac:306"].weak_aliases == ("BNC",)


def test_a_resolver_finds_a_person_by_an_alias(sdn: Path) -> None:
    resolver = namenorm.Resolver(Gazetteer.from_ofac(sdn))
    match = resolver.resolve("Nicolas Maduro")
    assert match is not None and match.entity.id == "ofac:22790" and match.alias_kind == "alias"
    match = resolver.resolve("National Bank of Cuba")
    assert match is not None and match.entity.id == "ofac:306" and match.alias_kind == "alias"
    assert resolver.candidates("BNC")[0].alias_kind == "weak_alias"
    match = resolver.resolve("José Ángel Muñoz García", kind="person")
    assert match is not None and match.entity.id == "ofac:25000"


@pytest.mark.parametrize(
    ("sdn_rows", "alt_rows", "where", "record", "problem"),
    [
        (
            [*SDN_ROWS[:2], '99,"SHORT ROW","individual","SDGT"'],
            ALT_ROWS,
            "sdn.csv:3",
            "ofac:99",
            "4 fields, not 12",
        ),
        (
            SDN_ROWS,
            [*ALT_ROWS, '306,221,"aka","BANCO NACIONAL",-0- ,"extra"'],
            "alt.csv:6",
            "306",
            "6 fields, not 5",
        ),
        (SDN_ROWS, [*ALT_ROWS, '77777,36000,"aka","NOBODY LISTED",-0- '], "alt.csv:6", "ofac:77777", "ent_num 77777"),
        (SDN_ROWS, [*ALT_ROWS, '306,36000,"alias","BNC",-0- '], "alt.csv:6", "ofac:306", "alt_type 'alias'"),
        ([*SDN_ROWS, SDN_ROWS[2]], ALT_ROWS, "sdn.csv:7", "ofac:22790", "repeated: it was first listed at"),
        ([*SDN_ROWS, 'X1,"A B",-0- ' + ",-0- " * 9], ALT_ROWS, "sdn.csv:7", "X1", "not a whole number"),
        ([*SDN_ROWS, '5,"-0- ",-0- ' + ",-0- " * 9], ALT_ROWS, "sdn.csv:7", "ofac:5", "no name"),
    ],
    ids=str,
)
def test_each_error_names_file_line_and_entity(
    tmp_path: Path, sdn_rows: list[str], alt_rows: list[str], where: str, record: str, problem: str
) -> None:
    write(tmp_path / "alt.csv", alt_rows)
    sdn = write(tmp_path / "sdn.csv", sdn_rows)
    with pytest.raises(GazetteerError) as caught:
        Gazetteer.from_ofac(sdn)
    error = caught.value
    assert f"{error.path}:{error.line}" == str(tmp_path / where)
    assert error.record == record and problem in error.problem


def test_blank_lines_and_the_end_of_file_mark(tmp_path: Path) -> None:
    sdn = write(tmp_path / "sdn.csv", ["", SDN_ROWS[0], "  ", SDN_ROWS[2]])
    assert len(Gazetteer.from_ofac(sdn)) == 2
    # A ^Z alone on its last line, and a file without it, read alike.
    sdn.write_bytes(sdn.read_bytes() + b"\r\n")
    assert len(Gazetteer.from_ofac(write(tmp_path / "plain.csv", SDN_ROWS, end=False))) == len(SDN_ROWS)


def test_gzipped_files_and_alt_beside(tmp_path: Path) -> None:
    write(tmp_path / "ofac_alt.csv.gz", ALT_ROWS)
    sdn = write(tmp_path / "ofac_sdn.csv.gz", SDN_ROWS)
    g = Gazetteer.open(sdn)
    assert g["ofac:306"].aliases == ("NATIONAL BANK OF CUBA",)
    assert Gazetteer.from_ofac(sdn, tmp_path / "ofac_alt.csv.gz")["ofac:22790"].aliases == ("Nicolas MADURO",)


def test_a_csv_file_that_is_not_sdn(tmp_path: Path) -> None:
    alt = write(tmp_path / "alt.csv", ALT_ROWS)
    with pytest.raises(GazetteerError, match="as OFAC's alt.csv has"):
        Gazetteer.load(alt)
    names = tmp_path / "names.csv"
    names.write_text("id,name\nx,Hadrut\n")
    with pytest.raises(GazetteerError, match="first row has 2 fields, not the 12 of OFAC's sdn.csv"):
        Gazetteer.open(names)
    headed = write(tmp_path / "headed.csv", ["ent_num,SDN_Name" + ",x" * 10, *SDN_ROWS])
    with pytest.raises(GazetteerError, match="its first field, 'ent_num', is not an ent_num"):
        Gazetteer.open(headed)


def test_a_resolver_over_it_pickles(sdn: Path) -> None:
    resolver = namenorm.Resolver(Gazetteer.from_ofac(sdn))
    copy = pickle.loads(pickle.dumps(resolver))
    assert copy.gazetteer._origin == "built" and copy.gazetteer._path == str(sdn)
    assert list(copy.gazetteer) == list(resolver.gazetteer)
    for query in ("Nicolas Maduro", "BNC", "SAND SWAN", "Jose Munoz"):
        assert copy.candidates(query) == resolver.candidates(query), query


def test_cli_build_resolve_and_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "names").mkdir()
    alt = write(tmp_path / "names" / "other.csv", ALT_ROWS)
    sdn = write(tmp_path / "sdn.csv", SDN_ROWS)
    out = tmp_path / "ofac.nnx"
    assert main(["gazetteer", "build", str(sdn), "--alt-names", str(alt), "-o", str(out)]) == 0
    assert "6 entities" in capsys.readouterr().out
    assert main(["resolve", "--json", "--gazetteer", str(out), "Nicolas Maduro"]) == 0
    assert '"id": "ofac:22790"' in capsys.readouterr().out
    # --gazetteer sdn.csv finds the alt.csv beside it.
    write(tmp_path / "alt.csv", ALT_ROWS)
    assert main(["resolve", "--gazetteer", str(sdn), "--kind", "org", "National Bank of Cuba"]) == 0
    assert "ofac:306" in capsys.readouterr().out
    assert main(["gazetteer", "build", "builtin", "--alt-names", str(alt), "-o", str(out)]) == 2
    assert "--alt-names is for OFAC" in capsys.readouterr().err


def test_cli_check_reports_every_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "alt.csv", [*ALT_ROWS, '77777,36000,"aka","NOBODY LISTED",-0- '])
    sdn = write(tmp_path / "sdn.csv", [*SDN_ROWS, '99,"SHORT ROW"', SDN_ROWS[0]])
    assert main(["gazetteer", "check", str(sdn)]) == 2
    lines = capsys.readouterr().out.splitlines()
    errors = [line for line in lines if line.startswith("error:")]
    assert len(errors) == 3
    assert "sdn.csv:7: record 'ofac:99'" in errors[0] and "sdn.csv:8: record 'ofac:306'" in errors[1]
    assert "alt.csv:6: record 'ofac:77777'" in errors[2]
    assert lines[-1] == "6 entities, 3 errors, 0 shared names"
    write(tmp_path / "alt.csv", ALT_ROWS)
    assert main(["gazetteer", "check", str(write(tmp_path / "sdn.csv", SDN_ROWS))]) == 0
    assert capsys.readouterr().out.endswith("6 entities, 0 errors, 0 shared names\n")


SHARED = ROOT.parent / "shared" / "data" / "sanctions"


@pytest.mark.skipif(not (SHARED / "ofac_sdn.csv.gz").is_file(), reason="the real OFAC files are in ../shared")
def test_the_real_list() -> None:
    g = Gazetteer.open(SHARED / "ofac_sdn.csv.gz")  # with ofac_alt.csv.gz beside it
    assert 8000 <= len(g) <= 20000
    match = namenorm.Resolver(g).resolve("Nicolas MADURO MOROS")
    assert match is not None and match.entity.id == "ofac:22790" and match.entity.kind == "person"
    assert match.entity.attrs["program"] == ["VENEZUELA", "IRAN-CON-ARMS-EO"]


def test_the_readme_commands_screen_the_sdn_list(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Screening a sanctions list", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, flags=re.DOTALL)
    assert block is not None
    commands = [shlex.split(line) for line in block.group(1).splitlines() if line.strip()]
    assert [c[:3] for c in commands] == [["namenorm", "gazetteer", "build"], ["namenorm", "resolve", "--gazetteer"]]
    write(tmp_path / "sdn.csv", SDN_ROWS)
    write(tmp_path / "alt.csv", ALT_ROWS)
    monkeypatch.chdir(tmp_path)
    for command in commands:
        capsys.readouterr()
        assert main(command[1:]) == 0
    assert "ofac:22790" in capsys.readouterr().out
