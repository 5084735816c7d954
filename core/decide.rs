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
use crate::rank::{is_equal, Features, Scored};
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

/// What `decide` needs to know of a ranked entity besides its name's
/// score: the calibration of its kind, its kind, its prior, and a hash of
/// its best name as romanized (`spelled`: namesakes share it).
#[derive(Clone, Copy, Debug)]
pub struct Standing<'c> {
    pub calibration: &'c Calibration,
    pub kind: Kind,
    pub prior: f64,
    pub spelled: u64,
}

/// The ranked entities (`rank::rank`) with their scores (scaled down to add
/// up to 1 at most, when they add up to more), best score first
/// (in ranked order on equal scores): the best `limit` of those scoring at
/// least `cutoff`. `standing_of` is an entity's calibration, kind and prior;
/// `features_of` describes an entity the ranker did not; `tied`: the first
/// is first only by its id.
///
/// Namesakes, entities of one kind whose best names are spelled the same
/// once romanized ("İstanbul", "Istanbul", "Стамбул"), and whose priors differ (Paris, France and Paris, Texas, asked "Paris"), are
/// one candidate to the facts, and the probability of that candidate is
/// shared among them by their priors: the name alone says no more than
/// that one of them is meant, and the most prominent is the most often
/// meant. The best of them is not ambiguous for the others when its prior
/// is `config::NAMESAKE_LEAD` times theirs.
pub fn decide<'c>(
    (ranked, tied): (Vec<(Scored, Option<Features>)>, bool),
    standing_of: impl Fn(&Scored) -> Standing<'c>,
    query: QueryShape,
    (cutoff, margin, limit): (f64, f64, usize),
    features_of: impl Fn(&Scored) -> Features,
) -> Vec<Decided> {
    let standings: Vec<Standing<'c>> = ranked.iter().map(|(s, _)| standing_of(s)).collect();
    let namesakes = namesakes(&ranked, &standings);
    // The entities by similarity, highest first: each entity's best other
    // (its rival) and its crowd are read off them.
    let similarity = |i: usize| ranked[i].0.score.score;
    let mut order: Vec<usize> = (0..ranked.len()).collect();
    order.sort_by(|&a, &b| similarity(b).total_cmp(&similarity(a)));
    let similarities: Vec<f64> = order.iter().map(|&i| similarity(i)).collect();
    let same_group = |i: usize, j: usize| {
        i == j || matches!((namesakes[i], namesakes[j]), (Some(a), Some(b)) if a.first == b.first)
    };
    // The members of each group.
    let mut members: FxHashMap<usize, Vec<usize>> = FxHashMap::default();
    for (i, group) in namesakes.iter().enumerate() {
        if let Some(g) = group {
            members.entry(g.first).or_default().push(i);
        }
    }
    // How many entities matched as written, in all and in each group.
    let mut equal = 0;
    let mut equal_in: FxHashMap<usize, usize> = FxHashMap::default();
    for (i, (item, _)) in ranked.iter().enumerate() {
        let counted = usize::from(is_equal(item.score.method));
        equal += counted;
        if let Some(g) = namesakes[i] {
            *equal_in.entry(g.first).or_insert(0) += counted;
        }
    }
    let mut scored: Vec<(usize, f64, Facts)> = ranked
        .iter()
        .enumerate()
        .map(|(i, (item, _))| {
            let s = item.score.score;
            // Itself and its namesakes count as one: its rival is the best
            // entity outside its group, its crowd the others near it.
            let rival = order.iter().copied().find(|&j| !same_group(i, j));
            let near = similarities.partition_point(|&o| o >= s - CROWD_RANGE);
            // Those near it of its own group: itself, and its namesakes near it.
            let own = match namesakes[i] {
                None => 1,
                Some(g) => members[&g.first]
                    .iter()
                    .filter(|&&j| similarity(j) >= s - CROWD_RANGE)
                    .count(),
            };
            let first = i == 0 && !tied;
            let own_equal = namesakes[i].map_or(1, |g| equal_in[&g.first]);
            let sole_equal = is_equal(item.score.method) && equal == own_equal;
            let f = facts(
                (s, item.score.method, first, item.score.parts),
                (
                    rival.map_or(0.0, similarity),
                    near.saturating_sub(own),
                    sole_equal,
                ),
                rival
                    .filter(|&j| comparable(&standings[i], &standings[j]))
                    .map(|j| (standings[i].prior, standings[j].prior)),
                query,
            );
            (i, standings[i].calibration.probability(&f), f)
        })
        .collect();
    // Namesakes share the probability of the best of them by their priors.
    let mut mass: FxHashMap<usize, f64> = FxHashMap::default();
    for (i, p, _) in &scored {
        if let Some(g) = namesakes[*i] {
            let held = mass.entry(g.first).or_insert(0.0);
            *held = held.max(*p);
        }
    }
    for (i, p, _) in &mut scored {
        if let Some(g) = namesakes[*i] {
            *p = mass[&g.first] * share(standings[*i].prior) / g.shares;
        }
    }
    // One name means one entity: the chances of all cannot add up to more
    // than 1 (two exact namesakes are a coin toss each, not two sure things).
    let total: f64 = scored.iter().map(|s| s.1).sum();
    if total > 1.0 {
        scored.iter_mut().for_each(|s| s.1 /= total);
    }
    scored.sort_by(|a, b| b.1.total_cmp(&a.1)); // stable: ranked order on ties
    let runner = |position: usize| usize::from(position == 0);
    // Whether ranked entity `i` outweighs its namesake `j` by its prior.
    let outweighs = |i: usize, j: Option<usize>| {
        j.is_some_and(|j| {
            matches!((namesakes[i], namesakes[j]), (Some(a), Some(b)) if a.first == b.first)
                && share(standings[i].prior) >= config::NAMESAKE_LEAD * share(standings[j].prior)
        })
    };
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
            ambiguous: other.is_some_and(|(o, _)| {
                (o.score.score - item.score.score).abs() <= margin
                    && !outweighs(i, ranked.iter().position(|(r, _)| r.entity == o.entity))
            }),
            runner_up: other.map(|(o, s)| (o.entity, s)),
            // Described only for the few returned.
            features: features.unwrap_or_else(|| features_of(item)),
            facts,
        });
    }
    out
}

