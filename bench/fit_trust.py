"""Refit a kind's section of namenorm/data/calibration.toml on its tune sample.

A match's score is the probability that its entity is the one meant, given
that the gazetteer holds it: a logistic function of the facts of the core's
`calibrate::FACTS` (similarity,
lead over the runner-up, crowding, method, the query's length and script,
the parts of a person's name left out). Each kind scored apart is fitted on
its own tune sample (bench/tune.py: places on the GeoNames benchmark's,
people and organisations on the OFAC benchmark's), never on a report
sample: each query's candidates (the first `LIMIT`), each labelled right or
wrong. The core scales a query's probabilities down to add up to 1 at most
(one name means one entity), so the fit does too: the weights maximize the
likelihood of the scaled probabilities (scipy's L-BFGS-B, from scikit-learn's
plain logistic regression, L2 penalty C = 10).

    pip install ".[bench]" && python bench/fit_trust.py --kind place|person|org [--n N]

Refit after any change to matching or ranking, and again after a refit of
the ranker (bench/fit_ranker.py): candidates are listed in the order of
their scores, so the fit is made twice, the second time on the order the
first gives.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from accuracy import expected_calibration_error
from scipy.optimize import minimize
from sklearn.linear_model import LogisticRegression
from tune import KINDS, cases, world_cases, write_section

import namenorm
from namenorm import _config, _core, _resolver

OUT = Path(__file__).resolve().parent.parent / "namenorm" / "data" / "calibration.toml"
C = 10.0
LIMIT = 30
FACTS = _core.FACTS


def core_resolver(index: _core.Index, kind: str, calibration: _core.Calibration) -> _core.Resolver:
    """The compiled core's resolver of `index`, scoring `kind` with `calibration`."""
    weights = namenorm.Weights().as_core()
    rankers, calibrations = _resolver.core_settings(calibrations={kind: calibration})
    return _core.Resolver(index, weights, rankers, calibrations, _config.AMBIGUITY_MARGIN, True)


def scaled(x: np.ndarray, group: np.ndarray, w: np.ndarray) -> np.ndarray:
    """The core's scores: each candidate's logistic probability, a query's
    scaled down to add up to 1 when they add up to more (`decide`)."""
    p = 1.0 / (1.0 + np.exp(-(w[0] + x @ w[1:])))
    total = np.bincount(group, weights=p)
    return p / np.maximum(1.0, total[group])


def fit_scaled(
    x: np.ndarray, y: np.ndarray, group: np.ndarray, start: np.ndarray, weight: np.ndarray
) -> _core.Calibration:
    """The weights whose scaled probabilities (`scaled`) are likeliest, each
    candidate weighed by `weight`, with scikit-learn's L2 penalty (1 / (2 C),
    the intercept left out)."""

    def loss(w: np.ndarray) -> float:
        p = np.clip(scaled(x, group, w), 1e-12, 1 - 1e-12)
        return float(-(weight * (y * np.log(p) + (1 - y) * np.log(1 - p))).sum() + (w[1:] @ w[1:]) / (2 * C))

    w = minimize(loss, start, method="L-BFGS-B").x
    return float(w[0]), tuple(float(v) for v in w[1:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kind", choices=KINDS, required=True, help="the kind whose calibration to refit")
    parser.add_argument("--n", type=int, default=None, help="queries per set (default: the benchmark's)")
    parser.add_argument(
        "--world-weight",
        type=float,
        default=1.0,
        help="of places: how many times the first tune sample bench/world.py's weighs (default 1: as much)",
    )
    args = parser.parse_args()
    n = args.n or (1000 if args.kind == "place" else 1500)
    entities, queries = cases(args.kind, n)
    parts = [(namenorm.Gazetteer(entities), queries)]
    if args.kind == "place":
        parts.append(world_cases())
    indexes = [gazetteer._candidate_index() for gazetteer, _ in parts]
    ids = [[index.entity(i)[0] for i in range(index.entities)] for index in indexes]  # type: ignore[index]
    calibration: _core.Calibration = (0.0, (0.0,) * len(FACTS))
    # Each part (tune sample) weighs as much as the first, whatever its size
    # (the world's, --world-weight times as much).
    shares = [len(parts[0][1]) / len(part) * (args.world_weight if k else 1.0) for k, (_, part) in enumerate(parts)]
    for _ in range(2):
        rows, labels, groups, weights = [], [], [], []
        number = 0
        for index, own_ids, (_, part), share in zip(indexes, ids, parts, shares):
            resolver = core_resolver(index, args.kind, calibration)
            for q in part:
                for c in resolver.candidates(q.text, q.kind, LIMIT, 0.0):
                    rows.append(c[11])
                    labels.append(own_ids[c[0]] == q.answer)
                    groups.append(number)
                    weights.append(share)
                number += 1
        x, y, group, weight = np.array(rows), np.array(labels, dtype=float), np.array(groups), np.array(weights)
        start = LogisticRegression(C=C, max_iter=10000).fit(x, y, sample_weight=weight)
        calibration = fit_scaled(x, y, group, np.concatenate([start.intercept_, start.coef_[0]]), weight)
    queries = [q for _, part in parts for q in part]
    p = scaled(x, group, np.array([calibration[0], *calibration[1]]))
    tops = [i for i in range(len(group)) if i == 0 or group[i] != group[i - 1]]
    ece = expected_calibration_error([(float(p[i]), bool(y[i])) for i in tops])
    top_y = [bool(y[i]) for i in tops]
    sample = (
        "bench/accuracy.py's and bench/world.py's tune samples (seed 1, GeoNames"
        if args.kind == "place"
        else "bench/people.py's tune sample (seed 1, OFAC SDN"
    )
    write_section(
        OUT,
        "The calibrations of scores (core/calibrate.rs): the probability that a match is right, given that the "
        "gazetteer holds the entity meant",
        args.kind,
        [
            f"# Fitted by bench/fit_trust.py --kind {args.kind} on {sample}, {len(queries)} queries; the",
            f"# first {LIMIT} candidates of each, {len(x)} in all): scaled logistic, L2 C = {C:g}.",
            f"# Expected calibration error of the top candidate's score on it (10 bins): {ece:.3f}.",
            f"intercept = {calibration[0]:.6f}",
            "",
            f"[{args.kind}.weights]",
            *(f"{name} = {w:.6f}" for name, w in zip(FACTS, calibration[1])),
        ],
    )
    right = sum(top_y) / len(top_y)
    print(f"{OUT}: [{args.kind}] {len(x)} candidates of {len(queries)} queries; top-1 right {right:.3f}; ECE {ece:.3f}")


if __name__ == "__main__":
    main()
