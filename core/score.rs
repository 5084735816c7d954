//! Stage 5: score a query against one name of an entity.
//!
//! A name matches when every word of it agrees with a word of the entity's
//! name (in any order, joined or split). A person's name is compared part
//! against part (`person`), as people are named in part, in any order and
//! with initials. Any other entity named in part ("Mantes" for
//! Mantes-la-Jolie), or with words its name lacks ("Kansanshi Mine"), ranks
//! but never resolves a name by itself (method "partial"); optional words
//! (articles, "city of", "district", an organisation's legal form) may be
//! missing at a small cost.

use smallvec::SmallVec;

use crate::config;
use crate::grams::acronyms;
use crate::name_score::{Evidence, Info, NameScore, Parts};
use crate::names::{symbol, GENERIC, LEGAL, PARTICLE, STOPWORD, SUFFIX, TITLE};
use crate::packed::{Name, Word};
use crate::person::score_person;
use crate::similarity::{forms_similarity, word_similarity, Method, Reading, Weights, WordForms};

fn forms<'a>(w: &Word<'a>) -> WordForms<'a> {
    WordForms {
        normalized: w.normalized,
        romanized: w.romanized,
        units: w.units,
    }
}

/// What kind of entity a name is compared as: a person's name is compared
/// part against part (`person`); an organisation's legal form ("LLC") is an
/// optional word; anything else (a place) reads no role of its words.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Person,
    Org,
    Other,
}

impl Kind {
    /// The kind an entity of this kind's name is compared as: "person",
    /// "org", or any other.
    pub fn named(kind: &str) -> Kind {
        match kind {
            "person" => Kind::Person,
            "org" => Kind::Org,
            _ => Kind::Other,
        }
    }
}

/// One of each for the three kinds of entity that are compared apart: the
/// ranker and the calibration of each (`Settings`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ByKind<T> {
    pub other: T,
    pub person: T,
    pub org: T,
}

impl<T> ByKind<T> {
    /// The one for `kind`.
    pub fn of(&self, kind: Kind) -> &T {
        match kind {
            Kind::Person => &self.person,
            Kind::Org => &self.org,
            Kind::Other => &self.other,
        }
    }
}

impl<T: Clone> ByKind<T> {
    /// The same for every kind.
    pub fn all(one: T) -> ByKind<T> {
        ByKind {
            other: one.clone(),
            person: one.clone(),
            org: one,
        }
    }
}

