"""Refit a kind's section of namenorm/data/ranker.toml on its tune sample.

Each kind ranked apart is fitted on its own tune sample (bench/tune.py):
places on the GeoNames benchmark's, people and organisations on the OFAC
benchmark's (bench/people.py), never on a report sample.

The ranking weights: a conditional logit over each query's candidates (the
   chance that candidate c is the answer is exp(w . x_c) / sum exp(w . x)),
fitted by maximum likelihood with a small L2 penalty (scipy's L-BFGS-B).
The features are those of the core's `rank::FEATURES`. The window (how far
below the best similarity a candidate may be and still be ranked) is chosen
on a grid by two-fold cross-validated accuracy@1. Scores (and so the order
of candidates) are calibrated after ranking: refit them after this, with
bench/fit_trust.py.

    pip install ".[bench]" && python bench/fit_ranker.py --kind place|person|org [--n N]
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

import numpy as np
from scipy.optimize import minimize
from tune import KINDS, cases as tune_cases, write_section

import namenorm
from namenorm import _config, _core, _resolver

OUT = Path(__file__).resolve().parent.parent / "namenorm" / "data" / "ranker.toml"
DEPTH = 40
WINDOWS = (0.05, 0.1, 0.15, 0.2, 0.3, 1.0)
L2 = 0.01
FEATURES = _core.FEATURES

# A query's candidates as the ranker sees them: (similarity, features, is
# the answer) of each entity within the widest window of the best, among the
# DEPTH most similar.
Case = list[tuple[float, np.ndarray, bool]]
Ranker = tuple[tuple[float, ...], int, float]


def core_resolver(
    index: _core.Index, kind: str, ranker: Ranker, calibration: _core.Calibration | None = None
) -> _core.Resolver:
    """The compiled core's resolver of `index`, ranking `kind` with `ranker`
    (and scoring it with `calibration`, if given)."""
    weights = namenorm.Weights().as_core()
    rankers, calibrations = _resolver.core_settings({kind: ranker}, {kind: calibration} if calibration else None)
    return _core.Resolver(index, weights, rankers, calibrations, _config.AMBIGUITY_MARGIN, True)


Query = tuple[str, str, str | None]  # text, answer, kind asked for


def cases(kind: str, n: int) -> tuple[_core.Index, list[Query], list[Case]]:
    """The tune sample's queries (text, answer, kind), each with its candidates as the core scores them."""
    entities, found_cases = tune_cases(kind, n)
    index = namenorm.Gazetteer(entities)._candidate_index()
    ids = [e.id for e in entities]
    # Flat weights and scores: the candidates in the order of similarity.
    flat = core_resolver(
        index, kind, ((0.0,) * len(FEATURES), DEPTH, max(WINDOWS)), (0.0, (0.0,) * len(_core.FACTS))
    )
    queries = [(c.text, c.answer, c.kind) for c in found_cases]
    found: list[Case] = []
    for text, answer, asked in queries:
        head = flat.candidates(text, asked, DEPTH, 0.0)
        found.append([(c[4], np.array(c[10]), ids[c[0]] == answer) for c in head])
    return index, queries, found


def groups_for(data: list[Case], window: float) -> list[tuple[np.ndarray, int]]:
    # The candidates the ranker sees within `window`, for queries whose answer is among them.
    groups = []
    for case in data:
        if not case:
            continue
        top = max(similarity for similarity, _, _ in case)
        near = [(x, right) for similarity, x, right in case if similarity >= top - window]
        rights = [right for _, right in near]
        if any(rights) and len(near) > 1:
            groups.append((np.array([x for x, _ in near]), rights.index(True)))
    return groups


def fit(groups: list[tuple[np.ndarray, int]]) -> np.ndarray:
    """Conditional logit weights: maximum likelihood with an L2 penalty."""

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        total, grad = L2 * float(w @ w), 2 * L2 * w
        for x, y in groups:
            u = x @ w
            p = np.exp(u - u.max())
            p /= p.sum()
            total -= float(np.log(p[y]))
            grad = grad - (x[y] - p @ x)
        return total, grad

    return np.asarray(minimize(loss, np.zeros(len(FEATURES)), jac=True, method="L-BFGS-B").x)


def ranker_for(weights: np.ndarray, window: float) -> Ranker:
    return (tuple(float(w) for w in weights), DEPTH, window)


def accuracy(index: _core.Index, kind: str, queries: list[Query], ranker: Ranker) -> float:
    ids = [index.entity(i)[0] for i in range(index.entities)]  # type: ignore[index]
    resolver = core_resolver(index, kind, ranker)
    right = 0
    for text, answer, asked in queries:
        top = resolver.candidates(text, asked, 1, 0.0)
        right += bool(top) and ids[top[0][0]] == answer
    return right / len(queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kind", choices=KINDS, required=True, help="the kind whose ranker to refit")
    parser.add_argument(
        "--n",
        type=int,
        default=None,
        help="queries per set (default: the benchmark's, 1000 for places as bench/accuracy.py, 1500 for "
        "people and organisations as bench/people.py: each one's report sample is drawn from what a tune "
        "sample of that size leaves, so another size may overlap it)",
    )
    args = parser.parse_args()
    n = args.n or (1000 if args.kind == "place" else 1500)
    index, queries, data = cases(args.kind, n)
    order = random.Random(0).sample(range(len(data)), len(data))
    halves = order[::2], order[1::2]
    scores = {}
    for window in WINDOWS:
        folds = []
        for train, test in (halves, halves[::-1]):
            weights = fit(groups_for([data[i] for i in train], window))
            folds.append(accuracy(index, args.kind, [queries[i] for i in test], ranker_for(weights, window)))
        scores[window] = sum(folds) / 2
        print(f"window {window}: cross-validated accuracy@1 {scores[window]:.4f}")
    window = max(WINDOWS, key=lambda w: (scores[w], -w))
    weights = fit(groups_for(data, window))
    print(f"window {window}; weights " + ", ".join(f"{f} {w:.3f}" for f, w in zip(FEATURES, weights)))
    sample = "bench/accuracy.py's tune sample (seed 1, GeoNames)" if args.kind == "place" else (
        "bench/people.py's tune sample (seed 1, OFAC SDN)"
    )
    write_section(
        OUT,
        "The fitted rankers (core/rank.rs)",
        args.kind,
        [
            f"# Fitted by bench/fit_ranker.py --kind {args.kind} on {sample}: {len(queries)} queries.",
            f"# A conditional logit over each query's candidates (L2 {L2}); window {window} chosen by",
            f"# two-fold cross-validated accuracy@1 ({scores[window]:.4f}).",
            f"depth = {DEPTH}",
            f"window = {window}",
            "",
            f"[{args.kind}.weights]",
            *(f"{f} = {w:.4f}" for f, w in zip(FEATURES, weights)),
        ],
    )
    print(f"{OUT}: [{args.kind}] written; now refit its scores: python bench/fit_trust.py --kind {args.kind}")


if __name__ == "__main__":
    main()
