//! Stage 6a: rank the entities a query may be, by weights fitted on real data.
//!
//! Each entity, by its best-scoring name, is described by a few features:
//!
//! ```text
//! similarity   the score of its best name (stage 5)
//! leads        1 if no other entity's name scores higher
//! spelling     Damerau-Levenshtein ratio of the romanized forms
//! sound        sound-weighted edit similarity of the forms
//! first_sound  1 if both start with the same sound class
//! log_prior    log(1 + prior)
//! partial      1 if only part of its name matched
//! abjad_spelling, abjad_sound
//!              spelling and sound again when the query is written without
//!              short vowels (Arabic, Hebrew script), 0 otherwise
//! ```
//!
//! An entity's utility is the weighted sum of its features; the weights are
//! those of a conditional logit, fitted on the tune sample of the GeoNames
//! benchmark by bench/fit_ranker.py and shipped in data/ranker.toml, which the
//! Python package reads and passes in (`Ranker`).

use smallvec::SmallVec;

use crate::name_score::NameScore;
use crate::packed::{Name, Word};
use crate::similarity::{ratio, units_similarity, Method, Reading, Weights};

/// The names of the features, in order.
pub const FEATURES: [&str; 9] = [
    "similarity",
    "leads",
    "spelling",
    "sound",
    "first_sound",
    "log_prior",
    "partial",
    "abjad_spelling",
    "abjad_sound",
];

/// One entity's features.
pub type Features = [f64; 9];

/// Fitted ranking weights (data/ranker.toml).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Ranker {
    /// One weight per name in `FEATURES`.
    pub weights: Features,
    /// How many entities at most, those with the most similar names, are
    /// ranked by utility; the rest follow by similarity.
    pub depth: usize,
    /// Only entities whose similarity is within this of the best are ranked
    /// by utility, so that a prior never lifts a name that is far off.
    pub window: f64,
}

impl Ranker {
    /// The weighted sum of a candidate's features, correctly rounded (as
    /// Python's `math.fsum` is, which the weights were fitted with).
    pub fn utility(&self, features: &Features) -> f64 {
        let mut terms: Features = std::array::from_fn(|i| self.weights[i] * features[i]);
        accurate::sum::i_fast_sum_in_place(&mut terms)
    }
}

/// One name of an entity scored against the query (or one reading of it).
#[derive(Clone, Debug)]
pub struct Scored {
    /// The entity (its position in the store).
    pub entity: u32,
    /// The name that was scored (its position in the index).
    pub name: u32,
    pub score: NameScore,
    /// Which query it was scored against: 0 the query, k its reading k - 1.
    pub query: u8,
}

/// A name's words in alphabetical order, joined: romanized, and as sound
/// units; and the first sound of the first. A person's name is compared so,
/// as its parts come in any order ("VAZIRI, Hossein").
fn sorted(name: &Name<'_>) -> (String, Vec<u8>, Option<char>) {
    let mut words: SmallVec<[&Word<'_>; 8]> = name.words.iter().collect();
    words.sort_by(|a, b| a.romanized.cmp(b.romanized));
    let romanized = words.iter().map(|w| w.romanized).collect();
    let units = words.iter().flat_map(|w| w.units.iter().copied()).collect();
    (
        romanized,
        units,
        words.first().and_then(|w| w.sound.chars().next()),
    )
}

/// The ranking features (see `FEATURES`) of one entity's best name
/// (`item`, its entity of this prior, scored as `name` against `query`);
/// a person's (`person`) compared with the words of each in alphabetical
/// order.
pub fn features(
    item: &Scored,
    (query, name): (&Name<'_>, &Name<'_>),
    person: bool,
    prior: f64,
    best_similarity: f64,
    weights: &Weights,
) -> Features {
    let reading = Reading {
        a_abjad: query.abjad,
        b_abjad: name.abjad,
        a_syllabic: query.syllabic,
    };
    let (spelling, sound, first_sound) = if person {
        let ((qr, qu, qs), (nr, nu, ns)) = (sorted(query), sorted(name));
        (
            ratio(&qr, &nr),
            units_similarity(&qu, &nu, weights, reading),
            qs == ns,
        )
    } else {
        (
            ratio(query.romanized, name.romanized),
            units_similarity(query.units, name.units, weights, reading),
            query.sound.chars().next() == name.sound.chars().next(),
        )
    };
    let abjad = f64::from(u8::from(query.abjad));
    let similarity = item.score.score;
    [
        similarity,
        f64::from(u8::from(similarity >= best_similarity)),
        spelling,
        sound,
        f64::from(u8::from(first_sound)),
        prior.ln_1p(),
        f64::from(u8::from(item.score.method == Method::Partial)),
        abjad * spelling,
        abjad * sound,
    ]
}

/// Whether a method says the name is the query's own spelling (as written,
/// normalized or romanized), which outranks any that is only alike.
pub fn is_equal(method: Method) -> bool {
    matches!(
        method,
        Method::Exact | Method::Normalized | Method::Transliterated
    )
}

/// Entities (by their best name) best first, each with its features.
///
/// The most similar (see `Ranker::depth` and `Ranker::window`, of the most
/// similar's kind) are ordered by utility (each by the ranker of its kind,
/// `ranker_of`), after any equal to the query ("Hadrut" is Hadrut, not a
/// bigger Gadrut); the rest follow by similarity without features; ties go
/// to the entity id (`id`). `features_of` describes an item, given the best
/// similarity. Also whether the first is first only by its id (another
/// ranks equal to it).
pub fn rank<'a, 'r>(
    mut best: Vec<Scored>,
    ranker_of: impl Fn(&Scored) -> &'r Ranker,
    id: impl Fn(u32) -> &'a [u8],
    features_of: impl Fn(&Scored, f64) -> Features,
) -> (Vec<(Scored, Option<Features>)>, bool) {
    best.sort_by(|a, b| {
        b.score
            .score
            .total_cmp(&a.score.score)
            .then_with(|| id(a.entity).cmp(id(b.entity)))
    });
    let Some((top, ranker)) = best.first().map(|s| (s.score.score, ranker_of(s))) else {
        return (Vec::new(), false);
    };
    let near = best
        .iter()
        .take(ranker.depth)
        .filter(|s| s.score.score >= top - ranker.window)
        .count();
    let rest = best.split_off(near);
    let mut head: Vec<(Scored, Features, f64)> = best
        .into_iter()
        .map(|s| {
            let f = features_of(&s, top);
            let u = ranker_of(&s).utility(&f);
            (s, f, u)
        })
        .collect();
    head.sort_by(|a, b| {
        (!is_equal(a.0.score.method))
            .cmp(&!is_equal(b.0.score.method))
            .then(b.2.total_cmp(&a.2))
            .then_with(|| id(a.0.entity).cmp(id(b.0.entity)))
    });
    let tied = match (head.first(), head.get(1)) {
        (Some(a), Some(b)) => {
            is_equal(a.0.score.method) == is_equal(b.0.score.method) && a.2 == b.2
        }
        _ => false,
    };
    let ranked = head
        .into_iter()
        .map(|(s, f, _)| (s, Some(f)))
        .chain(rest.into_iter().map(|s| (s, None)))
        .collect();
    (ranked, tied)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utility_is_the_correctly_rounded_sum() {
        let ranker = Ranker {
            weights: [1.0; 9],
            depth: 40,
            window: 0.1,
        };
        let f = [1e16, 1.0, -1e16, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0];
        assert_eq!(ranker.utility(&f), 1.0);
    }
}
