//! Stage 6: decide what a query's scored names amount to.
//!
//! Each entity keeps its best-scoring name; entities are ranked by the
//! fitted ranker (`rank`); each gets its score, the probability that it is
//! the one meant (`calibrate`), and they are listed in the order of their
//! scores; the best is flagged ambiguous when another entity's similarity
//! comes within the margin; nothing scoring under the cutoff is returned;
//! and a best match resolves its name only if it clears the cutoff, its
//! false-match rate is low enough (`false_match`), and it is no place named
//! in part (`accepts`).

use rustc_hash::FxHashMap;

use crate::calibrate::{facts, Calibration, Facts, QueryShape, CROWD_RANGE, INFO, INFO_LEFT_OUT};
use crate::config;
use crate::rank::{Features, Scored};
use crate::score::Kind;
use crate::similarity::Method;

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
    /// Its score: the probability that it is the entity meant.
    pub score: f64,
    pub ambiguous: bool,
    /// The best other entity, and its own score.
    pub runner_up: Option<(u32, f64)>,
    pub features: Features,
    /// What its score was computed from (`calibrate::FACTS`).
    pub facts: Facts,
}

/// The ranked entities (`rank::rank`) with their scores (scaled down to add
/// up to 1 at most, when they add up to more), best score first
/// (in ranked order on equal scores): the best `limit` of those scoring at
/// least `cutoff`. `calibration_of` is the calibration of an entity's kind;
/// `features_of` describes an entity the ranker did not; `tied`: the first
/// is first only by its id.
pub fn decide<'c>(
    (ranked, tied): (Vec<(Scored, Option<Features>)>, bool),
    calibration_of: impl Fn(&Scored) -> &'c Calibration,
    query: QueryShape,
    (cutoff, margin, limit): (f64, f64, usize),
    features_of: impl Fn(&Scored) -> Features,
) -> Vec<Decided> {
    // The similarities, highest first: each entity's best other and its
    // crowd are read off them.
    let mut similarities: Vec<f64> = ranked.iter().map(|(s, _)| s.score.score).collect();
    similarities.sort_by(|a, b| b.total_cmp(a));
    let mut scored: Vec<(usize, f64, Facts)> = ranked
        .iter()
        .enumerate()
        .map(|(i, (item, _))| {
            let s = item.score.score;
            let best_other = match similarities.first() {
                Some(&top) if top == s => similarities.get(1).copied(),
                top => top.copied(),
            };
            // Itself among them, so one less.
            let crowd = similarities.partition_point(|&o| o >= s - CROWD_RANGE) - 1;
            let first = i == 0 && !tied;
            let f = facts(
                (s, item.score.method, first, item.score.parts),
                (best_other.unwrap_or(0.0), crowd),
                query,
            );
            (i, calibration_of(item).probability(&f), f)
        })
        .collect();
    // One name means one entity: the chances of all cannot add up to more
    // than 1 (two exact namesakes are a coin toss each, not two sure things).
    let total: f64 = scored.iter().map(|s| s.1).sum();
    if total > 1.0 {
        scored.iter_mut().for_each(|s| s.1 /= total);
    }
    scored.sort_by(|a, b| b.1.total_cmp(&a.1)); // stable: ranked order on ties
    let runner = |position: usize| usize::from(position == 0);
    let mut out = Vec::new();
    for position in 0..scored.len().min(limit) {
        let (i, score, facts) = scored[position];
        if score < cutoff {
            break;
        }
        let (item, features) = &ranked[i];
        let other = scored
            .get(runner(position))
            .map(|&(j, s, _)| (&ranked[j].0, s));
        out.push(Decided {
            item: item.clone(),
            score,
            ambiguous: other
                .is_some_and(|(o, _)| (o.score.score - item.score.score).abs() <= margin),
            runner_up: other.map(|(o, s)| (o.entity, s)),
            // Described only for the few returned.
            features: features.unwrap_or_else(|| features_of(item)),
            facts,
        });
    }
    out
}

/// Python's `round(x, 4)`: the nearest multiple of 0.0001, ties to even on
/// the exact binary value (Rust's formatting rounds the same way).
pub fn round4(x: f64) -> f64 {
    format!("{x:.4}").parse().unwrap_or(x)
}

