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
use std::sync::{Arc, LazyLock};

use rayon::prelude::*;

use crate::calibrate::is_latin;
use crate::decide::accepts;
use crate::keys::name_keys;
use crate::rank::is_equal;
use crate::rates::{Curve, FalseMatches, Source, SOURCES};
use crate::resolve::{Candidate, Query, Resolver, Settings};
use crate::score::Kind;
use crate::store::{Store, ENTITY_NAMES};

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

/// At most this many of a gazetteer's own people, and as many of its
/// organisations, are asked by their names, each without itself, spread
/// evenly over them.
pub const OWN_SAMPLE: usize = 2000;

/// A gazetteer with fewer people (or organisations) than this is measured
/// on the shipped background alone for them: a curve of a few names says
/// little, and a name left out of a handful has its near twin to match.
pub const OWN_MIN: usize = 200;

/// A resolver of `store` with these settings, whose false-match rates are
/// measured here (`measure`) unless its image carries them.
pub fn resolver(store: Arc<Store>, settings: Settings) -> Resolver {
    Resolver::new(store, settings, background_fingerprint(), measure)
}

/// The best score of a background name (one the resolver could return), or
/// None if the gazetteer holds it.
fn best_score(resolver: &Resolver, b: &Background) -> Option<f64> {
    if resolver.store.has_romanized(&name_keys(&b.what).core()) {
        return None;
    }
    let found = resolver.ranked(&Query::best(&b.name, &[])).ok()?;
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
        ..Query::best(name, &[])
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
    use crate::resolve::Query;
    use crate::testdata::{record, resolver, sample};

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

    #[test]
    fn a_list_of_people_is_asked_its_own_names() {
        const GIVEN: [&str; 15] = [
            "John", "Maria", "Ahmed", "Olga", "Pierre", "Chen", "Fatima", "Ivan", "Aiko", "Carlos",
            "Anna", "Omar", "Lena", "Kofi", "Sara",
        ];
        const SURNAMES: [&str; 15] = [
            "Smith", "Garcia", "Hassan", "Petrova", "Dubois", "Wang", "Khan", "Ivanov", "Tanaka",
            "Silva", "Novak", "Farouk", "Berg", "Mensah", "Cohen",
        ];
        let mut entities = vec![record("place:hadrut", "Hadrut", "place", &[], 3000.0)];
        for g in GIVEN {
            for s in SURNAMES {
                entities.push(record(
                    &format!("person:{g}-{s}"),
                    &format!("{g} {s}"),
                    "person",
                    &[],
                    0.0,
                ));
            }
        }
        let r = resolver(Store::build(&entities, None).unwrap());
        let measured = r.false_matches();
        // Each person once, the place never: all in Latin letters.
        assert!(GIVEN.len() * SURNAMES.len() >= crate::false_match::OWN_MIN);
        assert_eq!(measured.curves[4].names(), GIVEN.len() * SURNAMES.len());
        assert!(measured.curves[5..].iter().all(|c| c.names() == 0));
    }

    #[test]
    fn a_compiled_index_carries_its_false_match_measurement() {
        let r = resolver(sample());
        let measured = r.false_matches();
        // The shipped background's four parts; too few people and
        // organisations to be asked their own names.
        assert!(measured.curves[..4].iter().all(|c| c.names() > 0));
        assert!(measured.curves[4..].iter().all(|c| c.names() == 0));
        let path = std::env::temp_dir().join(format!("namenorm-fm-{}.nnx", std::process::id()));
        r.store
            .write(&path, None, Some((r.fingerprint(), &measured)))
            .unwrap();
        let loaded = Store::load(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        let carried = loaded.false_matches(r.fingerprint(), || panic!("measured again"));
        assert_eq!(*carried, *measured);
        // Other settings measure their own.
        let other = loaded.false_matches(r.fingerprint() ^ 1, FalseMatches::default);
        assert_eq!(*other, FalseMatches::default());
    }

    #[test]
    fn a_store_resolves_and_round_trips_through_a_file() {
        let store = sample();
        let path = std::env::temp_dir().join(format!("namenorm-test-{}.nnx", std::process::id()));
        store.write(&path, None, None).unwrap();
        let loaded = Store::load(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        assert_eq!(loaded.image(), store.image());
        assert_eq!(loaded.entity(0).unwrap().0, "place:hadrut");
        assert_eq!(loaded.entity(4).unwrap().5, Some("{\"n\": 4}"));
        let r = resolver(loaded);
        let bar = (0.5, Some(0.05));
        let found = r.resolve("Gadrut", None, bar).unwrap().unwrap();
        assert_eq!((found.entity, found.alias.as_str()), (0, "Гадрут"));
        assert!(r.resolve("Paris", None, bar).unwrap().is_none());
        assert_eq!(
            r.resolve("Nicole Bashinian", Some("person"), bar)
                .unwrap()
                .unwrap()
                .entity,
            2
        );
        let elsewhere = Query {
            limit: 5,
            ..Query::best("Gadrut", &["no such kind"])
        };
        assert!(r.candidates(&elsewhere).unwrap().is_empty());
    }
}