/// Score `query` against one name of an entity of `kind`.
///
/// `fuzzy`: anything but an equal spelling may match (not for acronyms).
///
/// None when the query cannot be this name: a word of the query (other
/// than an optional one) has no counterpart, a person's surname disagrees,
/// or an acronym is spelled otherwise.
pub fn score_name(
    query: &Name<'_>,
    name: &Name<'_>,
    kind: Kind,
    fuzzy: bool,
    (weights, info): (&Weights, Info<'_>),
) -> Option<NameScore> {
    if query.words.is_empty() || name.words.is_empty() {
        return None;
    }
    if query.same_compact(name) {
        let mut score = NameScore::plain(1.0, Method::Normalized);
        score.parts = equal_parts(name, kind, info);
        return Some(score);
    }
    if query.romanized == name.romanized {
        let similarity = config::TRANSLITERATED_SIMILARITY;
        let mut score = NameScore::plain(similarity, Method::Transliterated);
        score.evidence.push(Evidence::Romanized(similarity));
        score.parts = equal_parts(name, kind, info);
        return Some(score);
    }
    if kind == Kind::Org {
        // One name the acronym of the other ("BNC", Banco Nacional de Cuba).
        let acronym_of = |short: &Name<'_>, long: &Name<'_>| {
            short.words.len() == 1 && acronyms(long).iter().any(|a| a == short.romanized)
        };
        if acronym_of(query, name) || acronym_of(name, query) {
            let mut score = NameScore::plain(config::ACRONYM_SIMILARITY, Method::Initials);
            score
                .evidence
                .push(Evidence::Whole(config::ACRONYM_SIMILARITY));
            score.parts = equal_parts(name, kind, info);
            return Some(score);
        }
    }
    if !fuzzy {
        return None;
    }
    let reading = Reading {
        a_abjad: query.abjad,
        b_abjad: name.abjad,
        a_syllabic: query.syllabic,
    };
    if kind == Kind::Person {
        return score_person(query, name, (weights, info), reading);
    }
    let mut best: Option<NameScore> = None;
    let mut consider = |candidate: NameScore| {
        // The first of equal scores stays: the whole name before its words.
        if best.as_ref().is_none_or(|b| candidate.score > b.score) {
            best = Some(candidate);
        }
    };
    // One word against the whole name: joined words ("Hintagarh" / "Hin Tager").
    if query.words.len() == 1 && (name.words.len() == 1 || may_join(query, name)) {
        consider(whole(query, name, weights, reading));
    } else if name.words.len() == 1 && !query.abjad && may_join(query, name) {
        // The query's words run together ("Kuchuk Chekmejeh" / "Küçükçekmece"):
        // only a close spelling counts, as extra words would otherwise vanish
        // into it; never a name without short vowels (Arabic, Hebrew script),
        // whose joined consonants are alike too many names.
        let joined = whole(query, name, weights, reading);
        if joined.score >= config::SPLIT_MIN_SIMILARITY {
            consider(joined);
        }
    }
    if query.words.len() > 1 || name.words.len() > 1 {
        if let Some(aligned) = aligned(query, name, kind, (weights, info), reading) {
            consider(aligned);
        }
    }
    best
}

/// Whether a word of a name of this kind says which one it is: for a
/// person, not a particle, title, suffix or initial; for an organisation,
/// not a legal form or a stopword (a generic word says little, by its
/// `Info`); for anything else, every word.
pub fn telling(word: &Word<'_>, kind: Kind) -> bool {
    match kind {
        Kind::Person => {
            word.role & (PARTICLE | TITLE | SUFFIX) == 0
                && !word.optional
                && word.romanized.len() > 1
        }
        Kind::Org => !word.optional && word.role & (LEGAL | STOPWORD) == 0,
        Kind::Other => true,
    }
}

/// The parts of a name matched whole (spelled as the query is): every
/// telling word agrees.
pub fn equal_parts(name: &Name<'_>, kind: Kind, info: Info<'_>) -> Parts {
    if kind == Kind::Other {
        return Parts::default();
    }
    Parts {
        info: name
            .words
            .iter()
            .filter(|w| telling(w, kind))
            .map(|w| info(w.romanized))
            .sum(),
        ..Parts::default()
    }
}

fn may_join(query: &Name<'_>, name: &Name<'_>) -> bool {
    // Words run together keep the sound they start with ("Hintagarh" / "Hin
    // Tager"); a word that starts elsewhere lacks a word of the name.
    query.sound.chars().next() == name.sound.chars().next()
}

/// Whether a name may go without `word`: an article, "city of", a word for
/// a kind of place; for an organisation, its legal form, a stopword ("of",
/// "de") or a generic word ("company", "bank") too.
fn optional(word: &Word<'_>, kind: Kind) -> bool {
    word.optional || (kind == Kind::Org && word.role & (LEGAL | STOPWORD | GENERIC) != 0)
}

/// What leaving `word` out does: nothing but `optional_word_factor` if it
/// is optional and says nothing (a legal form, a stopword, "city of"); a
/// generic word costs as little but leaves the name matched in part
/// ("European" of "European Union"); any other word, that too and more.
fn left_out(word: &Word<'_>, kind: Kind) -> (bool, bool) {
    let optional = optional(word, kind);
    (
        optional,
        !optional || (kind == Kind::Org && word.role & GENERIC != 0),
    )
}

fn whole(query: &Name<'_>, name: &Name<'_>, weights: &Weights, reading: Reading) -> NameScore {
    // Words joined: "Hintagarh" against "Hin Tager", "TB-2" against "TB2".
    let (similarity, method) = forms_similarity(
        query.romanized,
        query.units,
        name.romanized,
        name.units,
        weights,
        reading,
    );
    let mut score = NameScore::plain(similarity, method);
    score.evidence.push(Evidence::Whole(similarity));
    score.fuzzy = true;
    score
}

fn aligned(
    query: &Name<'_>,
    name: &Name<'_>,
    kind: Kind,
    (weights, info): (&Weights, Info<'_>),
    reading: Reading,
) -> Option<NameScore> {
    let mut scored: SmallVec<[(f64, Method, usize, usize); 16]> = SmallVec::new();
    for (i, q) in query.words.iter().enumerate() {
        for (j, n) in name.words.iter().enumerate() {
            let (mut similarity, mut method) =
                word_similarity(&forms(q), &forms(n), weights, reading, true);
            // An organisation's generic words in two languages ("bank", "banco").
            if kind == Kind::Org
                && similarity < config::EQUIVALENT_WORD_SIMILARITY
                && symbol(q.romanized).is_some_and(|s| symbol(n.romanized) == Some(s))
            {
                (similarity, method) = (config::EQUIVALENT_WORD_SIMILARITY, Method::Translated);
            }
            if (optional(q, kind) || optional(n, kind)) && similarity < config::OPTIONAL_MATCH_MIN {
                continue; // an optional word is left unmatched rather than matched badly
            }
            scored.push((similarity, method, i, j));
        }
    }
    // Greedy one-to-one assignment, best pairs first; ties by position.
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.2.cmp(&b.2)).then(a.3.cmp(&b.3)));
    let mut pairs: SmallVec<[Option<(f64, Method, usize)>; 8]> =
        SmallVec::from_elem(None, query.words.len());
    let mut taken: SmallVec<[bool; 8]> = SmallVec::from_elem(false, name.words.len());
    for &(similarity, method, i, j) in &scored {
        if pairs[i].is_none() && !taken[j] {
            pairs[i] = Some((similarity, method, j));
            taken[j] = true;
        }
    }
    let paired: SmallVec<[(usize, f64, Method, usize); 8]> = pairs
        .iter()
        .enumerate()
        .filter_map(|(i, p)| p.map(|(s, m, j)| (i, s, m, j)))
        .collect();
    if paired.is_empty() {
        return None;
    }
    let mut factor = 1.0;
    // The weakest word decides the method (of equal similarities, the method
    // whose name comes first, then the word of the name that comes first).
    let weakest = paired
        .iter()
        .min_by(|a, b| {
            a.1.total_cmp(&b.1)
                .then(a.2.name().cmp(b.2.name()))
                .then(a.3.cmp(&b.3))
        })
        .expect("pairs are not empty");
    let mut method = weakest.2;
    if paired.len() < query.words.len() {
        let spare = query
            .words
            .iter()
            .enumerate()
            .filter(|(i, _)| pairs[*i].is_none())
            .map(|(_, q)| left_out(q, kind));
        // A place named with more than its name ("Kansanshi Mine", "Old
        // Delhi"): weak evidence, as the other words may name another place.
        if unpaired(&mut factor, spare, weights, weights.extra_words_factor) {
            method = Method::Partial;
        }
    }
    if taken.iter().any(|t| !t) {
        let spare = name
            .words
            .iter()
            .enumerate()
            .filter(|(j, _)| !taken[*j])
            .map(|(_, n)| left_out(n, kind));
        // Part of a place's name ("Mantes" of "Mantes-la-Jolie") is enough
        // to rank, never enough to resolve alone.
        if unpaired(&mut factor, spare, weights, weights.partial_place_factor) {
            method = Method::Partial;
        }
    }
    let positions: SmallVec<[usize; 8]> = paired.iter().map(|p| p.3).collect();
    if positions.windows(2).any(|w| w[0] > w[1]) {
        factor *= weights.reorder_factor;
    }
    let mut evidence = SmallVec::new();
    for &(i, similarity, _, j) in &paired {
        evidence.push(Evidence::Pair {
            query: i as u8,
            name: j as u8,
            similarity,
        });
    }
    let fuzzy = paired
        .iter()
        .any(|p| matches!(p.2, Method::Phonetic | Method::Fuzzy));
    let lowest = paired.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
    let mut parts = Parts::default();
    if kind == Kind::Org {
        for (j, n) in name.words.iter().enumerate() {
            if telling(n, kind) && taken[j] {
                parts.info += info(n.romanized);
            }
        }
        let left = query
            .words
            .iter()
            .enumerate()
            .filter(|(i, _)| pairs[*i].is_none())
            .map(|(_, w)| w)
            .chain(
                name.words
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| !taken[*j])
                    .map(|(_, w)| w),
            );
        for w in left.filter(|w| telling(w, kind)) {
            parts.left_out = parts.left_out.saturating_add(1);
            parts.info_left_out += info(w.romanized);
        }
    }
    Some(NameScore {
        score: lowest * factor,
        method,
        evidence,
        fuzzy,
        parts,
    })
}

