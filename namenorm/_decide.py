"""Stage 6: decide what a query's scored names amount to.

Each entity keeps its best-scoring name; entities are ranked by the fitted
ranker (`namenorm._rank`); a match's score is its similarity lowered when
another entity comes close (fitted too, see data/ranker.toml); the best is
flagged ambiguous when another entity comes within the margin; nothing scoring
under the cutoff is returned.
"""

from __future__ import annotations

from collections.abc import Iterable

from ._model import Match
from ._rank import FEATURES, Ranker, rank
from ._score import Scored
from ._weights import Weights


def decide(
    query: str,
    scored: Iterable[Scored],
    *,
    score_cutoff: float,
    ambiguity_margin: float,
    limit: int,
    ranker: Ranker,
    weights: Weights,
) -> list[Match]:
    """Rank entities by their best name and turn the best `limit` into Matches.

    Args:
        query: The name as the user gave it.
        scored: Every name scored, any number per entity.
        score_cutoff: Entities scoring less are dropped.
        ambiguity_margin: A match is ambiguous when another entity scores
            within this of it.
        limit: How many matches at most.
        ranker: The fitted ranking weights. Its competition (weight, range)
            sets a match's score: its similarity less weight * max(0, range -
            gap), gap being how far its similarity leads the best other
            entity's (0 if it does not lead), so that a close competitor makes
            it less sure.
        weights: The scoring weights, for the ranking features.
    """
    ranked = rank(best_names(scored), ranker, weights)

    def sureness(item: Scored, runner: Scored | None) -> float:
        return confidence(item.score.score, runner.score.score if runner else None, ranker.competition)

    matches: list[Match] = []
    for position, (item, features) in enumerate(ranked[:limit]):
        runner = ranked[0][0] if position else (ranked[1][0] if len(ranked) > 1 else None)
        score = sureness(item, runner)
        if score < score_cutoff:
            continue
        runner_runner = (ranked[1][0] if len(ranked) > 1 else None) if position else item
        matches.append(
            Match(
                query=query,
                entity=item.entity,
                score=round(score, 4),
                alias=item.alias,
                method=item.score.method,
                ambiguous=runner is not None and abs(runner.score.score - item.score.score) <= ambiguity_margin,
                runner_up=runner.entity if runner else None,
                runner_up_score=round(sureness(runner, runner_runner), 4) if runner else None,
                evidence=tuple((what, round(s, 4)) for what, s in item.score.evidence),
                similarity=round(item.score.score, 4),
                ranking=tuple((name, round(x, 4)) for name, x in zip(FEATURES, features)),
            )
        )
    return matches


def confidence(similarity: float, runner_similarity: float | None, competition: tuple[float, float]) -> float:
    """A match's score: its similarity less weight * max(0, range - gap), gap
    being how far it leads the best other entity's similarity (0 if it does
    not lead: an entity behind another is at most as sure as one in a tie).

    >>> round(confidence(0.95, 0.9, (1.0, 0.15)), 2)
    0.85
    """
    weight, reach = competition
    gap = max(0.0, similarity - (runner_similarity or 0.0))
    return min(1.0, max(0.0, similarity - weight * max(0.0, reach - gap)))


def best_names(scored: Iterable[Scored]) -> list[Scored]:
    """Each entity's best-scoring name; on equal scores an exact spelling,
    the better explanation."""
    best: dict[str, Scored] = {}
    for item in scored:
        held = best.get(item.entity.id)
        if held is None or (item.score.score, item.score.method == "exact") > (
            held.score.score,
            held.score.method == "exact",
        ):
            best[item.entity.id] = item
    return list(best.values())
