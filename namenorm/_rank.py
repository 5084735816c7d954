"""Stage 6a: rank the entities a query may be, by weights fitted on real data.

Each entity, by its best-scoring name, is described by a few features:

    similarity   the score of its best name (stage 5)
    leads        1 if no other entity's name scores higher
    spelling     Damerau-Levenshtein ratio of the romanized forms (jellyfish)
    sound        sound-weighted edit similarity of the forms
    first_sound  1 if both start with the same sound class
    log_prior    log(1 + prior)
    partial      1 if only part of its name matched
    abjad_spelling, abjad_sound
                 spelling and sound again when the query is written without
                 short vowels (Arabic, Hebrew script), 0 otherwise: such a
                 name is judged by sound more than by letters

An entity's utility is the weighted sum of its features; the weights are those
of a conditional logit (the chance that a candidate is the answer is
proportional to exp(utility)), fitted on the tune sample of the GeoNames
benchmark by bench/fit_ranker.py and shipped in data/ranker.toml with the
confidence weights (see `namenorm._decide`).
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from ._score import Scored
from ._similarity import Reading, ratio, units_similarity
from ._weights import Weights

_EQUAL = frozenset({"exact", "normalized", "transliterated"})

FEATURES = (
    "similarity",
    "leads",
    "spelling",
    "sound",
    "first_sound",
    "log_prior",
    "partial",
    "abjad_spelling",
    "abjad_sound",
)


@dataclass(frozen=True, slots=True)
class Ranker:
    """Fitted ranking and confidence weights (data/ranker.toml).

    Attributes:
        weights: One weight per name in `FEATURES`.
        depth: How many entities at most, those with the most similar
            names, are ranked by utility; the rest follow by similarity.
        window: Only entities whose similarity is within this of the best
            are ranked by utility, so that a prior never lifts a name that
            is far off.
        competition: (weight, range) of the confidence penalty (`namenorm._decide`).
    """

    weights: tuple[float, ...]
    depth: int
    window: float
    competition: tuple[float, float]

    def utility(self, features: tuple[float, ...]) -> float:
        """The weighted sum of a candidate's features."""
        return math.fsum(w * x for w, x in zip(self.weights, features))


def features(item: Scored, best_similarity: float, weights: Weights) -> tuple[float, ...]:
    """The ranking features (see `FEATURES`) of one entity's best name."""
    query, name = item.query, item.name
    spelling = ratio(query.romanized, name.romanized)
    sound = units_similarity(query.units, name.units, weights, Reading.of(query, name))
    abjad = float(query.abjad)
    return (
        item.score.score,
        float(item.score.score >= best_similarity),
        spelling,
        sound,
        float(query.sound[:1] == name.sound[:1]),
        math.log1p(item.entity.prior),
        float(item.score.method == "partial"),
        abjad * spelling,
        abjad * sound,
    )


def rank(best: Iterable[Scored], ranker: Ranker, weights: Weights) -> list[tuple[Scored, tuple[float, ...]]]:
    """Entities (by their best name) best first, each with its features.

    The most similar (see `Ranker.depth` and `Ranker.window`) are ordered by
    utility, after any equal to the query; the rest follow by similarity;
    ties go to the entity id.
    """
    by_similarity = sorted(best, key=lambda s: (-s.score.score, s.entity.id))
    if not by_similarity:
        return []
    top = by_similarity[0].score.score
    near = sum(1 for s in by_similarity[: ranker.depth] if s.score.score >= top - ranker.window)
    head = [(s, features(s, top, weights)) for s in by_similarity[:near]]
    # A name equal to the query (as written, normalized or romanized) outranks
    # any that is only alike, whatever its prior: "Hadrut" is Hadrut, not a
    # bigger Gadrut.
    head.sort(key=lambda pair: (pair[0].score.method not in _EQUAL, -ranker.utility(pair[1]), pair[0].entity.id))
    return head + [(s, ()) for s in by_similarity[near:]]


@lru_cache(maxsize=1)
def fitted() -> Ranker:
    """The shipped ranker, from data/ranker.toml."""
    path = resources.files("namenorm") / "data" / "ranker.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    found = tuple(data["weights"])
    if found != FEATURES:
        raise RuntimeError(f"{path}: weights for {found}, expected {FEATURES}; refit with bench/fit_ranker.py")
    return Ranker(
        weights=tuple(float(data["weights"][f]) for f in FEATURES),
        depth=int(data["depth"]),
        window=float(data["window"]),
        competition=(float(data["confidence"]["weight"]), float(data["confidence"]["range"])),
    )
