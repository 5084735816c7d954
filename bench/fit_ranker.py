"""Refit namenorm/data/ranker.toml on bench/accuracy.py's tune sample.

Fitted on the tune sample (seed 1) of the GeoNames benchmark, never on the
report sample that bench/accuracy.py quotes.

The ranking weights: a conditional logit over each query's candidates (the
   chance that candidate c is the answer is exp(w . x_c) / sum exp(w . x)),
fitted by maximum likelihood with a small L2 penalty (scipy's L-BFGS-B).
The features are those of the core's `rank::FEATURES`. The window (how far
below the best similarity a candidate may be and still be ranked) is chosen
on a grid by two-fold cross-validated accuracy@1. Scores (and so the order
of candidates) are calibrated after ranking: refit them after this, with
bench/fit_trust.py.

    pip install ".[bench]" && python bench/fit_ranker.py [--n 1000]
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

import numpy as np
from accuracy import load
from scipy.optimize import minimize

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


def core_resolver(index: _core.Index, ranker: Ranker, calibration: _core.Calibration) -> _core.Resolver:
    """The compiled core's resolver of `index`, ranking with `ranker`."""
    weights = namenorm.Weights().as_core()
    return _core.Resolver(index, weights, ranker, calibration, _config.AMBIGUITY_MARGIN, True)


def cases(n: int) -> tuple[_core.Index, list[tuple[str, str]], list[Case]]:
    """The tune sample's queries (text, answer), each with its candidates as the core scores them."""
    entities, samples = load(n, "tune")
    index = namenorm.Gazetteer(entities)._candidate_index()
    ids = [e.id for e in entities]
    # Flat weights and scores: the candidates in the order of similarity.
    flat = core_resolver(index, ((0.0,) * len(FEATURES), DEPTH, max(WINDOWS)), (0.0, (0.0,) * len(_core.FACTS)))
    queries = [(q.text, q.answer) for sample in samples.values() for q in sample]
    found: list[Case] = []
    for text, answer in queries:
        head = flat.candidates(text, None, DEPTH, 0.0)
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


def accuracy(index: _core.Index, queries: list[tuple[str, str]], ranker: Ranker) -> float:
    ids = [index.entity(i)[0] for i in range(index.entities)]  # type: ignore[index]
    resolver = core_resolver(index, ranker, _resolver.calibration())
    right = 0
    for text, answer in queries:
        top = resolver.candidates(text, None, 1, 0.0)
        right += bool(top) and ids[top[0][0]] == answer
    return right / len(queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--n",
        type=int,
        default=1000,
        help="queries per set (default 1000, as bench/accuracy.py: its report sample is drawn from what a "
        "tune sample of that size leaves, so another size may overlap it)",
    )
    args = parser.parse_args()
    index, queries, data = cases(args.n)
    order = random.Random(0).sample(range(len(data)), len(data))
    halves = order[::2], order[1::2]
    scores = {}
    for window in WINDOWS:
        folds = []
        for train, test in (halves, halves[::-1]):
            weights = fit(groups_for([data[i] for i in train], window))
            folds.append(accuracy(index, [queries[i] for i in test], ranker_for(weights, window)))
        scores[window] = sum(folds) / 2
        print(f"window {window}: cross-validated accuracy@1 {scores[window]:.4f}")
    window = max(WINDOWS, key=lambda w: (scores[w], -w))
    weights = fit(groups_for(data, window))
    print(f"window {window}; weights " + ", ".join(f"{f} {w:.3f}" for f, w in zip(FEATURES, weights)))

    OUT.write_text(
        f"""# The fitted ranker (core/rank.rs).
#
# Fitted by bench/fit_ranker.py on bench/accuracy.py's tune sample (seed 1,
# {args.n} cross-script and {args.n} Latin GeoNames queries); refit after any
# change to matching: python bench/fit_ranker.py
#
# [weights]: a conditional logit over each query's candidates (L2 {L2});
# window {window} chosen by two-fold cross-validated accuracy@1 ({scores[window]:.4f}).
depth = {DEPTH}
window = {window}

[weights]
"""
        + "".join(f"{f} = {w:.4f}\n" for f, w in zip(FEATURES, weights)),
        encoding="utf-8",
    )
    print(f"{OUT}: written; now refit the scores: python bench/fit_trust.py")


if __name__ == "__main__":
    main()
