//! How often a name that is *not* in a gazetteer scores at least so high
//! against it: a score's false-match rate on that gazetteer.
//!
//! Like BLAST's E-value, which depends on the size of the database searched,
//! this depends on the gazetteer: 45 entities leave a name that is not
//! among them little to match, 34,000 cities a great deal. So it is measured
//! on each gazetteer, by resolving a background of real names (data/
//! background.tsv.gz, made by tools/make_background.py: GeoNames places by
//! their other names and scripts, and people's names from Faker's per-locale
//! lists), leaving out those the gazetteer holds: a name it spells as one
//! of its own (method exact, normalized or transliterated), or a place whose
//! GeoNames name it spells. Each part of the background (places and people,
//! in Latin letters and in other scripts) keeps its curve: the share of it
//! whose best candidate, one `resolve` could return, scores at least so
//! much. A query's rate is the higher of the two curves of its script:
//! whether it names a place or a person, a name that is not in the
//! gazetteer is falsely matched no more often than that.
//!
//! A resolver measures its gazetteer once, when first asked, on every core
//! (seconds on 34,000 cities), and a compiled index carries what was
//! measured with the settings it was compiled with.

use std::io::Read;
use std::sync::LazyLock;

use rayon::prelude::*;

use crate::calibrate::is_latin;
use crate::decide::accepts;
use crate::keys::name_keys;
use crate::rank::is_equal;
use crate::resolve::{Query, Resolver};

const BACKGROUND: &[u8] = include_bytes!("../namenorm/data/background.tsv.gz");

/// One background name: its text, the name of what it names, and whether
/// that is a person (else a place).
pub struct Background {
    pub name: String,
    pub what: String,
    pub person: bool,
    /// Not written in Latin letters (`calibrate::is_latin`).
    pub other_script: bool,
}

/// The background, as data/background.tsv.gz has it.
pub static NAMES: LazyLock<Vec<Background>> = LazyLock::new(|| {
    let mut text = String::new();
    flate2::read::GzDecoder::new(BACKGROUND)
        .read_to_string(&mut text)
        .unwrap_or_else(|e| panic!("namenorm/data/background.tsv.gz: {e}"));
    text.lines()
        .filter_map(|l| {
            let mut fields = l.split('\t');
            let (name, what, kind) = (fields.next()?, fields.next()?, fields.next()?);
            Some(Background {
                name: name.to_owned(),
                what: what.to_owned(),
                person: kind == "person",
                other_script: !is_latin(name),
            })
        })
        .collect()
});

/// A fingerprint of the background, for what a compiled index carries.
pub fn background_fingerprint() -> u64 {
    xxhash_rust::xxh3::xxh3_64(BACKGROUND)
}

/// What one part of the background scored.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Curve {
    /// The best score of each name that scored above 0, highest first.
    scores: Vec<f64>,
    /// How many names were resolved (those the gazetteer lacks).
    names: usize,
}

impl Curve {
    /// From the best scores of `names` names (any order; only those above
    /// 0 need be given).
    pub fn new(mut scores: Vec<f64>, names: usize) -> Curve {
        scores.retain(|s| *s > 0.0);
        scores.sort_by(|a, b| b.total_cmp(a));
        Curve { scores, names }
    }

    /// The share of the names that score `score` or more (0 when none was
    /// measured).
    ///
    /// ```
    /// use namenorm_core::false_match::Curve;
    /// let c = Curve::new(vec![0.9, 0.5, 0.7], 10);
    /// assert_eq!((c.rate(0.7), c.rate(0.71), c.rate(0.95)), (0.2, 0.1, 0.0));
    /// ```
    pub fn rate(&self, score: f64) -> f64 {
        if self.names == 0 {
            return 0.0;
        }
        self.scores.partition_point(|&s| s >= score) as f64 / self.names as f64
    }

    /// The lowest score whose rate is at most `rate`.
    pub fn score_at(&self, rate: f64) -> f64 {
        let allowed = (rate * self.names as f64 + 1e-9).floor() as usize;
        match self.scores.get(allowed) {
            // Above the first score not allowed (and any tied with it).
            Some(&s) => f64::from_bits(s.to_bits() + 1).min(1.0),
            None => 0.0,
        }
    }

    /// The best scores, highest first.
    pub fn scores(&self) -> &[f64] {
        &self.scores
    }

