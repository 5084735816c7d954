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
