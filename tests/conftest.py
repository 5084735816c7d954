"""Shared helpers: test data lives in tests/data/*.tsv, one case a line."""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).parent.parent


def read_tsv(name: str) -> list[list[str]]:
    """Rows of a tab-separated file in tests/data, without comments or blank lines."""
    rows = []
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            rows.append(line.split("\t"))
    return rows


def pytest_configure(config: object) -> None:
    """Compiled gazetteers (the world, geonames:N) are cached in a folder of
    the test session's own, not the user's cache, unless one is named:
    every process the tests start (the CLI) inherits it."""
    import atexit
    import os
    import shutil
    import tempfile

    if "NAMENORM_CACHE_DIR" not in os.environ:
        folder = tempfile.mkdtemp(prefix="namenorm-cache-")
        os.environ["NAMENORM_CACHE_DIR"] = folder
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
