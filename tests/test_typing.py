from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from conftest import ROOT


def test_mypy_strict_is_clean() -> None:
    if (
        shutil.which("mypy") is None
        and subprocess.run([sys.executable, "-m", "mypy", "--version"], capture_output=True, check=False).returncode
    ):
        pytest.fail("mypy is not installed: install the test extra, pip install '.[test]'")
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "namenorm"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_py_typed_ships() -> None:
    import namenorm

    assert (ROOT / "namenorm" / "py.typed").exists()
    from importlib import resources

    assert (resources.files(namenorm) / "py.typed").is_file()
