//! Stage 5a: similarities between words, each a float in [0, 1].
//!
//! Edit distances of spellings come from rapidfuzz; this module decides which
//! forms of a word are compared and how distances become one similarity, and
//! holds the one distance no library offers: an edit distance over sound
//! units with a cost for each pair (b for p is cheap, a vowel for a vowel is
//! cheap, a vowel that Arabic script leaves out costs little).

use std::sync::LazyLock;

use rapidfuzz::distance::{damerau_levenshtein, indel};
use smallvec::SmallVec;

use crate::config;
use crate::generic::equivalent;
use crate::keys::{unit_alternatives, unit_table};

/// The weights of scoring (see `namenorm.Weights`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Weights {
    pub same_class_cost: f64,
    pub vowel_indel_cost: f64,
    pub initial_similarity: f64,
    pub partial_name_factor: f64,
    pub reorder_factor: f64,
    pub surname_cutoff: f64,
    pub optional_word_factor: f64,
    pub partial_place_factor: f64,
    pub extra_words_factor: f64,
    pub abjad_vowel_indel_cost: f64,
    pub epenthetic_vowel_cost: f64,
}

impl Default for Weights {
    fn default() -> Weights {
        Weights {
            same_class_cost: config::SAME_CLASS_COST,
            vowel_indel_cost: config::VOWEL_INDEL_COST,
            initial_similarity: config::INITIAL_SIMILARITY,
            partial_name_factor: config::PARTIAL_NAME_FACTOR,
            reorder_factor: config::REORDER_FACTOR,
            surname_cutoff: config::SURNAME_CUTOFF,
            optional_word_factor: config::OPTIONAL_WORD_FACTOR,
            partial_place_factor: config::PARTIAL_PLACE_FACTOR,
            extra_words_factor: config::EXTRA_WORDS_FACTOR,
            abjad_vowel_indel_cost: config::ABJAD_VOWEL_INDEL_COST,
            epenthetic_vowel_cost: config::EPENTHETIC_VOWEL_COST,
        }
    }
}

/// How two words were found alike, strongest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Method {
    Exact,
    Normalized,
    Transliterated,
    Translated,
    Phonetic,
    Fuzzy,
    Initials,
    Surname,
    Partial,
}

impl Method {
    /// The method of a name (`name`).
    pub fn named(name: &str) -> Option<Method> {
        [
            Method::Exact,
            Method::Normalized,
            Method::Transliterated,
            Method::Translated,
            Method::Phonetic,
            Method::Fuzzy,
            Method::Initials,
            Method::Surname,
            Method::Partial,
        ]
        .into_iter()
        .find(|m| m.name() == name)
    }

    /// The name the Python package gives it (`Match.method`).
    pub fn name(self) -> &'static str {
        match self {
            Method::Exact => "exact",
            Method::Normalized => "normalized",
            Method::Transliterated => "transliterated",
            Method::Translated => "translated",
            Method::Phonetic => "phonetic",
            Method::Fuzzy => "fuzzy",
            Method::Initials => "initials",
            Method::Surname => "surname",
            Method::Partial => "partial",
        }
    }
}

/// 1 minus the Damerau-Levenshtein distance over the longer length.
///
/// ```
/// assert_eq!(namenorm_core::similarity::ratio("kinrut", "hadrut"), 0.5);
/// ```
pub fn ratio(a: &str, b: &str) -> f64 {
    let longest = a.chars().count().max(b.chars().count());
    if longest == 0 {
        return 1.0;
    }
    1.0 - damerau_levenshtein::distance(a.chars(), b.chars()) as f64 / longest as f64
}

/// How the two sides of a comparison are written: each without short vowels
/// (Arabic, Hebrew script), and the first transcribed through a syllabic
/// script.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Reading {
    pub a_abjad: bool,
    pub b_abjad: bool,
    pub a_syllabic: bool,
}

/// What the phonetic distance knows of each unit of romanized text.
struct Units {
    count: usize,
    vowel: Vec<bool>,
    spelling: Vec<char>, // the first letter of the spelling
    single: Vec<bool>,   // the spelling is one letter
    kinds: Vec<u8>,      // count * count: see `pair_kind`
}

