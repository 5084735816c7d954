//! Stage 3: keys that survive the ways scripts and translations respell a name.
//!
//! `sound_units` splits a romanized name into units of one sound each, with
//! the classes of sounds that romanizations and translations confuse:
//!
//! ```text
//! labials       p b f v ph (w)                 -> P
//! dentals       t d th dh                      -> T
//! velars        k g q c h kh gh ck (x, ch, j)  -> K
//! sibilants     s z c(e/i/y) ts dz sh zh dzh (j, ch, x, c, q, soft g) -> S
//! l m n r       kept                           -> L M N R
//! vowels        a e i o u y (w, j, h)          -> a
//! ```
//!
//! A spelling in brackets also belongs to another class ("ch" is s in
//! English, k in German). `sound_key` keeps one letter per class and one "a"
//! per run of vowels, so "Hadrut", "Gadrut", "Khadrut" all read "KaTRaT";
//! `skeleton_key` drops the vowels too.

use std::sync::LazyLock;

use regex::Regex;
use rphonetic::{Encoder, Metaphone};
use unicode_script::{Script, UnicodeScript};

use crate::config;
use crate::generic::generic_span;
use crate::names;
use crate::normalize::normalize;
use crate::pystr;
use crate::translit::{alternatives, romanize};

/// The class of every vowel (a e i o u y) in sound keys and units.
pub const VOWEL: char = 'a';

/// A short string held inline: a unit's spelling ("tsch") or its classes ("SaK").
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tiny {
    bytes: [u8; 4],
    len: u8,
}

impl Tiny {
    fn new(s: &str) -> Tiny {
        let mut bytes = [0; 4];
        let len = s.len().min(4);
        // Every spelling and class is at most one character or four ASCII letters.
        let len = (0..=len)
            .rev()
            .find(|&n| s.is_char_boundary(n))
            .unwrap_or(0);
        bytes[..len].copy_from_slice(&s.as_bytes()[..len]);
        Tiny {
            bytes,
            len: len as u8,
        }
    }

    /// The string.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.bytes[..self.len as usize]).unwrap_or("")
    }

    fn first(&self) -> Option<char> {
        self.as_str().chars().next()
    }
}

impl std::fmt::Debug for Tiny {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.as_str())
    }
}

/// One sound: how it is spelled, and its classes (its own first, then any
/// other it can stand for: "ch" is "SK").
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Unit {
    pub spelling: Tiny,
    pub class: Tiny,
}

impl Unit {
    fn new(spelling: &str, class: &str) -> Unit {
        Unit {
            spelling: Tiny::new(spelling),
            class: Tiny::new(class),
        }
    }

    /// Whether the unit's own class is the vowels'.
    pub fn is_vowel(&self) -> bool {
        self.class.first() == Some(VOWEL)
    }
}

// A sound unit is one letter or one of these spellings of a single sound,
// tried in this order.
const SPELLINGS: [&str; 17] = [
    "tsch", "dzh", "sch", "tch", "kh", "gh", "ck", "ph", "th", "dh", "sh", "ch", "zh", "ts", "tz",
    "dz", "dj",
];

/// A spelling's classes: the first is its own (used in sound keys); any
/// further class is another sound the spelling has in some language: "ch"
/// is K in German and Italian, "w" a vowel in Welsh and in Persian
/// romanizations, "j" the y of German and Slavic spellings (and kh in
/// Spanish), "x" is ks, "c" is ts in Slavic, Hungarian and pinyin spellings,
/// "q" the ch of pinyin, and "h" is mute in Romance spellings. Any other
/// spelling (l, m, n, r, a digit) is its own class.
fn class_of(spelling: &str) -> &str {
    match spelling {
        "p" | "b" | "f" | "v" | "ph" => "P",
        "w" => "Pa",
        "t" | "d" | "th" | "dh" => "T",
        "k" | "g" | "kh" | "gh" | "ck" => "K",
        "h" => "Ka",
        "q" | "c" | "x" => "KS",
        "s" | "z" | "sh" | "zh" | "ts" | "tz" | "dz" | "dj" | "sch" | "tch" | "tsch" | "dzh" => "S",
        "ch" => "SK",
        "j" => "SaK",
        "a" | "e" | "i" | "o" | "u" | "y" => "a",
        other => other,
    }
}

