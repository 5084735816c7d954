//! Stage 6b: how likely a ranked entity is the one meant.
//!
//! A match's score is a probability: that the entity is the one the query
//! names, given that the gazetteer holds the one it names. It is a logistic
//! function of a few facts about the match:
//!
//! ```text
//! similarity   the score of its best name (stage 5)
//! gap          how far it leads the best other entity's similarity
//!              (negative when it trails), counted up to GAP_RANGE: a
//!              lead lifts a match out of a crowd, but no lead makes a
//!              name that is far off a likely one
//! clear        similarity times the share of GAP_RANGE that the gap
//!              fills: how alike a name is counts for more when nothing
//!              else comes close
//! first        1 if the ranker puts it first (`rank`), and not only by its
//!              id (a tie is no lead): the ranker weighs
//!              spelling, sound and prior against the other candidates,
//!              which the facts here do not
//! crowd        log(1 + how many other entities come within CROWD_RANGE
//!              of its similarity)
//! equal, phonetic, fuzzy, partial
//!              1 if it matched by that method (equal: as written,
//!              normalized or romanized)
//! letters      log of the query's length, in characters once normalized
//! other_script 1 if the query is not written in Latin letters
//! abjad        1 if it is written without short vowels (Arabic, Hebrew)
//! left_out     of a person or an organisation: how many parts of either
//!              name that say who it is have no counterpart in the other
//! info         how much the parts that agree say of which one it is (the
//!              sum of their inverse document frequencies among the
//!              gazetteer's people and organisations, each in [0, 1])
//! info_left_out  how much the parts left out say
//! prior_lead   log10 of how many times its prior (plus one) is the best
//!              other entity's (spelled otherwise: its namesakes share its
//!              probability instead, see `decide`), within +-PRIOR_RANGE;
//!              0 if there is none, or it is of another kind, or either
//!              prior is 0 (none recorded). A name written exactly as a city of
//!              millions, its nearest rival a town, means the city
//! sole_equal   1 if it matched as written (equal: as written, normalized
//!              or romanized) and no other entity but its namesakes did
//! ```
//! (left_out, info and info_left_out are 0 for places and other kinds.)
//!
//! Each kind compared apart (places and others, people, organisations:
//! `score::Kind`) has weights of its own.
//!
//! Not the ranker's spelling, sound and prior: they order the candidates
//! of one gazetteer, but fitted on 34,000 cities they would say that a
//! name far off, alone in a small gazetteer, or a country's population,
//! makes a match likely; the prior counts only against the rival's.
//!
//! The weights are fitted by bench/fit_trust.py, of places on the tune
//! sample of the GeoNames benchmark, of people and organisations on that of
//! the OFAC benchmark (bench/people.py), and shipped in
//! data/calibration.toml, which the Python package reads and passes in
//! (`Calibration`).

use crate::name_score::Parts;
use crate::similarity::Method;

/// The names of the facts, in order.
pub const FACTS: [&str; 17] = [
    "similarity",
    "gap",
    "clear",
    "first",
    "crowd",
    "equal",
    "phonetic",
    "fuzzy",
    "partial",
    "letters",
    "other_script",
    "abjad",
    "left_out",
    "info",
    "info_left_out",
    "prior_lead",
    "sole_equal",
];

/// Where `FACTS` holds "info" and "info_left_out" (read by
/// `decide::settles_in_part`).
pub const INFO: usize = 13;
pub const INFO_LEFT_OUT: usize = 14;

/// One entity's facts.
pub type Facts = [f64; 17];

/// Another entity crowds a match when its similarity is within this of the
/// match's.
pub const CROWD_RANGE: f64 = 0.05;

/// A lead over the best other entity counts up to this.
pub const GAP_RANGE: f64 = 0.15;

/// A prior's lead over the best other entity's counts up to this many
/// powers of ten, either way.
pub const PRIOR_RANGE: f64 = 3.0;

/// Fitted weights of the probability (data/calibration.toml).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Calibration {
    pub intercept: f64,
    /// One weight per name in `FACTS`.
    pub weights: Facts,
}

impl Calibration {
    /// The probability that a match of these facts is right.
    ///
    /// ```
    /// use namenorm_core::calibrate::Calibration;
    /// let c = Calibration { intercept: 0.0, weights: [0.0; 17] };
    /// assert_eq!(c.probability(&[1.0; 17]), 0.5);
    /// ```
    pub fn probability(&self, facts: &Facts) -> f64 {
        let z: f64 = self.intercept
            + self
                .weights
                .iter()
                .zip(facts)
                .map(|(w, x)| w * x)
                .sum::<f64>();
        1.0 / (1.0 + (-z).exp())
    }
}

