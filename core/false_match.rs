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
//! GeoNames name it spells. And the gazetteer's own people and
//! organisations, each asked with its entity left out (at most `OWN_SAMPLE`
//! of them, spread over it; none if it holds fewer than `OWN_MIN`): real
//! names of the very kind the gazetteer holds (the people of a sanctions
//! list, whose names share far more than Faker's),
//! as a name it lacks would be. Each part of the background (places,
//! people, its own names; in Latin letters and in other scripts) keeps its
//! curve: the share of it whose best candidate, one `resolve` could return,
//! scores at least so much. A match's rate is the highest of the curves of
//! its query's script, of the shipped background and of the gazetteer's own
//! names of its entity's kind: a name that is not in the gazetteer is
//! falsely matched to a person (a place, an organisation) no more often
//! than that.
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
use crate::resolve::{Candidate, Query, Resolver};
use crate::score::Kind;
use crate::store::ENTITY_NAMES;

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
    // And of how it is measured: how many of the gazetteer's own names.
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    hasher.update(BACKGROUND);
    hasher.update(&(OWN_SAMPLE as u64).to_le_bytes());
    hasher.update(&(OWN_MIN as u64).to_le_bytes());
    hasher.update(&(SOURCES.len() as u64).to_le_bytes());
    hasher.digest()
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

/// Where a background name comes from: the shipped background's places or
/// people, or the gazetteer's own people or organisations, each asked
/// without its entity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    Places = 0,
    People = 1,
    OwnPeople = 2,
    OwnOrgs = 3,
}

const SOURCES: [Source; 4] = [
    Source::Places,
    Source::People,
    Source::OwnPeople,
    Source::OwnOrgs,
];

/// At most this many of a gazetteer's own people, and as many of its
/// organisations, are asked by their names, each without itself, spread
/// evenly over them.
pub const OWN_SAMPLE: usize = 2000;

/// A gazetteer with fewer people (or organisations) than this is measured
/// on the shipped background alone for them: a curve of a few names says
/// little, and a name left out of a handful has its near twin to match.
pub const OWN_MIN: usize = 200;

/// What a gazetteer's background scored: a curve for each part, places,
/// people, its own people and its own organisations, each in Latin letters
/// and in other scripts (`FalseMatches::part`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FalseMatches {
    pub curves: [Curve; 8],
}

impl FalseMatches {
    /// Which curve holds a name of this source, in other scripts than
    /// Latin or not.
    pub fn part(source: Source, other_script: bool) -> usize {
        2 * source as usize + usize::from(other_script)
    }

    /// The sources that bear on a match of an entity of `kind` (any, if
    /// None): the shipped background, and the gazetteer's own names of that
    /// kind (a list's people are falsely matched as its people are, not as
    /// its companies).
    fn sources(kind: Option<Kind>) -> impl Iterator<Item = Source> {
        SOURCES.into_iter().filter(move |&source| match source {
            Source::Places | Source::People => true,
            Source::OwnPeople => matches!(kind, None | Some(Kind::Person | Kind::Other)),
            Source::OwnOrgs => matches!(kind, None | Some(Kind::Org | Kind::Other)),
        })
    }

    /// The false-match rate of `score` for a query of that script, matched
    /// to an entity of `kind` (any, if None): the highest of its sources'
    /// rates.
    pub fn rate(&self, score: f64, other_script: bool, kind: Option<Kind>) -> f64 {
        Self::sources(kind)
            .map(|source| self.curves[Self::part(source, other_script)].rate(score))
            .fold(0.0, f64::max)
    }

    /// The lowest score whose rate (`rate`) is at most `rate`.
    pub fn score_at(&self, rate: f64, other_script: bool, kind: Option<Kind>) -> f64 {
        Self::sources(kind)
            .map(|source| self.curves[Self::part(source, other_script)].score_at(rate))
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
        found => Some(returnable(found)),
    }
}

/// The score of a best candidate that `resolve` could return at any cutoff
/// and rate; else 0.
fn returnable(best: Option<&Candidate>) -> f64 {
    match best {
        Some(c) => {
            let form = (c.score, 0.0, c.similarity);
            if accepts(form, c.method, c.settles_in_part, (0.0, 1.0)) {
                c.score
            } else {
                0.0
            }
        }
        None => 0.0,
    }
}

/// The best score of entity `entity`'s own name against the gazetteer
/// without it, or None if another entity is spelled so (the gazetteer holds
/// the name, as it does a background name it spells).
fn own_score(resolver: &Resolver, entity: u32) -> Option<(bool, f64)> {
    let name = std::str::from_utf8(resolver.store.item(ENTITY_NAMES, entity as usize)).ok()?;
    let query = Query {
        exclude: Some(entity),
        ..Query::best(name, None)
    };
    let found = resolver.ranked(&query).ok()?;
    match found.first() {
        Some(c) if is_equal(c.method) => None,
        found => Some((!is_latin(name), returnable(found))),
    }
}

/// Resolve the background against `resolver`'s gazetteer, on every core.
pub fn measure(resolver: &Resolver) -> FalseMatches {
    let mut scored: Vec<(usize, f64)> = NAMES
        .par_iter()
        .filter_map(|b| {
            let source = if b.person {
                Source::People
            } else {
                Source::Places
            };
            let part = FalseMatches::part(source, b.other_script);
            best_score(resolver, b).map(|s| (part, s))
        })
        .collect();
    // Places have GeoNames' in the background; people and organisations
    // have few there, and the list's own are the names like theirs.
    for (kind, source) in [
        (Kind::Person, Source::OwnPeople),
        (Kind::Org, Source::OwnOrgs),
    ] {
        let own: Vec<u32> = (0..resolver.store.entities() as u32)
            .filter(|&e| resolver.kind_of(e) == kind)
            .collect();
        if own.len() < OWN_MIN {
            continue;
        }
        let stride = own.len().div_ceil(OWN_SAMPLE).max(1);
        scored.par_extend(
            own.par_iter()
                .step_by(stride)
                .filter_map(|&e| own_score(resolver, e))
                .map(|(other_script, s)| (FalseMatches::part(source, other_script), s)),
        );
    }
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
        m.curves[FalseMatches::part(Source::Places, true)] = Curve::new(vec![0.9], 10);
        m.curves[FalseMatches::part(Source::People, true)] = Curve::new(vec![0.9, 0.85], 10);
        assert_eq!(m.rate(0.85, true, None), 0.2);
        assert_eq!(m.rate(0.85, false, None), 0.0);
        // A list's own people bear on its people, not on its organisations.
        m.curves[FalseMatches::part(Source::OwnPeople, false)] =
            Curve::new(vec![0.9, 0.9, 0.9], 10);
        assert_eq!(m.rate(0.85, false, Some(Kind::Person)), 0.3);
        assert_eq!(m.rate(0.85, false, Some(Kind::Org)), 0.0);
        assert_eq!(m.rate(0.85, false, None), 0.3);
    }
}