/// Whether a candidate of an entity of `kind` matched in part may settle
/// its name all the same: a person's (the scoring asks for a surname and a
/// given name, and lowers the score by what is left out), or an
/// organisation's whose words that agree say twice as much as those left
/// out, of either name (`calibrate::FACTS` "info" and "info_left_out"): never
/// "Council" or "United Nations" for the United Nations Security Council.
/// Never a place's: "Union" is not the Soviet Union.
pub fn settles_in_part(kind: Kind, facts: &Facts) -> bool {
    match kind {
        Kind::Person => true,
        Kind::Org => facts[INFO] > 2.0 * facts[INFO_LEFT_OUT],
        Kind::Other => false,
    }
}

/// Whether a best candidate resolves its name by itself: its score (as a
/// `Match` shows it, to 4 places) reaches the cutoff, its similarity
/// reaches `config::MIN_SIMILARITY`, a name that is not in
/// the gazetteer reaches it at most `max_false_match` of the time (its
/// false-match rate, `false_match`), and it is not a place (or another
/// entity but a person or an organisation, which are named in part all the
/// time: `in_part`) matched only in part or with words its name lacks
/// (method "partial": "Union" is not the Soviet Union), which candidates
/// rank but nothing settles.
pub fn accepts(form: (f64, f64, f64), method: Method, in_part: bool, bar: (f64, f64)) -> bool {
    refusals(form, method, in_part, bar).next().is_none()
}

/// A condition of `accepts` that a best candidate fails, with the figures
/// that fail it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Refusal {
    /// Its score (as a `Match` shows it) and the cutoff.
    Score(f64, f64),
    /// Its similarity, below `config::MIN_SIMILARITY`.
    Similarity(f64),
    /// Its false-match rate and the most that is accepted.
    FalseMatch(f64, f64),
    /// Matched only in part, which does not settle it.
    Partial,
}

impl Refusal {
    /// The condition in words.
    pub fn describe(&self) -> String {
        match *self {
            Refusal::Score(score, cutoff) => format!("score {score:.4} is below the cutoff {cutoff}"),
            Refusal::Similarity(similarity) => {
                format!("similarity {similarity:.4} is below {}", config::MIN_SIMILARITY)
            }
            Refusal::FalseMatch(rate, most) => format!(
                "a name not in the gazetteer scores this high {rate:.4} of the time, more than {most}"
            ),
            Refusal::Partial => "matched only in part, which does not settle it".to_owned(),
        }
    }
}

/// Why `accepts` refuses a best candidate: each condition it fails (none
/// if it accepts), found without allocating (`accepts` runs on every
/// query and every background name).
pub fn refusals(
    (score, false_match, similarity): (f64, f64, f64),
    method: Method,
    in_part: bool,
    (cutoff, max_false_match): (f64, f64),
) -> impl Iterator<Item = Refusal> {
    let (score, similarity) = (round4(score), round4(similarity));
    [
        (score < cutoff).then_some(Refusal::Score(score, cutoff)),
        (similarity < config::MIN_SIMILARITY).then_some(Refusal::Similarity(similarity)),
        (false_match > max_false_match)
            .then_some(Refusal::FalseMatch(false_match, max_false_match)),
        (!in_part && method == Method::Partial).then_some(Refusal::Partial),
    ]
    .into_iter()
    .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_is_pythons() {
        assert_eq!(round4(0.03125), 0.0312);
        assert_eq!(round4(0.61995), 0.62);
        assert_eq!(round4(0.12345), 0.1235);
        let at = (0.62, 0.05);
        assert!(accepts((0.61996, 0.0, 0.7), Method::Phonetic, false, at));
        assert!(!accepts((0.9, 0.06, 0.7), Method::Phonetic, false, at));
        assert!(!accepts((0.9, 0.0, 0.59), Method::Phonetic, false, at));
        assert!(!accepts((0.9, 0.0, 0.7), Method::Partial, false, at));
        assert!(accepts((0.9, 0.05, 0.7), Method::Partial, true, at));
        let why: Vec<Refusal> = refusals((0.5, 0.2, 0.6), Method::Partial, false, at).collect();
        assert_eq!(why.len(), 4, "{why:?}");
        assert!(why[0]
            .describe()
            .starts_with("score 0.5000 is below the cutoff 0.62"));
    }
}