/// What the facts need of the query itself.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct QueryShape {
    /// Characters of the normalized query.
    pub length: usize,
    /// Not written in Latin letters (its romanized form differs).
    pub other_script: bool,
    /// Written without short vowels.
    pub abjad: bool,
}

/// The facts of a match of `similarity` by `method`, ranked first or not,
/// with what its `parts` say, when the best other entity's similarity is
/// `best_other` (0 if none) and `crowd` others come within `CROWD_RANGE` of
/// it, and its prior and the best other's (`priors`, None if none), and
/// whether it is the only entity (with its namesakes) that matched as
/// written (`sole_equal`).
pub fn facts(
    (similarity, method, first, parts): (f64, Method, bool, Parts),
    (best_other, crowd, sole_equal): (f64, usize, bool),
    priors: Option<(f64, f64)>,
    query: QueryShape,
) -> Facts {
    let flag = |b: bool| f64::from(u8::from(b));
    let gap = (similarity - best_other).min(GAP_RANGE);
    [
        similarity,
        gap,
        similarity * gap.max(0.0) / GAP_RANGE,
        flag(first),
        (crowd as f64).ln_1p(),
        flag(matches!(
            method,
            Method::Exact | Method::Normalized | Method::Transliterated
        )),
        flag(method == Method::Phonetic),
        flag(method == Method::Fuzzy),
        flag(method == Method::Partial),
        (query.length.max(1) as f64).ln(),
        flag(query.other_script),
        flag(query.abjad),
        f64::from(parts.left_out),
        parts.info,
        parts.info_left_out,
        priors.map_or(0.0, |(own, other)| {
            ((own + 1.0).log10() - (other + 1.0).log10()).clamp(-PRIOR_RANGE, PRIOR_RANGE)
        }),
        flag(sole_equal),
    ]
}

/// Whether every letter of `text` is a Latin one (Basic Latin to Latin
/// Extended-B, and Latin Extended Additional).
pub fn is_latin(text: &str) -> bool {
    text.chars()
        .filter(|c| c.is_alphabetic())
        .all(|c| c <= '\u{024F}' || ('\u{1E00}'..='\u{1EFF}').contains(&c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_of_a_crowded_match() {
        let shape = QueryShape {
            length: 6,
            other_script: true,
            abjad: false,
        };
        let f = facts(
            (0.9, Method::Fuzzy, true, Parts::default()),
            (0.88, 2, false), // of 0.88, 0.5, 0.86
            Some((99_999.0, 99.0)),
            shape,
        );
        assert!((f[1] - 0.02).abs() < 1e-12);
        assert!((f[2] - 0.9 * 0.02 / GAP_RANGE).abs() < 1e-12);
        assert_eq!(f[3], 1.0);
        assert!((f[4] - 3f64.ln()).abs() < 1e-12);
        assert_eq!(&f[5..9], &[0.0, 0.0, 1.0, 0.0]);
        assert_eq!(f[9], 6f64.ln());
        assert_eq!(&f[10..15], &[1.0, 0.0, 0.0, 0.0, 0.0]);
        assert!((f[15] - 3.0).abs() < 1e-12);
        assert_eq!(f[16], 0.0);
        let alone = facts(
            (0.9, Method::Exact, false, Parts::default()),
            (0.0, 0, true),
            None,
            shape,
        );
        assert_eq!((alone[15], alone[16]), (0.0, 1.0));
        assert_eq!(
            (alone[1], alone[3], alone[4], alone[5]),
            (GAP_RANGE, 0.0, 0.0, 1.0)
        );
        assert!((alone[2] - 0.9).abs() < 1e-12);
    }

    #[test]
    fn latin() {
        assert!(is_latin("küçükçekmece 2"));
        assert!(is_latin("Ho Chi Minh, Hồ"));
        assert!(!is_latin("Гадрут"));
        assert!(!is_latin("Hadrut Գ"));
    }

    #[test]
    fn probability_is_logistic() {
        let mut weights = [0.0; 17];
        weights[0] = 2.0;
        let c = Calibration {
            intercept: -1.0,
            weights,
        };
        let mut f = [0.0; 17];
        f[0] = 0.5;
        assert!((c.probability(&f) - 0.5).abs() < 1e-12);
        f[0] = 1.0;
        assert!((c.probability(&f) - 1.0 / (1.0 + (-1f64).exp())).abs() < 1e-12);
    }
}
