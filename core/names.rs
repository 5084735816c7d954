//! Stage 2c: the roles of the words of a person's or an organisation's name.
//!
//! A name's words are marked with what they may be, whatever the entity:
//! a title or honorific at its start ("Colonel", "Dr"), a particle ("al",
//! "bin", "van", "de"), a generational suffix at its end ("Jr", "III"), a
//! legal form at its start or end ("OOO", "GmbH", "Sp. z o.o.", "Limited
//! Liability Company"), or the surname, where the name says which it is (in
//! capitals in a name otherwise written in small letters, "Nicolas MADURO
//! MOROS"; or before a comma, "VAZIRI, Hossein"). Scoring reads the marks
//! by the kind of the entity compared: a person's title, particle and suffix
//! weigh little and its surname must agree; an organisation's legal form
//! is neither needed nor enough; a place ignores them all ("King City",
//! "General Santos").
//!
//! The word lists are data from the libraries that maintain them
//! (`namenorm/data/names.toml`, made by tools/make_names.py from rigour and
//! nameparser), compared in romanized form, a phrase word by word.

use std::collections::HashMap;
use std::sync::LazyLock;

use crate::data;
use crate::generic::{by_word, phrase_list, Phrases};
use crate::normalize::normalize;
use crate::pystr;

/// A title or honorific at the start of the name.
pub const TITLE: u8 = 2;
/// A particle: "al", "bin", "ibn", "van", "von", "de", "dos".
pub const PARTICLE: u8 = 4;
/// A generational or honorary suffix at the end: "Jr", "III".
pub const SUFFIX: u8 = 8;
/// A legal form at the start or end: "LLC", "OOO", "GmbH".
pub const LEGAL: u8 = 16;
/// Marked as the surname by the way the name is written.
pub const SURNAME: u8 = 32;
/// A stopword of names: "of", "de", "and", "und".
pub const STOPWORD: u8 = 64;
/// A generic word of organisations' names, one of `symbol`'s: "company",
/// "bank", "trading", "general".
pub const GENERIC: u8 = 128;
/// Every role bit.
pub const ROLES: u8 = TITLE | PARTICLE | SUFFIX | LEGAL | SURNAME | STOPWORD | GENERIC;

struct Words {
    titles: Phrases,
    legal_first: Phrases,
    legal_last: Phrases,
    particles: Vec<String>,
    suffixes: Vec<String>,
    stopwords: Vec<String>,
    /// Each word of organisations' names that has a meaning of its own in
    /// many languages: what it means (the position of its group in
    /// `[org.symbols]`, then `[org.domains]`), and whether it is generic.
    symbols: HashMap<String, (u16, bool)>,
    split_phrases: Vec<Vec<String>>,
}

static WORDS: LazyLock<Words> = LazyLock::new(|| {
    let table = data::parse("names.toml", data::NAMES);
    let section = |name: &str, key: &str| -> Vec<Vec<String>> {
        phrase_list(data::strings(table.get(name).and_then(|s| s.get(key))))
    };
    let single = |name: &str, key: &str| -> Vec<String> {
        let mut words: Vec<String> = section(name, key)
            .into_iter()
            .filter(|p| p.len() == 1)
            .map(|mut p| p.remove(0))
            .collect();
        words.sort();
        words.dedup();
        words
    };
    let legal = section("org", "legal_forms");
    let mut symbols = HashMap::new();
    let groups = ["symbols", "domains"].into_iter().flat_map(|key| {
        let generic = key == "symbols";
        table
            .get("org")
            .and_then(|o| o.get(key))
            .and_then(|v| v.as_table())
            .into_iter()
            .flat_map(move |t| t.values().map(move |words| (words, generic)))
    });
    for (at, (words, generic)) in groups.enumerate() {
        for phrase in phrase_list(data::strings(Some(words))) {
            if let [word] = phrase.as_slice() {
                symbols.entry(word.clone()).or_insert((at as u16, generic));
            }
        }
    }
    Words {
        titles: by_word(&section("person", "titles"), false),
        legal_first: by_word(&legal, false),
        legal_last: by_word(&legal, true),
        particles: single("person", "particles"),
        suffixes: single("person", "suffixes"),
        stopwords: single("org", "stopwords"),
        symbols,
        split_phrases: section("org", "split_phrases"),
    }
});