static UNITS: LazyLock<Units> = LazyLock::new(|| {
    let table = unit_table();
    let count = table.units.len();
    let alternatives = unit_alternatives();
    let mut kinds = vec![3u8; count * count];
    for (i, x) in table.units.iter().enumerate() {
        for (j, y) in table.units.iter().enumerate() {
            // 0: one spelling; 1: another romanization of it; 2: sounds of
            // one class (or classes that share one); 3: anything else.
            let (xc, yc) = (x.class.as_str(), y.class.as_str());
            kinds[i * count + j] = if x.spelling == y.spelling {
                0
            } else if alternatives.contains(&(x.spelling, y.spelling)) {
                1
            } else if xc == yc || (xc.len() + yc.len() > 2 && xc.chars().any(|c| yc.contains(c))) {
                2
            } else {
                3
            };
        }
    }
    Units {
        count,
        vowel: table.units.iter().map(|u| u.is_vowel()).collect(),
        spelling: table
            .units
            .iter()
            .map(|u| u.spelling.as_str().chars().next().unwrap_or(' '))
            .collect(),
        single: table
            .units
            .iter()
            .map(|u| u.spelling.as_str().len() == 1)
            .collect(),
        kinds,
    }
});

/// The vowels that waw (w) and ya (i) write in a name without short vowels.
fn vowel_letters(unit: u8) -> Option<&'static str> {
    let units = &*UNITS;
    if !units.single[unit as usize] {
        return None;
    }
    match units.spelling[unit as usize] {
        'w' => Some("ou"),
        'i' => Some("iey"),
        _ => None,
    }
}

fn is_vowel(unit: u8) -> bool {
    UNITS.vowel.get(unit as usize).copied().unwrap_or(false)
}

fn indel_costs(units: &[u8], vowel_cost: f64) -> impl Iterator<Item = f64> + '_ {
    units
        .iter()
        .map(move |&u| if is_vowel(u) { vowel_cost } else { 1.0 })
}

/// The parameters of `phonetic_distance`.
#[derive(Clone, Copy, Debug)]
pub struct Costs {
    pub same_class_cost: f64,
    pub a_vowel_cost: f64,
    pub b_vowel_cost: f64,
    pub reading: Reading,
}

