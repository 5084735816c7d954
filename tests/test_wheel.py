"""A wheel built with `maturin build --release` installs and resolves where
there is no Rust toolchain: in a fresh virtual environment, with no cargo
on PATH."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT


def _without_rust(path: str) -> str:
    # PATH without the folders that hold cargo or rustc.
    folders = path.split(os.pathsep)
    return os.pathsep.join(f for f in folders if not any((Path(f) / tool).exists() for tool in ("cargo", "rustc")))


def test_a_wheel_installs_and_resolves_without_rust(tmp_path: Path) -> None:
    if shutil.which("cargo") is None:
        pytest.fail("cargo is not on PATH: building the wheel needs the Rust toolchain")
    built = subprocess.run(
        [sys.executable, "-m", "maturin", "build", "--release", "--out", str(tmp_path / "dist")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    assert built.returncode == 0, built.stderr[-5000:]
    (wheel,) = (tmp_path / "dist").glob("namenorm-*.whl")
    subprocess.run([sys.executable, "-m", "venv", str(tmp_path / "venv")], check=True, timeout=300)
    python = str(tmp_path / "venv" / ("Scripts" if os.name == "nt" else "bin") / "python")
    env = {**os.environ, "PATH": _without_rust(os.environ.get("PATH", "")), "CARGO_HOME": str(tmp_path / "no-cargo")}
    env.pop("VIRTUAL_ENV", None)
    env.pop("PYTHONPATH", None)
    assert shutil.which("cargo", path=env["PATH"]) is None
    installed = subprocess.run(
        [python, "-m", "pip", "install", "--quiet", str(wheel)], env=env, capture_output=True, text=True, timeout=900
    )
    assert installed.returncode == 0, installed.stdout[-3000:] + installed.stderr[-3000:]
    script = (
        "import namenorm, sys; m = namenorm.resolve('Gadrut'); "
        "print(namenorm.__file__); print(m.entity.id, m.method)"
    )
    ran = subprocess.run([python, "-c", script], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert ran.returncode == 0, ran.stderr
    where, answer = ran.stdout.splitlines()
    assert Path(where).resolve().is_relative_to((tmp_path / "venv").resolve())
    assert answer == "place:hadrut transliterated"
    # The serve extra, installed alone on top: the service starts and answers.
    served = subprocess.run(
        [python, "-m", "pip", "install", "--quiet", f"{wheel}[serve]"], env=env, capture_output=True, text=True, timeout=900
    )
    assert served.returncode == 0, served.stdout[-3000:] + served.stderr[-3000:]
    script = (
        "import json, subprocess, sys, time, urllib.request\n"
        "p = subprocess.Popen([sys.executable, '-m', 'namenorm', 'serve', '--port', '0'], stderr=subprocess.PIPE, text=True)\n"
        "line = p.stderr.readline()\n"
        "url = line.split('listening on ')[1].split()[0]\n"
        "body = json.dumps({'names': ['Gadrut']}).encode()\n"
        "ask = urllib.request.Request(url + '/match', body, {'Content-Type': 'application/json'})\n"
        "print(json.load(urllib.request.urlopen(ask, timeout=60))['results'][0]['match']['entity']['id'])\n"
        "p.terminate(); p.wait(30)\n"
    )
    ran = subprocess.run([python, "-c", script], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.split() == ["place:hadrut"]
