"""Refit a kind's section of namenorm/data/calibration.toml on its tune sample.

A match's score is the probability that its entity is the one meant, given
that the gazetteer holds it: a logistic regression (scikit-learn's, L2
penalty C = 10) on the facts of the core's `calibrate::FACTS` (similarity,
lead over the runner-up, crowding, method, the query's length and script,
the parts of a person's name left out). Each kind scored apart is fitted on
its own tune sample (bench/tune.py: places on the GeoNames benchmark's,
people and organisations on the OFAC benchmark's), never on a report
sample: each query's first five candidates, each labelled right or wrong.

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
from sklearn.linear_model import LogisticRegression
from tune import KINDS, cases, write_section

import namenorm
from namenorm import _config, _core, _resolver

OUT = Path(__file__).resolve().parent.parent / "namenorm" / "data" / "calibration.toml"
C = 10.0
LIMIT = 5
FACTS = _core.FACTS


def core_resolver(index: _core.Index, kind: str, calibration: _core.Calibration) -> _core.Resolver:
    """The compiled core's resolver of `index`, scoring `kind` with `calibration`."""
    weights = namenorm.Weights().as_core()
    rankers, calibrations = _resolver.core_settings(calibrations={kind: calibration})
    return _core.Resolver(index, weights, rankers, calibrations, _config.AMBIGUITY_MARGIN, True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kind", choices=KINDS, required=True, help="the kind whose calibration to refit")
    parser.add_argument("--n", type=int, default=None, help="queries per set (default: the benchmark's)")
    args = parser.parse_args()
    n = args.n or (1000 if args.kind == "place" else 1500)
    entities, queries = cases(args.kind, n)
    index = namenorm.Gazetteer(entities)._candidate_index()
    ids = [index.entity(i)[0] for i in range(index.entities)]  # type: ignore[index]
    calibration: _core.Calibration = (0.0, (0.0,) * len(FACTS))
    for _ in range(2):
        resolver = core_resolver(index, args.kind, calibration)
        x, y, tops = [], [], []
        for q in queries:
            found = resolver.candidates(q.text, q.kind, LIMIT, 0.0)
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
    sample = "bench/accuracy.py's tune sample (seed 1, GeoNames" if args.kind == "place" else (
        "bench/people.py's tune sample (seed 1, OFAC SDN"
    )
    write_section(
        OUT,
        "The calibrations of scores (core/calibrate.rs): the probability that a match is right, given that the "
        "gazetteer holds the entity meant",
        args.kind,
        [
            f"# Fitted by bench/fit_trust.py --kind {args.kind} on {sample}, {len(queries)} queries; the",
            f"# first {LIMIT} candidates of each, {len(x)} in all): logistic regression, L2 C = {C:g}.",
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
