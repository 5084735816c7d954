//! The predicates of Python's `str` that namenorm's rules are written in.
//!
//! namenorm's Python front decides what a name is by `str.isspace`,
//! `str.islower`, `str.isupper` and `str.isalnum`, whose definitions differ
//! from Rust's `char` methods at the edges (Python counts U+001C..U+001F as
//! spaces; its `isalnum` is by general category, Rust's by the Alphabetic
//! property). The core follows Python's, so that a name is read alike on
//! both sides.

use unicode_general_category::{get_general_category, GeneralCategory as G};

/// Python's `str.isspace` for one character.
pub fn is_space(c: char) -> bool {
    matches!(c, '\t'..='\r' | '\u{1c}'..='\u{20}' | '\u{85}' | '\u{a0}' | '\u{1680}')
        || matches!(
            c,
            '\u{2000}'
                ..='\u{200a}' | '\u{2028}' | '\u{2029}' | '\u{202f}' | '\u{205f}' | '\u{3000}'
        )
}

/// Python's `str.strip()`.
pub fn strip(s: &str) -> &str {
    s.trim_matches(is_space)
}

/// The words of Python's `str.split()`.
pub fn split(s: &str) -> impl Iterator<Item = &str> {
    s.split(is_space).filter(|w| !w.is_empty())
}

fn is_title(c: char) -> bool {
    get_general_category(c) == G::TitlecaseLetter
}

/// Python's `str.islower`: at least one cased character, and every cased one lower case.
pub fn is_lower(s: &str) -> bool {
    let mut cased = false;
    for c in s.chars() {
        if c.is_uppercase() || is_title(c) {
            return false;
        }
        cased |= c.is_lowercase();
    }
    cased
}

/// Python's `str.isupper`: at least one cased character, and every cased one upper case.
pub fn is_upper(s: &str) -> bool {
    let mut cased = false;
    for c in s.chars() {
        if c.is_lowercase() || is_title(c) {
            return false;
        }
        cased |= c.is_uppercase();
    }
    cased
}

/// Python's `str.isalpha` for one character: a letter of any category.
pub fn is_alpha(c: char) -> bool {
    matches!(
        get_general_category(c),
        G::UppercaseLetter
            | G::LowercaseLetter
            | G::TitlecaseLetter
            | G::ModifierLetter
            | G::OtherLetter
    )
}

/// Python's `str.isalnum` for one character: a letter or a number.
pub fn is_alnum(c: char) -> bool {
    is_alpha(c)
        || matches!(
            get_general_category(c),
            G::DecimalNumber | G::LetterNumber | G::OtherNumber
        )
}

/// A letter (`\p{L}`).
pub fn is_letter(c: char) -> bool {
    is_alpha(c)
}

/// A mark (`\p{M}`).
pub fn is_mark(c: char) -> bool {
    matches!(
        get_general_category(c),
        G::NonspacingMark | G::SpacingMark | G::EnclosingMark
    )
}

/// A decimal digit (`\p{Nd}`).
pub fn is_decimal(c: char) -> bool {
    get_general_category(c) == G::DecimalNumber
}

/// An upper case letter (`\p{Lu}`).
pub fn is_lu(c: char) -> bool {
    get_general_category(c) == G::UppercaseLetter
}

/// A lower case letter (`\p{Ll}`).
pub fn is_ll(c: char) -> bool {
    get_general_category(c) == G::LowercaseLetter
}

/// An invisible format character (`\p{Cf}`).
pub fn is_format(c: char) -> bool {
    get_general_category(c) == G::Format
}

/// A word character of Python's `regex` (`\w`): letters, marks, digits, connectors.
pub fn is_word(c: char) -> bool {
    is_alnum(c) || is_mark(c) || get_general_category(c) == G::ConnectorPunctuation
}

/// Python's `str.capitalize`, close enough for names: the first character
/// in upper case, the rest in lower case. (Python title-cases the first, which
/// differs for a few digraphs, "ǆ"; every use here case-folds the result again.)
pub fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        None => String::new(),
        Some(first) => first
            .to_uppercase()
            .chain(chars.as_str().to_lowercase().chars())
            .collect(),
    }
}

/// How many characters (Python's `len` of a `str`).
pub fn len(s: &str) -> usize {
    s.chars().count()
}

/// Python's `repr` of a `str`: quoted, with what is not printable escaped.
pub fn repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if is_printable(c) => out.push(c),
            c if (c as u32) < 0x100 => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push(quote);
    out
}

/// Python's `str.isprintable` for one character: not a control, format,
/// private, unassigned or separator character, but for the space.
pub fn is_printable(c: char) -> bool {
    c == ' '
        || !matches!(
            get_general_category(c),
            G::Control
                | G::Format
                | G::Surrogate
                | G::PrivateUse
                | G::Unassigned
                | G::LineSeparator
                | G::ParagraphSeparator
                | G::SpaceSeparator
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_predicates() {
        assert!(is_lower("bureisuburijji") && !is_lower("Hadrut") && !is_lower("123"));
        assert!(is_lower("a1") && is_upper("OSCE") && is_upper("США") && !is_upper("Us"));
        assert!(!is_lower("ǅx") && !is_upper("ǅX"));
        assert!(is_space('\u{1c}') && is_space('\u{3000}') && !is_space('\u{200b}'));
        assert_eq!(strip("\u{1f} a b\u{a0}"), "a b");
        assert_eq!(split(" a  b\tc ").collect::<Vec<_>>(), ["a", "b", "c"]);
        assert!(is_alnum('٣') && is_alnum('Ⅳ') && !is_alnum('\u{93e}'));
        assert_eq!(capitalize("ao ka la"), "Ao ka la");
        assert_eq!(repr("it's"), "\"it's\"");
        assert_eq!(repr("a'\"b"), "'a\\'\"b'");
        assert_eq!(
            repr("\0\t\u{200b}\u{a0}\u{3000} é"),
            "'\\x00\\t\\u200b\\xa0\\u3000 é'"
        );
        assert_eq!(repr("\u{1F600}\u{e0001}"), "'\u{1F600}\\U000e0001'");
    }
}