/// Split a romanized name into sound units, each with its sound classes.
///
/// A unit is a letter or a spelling of one sound ("kh", "sh", "dzh"); doubled
/// letters count once. Spaces are ignored, but a final h after a vowel, at
/// the end of a word, is mute ("Makkah"): it weighs as a vowel.
pub fn sound_units(romanized: &str) -> Vec<Unit> {
    let compact: Vec<char> = romanized.chars().filter(|&c| c != ' ').collect();
    let mut word_ends = Vec::new();
    let mut end = 0;
    for word in pystr::split(romanized) {
        end += pystr::len(word);
        word_ends.push(end);
    }
    let mut units: Vec<Unit> = Vec::with_capacity(compact.len());
    let mut i = 0;
    let mut spelled = String::with_capacity(4);
    while i < compact.len() {
        if compact[i] == '\n' {
            i += 1; // what the pattern's "." never matches
            continue;
        }
        let size = SPELLINGS
            .iter()
            .find(|s| {
                s.len() <= compact.len() - i && s.chars().zip(&compact[i..]).all(|(a, b)| a == *b)
            })
            .map_or(1, |s| s.len());
        spelled.clear();
        spelled.extend(&compact[i..i + size]);
        let next = compact.get(i + size).copied();
        let mut class = class_of(&spelled);
        if matches!(spelled.as_str(), "c" | "g") && matches!(next, Some('e' | 'i' | 'y')) {
            // Before these, c is s ("Nice") and g may be j ("Georgia").
            class = if spelled == "c" { "S" } else { "KS" };
        } else if spelled == "h"
            && word_ends.contains(&(i + size))
            && units.last().is_some_and(|u| u.class.as_str() == "a")
        {
            class = "aK";
        }
        // Spellings of one sound that swap freely are the same unit.
        let spelling = match spelled.as_str() {
            "ck" => "k",
            "ph" => "f",
            "c" if class == "S" => "s",
            "c" => "k",
            other => other,
        };
        if units.last().is_none_or(|u| u.spelling.as_str() != spelling) {
            units.push(Unit::new(spelling, class));
        }
        i += size;
    }
    units
}

/// The units that names of the index are made of: those of romanized text
/// (lowercase ASCII letters and digits), each known by its position here,
/// so that a name's units are bytes and the pairs of units a table.
pub struct UnitTable {
    pub units: Vec<Unit>,
}

impl UnitTable {
    /// The position of a unit, if it is one of romanized text.
    pub fn id(&self, unit: &Unit) -> Option<u8> {
        self.units.iter().position(|u| u == unit).map(|i| i as u8)
    }
}

/// Every unit that `sound_units` makes of lowercase ASCII letters and digits.
pub fn unit_table() -> &'static UnitTable {
    static TABLE: LazyLock<UnitTable> = LazyLock::new(|| {
        let letters = ('a'..='z')
            .chain('0'..='9')
            .filter(|&c| c != 'c')
            .map(String::from);
        let spellings: Vec<String> = letters
            .chain(SPELLINGS.iter().map(|s| s.to_string()))
            .collect();
        let mut units: Vec<Unit> = Vec::new();
        let mut add = |unit: Unit| {
            if !units.contains(&unit) {
                units.push(unit);
            }
        };
        for spelling in &spellings {
            match spelling.as_str() {
                "ck" => add(Unit::new("k", "K")),
                "ph" => add(Unit::new("f", "P")),
                other => add(Unit::new(other, class_of(other))),
            }
        }
        // c is k, or s before e, i, y; g may be soft; a final h after a vowel is mute.
        for (spelling, class) in [("k", "KS"), ("s", "S"), ("g", "KS"), ("h", "aK")] {
            add(Unit::new(spelling, class));
        }
        assert!(units.len() < 255, "unit ids are bytes");
        UnitTable { units }
    });
    &TABLE
}

/// The spellings of one sound that romanizations swap (the `[alternatives]`
/// of the transliteration tables), as sound units, both ways round.
pub fn unit_alternatives() -> &'static [(Tiny, Tiny)] {
    static PAIRS: LazyLock<Vec<(Tiny, Tiny)>> = LazyLock::new(|| {
        let mut pairs = Vec::new();
        for (primary, other) in alternatives() {
            let (a, b) = (sound_units(primary), sound_units(other));
            assert!(
                a.len() == 1 && b.len() == 1,
                "alternative romanization {primary:?} / {other:?}: each must be one sound unit"
            );
            let (a, b) = (a[0].spelling, b[0].spelling);
            if a != b {
                pairs.push((a, b));
                pairs.push((b, a));
            }
        }
        pairs.sort();
        pairs.dedup();
        pairs
    });
    &PAIRS
}

