//! Stage 6: decide what a query's scored names amount to.
//!
//! Each entity keeps its best-scoring name; entities are ranked by the
//! fitted ranker (`rank`); a match's score is its similarity lowered when
//! another entity comes close (fitted too, see data/ranker.toml); the best is
//! flagged ambiguous when another entity comes within the margin; nothing
//! scoring under the cutoff is returned; and a best match resolves its name
//! only if it clears the cutoff and is no place named in part (`accepts`).

use rustc_hash::FxHashMap;

use crate::rank::{Features, Ranker, Scored};
use crate::similarity::Method;

/// A match's score: its similarity less weight * max(0, range - gap), gap
/// being how far it leads the best other entity's similarity (0 if it does
/// not lead: an entity behind another is at most as sure as one in a tie).
///
/// ```
/// let score = namenorm_core::decide::confidence(0.95, Some(0.9), (1.0, 0.15));
/// assert!((score - 0.85).abs() < 1e-12);
/// ```
pub fn confidence(similarity: f64, runner_similarity: Option<f64>, competition: (f64, f64)) -> f64 {
    let (weight, reach) = competition;
    let gap = (similarity - runner_similarity.unwrap_or(0.0)).max(0.0);
    (similarity - weight * (reach - gap).max(0.0)).clamp(0.0, 1.0)
}

/// Each entity's best-scoring name; on equal scores an exact spelling, else
/// the first scored.
pub fn best_names(scored: Vec<Scored>) -> Vec<Scored> {
    let mut best: Vec<Scored> = Vec::new();
    let mut at: FxHashMap<u32, usize> = FxHashMap::default();
    for item in scored {
        match at.get(&item.entity) {
            None => {
                at.insert(item.entity, best.len());
                best.push(item);
            }
            Some(&i) => {
                let held = &best[i];
                let better = item.score.score > held.score.score
                    || (item.score.score == held.score.score
                        && item.score.method == Method::Exact
                        && held.score.method != Method::Exact);
                if better {
                    best[i] = item;
                }
            }
        }
    }
    best
}

/// One ranked entity, as `decide` returns it.
#[derive(Clone, Debug)]
pub struct Decided {
    pub item: Scored,
    /// Its score: the similarity, lowered by competition.
    pub score: f64,
    pub ambiguous: bool,
    /// The best other entity, and its own score.
    pub runner_up: Option<(u32, f64)>,
    pub features: Option<Features>,
}

/// The best `limit` of the ranked entities that score at least `cutoff`.
pub fn decide(
    ranked: &[(Scored, Option<Features>)],
    ranker: &Ranker,
    cutoff: f64,
    margin: f64,
    limit: usize,
) -> Vec<Decided> {
    let similarity = |i: usize| ranked[i].0.score.score;
    let mut out = Vec::new();
    for (position, (item, features)) in ranked.iter().enumerate().take(limit) {
        let runner = if position > 0 {
            Some(0)
        } else if ranked.len() > 1 {
            Some(1)
        } else {
            None
        };
        let score = confidence(item.score.score, runner.map(similarity), ranker.competition);
        if score < cutoff {
            continue;
        }
        // The runner-up's own competitor: the best, or the second when the
        // runner-up is the best.
        let runner_runner = if position > 0 {
            (ranked.len() > 1).then_some(1)
        } else {
            Some(position)
        };
        let runner_up = runner.map(|r| {
            let against = runner_runner.map(similarity);
            (
                ranked[r].0.entity,
                confidence(similarity(r), against, ranker.competition),
            )
        });
        out.push(Decided {
            item: item.clone(),
            score,
            ambiguous: runner.is_some_and(|r| (similarity(r) - item.score.score).abs() <= margin),
            runner_up,
            features: *features,
        });
    }
    out
}

/// Python's `round(x, 4)`: the nearest multiple of 0.0001, ties to even on
/// the exact binary value (Rust's formatting rounds the same way).
pub fn round4(x: f64) -> f64 {
    format!("{x:.4}").parse().unwrap_or(x)
}

/// Whether a best candidate resolves its name by itself: its score (as a
/// `Match` shows it, to 4 places) reaches the cutoff, and it is not an
/// entity other than a person matched only in part or with words its name
/// lacks (method "partial": "Union" is not the Soviet Union), which
/// candidates rank but nothing settles.
pub fn accepts(score: f64, method: Method, person: bool, cutoff: f64) -> bool {
    round4(score) >= cutoff && (person || method != Method::Partial)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_is_pythons() {
        assert_eq!(round4(0.03125), 0.0312);
        assert_eq!(round4(0.61995), 0.62);
        assert_eq!(round4(0.12345), 0.1235);
        assert!(accepts(0.61996, Method::Phonetic, false, 0.62));
        assert!(!accepts(0.9, Method::Partial, false, 0.62));
        assert!(accepts(0.9, Method::Partial, true, 0.62));
    }
}
