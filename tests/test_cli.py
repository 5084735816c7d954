from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from namenorm import Gazetteer, Resolver
from namenorm.cli import main

from conftest import ROOT


def run(
    argv: list[str],
    capsys: pytest.CaptureFixture[str],
    stdin: str | None = None,
    monkeypatch: pytest.MonkeyPatch | None = None,
) -> tuple[int, str, str]:
    if stdin is not None:
        assert monkeypatch is not None
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_resolve_names(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["resolve", "Nicole Bashinian", "Qadr"], capsys)
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 2
    assert "Nikol Pashinyan" in lines[0] and "person:nikol-pashinyan" in lines[0] and "phonetic" in lines[0]
    assert "Hadrut" in lines[1] and "place:hadrut" in lines[1]
    # Aligned: the id column starts at the same place on every line.
    assert lines[0].index("person:") == lines[1].index("place:")


def test_unresolved_name_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["resolve", "Hadrut", "Heydar Aliyev"], capsys)
    assert code == 1
    assert "no match" in out.splitlines()[1]


def test_a_name_resolve_refuses_is_no_match(capsys: pytest.CaptureFixture[str]) -> None:
    # One word of the UN Security Council's name: ranked, never settled (as `resolve` decides).
    code, out, _ = run(["resolve", "--json", "Council"], capsys)
    assert code == 1
    assert json.loads(out)["match"] is None


def test_json_lines(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["resolve", "--json", "Gadrut", "Paris"], capsys)
    assert code == 1
    first, second = (json.loads(line) for line in out.splitlines())
    assert first["query"] == "Gadrut" and first["match"]["id"] == "place:hadrut"
    assert first["match"]["method"] == "transliterated" and first["match"]["alias"] == "Гадрут"
    assert second == {"query": "Paris", "match": None, "candidates": []}


def test_top_and_kind_and_explain(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["resolve", "--json", "--top", "3", "--kind", "place", "--explain", "Karabagh"], capsys)
    assert code == 0
    answer = json.loads(out)
    assert answer["match"]["id"] == "place:nagorno-karabakh"
    assert answer["match"]["runner_up"] is not None and "karabagh~karabakh" in answer["match"]["evidence"]
    code, out, _ = run(["resolve", "--explain", "Kinrut"], capsys)
    assert "runner-up:" in out and "matched alias" in out