fn upper_first(class: &Tiny, out: &mut String) {
    match class.first() {
        Some(VOWEL) => out.push(VOWEL),
        Some(c) => out.extend(c.to_uppercase()),
        None => {}
    }
}

fn collapse(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    let mut last = None;
    for c in key.chars() {
        if Some(c) != last {
            out.push(c);
        }
        last = Some(c);
    }
    out
}

/// The sound-class key of sound units: one capital per consonant class, one
/// `a` per run of vowels, repeats collapsed.
pub fn key_of(units: &[Unit]) -> String {
    let mut classes = String::with_capacity(units.len());
    for unit in units {
        upper_first(&unit.class, &mut classes);
    }
    collapse(&classes)
}

/// The sound-class key of a romanized word or name (spaces are ignored).
///
/// ```
/// use namenorm_core::keys::sound_key;
/// assert_eq!(sound_key("hadrut"), "KaTRaT");
/// assert_eq!(sound_key("qadr"), "KaTR");
/// assert_eq!(sound_key("bashinian"), sound_key("pashinyan"));
/// ```
pub fn sound_key(romanized: &str) -> String {
    key_of(&sound_units(romanized))
}

/// The consonant skeleton of sound units: one capital per consonant class,
/// repeats collapsed. With `waw_is_vowel`, w counts as the vowel it writes in
/// Arabic and Hebrew script and is left out too.
pub fn units_skeleton(units: &[Unit], waw_is_vowel: bool) -> String {
    let mut consonants: Vec<String> = Vec::new();
    for unit in units {
        if unit.is_vowel() || (waw_is_vowel && unit.spelling.as_str() == "w") {
            continue;
        }
        let mut c = String::new();
        upper_first(&unit.class, &mut c);
        if consonants.last() != Some(&c) {
            consonants.push(c);
        }
    }
    consonants.concat()
}

/// `units_skeleton` of units given by their ids (`unit_table`).
pub fn ids_skeleton(units: &[u8], waw_is_vowel: bool) -> String {
    let table = unit_table();
    let units: Vec<Unit> = units
        .iter()
        .filter_map(|&u| table.units.get(u as usize).copied())
        .collect();
    units_skeleton(&units, waw_is_vowel)
}

/// The consonant skeleton: `sound_key` without its vowels.
///
/// ```
/// use namenorm_core::keys::skeleton_key;
/// assert_eq!(skeleton_key("hadrut"), "KTRT");
/// assert_eq!(skeleton_key("hdrwt"), "KTRPT");
/// ```
pub fn skeleton_key(romanized: &str) -> String {
    units_skeleton(&sound_units(romanized), false)
}

/// One word of a name in each of the forms it is compared in.
#[derive(Clone, Debug, PartialEq)]
pub struct WordKeys {
    pub normalized: String,
    pub romanized: String,
    pub sound: String,
    pub units: Vec<Unit>,
    /// Metaphone of the romanized word.
    pub metaphone: String,
    /// An article, "city of" or "district": a place's name may go without.
    pub optional: bool,
    /// What else the word may be (`names::TITLE`, `PARTICLE`, `SUFFIX`,
    /// `LEGAL`, `SURNAME`), which scoring reads by the kind of entity.
    pub role: u8,
}

/// A name prepared for comparison: its words and their joined forms.
#[derive(Clone, Debug, PartialEq)]
pub struct NameKeys {
    /// The whole normalized name, generic words included.
    pub normalized: String,
    /// The words that name the entity (titles set aside; articles and words
    /// for kinds of place kept, marked optional).
    pub words: Vec<WordKeys>,
    /// The romanized words joined without spaces.
    pub romanized: String,
    /// The sound key of `romanized`.
    pub sound: String,
    /// The sound units of the words, with their word ends.
    pub units: Vec<Unit>,
    /// Written in Arabic or Hebrew script, which leave short vowels out.
    pub abjad: bool,
    /// Transcribed through a syllabic script (Japanese, Korean, Chinese),
    /// which adds vowels the name lacks and has one of r and l: lowercase, as
    /// such transcriptions are written, at least five letters, and every word
    /// a run of open syllables ("bureisuburijji" for Bracebridge).
    pub syllabic: bool,
}

