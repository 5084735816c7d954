"""The compiled core's own checks, run with the Python tests: its Rust tests
(`cargo test`, which need no Python), formatting and lints."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from conftest import ROOT


def _cargo(*args: str) -> None:
    if shutil.which("cargo") is None:
        pytest.fail("cargo is not on PATH: building namenorm from source needs the Rust toolchain (https://rustup.rs)")
    done = subprocess.run(["cargo", *args], cwd=ROOT, capture_output=True, text=True, timeout=1800, check=False)
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-5000:]


def test_cargo_test() -> None:
    _cargo("test", "--quiet")


def test_cargo_fmt_is_clean() -> None:
    _cargo("fmt", "--check")


def test_cargo_clippy_is_clean() -> None:
    _cargo("clippy", "--quiet", "--all-targets", "--all-features", "--", "-D", "warnings")
