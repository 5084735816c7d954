"""Freeze what namenorm answers now, as tests/data/golden.jsonl.gz.

Run it before a change that moves code without meaning to change answers
(tests/test_golden.py then asserts that the answers stay the same):

- the tune samples of bench/accuracy.py (both sets, 1,000 queries each),
  against its gazetteer: the 34,006 GeoNames cities of 15,000+ people,
  canonical names only;
- tests/data/seed_variants.tsv and tests/data/not_in_gazetteer.tsv, against
  the built-in gazetteer;
- 2,000 canonical names after one random typo (bench/speed.py's large
  queries), against its large gazetteer: the GeoNames cities of 500+ people
  with every alternate name as an alias.

Each line is one query: its gazetteer, the query, the top 5 candidates
(`Resolver.candidates`, every field of each `Match` but the entity's own
record) and what `Resolver.resolve` returns.

    pip install ".[bench]" && python tools/make_golden.py
"""

from __future__ import annotations

import gzip
import json
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))

import namenorm  # noqa: E402
from accuracy import load  # noqa: E402
from golden import GAZETTEERS, OUT, match_record  # noqa: E402
from speed import large_queries  # noqa: E402

from conftest import read_tsv  # noqa: E402


def queries(gazetteer: str) -> Iterator[tuple[str, str]]:
    """(set, query) pairs of one gazetteer, in a fixed order."""
    if gazetteer == "builtin":
        for name in ("seed_variants.tsv", "not_in_gazetteer.tsv"):
            for row in read_tsv(name):
                yield name, row[0]
    elif gazetteer == "cities15000":
        _, samples = load(1000, "tune")
        for set_name, sample in samples.items():
            for q in sample:
                yield set_name, q.text
    else:
        for query in large_queries(GAZETTEERS[gazetteer](), 2000):
            yield "typo", query


def main() -> None:
    with gzip.open(OUT, "wt", encoding="utf-8") as out:
        for gazetteer, make in GAZETTEERS.items():
            resolver = namenorm.Resolver(make())
            for set_name, query in queries(gazetteer):
                found = resolver.resolve(query)
                record = {
                    "gazetteer": gazetteer,
                    "set": set_name,
                    "query": query,
                    "candidates": [match_record(m) for m in resolver.candidates(query, limit=5)],
                    "resolve": match_record(found) if found else None,
                }
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
            print(f"{gazetteer}: done", file=sys.stderr)


if __name__ == "__main__":
    main()