impl NameKeys {
    /// The normalized words joined without spaces.
    pub fn compact(&self) -> String {
        self.words.iter().map(|w| w.normalized.as_str()).collect()
    }

    /// The romanized words joined without spaces, optional words left out.
    pub fn core(&self) -> String {
        self.words
            .iter()
            .filter(|w| !w.optional)
            .map(|w| w.romanized.as_str())
            .collect()
    }

    /// The romanized words, with spaces between them.
    pub fn spaced(&self) -> String {
        self.words
            .iter()
            .map(|w| w.romanized.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

// A word of open syllables: consonant (or none), one or two vowels, n or ng at most.
static OPEN_SYLLABLES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:(?:[kgsztdnhbpmrwyfjclqx]|sh|ch|ts|zh|[kgnhbpmr]y|kk|tt|pp|ss|jj|tch)?[aeiou]{1,2}(?:ng|n)?)+$")
        .expect("a valid pattern")
});

/// The metaphone of a romanized word (rphonetic's, the Metaphone of Apache
/// Commons Codec), of its first `MAX_NAME_LENGTH` letters: rphonetic's
/// `encode` takes time with the square of a word's length (463 ms for
/// 100,000 letters), and no longer word is matched anyway.
pub fn metaphone(romanized: &str) -> String {
    static METAPHONE: LazyLock<Metaphone> = LazyLock::new(|| Metaphone::new(None));
    if romanized.is_empty() {
        return String::new();
    }
    let end = romanized
        .char_indices()
        .nth(config::MAX_NAME_LENGTH)
        .map_or(romanized.len(), |(at, _)| at);
    METAPHONE.encode(&romanized[..end])
}

fn word_forms(word: &str) -> (String, String, Vec<Unit>, String) {
    let romanized: String = romanize(word).chars().filter(|&c| c != ' ').collect();
    let units = sound_units(&romanized);
    let sound = key_of(&units);
    let metaphone = metaphone(&romanized);
    (romanized, sound, units, metaphone)
}

/// The part of a name that is compared when it is compared alone (the
/// similarity functions): its first `MAX_QUERY_CHARS` characters, since
/// edit distances take time with the product of two names' lengths.
pub fn compared(text: &str) -> &str {
    text.char_indices()
        .nth(config::MAX_QUERY_CHARS)
        .map_or(text, |(at, _)| &text[..at])
}

