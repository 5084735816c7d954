"""Refit namenorm/data/calibration.toml on bench/accuracy.py's tune sample.

A match's score is the probability that its entity is the one meant, given
that the gazetteer holds it: a logistic regression (scikit-learn's, L2
penalty C = 10) on the facts of the core's `calibrate::FACTS` (similarity,
lead over the runner-up, crowding, method, the query's length and script,
and the ranker's spelling, sound and prior). It is fitted on the tune sample
(seed 1) of the GeoNames benchmark, never on the report sample that
bench/accuracy.py quotes: each query's first five candidates, each labelled
right or wrong. Queries spelled exactly as another city's canonical name are
left out (no string evidence can tell them from that city).

    pip install ".[bench]" && python bench/fit_trust.py [--n 1000]

Refit after any change to matching or ranking, and again after a refit of
the ranker (bench/fit_ranker.py): candidates are listed in the order of
their scores, so the fit is made twice, the second time on the order the
first gives.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from accuracy import expected_calibration_error, fold, load
from sklearn.linear_model import LogisticRegression

import namenorm
from namenorm import _config, _core, _resolver

OUT = Path(__file__).resolve().parent.parent / "namenorm" / "data" / "calibration.toml"
C = 10.0
LIMIT = 5
FACTS = _core.FACTS


def core_resolver(index: _core.Index, calibration: _core.Calibration) -> _core.Resolver:
    """The compiled core's resolver of `index`, scoring with `calibration`."""
    weights = namenorm.Weights().as_core()
    return _core.Resolver(index, weights, _resolver.fitted(), calibration, _config.AMBIGUITY_MARGIN, True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1000, help="queries per set (default 1000)")
    args = parser.parse_args()
    entities, samples = load(args.n, "tune")
    index = namenorm.Gazetteer(entities)._candidate_index()
    ids = [index.entity(i)[0] for i in range(index.entities)]
    canonical: dict[str, set[str]] = {}
    for e in entities:
        canonical.setdefault(fold(e.name), set()).add(e.id)
    queries = [q for qs in samples.values() for q in qs if not canonical.get(fold(q.text), set()) - {q.answer}]
    left_out = sum(len(qs) for qs in samples.values()) - len(queries)
    calibration: _core.Calibration = (0.0, (0.0,) * len(FACTS))
    for _ in range(2):
        resolver = core_resolver(index, calibration)
        x, y, tops = [], [], []
        for q in queries:
            found = resolver.candidates(q.text, None, LIMIT, 0.0)
            for position, c in enumerate(found):
                x.append(c[11])
                y.append(ids[c[0]] == q.answer)
                if position == 0:
                    tops.append(len(x) - 1)
        model = LogisticRegression(C=C, max_iter=10000).fit(np.array(x), np.array(y))
        calibration = (float(model.intercept_[0]), tuple(float(w) for w in model.coef_[0]))
    p = model.predict_proba(np.array(x))[:, 1]
    top_p = [float(p[i]) for i in tops]
    top_y = [bool(y[i]) for i in tops]
    ece = expected_calibration_error(list(zip(top_p, top_y)))
    lines = [
        "# The calibration of scores (core/calibrate.rs): the probability that a",
        "# match is right, given that the gazetteer holds the entity meant.",
        "#",
        "# Fitted by bench/fit_trust.py on bench/accuracy.py's tune sample (seed 1,",
        f"# {len(queries)} GeoNames queries, {left_out} spelled as another city left out; the first",
        f"# {LIMIT} candidates of each, {len(x)} in all): logistic regression, L2 C = {C:g}.",
        f"# Expected calibration error of the top candidate's score on it (10 bins): {ece:.3f}.",
        "# Refit after any change to matching: python bench/fit_trust.py",
        f"intercept = {calibration[0]:.6f}",
        "",
        "[weights]",
        *(f"{name} = {w:.6f}" for name, w in zip(FACTS, calibration[1])),
    ]
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    right = sum(top_y) / len(top_y)
    print(f"{OUT}: {len(x)} candidates of {len(queries)} queries; top-1 right {right:.3f}; ECE {ece:.3f}")


if __name__ == "__main__":
    main()