    /// How many names were measured.
    pub fn names(&self) -> usize {
        self.names
    }
}

/// What a gazetteer's background scored: a curve for each part, places and
/// people, each in Latin letters and in other scripts (`FalseMatches::part`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FalseMatches {
    pub curves: [Curve; 4],
}

impl FalseMatches {
    /// Which curve holds a name of a person or a place, in other scripts
    /// than Latin or not.
    pub fn part(person: bool, other_script: bool) -> usize {
        2 * usize::from(person) + usize::from(other_script)
    }

    /// The false-match rate of `score` for a query of that script: the
    /// higher of the places' and the people's rates.
    pub fn rate(&self, score: f64, other_script: bool) -> f64 {
        [false, true]
            .iter()
            .map(|&person| self.curves[Self::part(person, other_script)].rate(score))
            .fold(0.0, f64::max)
    }

    /// The lowest score whose rate (`rate`) is at most `rate`.
    pub fn score_at(&self, rate: f64, other_script: bool) -> f64 {
        [false, true]
            .iter()
            .map(|&person| self.curves[Self::part(person, other_script)].score_at(rate))
            .fold(0.0, f64::max)
    }
}

/// The best score of a background name (one the resolver could return), or
/// None if the gazetteer holds it.
fn best_score(resolver: &Resolver, b: &Background) -> Option<f64> {
    if resolver.store.has_romanized(&name_keys(&b.what).core()) {
        return None;
    }
    let found = resolver.ranked(&Query::best(&b.name, None)).ok()?;
    match found.first() {
        Some(c) if is_equal(c.method) => None,
        // What `resolve` could return at any cutoff and rate; else nothing.
        Some(c) => {
            let form = (c.score, 0.0, c.similarity);
            let any = accepts(form, c.method, resolver.is_person(c.entity), (0.0, 1.0));
            Some(if any { c.score } else { 0.0 })
        }
        None => Some(0.0),
    }
}

/// Resolve the background against `resolver`'s gazetteer, on every core.
pub fn measure(resolver: &Resolver) -> FalseMatches {
    let scored: Vec<(usize, f64)> = NAMES
        .par_iter()
        .filter_map(|b| {
            let part = FalseMatches::part(b.person, b.other_script);
            best_score(resolver, b).map(|s| (part, s))
        })
        .collect();
    let curves = std::array::from_fn(|part| {
        let scores: Vec<f64> = scored
            .iter()
            .filter(|(p, _)| *p == part)
            .map(|(_, s)| *s)
            .collect();
        let names = scores.len();
        Curve::new(scores, names)
    });
    FalseMatches { curves }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packed::Packed;

    #[test]
    fn background_is_real_names() {
        assert!(NAMES.len() >= 1000);
        assert!(NAMES
            .iter()
            .all(|b| !b.name.is_empty() && !b.what.is_empty()));
        let keyed = NAMES
            .iter()
            .filter(|b| !Packed::of(&name_keys(&b.name)).name().words.is_empty())
            .count();
        assert_eq!(keyed, NAMES.len(), "every background name has letters");
        for person in [false, true] {
            for other in [false, true] {
                let part = NAMES
                    .iter()
                    .filter(|b| b.person == person && b.other_script == other)
                    .count();
                assert!(
                    part >= 300,
                    "{part} names of person={person}, other script={other}"
                );
            }
        }
    }

    #[test]
    fn rates() {
        let c = Curve::new(vec![0.0, 0.9, 0.8, 0.8, 0.3], 5);
        assert_eq!(c.scores(), &[0.9, 0.8, 0.8, 0.3]);
        assert_eq!(c.rate(0.8), 0.6);
        assert_eq!(c.rate(0.0), 0.8);
        assert!(c.score_at(0.2) > 0.8 && c.score_at(0.2) < 0.8 + 1e-12);
        assert!(c.rate(c.score_at(0.2)) <= 0.2);
        assert_eq!(c.score_at(0.8), 0.0);
        assert_eq!(Curve::new(vec![], 0).rate(0.5), 0.0);
        let mut m = FalseMatches::default();
        m.curves[FalseMatches::part(false, true)] = Curve::new(vec![0.9], 10);
        m.curves[FalseMatches::part(true, true)] = Curve::new(vec![0.9, 0.85], 10);
        assert_eq!(m.rate(0.85, true), 0.2);
        assert_eq!(m.rate(0.85, false), 0.0);
    }
}