/// Normalize, strip generic words, transliterate and key a name. A name
/// with no letters or digits has no words.
///
/// ```
/// use namenorm_core::keys::name_keys;
/// let k = name_keys("Prime Minister Nicole Bashinian");
/// assert_eq!(k.words.iter().map(|w| w.romanized.as_str()).collect::<Vec<_>>(), ["nicole", "bashinian"]);
/// assert_eq!(k.sound, "NaKaLaPaSaNaN");
/// ```
pub fn name_keys(text: &str) -> NameKeys {
    let normalized = normalize(text);
    let split: Vec<&str> = pystr::split(&normalized).collect();
    let forms: Vec<_> = split.iter().map(|w| word_forms(w)).collect();
    let romanized: Vec<&str> = forms.iter().map(|f| f.0.as_str()).collect();
    let (start, core_start, core_end) = generic_span(&romanized);
    let kept: Vec<usize> = (start..split.len())
        .filter(|&position| !forms[position].0.is_empty())
        .collect();
    let roles = names::roles(&kept.iter().map(|&p| romanized[p]).collect::<Vec<_>>());
    let surnames = names::surname_marks(text, split.len());
    let words: Vec<WordKeys> = kept
        .iter()
        .zip(roles)
        .map(|(&position, role)| {
            let (romanized, sound, units, metaphone) = &forms[position];
            WordKeys {
                normalized: split[position].to_owned(),
                romanized: romanized.clone(),
                sound: sound.clone(),
                units: units.clone(),
                metaphone: metaphone.clone(),
                optional: !(core_start <= position && position < core_end),
                // A word in capitals among lower-case words is a name
                // ("UN Security Council"), never a stopword ("un").
                role: if surnames[position] {
                    (role & !names::STOPWORD) | names::SURNAME
                } else {
                    role
                },
            }
        })
        .collect();
    // The whole name's units, with the word ends known (a mute h ends a word).
    let (units, sound) = if words.len() == 1 {
        (words[0].units.clone(), words[0].sound.clone())
    } else {
        let units = sound_units(
            &words
                .iter()
                .map(|w| w.romanized.as_str())
                .collect::<Vec<_>>()
                .join(" "),
        );
        let sound = key_of(&units);
        (units, sound)
    };
    let abjad = normalized
        .chars()
        .any(|c| matches!(c.script(), Script::Arabic | Script::Hebrew));
    let syllabic = pystr::is_lower(text)
        && pystr::len(&normalized) >= 5
        && split.iter().all(|w| OPEN_SYLLABLES.is_match(w));
    let joined = words.iter().map(|w| w.romanized.as_str()).collect();
    NameKeys {
        normalized,
        words,
        romanized: joined,
        sound,
        units,
        abjad,
        syllabic,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_word_is_keyed_on_its_first_letters_by_metaphone() {
        // rphonetic's encode is quadratic: a million letters took minutes.
        let long = "ab".repeat(500_000);
        assert_eq!(
            metaphone(&long),
            metaphone(&long[..config::MAX_NAME_LENGTH])
        );
        assert_eq!(metaphone("hadrut"), "HTRT");
    }

    #[test]
    fn test_vectors() {
        for row in crate::testdata::rows("same_sound.tsv") {
            assert_eq!(sound_key(&row[0]), sound_key(&row[1]), "{row:?}");
        }
    }

    fn spelled(units: &[Unit]) -> Vec<(&str, &str)> {
        units
            .iter()
            .map(|u| (u.spelling.as_str(), u.class.as_str()))
            .collect()
    }

    #[test]
    fn units() {
        assert_eq!(
            spelled(&sound_units("farrukh")),
            [("f", "P"), ("a", "a"), ("r", "r"), ("u", "a"), ("kh", "K")]
        );
        assert_eq!(
            spelled(&sound_units("makkah")),
            [("m", "m"), ("a", "a"), ("k", "K"), ("a", "a"), ("h", "aK")]
        );
        assert_eq!(
            spelled(&sound_units("nice")),
            [("n", "n"), ("i", "a"), ("s", "S"), ("e", "a")]
        );
        assert_eq!(units_skeleton(&sound_units("twnk"), true), "TNK");
        assert_eq!(sound_key("gadrut"), "KaTRaT");
    }

    #[test]
    fn alternative_romanizations_are_single_sound_units() {
        // unit_alternatives panics if a table's alternative is not one sound unit.
        let pairs: Vec<(&str, &str)> = unit_alternatives()
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        assert!(pairs.contains(&("kh", "h")) && pairs.contains(&("h", "kh"))); // х: BGN kh, English h
        assert!(pairs.contains(&("b", "p"))); // Western Armenian
    }

    #[test]
    fn syllabic_transcriptions_are_recognised() {
        for (text, syllabic) in [
            ("bureisuburijji", true), // Japanese katakana: Bracebridge
            ("seutalajagola", true),  // Korean hangul: Stara Zagora
            ("ao si lu", true),       // Chinese pinyin: Oslo
            ("Maruberya", false),     // capitalized: a name written out
            ("hadrut", false),        // a closed syllable
            ("oslo", false),          // too short to tell
        ] {
            assert_eq!(name_keys(text).syllabic, syllabic, "{text}");
        }
    }

    #[test]
    fn every_unit_of_romanized_text_has_an_id() {
        let table = unit_table();
        let alphabet: Vec<char> = ('a'..='z').chain('0'..='9').chain([' ']).collect();
        for a in &alphabet {
            for b in &alphabet {
                for c in &alphabet {
                    let text: String = [*a, *b, *c].iter().collect();
                    for unit in sound_units(&text) {
                        assert!(table.id(&unit).is_some(), "{text:?}: {unit:?}");
                    }
                }
            }
        }
        for text in ["tschk", "dzhe", "schi", "ckph", "makkah"] {
            assert!(
                sound_units(text).iter().all(|u| table.id(u).is_some()),
                "{text}"
            );
        }
    }

    #[test]
    fn names() {
        let k = name_keys("bureisuburijji");
        assert!(k.syllabic && !k.abjad);
        let k = name_keys("الديوانية");
        assert!(k.abjad && !k.syllabic);
        let k = name_keys("Hadrut district");
        assert!(!k.words[0].optional && k.words[1].optional);
        assert_eq!(k.core(), "hadrut");
        assert!(name_keys("!!!").words.is_empty());
    }
}