/// Edit distance between two sequences of sound units (ids of `unit_table`),
/// weighted by sound.
///
/// Substituting a unit that shares a sound class costs `same_class_cost`;
/// one romanization of a letter for another costs `ALTERNATIVE_COST`;
/// deleting a vowel of `a` costs `a_vowel_cost`, inserting one of `b`
/// `b_vowel_cost`; any other edit costs 1. In a name written without short
/// vowels and compared with one that has them, w (waw) and i (ya) agree with
/// the vowels they write (`NEAR_VOWEL_COST`) and little with others
/// (`FAR_VOWEL_COST`). In a name transcribed through a syllabic script, r
/// and l swap at `ALTERNATIVE_COST`.
pub fn phonetic_distance(a: &[u8], b: &[u8], costs: Costs) -> f64 {
    let units = &*UNITS;
    let n = units.count;
    let b_cost: SmallVec<[f64; 64]> = indel_costs(b, costs.b_vowel_cost).collect();
    let substitute = [0.0, config::ALTERNATIVE_COST, costs.same_class_cost, 1.0];
    let Reading {
        a_abjad,
        b_abjad,
        a_syllabic,
    } = costs.reading;
    let a_letters = a_abjad && !b_abjad;
    let b_reads = b_abjad && !a_abjad;
    let special =
        a_letters || (b_reads && b.iter().any(|&y| vowel_letters(y).is_some())) || a_syllabic;
    // Rows on the stack for names of ordinary length.
    let mut previous: SmallVec<[f64; 64]> = SmallVec::with_capacity(b.len() + 1);
    previous.push(0.0);
    for &cost in &b_cost {
        let last = previous[previous.len() - 1];
        previous.push(last + cost);
    }
    let mut current: SmallVec<[f64; 64]> = SmallVec::from_elem(0.0, b.len() + 1);
    for &x in a {
        let x_cost = if is_vowel(x) { costs.a_vowel_cost } else { 1.0 };
        current[0] = previous[0] + x_cost;
        let row = &units.kinds[(x as usize).min(n - 1) * n..][..n];
        for (j, &y) in b.iter().enumerate() {
            let kind = row.get(y as usize).copied().unwrap_or(3);
            let mut cost = substitute[kind as usize];
            if special && kind >= 2 {
                cost = special_cost(x, y, a_letters, b_reads, a_syllabic, cost);
            }
            let s = previous[j] + cost;
            let d = previous[j + 1] + x_cost;
            let i = current[j] + b_cost[j];
            current[j + 1] = s.min(d).min(i);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

fn special_cost(x: u8, y: u8, a_letters: bool, b_reads: bool, a_syllabic: bool, cost: f64) -> f64 {
    // Substitutions that depend on how the names are written: waw and ya
    // read as vowels in a name without short vowels, and r for l in a
    // syllabic transcription.
    let units = &*UNITS;
    let spelled = |u: u8| units.spelling[u as usize];
    if a_letters {
        if let Some(reads) = vowel_letters(x) {
            if is_vowel(y) {
                let near = units.single[y as usize] && reads.contains(spelled(y));
                return if near {
                    config::NEAR_VOWEL_COST
                } else {
                    config::FAR_VOWEL_COST
                };
            }
        }
    }
    if b_reads {
        if let Some(reads) = vowel_letters(y) {
            if is_vowel(x) {
                let near = units.single[x as usize] && reads.contains(spelled(x));
                return if near {
                    config::NEAR_VOWEL_COST
                } else {
                    config::FAR_VOWEL_COST
                };
            }
        }
    }
    if a_syllabic && units.single[x as usize] && units.single[y as usize] {
        let pair = (spelled(x), spelled(y));
        if pair == ('r', 'l') || pair == ('l', 'r') {
            return config::ALTERNATIVE_COST;
        }
    }
    cost
}

/// Similarity in [0, 1] of two sequences of sound units: `phonetic_distance`
/// over the costlier of the two, written as `reading` says.
pub fn units_similarity(a: &[u8], b: &[u8], weights: &Weights, reading: Reading) -> f64 {
    let mut a_vowel = if reading.b_abjad {
        weights.abjad_vowel_indel_cost
    } else {
        weights.vowel_indel_cost
    };
    if reading.a_syllabic {
        a_vowel = weights.epenthetic_vowel_cost;
    }
    let b_vowel = if reading.a_abjad {
        weights.abjad_vowel_indel_cost
    } else {
        weights.vowel_indel_cost
    };
    let longest = indel_costs(a, a_vowel)
        .sum::<f64>()
        .max(indel_costs(b, b_vowel).sum::<f64>());
    if longest == 0.0 {
        return 1.0;
    }
    let costs = Costs {
        same_class_cost: weights.same_class_cost,
        a_vowel_cost: a_vowel,
        b_vowel_cost: b_vowel,
        reading,
    };
    (1.0 - phonetic_distance(a, b, costs) / longest).max(0.0)
}

/// The better of spelling and phonetic similarity of two romanized forms.
pub fn forms_similarity(
    a_romanized: &str,
    a_units: &[u8],
    b_romanized: &str,
    b_units: &[u8],
    weights: &Weights,
    reading: Reading,
) -> (f64, Method) {
    let spelling = ratio(a_romanized, b_romanized);
    let sound = units_similarity(a_units, b_units, weights, reading);
    if sound > spelling {
        (sound, Method::Phonetic)
    } else {
        (spelling, Method::Fuzzy)
    }
}

/// The forms of a word that `word_similarity` compares.
pub struct WordForms<'a> {
    pub normalized: &'a str,
    pub romanized: &'a str,
    pub units: &'a [u8],
}

/// How alike two words are, and by which of their forms: 1.0 for the same
/// normalized word; `TRANSLITERATED_SIMILARITY` for the same romanization;
/// if `translated`, `EQUIVALENT_WORD_SIMILARITY` for words that translate
/// each other ("vostochny", "east"); otherwise the better of the spelling
/// ratio and the phonetic similarity of the romanizations.
pub fn word_similarity(
    a: &WordForms<'_>,
    b: &WordForms<'_>,
    weights: &Weights,
    reading: Reading,
    translated: bool,
) -> (f64, Method) {
    if a.normalized == b.normalized {
        return (1.0, Method::Normalized);
    }
    if a.romanized == b.romanized {
        return (config::TRANSLITERATED_SIMILARITY, Method::Transliterated);
    }
    if translated {
        if let Some(english) = equivalent(a.romanized) {
            if Some(english) == equivalent(b.romanized) {
                return (config::EQUIVALENT_WORD_SIMILARITY, Method::Translated);
            }
        }
    }
    forms_similarity(a.romanized, a.units, b.romanized, b.units, weights, reading)
}

/// rapidfuzz's token set ratio (0 to 100): the words of each as sets; a name
/// that is part of the other, or the same words in another order, is 100;
/// otherwise the best Indel ratio of the words apart, each with the words in
/// common before them. Built on rapidfuzz's Indel distance, as RapidFuzz's
/// own `fuzz.token_set_ratio` is.
pub fn token_set_ratio(a: &str, b: &str) -> f64 {
    TokenSet::new(a.as_bytes()).ratio(b.as_bytes())
}

/// One side of `token_set_ratio`, its words split and sorted once, to be
/// compared with many (the names of the candidate index, ASCII words with
/// spaces between).
pub struct TokenSet<'a> {
    text: &'a [u8],
    words: Words<'a>,
    one_word: bool,
    indel: indel::BatchComparator<u8>,
}

/// Words of a name, each a slice of its text.
type Words<'a> = SmallVec<[&'a [u8]; 8]>;

