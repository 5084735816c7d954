"""The README's examples and the docstrings' examples run as tests."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import re
import shlex
from pathlib import Path

import pytest

import namenorm
from namenorm import cli

from conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
MODULES = ["namenorm", *(f"namenorm.{m.name}" for m in pkgutil.iter_modules(namenorm.__path__))]


@pytest.mark.parametrize("module", [m for m in MODULES if m != "namenorm.__main__"])
def test_docstring_examples(module: str) -> None:
    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


def test_readme_python_examples(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Away from the checkout: Spark's Python workers start in the driver's
    # folder, and there namenorm's source (without the compiled core of an
    # installed namenorm) would shadow the installed package.
    monkeypatch.chdir(tmp_path)
    blocks = re.findall(r"```pycon\n(.*?)```", README, flags=re.DOTALL)
    assert blocks, "the README has no ```pycon example"
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    for n, block in enumerate(blocks):
        runner.run(parser.get_doctest(block, {}, f"README block {n}", "README.md", 0))
    assert runner.summarize(verbose=False).failed == 0


def quickstart() -> list[str]:
    section = README.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```(?:sh|bash|console)\n(.*?)```", section, flags=re.DOTALL)
    assert block, "the Quickstart has no shell block"
    return [line for line in block.group(1).splitlines() if line.strip() and not line.startswith("#")]


def test_quickstart_is_two_commands_and_ci_runs_the_second() -> None:
    commands = quickstart()
    assert len(commands) == 2
    assert "namenorm scan seeds/" in commands[0]
    assert "pytest" in commands[1]
    assert shlex.split(commands[1])  # well-formed
    assert (ROOT / ".ci" / "run").read_text(encoding="utf-8").count("Quickstart") >= 1


def test_quickstart_prints_what_the_readme_shows(capsys: pytest.CaptureFixture[str]) -> None:
    # The main command's namenorm part, run in process, prints the README's ```text block.
    command = shlex.split(quickstart()[0].split("&&", 1)[1])
    assert command[0] == "namenorm"
    section = README.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    shown = re.search(r"```text\n(.*?)```", section, flags=re.DOTALL)
    assert shown, "the Quickstart shows no output"
    assert cli.main(command[1:]) == 0
    assert capsys.readouterr().out == shown.group(1)


def test_readme_table_commands_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The "Millions of names" section's commands, on a table of its own.
    import pyarrow as pa
    import pyarrow.parquet as pq

    section = README.split("## Millions of names", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, flags=re.DOTALL)
    assert block, "the section shows no command"
    monkeypatch.chdir(tmp_path)
    pq.write_table(pa.table({"name": ["Ереван", None, "Tbilisi"], "n": [1, 2, 3]}), "names.parquet")
    for line in block.group(1).splitlines():
        command = shlex.split(line)
        assert command[0] == "namenorm"
        assert cli.main(command[1:]) == 0, line
    out = pq.read_table("resolved.parquet")
    assert out["n"].to_pylist() == [1, 2, 3]
    assert out["namenorm_id"].to_pylist() == ["geonames:616052", None, "geonames:611717"]