/// Scale `factor` for the words left unpaired (`left_out`'s pair for each):
/// each optional one costs `optional_word_factor`; any other costs `other`
/// once. Whether the match is partial (the answer): any word left out but
/// one that says nothing.
fn unpaired(
    factor: &mut f64,
    left_out: impl Iterator<Item = (bool, bool)>,
    weights: &Weights,
    other: f64,
) -> bool {
    let (mut optionals, mut others, mut partial) = (0, 0, false);
    for (optional, in_part) in left_out {
        if optional {
            optionals += 1;
        } else {
            others += 1;
        }
        partial |= in_part;
    }
    *factor *= weights.optional_word_factor.powf(f64::from(optionals));
    if others > 0 {
        *factor *= other;
    }
    partial
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::name_keys;
    use crate::packed::Packed;

    fn score(query: &str, name: &str, person: bool) -> Option<(f64, &'static str)> {
        let kind = if person { Kind::Person } else { Kind::Other };
        scored(query, name, kind)
    }

    fn scored(query: &str, name: &str, kind: Kind) -> Option<(f64, &'static str)> {
        let (q, n) = (Packed::of(&name_keys(query)), Packed::of(&name_keys(name)));
        let found = score_name(
            &q.name(),
            &n.name(),
            kind,
            true,
            (&Weights::default(), &|_: &str| 1.0),
        );
        found.map(|s| (s.score, s.method.name()))
    }

    #[test]
    fn an_organisations_legal_form_is_optional() {
        let (s, m) = scored("Gazprom Neft", "OOO Gazprom Neft", Kind::Org).unwrap();
        assert!(s > 0.95 && m == "normalized", "{s} {m}");
        assert_eq!(
            scored("Gazprom Neft", "OOO Gazprom Neft", Kind::Other).map(|s| s.1),
            Some("partial")
        );
    }

    #[test]
    fn examples() {
        assert_eq!(
            score("Gadrut", "Гадрут", false),
            Some((0.98, "transliterated"))
        );
        assert_eq!(score("hadrut", "Hadrut", false), Some((1.0, "normalized")));
        assert!(score("Heydar Aliyev", "Ilham Aliyev", true).is_some_and(|s| s.0 < 0.6));
        assert_eq!(
            score("Aliyev", "Ilham Aliyev", true).map(|s| s.1),
            Some("surname")
        );
        assert_eq!(
            score("Mantes", "Mantes-la-Jolie", false).map(|s| s.1),
            Some("partial")
        );
        assert_eq!(
            score("Pashinyan Nikol", "Nikol Pashinyan", true),
            Some((0.98, "normalized"))
        );
    }

    #[test]
    fn words_run_together_only_when_close() {
        // Del City in Urdu: joined consonants say too little; an extra word
        // is not the name written apart.
        assert_eq!(
            score("ڈیل سٹی", "Tilst", false).map(|s| s.1),
            Some("partial")
        );
        assert_eq!(
            score("Tacoma Beach", "Tacoma", false).map(|s| s.1),
            Some("partial")
        );
        let (joined, method) = score("Kuchuk Chekmejeh", "Küçükçekmece", false).unwrap();
        assert!(method == "phonetic" && joined >= 0.8, "{joined} {method}");
    }
}
