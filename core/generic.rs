//! Stage 2b: the parts of a name that are not the name itself.
//!
//! Generic words are recognised in romanized form, so this stage follows
//! transliteration. Titles ("President") are set aside; articles ("Al-"),
//! "city of" words and words for kinds of place ("district") are optional; a
//! qualifier after a comma ("Tacoma, Washington"), the Arabic article joined
//! to a word (الديوانية) and a Lithuanian nominative ending ("Dilizanas")
//! give other readings of a query. The word lists are data:
//! `namenorm/data/generic.toml`.

use std::collections::HashMap;
use std::sync::LazyLock;

use unicode_script::{Script, UnicodeScript};

use crate::data;
use crate::normalize::normalize;
use crate::pystr;
use crate::translit::transliterate;

/// Phrases by their first word (or last, for those read at the end of a
/// name), longest first: a name is checked only against the phrases its
/// own words could start or end.
pub type Phrases = HashMap<String, Vec<Vec<String>>>;

/// Entries of a word list as phrases: each romanized and split into words,
/// so that "город" and "gorod" are one word; longest first (so "prime
/// minister" goes before "minister"), each once.
pub fn phrase_list(entries: impl IntoIterator<Item = String>) -> Vec<Vec<String>> {
    let mut found: Vec<Vec<String>> = entries
        .into_iter()
        .map(|p| {
            pystr::split(&transliterate(&p))
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .filter(|p| !p.is_empty())
        .collect();
    found.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    found.dedup();
    found
}

/// `phrases` by their first word, or their last (`last`).
pub fn by_word(phrases: &[Vec<String>], last: bool) -> Phrases {
    let mut by_word: Phrases = HashMap::new();
    for phrase in phrases {
        let word = if last {
            &phrase[phrase.len() - 1]
        } else {
            &phrase[0]
        };
        by_word
            .entry(word.clone())
            .or_default()
            .push(phrase.clone());
    }
    by_word
}

struct Generic {
    titles: Vec<String>,
    leading_titles: Phrases,
    leading: Phrases,
    trailing: Phrases,
    equivalents: HashMap<String, String>,
    case_endings: Vec<String>,
}

static GENERIC: LazyLock<Generic> = LazyLock::new(|| {
    let table = data::parse("generic.toml", data::GENERIC);
    // Titles and leading words by their first word, trailing words by their last.
    let phrases = |last: bool, keys: &[&str]| -> Phrases {
        let entries = keys.iter().flat_map(|key| data::strings(table.get(*key)));
        by_word(&phrase_list(entries), last)
    };
    let mut equivalents = HashMap::new();
    if let Some(groups) = table.get("equivalents").and_then(|v| v.as_table()) {
        for (english, words) in groups {
            for word in data::strings(Some(words)) {
                equivalents.insert(transliterate(&word), english.clone());
            }
        }
    }
    Generic {
        titles: data::strings(table.get("titles")),
        leading_titles: phrases(false, &["titles"]),
        leading: phrases(false, &["articles", "place_prefixes"]),
        trailing: phrases(true, &["place_words"]),
        equivalents,
        case_endings: data::strings(table.get("case_endings")),
    }
});

/// The titles and honorifics set aside at the start of a name ("prime
/// minister"), as written in the data.
pub fn generic_titles() -> &'static [String] {
    &GENERIC.titles
}

fn starts_with(words: &[&str], phrase: &[String]) -> bool {
    words.len() >= phrase.len() && words.iter().zip(phrase).all(|(w, p)| *w == p)
}

/// Find the generic words of a name: titles, and optional words around its core.
///
/// Titles ("President", "Prime Minister") at the start are set aside. After
/// them, articles and "city of" words at the start, and words for kinds of
/// place at the end, are optional. At least one word is always left in the
/// core: "President" alone stays "president".
///
/// Returns (start, core_start, core_end): `words[..start]` are titles,
/// `words[core_start..core_end]` the core, the rest optional.
///
/// ```
/// use namenorm_core::generic::generic_span;
/// assert_eq!(generic_span(&["prime", "minister", "nikol", "pashinyan"]), (2, 2, 4));
/// assert_eq!(generic_span(&["al", "diwaniyah"]), (0, 1, 2));
/// ```
pub fn generic_span(words: &[&str]) -> (usize, usize, usize) {
    let g = &*GENERIC;
    let mut start = 0;
    while start < words.len() {
        let title = g.leading_titles.get(words[start]).and_then(|phrases| {
            phrases
                .iter()
                .find(|p| words.len() - start > p.len() && starts_with(&words[start..], p))
        });
        match title {
            Some(p) => start += p.len(),
            None => break,
        }
    }
    let (mut core_start, mut core_end) = (start, words.len());
    let mut changed = true;
    while changed && core_end - core_start > 1 {
        changed = false;
        if let Some(phrases) = g.leading.get(words[core_start]) {
            if let Some(p) = phrases
                .iter()
                .find(|p| core_end - core_start > p.len() && starts_with(&words[core_start..], p))
            {
                core_start += p.len();
                changed = true;
            }
        }
        if let Some(phrases) = g.trailing.get(words[core_end - 1]) {
            if let Some(p) = phrases.iter().find(|p| {
                core_end - core_start > p.len()
                    && starts_with(&words[core_end - p.len()..core_end], p)
            }) {
                core_end -= p.len();
                changed = true;
            }
        }
    }
    (start, core_start, core_end)
}

/// The English word that a romanized word translates, if it is one of the
/// words names translate rather than transcribe (`[equivalents]`: saint,
/// east, west, north, south).
///
/// ```
/// use namenorm_core::generic::equivalent;
/// assert_eq!(equivalent("vostochny"), Some("east"));
/// assert_eq!(equivalent("hadrut"), None);
/// ```
pub fn equivalent(word: &str) -> Option<&'static str> {
    GENERIC.equivalents.get(word).map(String::as_str)
}