fn words(text: &[u8]) -> Words<'_> {
    let mut found: Words<'_> = text
        .split(|b| b.is_ascii_whitespace())
        .filter(|w| !w.is_empty())
        .collect();
    found.sort_unstable();
    found.dedup();
    found
}

fn norm(dist: usize, lensum: usize) -> f64 {
    if lensum > 0 {
        100.0 - 100.0 * dist as f64 / lensum as f64
    } else {
        100.0
    }
}

fn joined<'b>(words: impl Iterator<Item = &'b [u8]>, out: &mut SmallVec<[u8; 64]>) {
    for (i, w) in words.enumerate() {
        if i > 0 {
            out.push(b' ');
        }
        out.extend_from_slice(w);
    }
}

impl<'a> TokenSet<'a> {
    /// The words of `text`.
    pub fn new(text: &'a [u8]) -> TokenSet<'a> {
        let words = words(text);
        TokenSet {
            text,
            one_word: words.len() == 1 && words[0].len() == text.len(),
            words,
            indel: indel::BatchComparator::new(text.iter().copied()),
        }
    }

    /// The token set ratio of these words and `other`'s.
    pub fn ratio(&self, other: &[u8]) -> f64 {
        if self.one_word && !other.is_empty() && !other.iter().any(|b| b.is_ascii_whitespace()) {
            // One word each (most names): equal, or the Indel ratio of the two.
            if other == self.text {
                return 100.0;
            }
            return norm(
                self.indel.distance(other.iter().copied()),
                self.text.len() + other.len(),
            );
        }
        let theirs = words(other);
        if self.words.is_empty() || theirs.is_empty() {
            return 0.0;
        }
        // Both sorted: their intersection and differences, by merging.
        let (mut sect, mut ab, mut ba): (Words<'_>, Words<'_>, Words<'_>) = Default::default();
        let (mut i, mut j) = (0, 0);
        while i < self.words.len() || j < theirs.len() {
            match (self.words.get(i), theirs.get(j)) {
                (Some(x), Some(y)) if x == y => {
                    sect.push(x);
                    i += 1;
                    j += 1;
                }
                (Some(x), Some(y)) if x < y => {
                    ab.push(x);
                    i += 1;
                }
                (Some(x), None) => {
                    ab.push(x);
                    i += 1;
                }
                (_, Some(y)) => {
                    ba.push(y);
                    j += 1;
                }
                (None, None) => break,
            }
        }
        if !sect.is_empty() && (ab.is_empty() || ba.is_empty()) {
            return 100.0;
        }
        let (mut ab_joined, mut ba_joined) = (SmallVec::new(), SmallVec::new());
        joined(ab.iter().copied(), &mut ab_joined);
        joined(ba.iter().copied(), &mut ba_joined);
        let (ab_len, ba_len) = (ab_joined.len(), ba_joined.len());
        let sect_len = sect.iter().map(|t| t.len()).sum::<usize>() + sect.len().saturating_sub(1);
        let joiner = usize::from(sect_len != 0);
        let sect_ab_len = sect_len + joiner + ab_len;
        let sect_ba_len = sect_len + joiner + ba_len;
        let result = norm(
            indel::distance(ab_joined.iter().copied(), ba_joined.iter().copied()),
            sect_ab_len + sect_ba_len,
        );
        if sect_len == 0 {
            return result;
        }
        let sect_ab = norm(joiner + ab_len, sect_len + sect_ab_len);
        let sect_ba = norm(joiner + ba_len, sect_len + sect_ba_len);
        result.max(sect_ab).max(sect_ba)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::sound_units;

    fn ids(romanized: &str) -> Vec<u8> {
        let table = unit_table();
        sound_units(romanized)
            .iter()
            .map(|u| table.id(u).unwrap())
            .collect()
    }

    #[test]
    fn phonetic() {
        let w = Weights::default();
        let plain = Reading::default();
        assert_eq!(
            units_similarity(&ids("hadrut"), &ids("gadrut"), &w, plain),
            0.9583333333333334
        );
        assert_eq!(units_similarity(&ids(""), &ids(""), &w, plain), 1.0);
        let s = units_similarity(&ids("ksabart"), &ids("khtsaberd"), &w, plain);
        assert!((s - 0.79).abs() < 0.01, "{s}");
    }

    fn distance(a: &str, b: &str) -> f64 {
        let w = Weights::default();
        let costs = Costs {
            same_class_cost: w.same_class_cost,
            a_vowel_cost: w.vowel_indel_cost,
            b_vowel_cost: w.vowel_indel_cost,
            reading: Reading::default(),
        };
        phonetic_distance(&ids(a), &ids(b), costs)
    }

    #[test]
    fn an_alternative_romanization_costs_less_than_another_sound_of_its_class() {
        assert!(distance("khabarovsk", "habarovsk") < distance("khabarovsk", "qabarovsk"));
    }

    #[test]
    fn a_letter_read_two_ways_is_near_its_other_sound() {
        for (query, name, other) in [
            ("macuura", "matsuura", "mabuura"), // c is ts in Slavic transcriptions of Japanese
            ("tsitsihar", "qiqihar", "bibihar"), // q is the ch of pinyin
            ("tunkha", "tunja", "tunda"),       // j is the kh of Spanish
            ("awanta", "huanta", "buanta"),     // h is mute in Romance spellings
        ] {
            assert!(distance(query, name) < distance(query, other), "{query}");
        }
    }

    #[test]
    fn a_syllabic_transcription_drops_its_added_vowels_cheaply() {
        // Marbella also needs r for l.
        let w = Weights::default();
        for (text, name) in [("bureisuburijji", "bracebridge"), ("maruberya", "marbella")] {
            let (a, b) = (ids(text), ids(name));
            let syllabic = Reading {
                a_syllabic: true,
                ..Reading::default()
            };
            assert!(
                units_similarity(&a, &b, &w, syllabic)
                    > units_similarity(&a, &b, &w, Reading::default()) + 0.05
            );
        }
    }

    #[test]
    fn token_sets() {
        assert_eq!(token_set_ratio("municipio da praia", "praia"), 100.0);
        assert_eq!(token_set_ratio("a b", "b a"), 100.0);
        assert_eq!(token_set_ratio("", "a"), 0.0);
        // As RapidFuzz's fuzz.token_set_ratio gives it.
        assert_eq!(
            token_set_ratio("new york city", "new yorc"),
            66.66666666666666
        );
    }
}
