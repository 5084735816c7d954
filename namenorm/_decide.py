"""Stage 6: decide what a query's scored names amount to.

Each entity keeps its best-scoring name; entities are ranked by similarity,
with the prior allowed to reorder only near ties; a match's score is its
similarity lowered when another entity comes close (fitted, see
data/confidence.toml); the best is flagged ambiguous when another entity comes
within the margin; nothing scoring under the cutoff is returned.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from ._model import Entity, Match
from ._score import NameScore


@dataclass(frozen=True, slots=True)
class Scored:
    """One name of an entity scored against the query."""

    entity: Entity
    alias: str
    score: NameScore


def decide(
    query: str,
    scored: Iterable[Scored],
    *,
    score_cutoff: float,
    ambiguity_margin: float,
    prior_weight: float,
    max_prior: float,
    limit: int,
    competition: tuple[float, float],
) -> list[Match]:
    """Rank entities by their best name and turn the best `limit` into Matches.

    Args:
        query: The name as the user gave it.
        scored: Every name scored, any number per entity.
        score_cutoff: Entities scoring less are dropped.
        ambiguity_margin: A match is ambiguous when another entity scores
            within this of it.
        prior_weight: How much the prior may add to the ranking key.
        max_prior: The largest prior in the gazetteer, to scale priors to [0, 1].
        limit: How many matches at most.
        competition: (weight, range): a match's score is its similarity less
            weight * max(0, range - gap), gap being how far it leads the best
            other entity (0 if it does not lead), so that a close competitor
            makes it less sure.
    """
    best: dict[str, Scored] = {}
    for item in scored:
        held = best.get(item.entity.id)
        # On equal scores an exact spelling is the better explanation.
        if held is None or (item.score.score, item.score.method == "exact") > (
            held.score.score,
            held.score.method == "exact",
        ):
            best[item.entity.id] = item
    scale = math.log1p(max_prior) or 1.0

    def rank(item: Scored) -> tuple[float, str]:
        return (-(item.score.score + prior_weight * math.log1p(item.entity.prior) / scale), item.entity.id)

    ranked = sorted(best.values(), key=rank)
    weight, reach = competition

    def confidence(item: Scored, runner: Scored | None) -> float:
        similarity = item.score.score
        # An entity behind another is at most as sure as one in a tie.
        gap = max(0.0, similarity - (runner.score.score if runner else 0.0))
        return min(1.0, max(0.0, similarity - weight * max(0.0, reach - gap)))

    matches: list[Match] = []
    for position, item in enumerate(ranked[:limit]):
        runner = ranked[0] if position else (ranked[1] if len(ranked) > 1 else None)
        score = confidence(item, runner)
        if score < score_cutoff:
            continue
        runner_runner = (ranked[1] if len(ranked) > 1 else None) if position else item
        matches.append(
            Match(
                query=query,
                entity=item.entity,
                score=round(score, 4),
                alias=item.alias,
                method=item.score.method,
                ambiguous=runner is not None and abs(runner.score.score - item.score.score) <= ambiguity_margin,
                runner_up=runner.entity if runner else None,
                runner_up_score=round(confidence(runner, runner_runner), 4) if runner else None,
                evidence=tuple((what, round(s, 4)) for what, s in item.score.evidence),
                similarity=round(item.score.score, 4),
            )
        )
    return matches


@lru_cache(maxsize=1)
def fitted_competition() -> tuple[float, float]:
    """The fitted (weight, range) of the competition penalty, from data/confidence.toml."""
    data = tomllib.loads((resources.files("namenorm") / "data" / "confidence.toml").read_text(encoding="utf-8"))
    return float(data["weight"]), float(data["range"])