fn starts_with(words: &[&str], phrase: &[String]) -> bool {
    words.len() >= phrase.len() && words.iter().zip(phrase).all(|(w, p)| *w == p)
}

fn ends_with(words: &[&str], phrase: &[String]) -> bool {
    words.len() >= phrase.len()
        && words[words.len() - phrase.len()..]
            .iter()
            .zip(phrase)
            .all(|(w, p)| *w == p)
}

/// The marks (`TITLE`, `PARTICLE`, `SUFFIX`, `LEGAL`) of a name's words, in
/// romanized form; at least one word is always left unmarked by the
/// phrases at its ends.
///
/// ```
/// use namenorm_core::names::{roles, LEGAL, PARTICLE, TITLE};
/// assert_eq!(roles(&["colonel", "abu", "bakr"]), [TITLE, PARTICLE, 0]);
/// assert_eq!(roles(&["gazprom", "neft", "ooo"]), [0, 0, LEGAL]);
/// assert_eq!(roles(&["ooo"]), [0]);
/// ```
pub fn roles(words: &[&str]) -> Vec<u8> {
    let w = &*WORDS;
    let mut marks = vec![0u8; words.len()];
    // Titles at the start, one after another ("his excellency sheikh").
    let mut start = 0;
    while let Some(p) = w
        .titles
        .get(*words.get(start).unwrap_or(&""))
        .and_then(|ps| {
            ps.iter()
                .find(|p| words.len() - start > p.len() && starts_with(&words[start..], p))
        })
    {
        marks[start..start + p.len()].fill(TITLE);
        start += p.len();
    }
    // A legal form at either end, leaving a word of the name.
    let mut end = words.len();
    if end > start {
        if let Some(p) = w.legal_last.get(words[end - 1]).and_then(|ps| {
            ps.iter()
                .find(|p| end - start > p.len() && ends_with(&words[start..end], p))
        }) {
            marks[end - p.len()..end].fill(LEGAL);
            end -= p.len();
        }
    }
    if end > start {
        if let Some(p) = w.legal_first.get(words[start]).and_then(|ps| {
            ps.iter()
                .find(|p| end - start > p.len() && starts_with(&words[start..end], p))
        }) {
            marks[start..start + p.len()].fill(LEGAL);
        }
    }
    // Suffixes at the end of a name of two words or more.
    while end > start + 2
        && marks[end - 1] == 0
        && w.suffixes.binary_search(&words[end - 1].to_owned()).is_ok()
    {
        marks[end - 1] |= SUFFIX;
        end -= 1;
    }
    // Particles: any word but the last of the name.
    for i in start..end.saturating_sub(1) {
        if marks[i] == 0 && w.particles.binary_search(&words[i].to_owned()).is_ok() {
            marks[i] = PARTICLE;
        }
    }
    // Stopwords and generic words, anywhere in a name of more words.
    if words.len() > 1 {
        for (i, word) in words.iter().enumerate() {
            if w.stopwords.binary_search(&(*word).to_owned()).is_ok() {
                marks[i] |= STOPWORD;
            }
            if w.symbols.get(*word).is_some_and(|(_, generic)| *generic) {
                marks[i] |= GENERIC;
            }
        }
    }
    marks
}

/// Whether a name's words (romanized) are only titles, legal forms,
/// particles, suffixes and stopwords ("dr", "al", "llc", "mr and mrs"):
/// they name no one, and a query of them alone matches nothing that is not
/// spelled so.
///
/// ```
/// use namenorm_core::names::says_nothing;
/// assert!(says_nothing(&["dr"]) && says_nothing(&["al"]) && says_nothing(&["ooo"]));
/// assert!(says_nothing(&["his", "excellency"]) && says_nothing(&["s", "a"]));
/// assert!(!says_nothing(&["dr", "aliyev"]) && !says_nothing(&["bank"]) && !says_nothing(&[]));
/// ```
pub fn says_nothing(words: &[&str]) -> bool {
    let w = &*WORDS;
    let single = |list: &[String], word: &str| list.binary_search(&word.to_owned()).is_ok();
    let mut at = 0;
    while at < words.len() {
        let phrase = [&w.titles, &w.legal_first]
            .into_iter()
            .filter_map(|phrases| phrases.get(words[at]))
            .flatten()
            .filter(|p| starts_with(&words[at..], p))
            .map(Vec::len)
            .max();
        at += match phrase {
            Some(len) => len,
            None if [&w.particles, &w.suffixes, &w.stopwords]
                .iter()
                .any(|list| single(list, words[at])) =>
            {
                1
            }
            None => return false,
        };
    }
    !words.is_empty()
}