/// Whether two entities' priors say which is the more prominent: of one
/// kind, both known (a prior of 0 is none recorded; a person's is not a
/// place's).
fn comparable(a: &Standing<'_>, b: &Standing<'_>) -> bool {
    a.kind == b.kind && a.prior > 0.0 && b.prior > 0.0
}

/// A group of namesakes (see `decide`): its first member in ranked order,
/// how many members it has, and the sum of their shares.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Namesakes {
    first: usize,
    members: usize,
    shares: f64,
}

/// An entity's weight among its namesakes: its prior (one more, so that a
/// place of no recorded people keeps a share).
fn share(prior: f64) -> f64 {
    prior + 1.0
}

/// The namesakes group of each ranked entity, if it has one: entities of
/// one kind whose best names are spelled the same once romanized, when
/// their priors differ (of equal
/// priors, the facts weigh them as before: gap and crowd).
fn namesakes(
    ranked: &[(Scored, Option<Features>)],
    standings: &[Standing<'_>],
) -> Vec<Option<Namesakes>> {
    let mut groups: FxHashMap<(Kind, u64), Vec<usize>> = FxHashMap::default();
    for (i, standing) in standings.iter().enumerate() {
        groups
            .entry((standing.kind, standing.spelled))
            .or_default()
            .push(i);
    }
    let mut out = vec![None; ranked.len()];
    for members in groups.values() {
        let priors = || members.iter().map(|&i| standings[i].prior);
        let differ = priors().any(|p| p != standings[members[0]].prior);
        if members.len() < 2 || !differ {
            continue;
        }
        let group = Namesakes {
            first: members[0],
            members: members.len(),
            shares: priors().map(share).sum(),
        };
        for &i in members {
            out[i] = Some(group);
        }
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
    use crate::name_score::NameScore;

    fn ranked(names: &[(u32, f64, Method)]) -> Vec<(Scored, Option<Features>)> {
        names
            .iter()
            .map(|&(entity, score, method)| {
                let item = Scored {
                    entity,
                    name: entity,
                    score: NameScore::plain(score, method),
                    query: 0,
                };
                (item, None)
            })
            .collect()
    }

    fn decided(names: &[(u32, f64, Method)], priors: &[(f64, u64)]) -> Vec<Decided> {
        let calibration = Calibration {
            intercept: -2.0,
            weights: std::array::from_fn(|i| [4.0, 12.0][..].get(i).copied().unwrap_or(0.0)),
        };
        let shape = QueryShape {
            length: 5,
            other_script: false,
            abjad: false,
        };
        decide(
            (ranked(names), false),
            |item| Standing {
                calibration: &calibration,
                kind: Kind::Other,
                prior: priors[item.entity as usize].0,
                spelled: priors[item.entity as usize].1,
            },
            shape,
            (0.0, config::AMBIGUITY_MARGIN, 10),
            |_| [0.0; 9],
        )
    }

    #[test]
    fn namesakes_share_by_prior() {
        // "Paris": Paris, France (2.1 M), Paris, Texas (25,000), and Bari
        // (a rival spelled otherwise, 0.7).
        let names = [
            (0, 1.0, Method::Exact),
            (1, 1.0, Method::Exact),
            (2, 0.7, Method::Phonetic),
        ];
        let priors = [(2_100_000.0, 7), (25_000.0, 7), (300_000.0, 9)];
        let found = decided(&names, &priors);
        let (paris, texas) = (
            &found[0],
            found.iter().find(|d| d.item.entity == 1).unwrap(),
        );
        assert_eq!(paris.item.entity, 0);
        assert_eq!(
            paris.runner_up.map(|r| r.0),
            Some(2),
            "Bari outscores Paris, Texas"
        );
        assert!(!paris.ambiguous, "a tenfold prior settles namesakes");
        assert!((paris.score / texas.score - 2_100_001.0 / 25_001.0).abs() < 1e-6);
        // As one, they lead Bari by 0.3: the probability of that lead.
        let alone = decided(&[names[0], names[2]], &priors);
        let shared = 2_100_001.0 / (2_100_001.0 + 25_001.0);
        assert!((paris.score - alone[0].score * shared).abs() < 1e-9);
        // Of equal priors, or spelled otherwise, a tie is a coin toss.
        for priors in [
            [(1.0, 7), (1.0, 7), (1.0, 9)],
            [(2_100_000.0, 7), (25_000.0, 8), (1.0, 9)],
        ] {
            let found = decided(&names, &priors);
            assert!(found[0].ambiguous && found[0].item.entity == 0);
            let texas = found.iter().find(|d| d.item.entity == 1).unwrap();
            assert!((found[0].score - texas.score).abs() < 1e-9);
        }
        // Of close priors, the bigger leads but stays ambiguous (Springfield).
        let found = decided(&names, &[(170_000.0, 7), (154_000.0, 7), (1.0, 9)]);
        let texas = found.iter().find(|d| d.item.entity == 1).unwrap();
        assert!(
            found[0].ambiguous && found[0].score > texas.score,
            "{found:?}"
        );
    }

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
