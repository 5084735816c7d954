//! Stage 1: normalize a name's spelling without changing its script.
//!
//! `normalize` folds the differences that never distinguish two names:
//! Unicode compatibility forms, case, punctuation, hyphens, dotted acronyms
//! and spacing. Letters keep their script and diacritics; removing those is
//! transliteration's job (`translit`), so that "Erdoğan" and "Erdogan" can be
//! told apart as a transliterated rather than a normalized match.

use std::sync::LazyLock;

use fancy_regex::Regex;
use icu_casemap::CaseMapper;
use unicode_normalization::UnicodeNormalization;

use crate::pystr;

/// Apostrophes and modifier letters used as apostrophes: they join, never
/// split ("O'Brien", "T'agher", "Qur'an").
pub const APOSTROPHE_MARKS: &str =
    "\u{27}\u{2018}\u{2019}\u{2bb}\u{2bc}\u{2be}\u{2bf}\u{60}\u{b4}\u{5f4}";

/// The Hebrew geresh (׳), which makes a letter another (ג׳ is j).
pub const GERESH: char = '\u{5f3}';

// "U.N.", "U.S.A." -> "UN", "USA": a dotted acronym is one word.
static ACRONYM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?<![\p{L}\p{M}])(?:\p{L}\.)+\p{L}\.?(?![\p{L}\p{M}])").expect("a valid pattern")
});

fn is_hebrew_letter(c: char) -> bool {
    ('\u{5d0}'..='\u{5ea}').contains(&c)
}

/// Normalize a name for comparison, keeping its script.
///
/// Applies Unicode NFKC, case folding, joins dotted acronyms, drops
/// apostrophes and invisible format characters (soft hyphens, zero-width
/// joiners), turns every other non-letter (punctuation, hyphens, symbols,
/// spacing) into single spaces. An apostrophe after a Hebrew letter is the
/// geresh (׳) that makes it another letter (ג׳ is j), and stays as one.
/// Idempotent. Empty if `text` has no letters or digits.
///
/// ```
/// use namenorm_core::normalize::normalize;
/// assert_eq!(normalize("  U.N. Security-Council "), "un security council");
/// assert_eq!(normalize("Nagorno–Karabakh’s"), "nagorno karabakhs");
/// ```
pub fn normalize(text: &str) -> String {
    let mut text: String = text.nfkc().collect();
    if text.contains('.') {
        // A pattern this small backtracks a bounded number of steps a
        // character; the limit is fancy-regex's own.
        if let Ok(joined) =
            ACRONYM.try_replacen(&text, 0, |caps: &fancy_regex::Captures<'_, str>| {
                caps[0].replace('.', "")
            })
        {
            text = joined.into_owned();
        }
    }
    // Invisible format characters sit inside words: dropped rather than split on.
    let visible: Vec<char> = text.chars().filter(|&c| !pystr::is_format(c)).collect();
    // An apostrophe after a Hebrew letter is the geresh; a geresh after
    // anything else is no letter.
    let mut marked: Vec<char> = Vec::with_capacity(visible.len());
    for (i, &c) in visible.iter().enumerate() {
        let after_letter = i > 0 && is_hebrew_letter(visible[i - 1]);
        marked.push(
            if after_letter && matches!(c, '\u{27}' | '\u{2019}' | GERESH) {
                GERESH
            } else {
                c
            },
        );
    }
    let gereshed: String = marked
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            if c == GERESH && !(i > 0 && is_hebrew_letter(marked[i - 1])) {
                ' '
            } else {
                c
            }
        })
        .collect();
    let folded = CaseMapper::new().fold_string(&gereshed);
    let joined: String = folded
        .chars()
        .filter(|c| !APOSTROPHE_MARKS.contains(*c))
        .nfc()
        .collect();
    let mut out = String::with_capacity(joined.len());
    let mut separated = false;
    for c in joined.chars() {
        if pystr::is_letter(c) || pystr::is_mark(c) || pystr::is_decimal(c) || c == GERESH {
            if separated && !out.is_empty() {
                out.push(' ');
            }
            separated = false;
            out.push(c);
        } else {
            separated = true;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn test_vectors() {
        for row in crate::testdata::rows("normalize.tsv") {
            assert_eq!(normalize(&row[0]), row[1], "{:?}", row[0]);
        }
    }

    #[test]
    fn examples() {
        assert_eq!(normalize("  U.N. Security-Council "), "un security council");
        assert_eq!(normalize("Nagorno–Karabakh’s"), "nagorno karabakhs");
        assert_eq!(normalize("U.N.ab"), "un ab");
        assert_eq!(normalize("Azer\u{ad}baijan"), "azerbaijan");
        assert_eq!(normalize("צ'צ'ניה"), "צ׳צ׳ניה");
        assert_eq!(normalize("Straße"), "strasse");
        assert_eq!(normalize("!!!"), "");
        assert_eq!(normalize("ﬁnd"), "find");
    }

    #[test]
    fn idempotent() {
        for text in ["U.S.A.", "O'Brien", "Ta‘izz", "ג׳ ׳", "İstanbul", "ΟΔΟΣ"] {
            let once = normalize(text);
            assert_eq!(normalize(&once), once, "{text}");
        }
    }
}