/// The name without the Arabic article joined to its first word, if it has
/// one (الديوانية: ديوانية); leading spaces go with it.
pub fn without_article(text: &str) -> Option<String> {
    let rest = text
        .trim_start_matches(char::is_whitespace)
        .strip_prefix("ال")?;
    let arabic = rest
        .chars()
        .take(2)
        .filter(|c| c.script() == Script::Arabic)
        .count();
    (arabic == 2).then(|| rest.to_owned())
}

/// The name without the Lithuanian nominative ending of its last word
/// ("Dilizanas" is Dilijan), when that word is capitalized (a capital, then
/// four letters or more in lower case, the ending's among them).
///
/// ```
/// use namenorm_core::generic::without_case_ending;
/// assert_eq!(without_case_ending("Port Žantilis").as_deref(), Some("Port Žantil"));
/// assert_eq!(without_case_ending("Paris"), None);
/// ```
pub fn without_case_ending(text: &str) -> Option<String> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut run = 0; // lower case letters just before position i
    for i in 0..chars.len() {
        if i > 0 {
            run = if pystr::is_ll(chars[i - 1].1) {
                run + 1
            } else {
                0
            };
        }
        // A capital, then at least three lower case letters, before the ending.
        if run < 3 || i < run + 1 || !pystr::is_lu(chars[i - 1 - run].1) {
            continue;
        }
        let at = chars[i].0;
        let rest = &text[at..];
        for ending in &GENERIC.case_endings {
            if let Some(after) = rest.strip_prefix(ending.as_str()) {
                if after.chars().all(char::is_whitespace) {
                    return Some(text[..at].to_owned());
                }
            }
        }
    }
    None
}

/// The part of a name before its first comma (or run of two spaces or
/// more, where a comma was lost), when both parts have letters.
///
/// ```
/// use namenorm_core::generic::without_qualifier;
/// assert_eq!(without_qualifier("Tacoma, Washington").as_deref(), Some("Tacoma"));
/// assert_eq!(without_qualifier("Vero Beach  Florida").as_deref(), Some("Vero Beach"));
/// assert_eq!(without_qualifier("Hadrut"), None);
/// ```
pub fn without_qualifier(text: &str) -> Option<String> {
    let comma = |c: char| matches!(c, ',' | '\u{60c}' | '\u{ff0c}');
    for (at, _) in text.char_indices() {
        let rest = &text[at..];
        let spaces = rest.len() - rest.trim_start_matches(char::is_whitespace).len();
        let after_spaces = &rest[spaces..];
        let end = if after_spaces.starts_with(comma) {
            let after_comma =
                &after_spaces[after_spaces.chars().next().map_or(0, char::len_utf8)..];
            Some(text.len() - after_comma.trim_start_matches(char::is_whitespace).len())
        } else if rest.chars().take_while(|c| c.is_whitespace()).count() >= 2 {
            Some(at + spaces)
        } else {
            None
        };
        if let Some(end) = end {
            let (head, tail) = (&text[..at], &text[end..]);
            return (!normalize(head).is_empty() && !normalize(tail).is_empty())
                .then(|| head.to_owned());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_vectors() {
        for row in crate::testdata::rows("generic_words.tsv") {
            let words: Vec<&str> = row[0].split_whitespace().collect();
            let (_, start, end) = generic_span(&words);
            assert_eq!(words[start..end].join(" "), row[1], "{:?}", row[0]);
        }
    }

    #[test]
    fn spans() {
        assert_eq!(generic_span(&["hadrut", "district"]), (0, 0, 1));
        assert_eq!(generic_span(&["president"]), (0, 0, 1));
        assert_eq!(generic_span(&[]), (0, 0, 0));
    }

    #[test]
    fn readings() {
        assert_eq!(without_article("الديوانية").as_deref(), Some("ديوانية"));
        assert_eq!(without_article("ال"), None);
        assert_eq!(without_case_ending("Dilizanas").as_deref(), Some("Dilizan"));
        assert_eq!(
            without_qualifier("کلیئرفیلڈ، یوٹاہ").as_deref(),
            Some("کلیئرفیلڈ")
        );
        assert_eq!(without_qualifier("Tacoma ,"), None);
        assert_eq!(equivalent("st"), Some("saint"));
    }
}
