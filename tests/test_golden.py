"""The answers frozen in tests/data/golden.jsonl.gz (tools/make_golden.py) are
still the answers: the same entities in the same order, the same scores (to
1e-6), the same method, alias, runner-up and evidence, and the same `resolve`.

The queries of tests/data/golden_differences.tsv are known to differ, each
for the reason it gives (a library that romanizes or keys a name otherwise);
they must still differ, so that the list says what is true."""

from __future__ import annotations

import gzip
import json
from collections import defaultdict
from typing import Any

import pytest
from conftest import read_tsv
from golden import GAZETTEERS, OUT, match_record

import namenorm

TOLERANCE = 1e-6


def _golden() -> dict[str, list[dict[str, Any]]]:
    by_gazetteer: dict[str, list[dict[str, Any]]] = defaultdict(list)
    with gzip.open(OUT, "rt", encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            by_gazetteer[record["gazetteer"]].append(record)
    return by_gazetteer


GOLDEN = _golden()
DIFFERENT = {(gazetteer, query): why for gazetteer, query, why in read_tsv("golden_differences.tsv")}


def _differences(want: dict[str, Any] | None, got: dict[str, Any] | None) -> list[str]:
    if want is None or got is None:
        return [] if want is got else [f"{want and want['id']} -> {got and got['id']}"]
    found = []
    for field, value in want.items():
        other = got[field]
        if isinstance(value, float) and isinstance(other, float):
            if abs(value - other) > TOLERANCE:
                found.append(f"{field} {value} -> {other}")
        elif field in ("evidence", "ranking"):
            if [w for w, _ in value] != [w for w, _ in other] or any(
                abs(a - b) > TOLERANCE for (_, a), (_, b) in zip(value, other)
            ):
                found.append(f"{field} {value} -> {other}")
        elif value != other:
            found.append(f"{field} {value!r} -> {other!r}")
    return found


def test_every_gazetteer_has_golden_answers() -> None:
    assert set(GOLDEN) == set(GAZETTEERS)
    assert len(GOLDEN["cities15000"]) == 2000 and len(GOLDEN["cities500"]) == 2000
    asked = {(record["gazetteer"], record["query"]) for records in GOLDEN.values() for record in records}
    assert set(DIFFERENT) <= asked, "golden_differences.tsv lists a query that has no golden answer"
    assert all(why.strip() for why in DIFFERENT.values())


@pytest.mark.parametrize("gazetteer", sorted(GAZETTEERS))
def test_answers_are_the_golden_ones(gazetteer: str) -> None:
    resolver = namenorm.Resolver(GAZETTEERS[gazetteer]())
    differ: list[str] = []
    still: list[str] = []
    for record in GOLDEN[gazetteer]:
        query = record["query"]
        got = [match_record(m) for m in resolver.candidates(query, limit=5)]
        want = record["candidates"]
        found = []
        if [c["id"] for c in got] != [c["id"] for c in want]:
            found.append(f"ids {[c['id'] for c in want]} -> {[c['id'] for c in got]}")
        else:
            for position, (w, g) in enumerate(zip(want, got)):
                found += [f"#{position + 1} {d}" for d in _differences(w, g)]
        answer = resolver.resolve(query)
        found += [f"resolve {d}" for d in _differences(record["resolve"], answer and match_record(answer))]
        if (gazetteer, query) in DIFFERENT:
            if not found:
                still.append(query)
        elif found:
            differ.append(f"{query!r}: " + "; ".join(found))
    assert not differ, f"{len(differ)} of {len(GOLDEN[gazetteer])} queries differ:\n" + "\n".join(differ[:30])
    assert not still, f"listed in golden_differences.tsv, but answered as before: {still}"