/// What a word of organisations' names means, if it has a meaning of its
/// own: the same for the words of one meaning in any language ("bank",
/// "banco", "bankasi", "банк"; "company", "compania").
///
/// ```
/// use namenorm_core::names::symbol;
/// assert!(symbol("banco").is_some() && symbol("banco") == symbol("bank"));
/// assert!(symbol("compania").is_some() && symbol("compania") == symbol("company"));
/// assert_eq!(symbol("hadrut"), None);
/// ```
pub fn symbol(word: &str) -> Option<u16> {
    WORDS.symbols.get(word).map(|(at, _)| *at)
}

/// An acronym key (the initials of a name's words) has at most this many
/// letters ("AICTC" for the Advanced Information and Communication
/// Technology Center).
pub const INITIALS_MAX_LETTERS: usize = 8;

/// The phrases that split one name from another in a written name
/// ("formerly", "a k a", "f k a"), romanized and split into words.
pub fn split_phrases() -> &'static [Vec<String>] {
    &WORDS.split_phrases
}

/// Which of the `count` normalized words of `text` the way it is written
/// marks as the surname: the words before its first comma ("VAZIRI, Hossein
/// Nosratollah"), else those written in capitals when others are not
/// ("Nicolas MADURO MOROS"). None marked when neither says, or when the
/// words cannot be told apart in the writing.
pub fn surname_marks(text: &str, count: usize) -> Vec<bool> {
    let none = vec![false; count];
    let words_of = |part: &str| pystr::split(&normalize(part)).count();
    if let Some(at) = text.find([',', '\u{60c}', '\u{ff0c}']) {
        let comma = text[at..].chars().next().map_or(1, char::len_utf8);
        let (before, after) = (words_of(&text[..at]), words_of(&text[at + comma..]));
        if before > 0 && after > 0 && before + after == count {
            return (0..count).map(|i| i < before).collect();
        }
        return none;
    }
    let tokens: Vec<&str> = text.split_whitespace().collect();
    let counts: Vec<usize> = tokens.iter().map(|t| words_of(t)).collect();
    if counts.iter().sum::<usize>() != count {
        return none;
    }
    let capitals: Vec<bool> = tokens
        .iter()
        .map(|t| pystr::is_upper(t) && t.chars().filter(|c| c.is_alphabetic()).count() > 1)
        .collect();
    let cased = |t: &&str| t.chars().any(|c| c.is_lowercase());
    if !capitals.iter().any(|&c| c) || !tokens.iter().any(cased) {
        return none;
    }
    tokens
        .iter()
        .zip(&capitals)
        .zip(&counts)
        .flat_map(|((_, &capital), &n)| std::iter::repeat_n(capital, n))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks() {
        assert_eq!(roles(&["nicolas", "maduro", "moros"]), [0, 0, 0]);
        assert_eq!(
            roles(&["saddam", "hussein", "al", "tikriti"]),
            [0, 0, PARTICLE | STOPWORD, 0]
        );
        assert_eq!(roles(&["john", "smith", "jr"]), [0, 0, SUFFIX]);
        assert_eq!(roles(&["john", "jr"]), [0, 0]);
        assert_eq!(
            roles(&["bank", "melli", "iran", "pjsc"]).last(),
            Some(&LEGAL)
        );
    }

    #[test]
    fn surnames() {
        assert_eq!(
            surname_marks("VAZIRI, Hossein Nosratollah", 3),
            [true, false, false]
        );
        assert_eq!(
            surname_marks("Nicolas MADURO MOROS", 3),
            [false, true, true]
        );
        assert_eq!(surname_marks("Nicolas Maduro", 2), [false, false]);
        assert_eq!(surname_marks("NICOLAS MADURO", 2), [false, false]);
        assert_eq!(
            surname_marks("Saddam HUSSEIN AL-TIKRITI", 4),
            [false, true, true, true]
        );
    }
}
