"""Refit namenorm/data/confidence.toml on bench/accuracy.py's tune sample.

A match's score is its similarity less weight * max(0, range - gap), gap being
how far it leads the best other entity. This script resolves the tune sample
(seed 1) of the GeoNames accuracy benchmark, then picks, on a grid, the
(weight, range) that keeps the most top-1 matches at score >= 0.9 while at
least 96% of those are right (a margin over the 95% that is promised), and
writes them. Report on the report sample (bench/accuracy.py), never on this one.

    pip install ".[bench]" && python bench/fit_confidence.py [--n 500]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import namenorm
from accuracy import load

OUT = Path(__file__).resolve().parent.parent / "namenorm" / "data" / "confidence.toml"
HIGH = 0.9
PRECISION = 0.96
WEIGHTS = (0.3, 0.5, 0.8, 1.0, 1.5, 2.0)
RANGES = (0.05, 0.1, 0.15, 0.2, 0.3)

HEADER = """# How sure a match is: its similarity, lowered when another entity comes
# close. score = similarity - weight * max(0, range - gap), where gap is the
# similarity of the match minus that of the best other entity.
#
# Fitted by bench/fit_confidence.py on bench/accuracy.py's tune sample (seed 1,
# {n} cross-script and {n} Latin GeoNames queries): the (weight, range) that
# keeps the most top-1 matches at score >= {high} while at least {precision:.0%} of them are
# right ({kept} matches, {right:.1%} right). Refit after any change to matching:
# python bench/fit_confidence.py
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=500, help="queries per set (default 500)")
    args = parser.parse_args()
    entities, samples = load(args.n, "tune")
    resolver = namenorm.Resolver(namenorm.Gazetteer(entities))
    tops: list[tuple[float, float, bool]] = []  # (similarity, gap, right)
    for queries in samples.values():
        for q in queries:
            found = resolver.candidates(q.text, limit=2)
            if not found or found[0].similarity is None:
                continue
            second = found[1].similarity if len(found) > 1 and found[1].similarity is not None else 0.0
            tops.append((found[0].similarity, max(0.0, found[0].similarity - second), found[0].entity.id == q.answer))
    best: tuple[int, float, float, float] | None = None  # (kept, right share, weight, range)
    for weight in WEIGHTS:
        for reach in RANGES:
            kept = [right for s, gap, right in tops if s - weight * max(0.0, reach - gap) >= HIGH]
            if kept and sum(kept) / len(kept) >= PRECISION and (best is None or len(kept) > best[0]):
                best = (len(kept), sum(kept) / len(kept), weight, reach)
    if best is None:
        raise SystemExit(f"no (weight, range) on the grid reaches {PRECISION:.0%} at score >= {HIGH}")
    kept, right, weight, reach = best
    OUT.write_text(
        HEADER.format(n=args.n, high=HIGH, precision=PRECISION, kept=kept, right=right)
        + f"weight = {weight}\nrange = {reach}\n",
        encoding="utf-8",
    )
    print(f"{OUT}: weight {weight}, range {reach}; {kept} of {len(tops)} top-1 matches at >= {HIGH}, {right:.1%} right")


if __name__ == "__main__":
    main()