def test_stdin_streams_one_name_a_line(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, _ = run(["resolve", "--json"], capsys, stdin="Пашинян\n\nU.S.\nKinrut\n", monkeypatch=monkeypatch)
    assert code == 0
    # One line out per line in, the blank one too (no match, and no failure).
    assert [(json.loads(line)["match"] or {}).get("id") for line in out.splitlines()] == [
        "person:nikol-pashinyan",
        None,
        "place:united-states",
        "place:hadrut",
    ]


def test_bare_namenorm_prints_its_usage(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run([], capsys)
    assert code == 0 and err == ""
    assert out.startswith("usage: namenorm") and "resolve" in out and "scan" in out and "gazetteer" in out


@pytest.mark.parametrize(
    "argv",
    [
        ["resolve", "--top", "x", "A"],
        ["resolve", "--top", "0", "A"],
        ["resolve", "--kind", "plaec", "A"],
        ["frobnicate"],
        ["gazetteer"],
    ],
    ids=str,
)
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(argv, capsys)
    assert code == 2
    assert out == "" and "error" in err


def test_unknown_kind_is_an_error_even_without_names(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = run(["resolve", "--kind", "nope"], capsys, stdin="", monkeypatch=monkeypatch)
    assert code == 2 and "unknown kind" in err


def test_bad_bytes_on_stdin_do_not_stop_the_stream() -> None:
    done = subprocess.run(
        [sys.executable, "-P", "-m", "namenorm", "resolve"],
        input=b"Gadrut\n\xff\xfe\nQadr\n",
        capture_output=True,
        timeout=120,
        check=False,
    )
    lines = done.stdout.decode("utf-8", "replace").splitlines()
    assert done.returncode == 1, done.stderr
    assert len(lines) == 3 and "place:hadrut" in lines[0] and "no match" in lines[1] and "place:hadrut" in lines[2]


@pytest.mark.parametrize(
    "command",
    [
        f"{sys.executable} -P -m namenorm resolve {' '.join(['Qadr'] * 2000)} | head -1",
        f"yes Qadr | head -5000 | {sys.executable} -P -m namenorm resolve | head -1",  # a batch, on worker processes
    ],
    ids=["arguments", "batch"],
)
def test_broken_pipe_is_quiet(command: str) -> None:
    done = subprocess.run(
        command,
        shell=True,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.stdout.count("\n") == 1 and "Error" not in done.stderr, done.stderr


def test_a_batch_streams_in_order_through_worker_processes() -> None:
    names = ["Пашинян", "U.S.", "Paris", "Kinrut", "Gadrut", "Heydar Aliyev"] * 50
    done = subprocess.run(
        [sys.executable, "-P", "-m", "namenorm", "resolve", "--json"],
        input="\n".join(names) + "\n",
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    answers = [json.loads(line) for line in done.stdout.splitlines()]
    assert [a["query"] for a in answers] == names, done.stderr
    assert [a["match"] and a["match"]["id"] for a in answers[:6]] == [
        "person:nikol-pashinyan",
        "place:united-states",
        None,
        "place:hadrut",
        "place:hadrut",
        None,
    ]
    assert answers[6:] == answers[:-6]


def test_user_gazetteer(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(
        '[[entity]]\nid = "place:shusha"\nname = "Shusha"\nkind = "place"\naliases = ["Շուշի"]\n', encoding="utf-8"
    )
    code, out, _ = run(["resolve", "--gazetteer", str(path), "Shushi"], capsys)
    assert code == 0 and "place:shusha" in out


def test_bad_gazetteer_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('[[entity]]\nid = "x"\nname = "X"\n', encoding="utf-8")
    code, _, err = run(["resolve", "--gazetteer", str(path), "X"], capsys)
    assert code == 2 and "bad.toml:1" in err and "missing 'kind'" in err


def test_gazetteer_check_reports_everything(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.toml").write_text(
        '[[entity]]\nid = "p:1"\nname = "Georgia"\nkind = "place"\n\n'
        '[[entity]]\nid = "p:2"\nname = "Georgia"\nkind = "place"\naliases = [3]\n\n'
        '[[entity]]\nname = "No id"\nkind = "place"\n\n'
        '[[entity]]\nid = "p:3"\nname = "Sakartvelo"\nkind = "place"\naliases = ["Georgia"]\n',
        encoding="utf-8",
    )
    (tmp_path / "b.toml").write_text(
        '[[entity]]\nid = "p:1"\nname = "Again"\nkind = "place"\n\nnot toml', encoding="utf-8"
    )
    (tmp_path / "c.toml").write_text('[[entity]]\nid = "p:9"\nname = "Nine"\nkind = "place"\n', encoding="utf-8")
    code, out, _ = run(["gazetteer", "check", str(tmp_path)], capsys)
    assert code == 2
    assert "a.toml:6: record 'p:2': alias 3 is not a string" in out
    assert "a.toml:12: missing 'id'" in out
    assert "b.toml:6" in out and "not valid TOML" in out
    assert "shared: 'georgia' is a name of p:1, p:3" in out


def test_gazetteer_check_builtin_is_clean(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["gazetteer", "check", str(ROOT / "gazetteer")], capsys)
    assert code == 0, out
    assert "0 errors" in out and "note:" not in out


def test_subprocess_entry_points() -> None:
    script = Path(sys.executable).parent / "namenorm"  # the console script of this environment
    for command in ([str(script)], [sys.executable, "-P", "-m", "namenorm"]):
        done = subprocess.run(
            [*command, "resolve", "Hintagarh", "Ksabart"], capture_output=True, text=True, timeout=120, check=False
        )
        assert done.returncode == 0, done.stderr
        assert "place:hin-tager" in done.stdout and "place:khtsaberd" in done.stdout
    piped = subprocess.run(
        [sys.executable, "-P", "-m", "namenorm", "resolve"],
        input="Nowhereville\n",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert piped.returncode == 1 and "no match" in piped.stdout


GARBLED = ROOT / "seeds" / "001_31d5c00c388186c4.txt"


def test_scan_a_file(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["scan", str(GARBLED)], capsys)
    assert code == 0
    lines = out.splitlines()
    qadr = next(line for line in lines if " Qadr " in line)
    assert qadr.startswith("767-771 ") and "-> Hadrut" in qadr and "place:hadrut" in qadr
    for written, entity_id in [
        ("Kinrut", "place:hadrut"),
        ("Hintagarh", "place:hin-tager"),
        ("Ksabart", "place:khtsaberd"),
        ("Nicole Bashinian", "person:nikol-pashinyan"),
    ]:
        assert any(f" {written} " in line and entity_id in line for line in lines), written


def test_scan_json_and_kind(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["scan", "--json", "--kind", "person", str(GARBLED)], capsys)
    assert code == 0
    mentions = [json.loads(line) for line in out.splitlines()]
    assert {m["kind"] for m in mentions} == {"person"}
    bashinian = next(m for m in mentions if m["text"] == "Nicole Bashinian")
    text = GARBLED.read_text(encoding="utf-8")
    assert text[bashinian["start"] : bashinian["end"]] == "Nicole Bashinian"
    assert bashinian["id"] == "person:nikol-pashinyan" and bashinian["name"] == "Nikol Pashinyan"
    assert bashinian["evidence"]["cue: person"] > 0


def test_scan_rewrite_keeps_every_other_byte() -> None:
    # Windows line ends, a byte that is not UTF-8, no final line end.
    data = b"In the Qadr region of Nagorno-Karabakh,\r\n\xff Aliyev spoke.\r\nNo end"
    done = subprocess.run(
        [sys.executable, "-P", "-m", "namenorm", "scan", "--rewrite", "-"],
        input=data,
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == b"In the Hadrut region of Nagorno-Karabakh,\r\n\xff Ilham Aliyev spoke.\r\nNo end"


def test_scan_stdin_and_exit_codes(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"Nothing to see here.")))
    assert run(["scan"], capsys)[0] == 1
    code, _, err = run(["scan", "no/such/file.txt"], capsys)
    assert code == 2 and "cannot read no/such/file.txt" in err
    code, _, err = run(["scan", "--kind", "city", str(GARBLED)], capsys)
    assert code == 2 and "unknown kind" in err
    code, _, err = run(["scan", "--json", "--rewrite", str(GARBLED)], capsys)
    assert code == 2 and "not allowed with" in err
    # --rewrite prints the text, mentions or not: that is no failure.
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"Nothing to see here.")))
    assert run(["scan", "--rewrite"], capsys)[:2] == (0, "Nothing to see here.")


def test_gazetteer_check_reports_bad_relations(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.toml").write_text(
        '[[entity]]\nid = "p:1"\nname = "Shusha"\nkind = "place"\nattrs = { located_in = ["p:9"] }\n\n'
        '[[entity]]\nid = "p:2"\nname = "Karabakh"\nkind = "place"\nattrs = { demonyms = "Karabakhi" }\n',
        encoding="utf-8",
    )
    code, out, _ = run(["gazetteer", "check", str(tmp_path)], capsys)
    assert code == 2
    assert "note: " in out and "a.toml:1: record 'p:1': attrs.located_in names 'p:9', which is no entity" in out
    assert "error: " in out and "a.toml:7: record 'p:2': attrs.demonyms must be a list of non-empty strings" in out


def test_own_file_may_name_builtin_entities(tmp_path: Path) -> None:
    (tmp_path / "mine.toml").write_text(
        '[[entity]]\nid = "place:shusha"\nname = "Shusha"\nkind = "place"\n'
        'attrs = { located_in = ["place:nagorno-karabakh"] }\n',
        encoding="utf-8",
    )
    mine = Gazetteer.load(tmp_path)
    resolver = Resolver(Gazetteer([*Gazetteer.builtin(), *mine]))
    found = resolver.scan("In Nagorno-Karabakh, the town of Shushy was quiet.")
    assert [m.match.entity.id for m in found] == ["place:nagorno-karabakh", "place:shusha"]


def test_top_lists_that_many_candidates_whatever_their_scores(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["resolve", "--top", "3", "Paris", "Qadr"], capsys)
    assert code == 1  # Paris: no match
    lines = out.splitlines()
    assert lines[0].startswith("Paris") and lines[0].endswith("-> no match")
    assert [line.split()[0] for line in lines[1:4]] == ["1.", "2.", "3."]  # low scores listed all the same
    assert lines[4].startswith("Qadr") and "place:hadrut" in lines[4]
    assert "place:hadrut" in lines[5] and lines[5].endswith("<- the answer")
    code, out, _ = run(["resolve", "--json", "--top", "3", "Paris"], capsys)
    answer = json.loads(out)
    assert answer["match"] is None and len(answer["candidates"]) == 3


def test_explain_says_why_a_name_has_no_match(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["resolve", "--explain", "Council", "Dr."], capsys)
    assert code == 1
    assert "best candidate: United Nations Security Council (org:un-security-council)" in out
    assert "not the answer: matched only in part" in out
    assert "no candidate" in out  # "Dr." names no one
    code, out, _ = run(["resolve", "--json", "--explain", "Council"], capsys)
    answer = json.loads(out)
    assert answer["match"] is None and answer["best"]["id"] == "org:un-security-council"
    assert answer["refused"] == ["matched only in part, which does not settle it"]


def test_the_bar_on_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["resolve", "--json", "Qadr"], capsys)
    match = json.loads(out)["match"]
    assert code == 0 and match["id"] == "place:hadrut"
    # Every field of the Match.
    assert {"false_match", "similarity", "runner_up", "runner_up_score", "alias_kind", "settles_in_part"} <= set(match)
    assert run(["resolve", "--score-cutoff", str(match["score"] + 0.01), "Qadr"], capsys)[0] == 1
    assert run(["resolve", "--score-cutoff", str(match["score"]), "Qadr"], capsys)[0] == 0
    assert run(["resolve", "--max-false-match", str(match["false_match"] / 2), "Qadr"], capsys)[0] == 1
    code, _, err = run(["resolve", "--max-false-match", "2", "Qadr"], capsys)
    assert code == 2 and "max_false_match" in err


def test_a_csv_table_of_another_delimiter_and_encoding(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # As a spreadsheet in much of Europe saves it: semicolons, Windows-1252.
    source = tmp_path / "in.csv"
    source.write_bytes("id;name;note\r\n1;Qadr;café\r\n2;Nowhere;\r\n".encode("cp1252"))
    out = tmp_path / "out.csv"
    argv = ["resolve", "--table", str(source), "--column", "name", "-o", str(out)]
    code, _, err = run([*argv, "--delimiter", ";", "--encoding", "cp1252"], capsys)
    assert code == 0, err
    rows = [line.split(";") for line in out.read_text(encoding="utf-8").splitlines()]
    assert rows[0][:4] == ['"id"', '"name"', '"note"', '"namenorm_id"']
    assert rows[1][:4] == ['"1"', '"Qadr"', '"café"', '"place:hadrut"'] and rows[2][3] == ""
    # Read as UTF-8, it is refused by name, not misread.
    code, _, err = run([*argv, "--delimiter", ";"], capsys)
    assert code == 2 and "in.csv" in err
    for bad, says in ((["--delimiter", ";;"], "one character"), (["--encoding", "klingon"], "klingon")):
        code, _, err = run([*argv, *bad], capsys)
        assert code == 2 and says in err
    assert run(["resolve", "--delimiter", ";", "Qadr"], capsys)[0] == 2


def test_gazetteers_given_twice_combine(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mine = tmp_path / "mine.toml"
    mine.write_text(
        '[[entity]]\nid = "mine:hadrut"\nname = "Hadrut"\nkind = "place"\naliases = ["Hadrout"]\n'
        'attrs = { same_as = "place:hadrut" }\n\n'
        '[[entity]]\nid = "mine:tug"\nname = "Tugh"\nkind = "place"\n',
        encoding="utf-8",
    )
    code, out, _ = run(["resolve", "--gazetteer", "builtin", "--gazetteer", str(mine), "--json", "Hadrout", "Tugh"], capsys)
    assert code == 0
    answers = [json.loads(line) for line in out.splitlines()]
    # The same village in both is one entity, the first gazetteer's, not two that tie.
    assert [a["match"]["id"] for a in answers] == ["place:hadrut", "mine:tug"]
    assert answers[0]["match"]["ambiguous"] is False
