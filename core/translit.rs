//! Stage 2: transliterate a normalized name into lowercase ASCII.
//!
//! Each script has its own table (`namenorm/data/translit/`). A table's
//! `[map]` gives one romanization per letter; its `[alternatives]`, the other
//! common ones, which matching accepts at a small cost (see `alternatives`).
//! Letters no table covers go through `deunicode`. ASCII input is returned as
//! it is.
//!
//! Two readings go the other way, for Latin names that are themselves
//! romanizations: `abjad_reading` (the Arabic table's `[from_latin]`) and
//! `pinyin_reading` (Wade-Giles to pinyin).

use std::collections::{HashMap, HashSet};
use std::sync::{LazyLock, OnceLock};

use regex::Regex;
use unicode_normalization::char::canonical_combining_class;
use unicode_normalization::UnicodeNormalization;
use unicode_script::{Script, UnicodeScript};

use crate::data;
use crate::normalize::{normalize, APOSTROPHE_MARKS};
use crate::pystr;

struct Tables {
    maps: Vec<HashMap<String, String>>, // one a script, in `data::TRANSLIT` order
    alternatives: Vec<(String, String)>,
    from_latin: HashMap<String, String>,
}

static TABLES: LazyLock<Tables> = LazyLock::new(|| {
    let mut maps = Vec::new();
    let mut alternatives = Vec::new();
    let mut from_latin = HashMap::new();
    for (script, text) in data::TRANSLIT {
        let table = data::parse(script, text);
        let map: HashMap<String, String> =
            data::string_table(table.get("map")).into_iter().collect();
        if let Some(others) = table.get("alternatives").and_then(|v| v.as_table()) {
            for (letter, spellings) in others {
                let primary = map.get(letter).unwrap_or_else(|| {
                    panic!("{script}.toml: alternatives for {letter:?}, which [map] lacks")
                });
                for other in data::strings(Some(spellings)) {
                    alternatives.push((primary.clone(), other));
                }
            }
        }
        if script == "arabic" {
            from_latin = data::string_table(table.get("from_latin"))
                .into_iter()
                .collect();
        }
        maps.push(map);
    }
    Tables {
        maps,
        alternatives,
        from_latin,
    }
});

/// Whether a character belongs to the script of table `i` (the Latin table
/// serves any character that is not ASCII).
fn in_script(i: usize, c: char) -> bool {
    let script = c.script();
    match i {
        0 => script == Script::Cyrillic,
        1 => script == Script::Armenian,
        2 => script == Script::Georgian,
        3 => script == Script::Greek,
        4 => script == Script::Arabic,
        5 => script == Script::Hebrew,
        _ => !c.is_ascii(),
    }
}

/// A merged table of the scripts of a text, and the longest key it has.
struct Merged {
    map: HashMap<String, String>,
    longest: usize,
}

static MERGED: [OnceLock<Merged>; 128] = [const { OnceLock::new() }; 128];

fn merged(scripts: usize) -> &'static Merged {
    MERGED[scripts].get_or_init(|| {
        let mut map = HashMap::new();
        for (i, table) in TABLES.maps.iter().enumerate() {
            if scripts & (1 << i) != 0 {
                map.extend(table.iter().map(|(k, v)| (k.clone(), v.clone())));
            }
        }
        let longest = map
            .keys()
            .map(|k| pystr::len(k.trim_matches(['^', '$'])))
            .max()
            .unwrap_or(1);
        Merged { map, longest }
    })
}

/// Pairs (romanization, another common romanization) of a letter, from the
/// `[alternatives]` of every script's table: ("kh", "h") for х.
pub fn alternatives() -> &'static [(String, String)] {
    &TABLES.alternatives
}

fn drop_marks(text: &str) -> String {
    // Marks are dropped (accents, vowel points) except on Latin and Cyrillic
    // letters, whose marked forms the tables spell out (й, ё), and the Arabic
    // madda and hamza, which make letters of their own (آ أ إ ؤ ئ).
    let mut out = String::with_capacity(text.len());
    let mut base: Option<char> = None;
    for c in text.nfd() {
        if canonical_combining_class(c) != 0 {
            let keep_after =
                base.is_some_and(|b| matches!(b.script(), Script::Latin | Script::Cyrillic));
            if matches!(c, '\u{653}' | '\u{654}' | '\u{655}') || keep_after {
                out.push(c);
            }
            continue;
        }
        base = Some(c);
        out.push(c);
    }
    out.nfc().collect()
}

/// Spell a name in lowercase ASCII letters, digits and spaces: one
/// conventional spelling for each script (Russian BGN/PCGN, Eastern
/// Armenian, Georgian national, ELOT Greek, UNGEGN Arabic, Academy Hebrew),
/// `deunicode` for any other. Normalizes it first.
///
/// ```
/// use namenorm_core::translit::transliterate;
/// assert_eq!(transliterate("Никол Пашинян"), "nikol pashinyan");
/// assert_eq!(transliterate("Recep Tayyip Erdoğan"), "recep tayyip erdogan");
/// ```
pub fn transliterate(text: &str) -> String {
    romanize(&normalize(text))
}

/// `transliterate` for text that is already normalized.
pub fn romanize(text: &str) -> String {
    if text.is_ascii() {
        return text.to_owned();
    }
    let text = drop_marks(text);
    let chars: Vec<char> = text.chars().collect();
    let mut scripts = 0;
    for i in 0..TABLES.maps.len() {
        if chars.iter().any(|&c| in_script(i, c)) {
            scripts |= 1 << i;
        }
    }
    let table = merged(scripts);
    let n = chars.len();
    let mut out = String::with_capacity(text.len());
    let mut key = String::new();
    let mut i = 0;
    while i < n {
        let word_start = i == 0 || chars[i - 1] == ' ';
        let most = table.longest.min(n - i);
        // At the start of a word, its own spellings ("^е" -> "ye") win over
        // longer ones that ignore the word start; likewise at its end ("ه$").
        let mut found: Option<(&str, usize)> = None;
        for pass in 0..3 {
            for size in (1..=most).rev() {
                let at_end = i + size == n || chars[i + size] == ' ';
                if (pass == 0 && !word_start) || (pass == 1 && !at_end) {
                    continue;
                }
                key.clear();
                if pass == 0 {
                    key.push('^');
                }
                key.extend(&chars[i..i + size]);
                if pass == 1 {
                    key.push('$');
                }
                if let Some(value) = table.map.get(key.as_str()) {
                    found = Some((value, size));
                    break;
                }
            }
            if found.is_some() {
                break;
            }
        }
        match found {
            Some((value, size)) => {
                out.push_str(value);
                i += size;
            }
            None => {
                let c = chars[i];
                if c.is_ascii() {
                    out.push(c);
                } else {
                    out.push_str(
                        &deunicode::deunicode_char(c)
                            .unwrap_or("")
                            .to_ascii_lowercase(),
                    );
                }
                i += 1;
            }
        }
    }
    let kept: String = out
        .chars()
        .filter(|&c| matches!(c, 'a'..='z' | '0'..='9' | ' '))
        .collect();
    pystr::split(&kept).collect::<Vec<_>>().join(" ")
}

// A Latin name that may be an abjad's letters, one by one: a trace of the
// script, w or y (waw, ya), or a word with no vowel or three consonants running.
static ABJAD_TRACE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[wy]|\b[^a ]+\b|[^a ]{3}").expect("a valid pattern"));

/// The Arabic-script name that a Latin one romanizes letter by letter,
/// short vowels left out as the script leaves them ("twl fransh" is تول
/// فرانش, Toul, France; "mhmd" is محمد), or None when it does not look like
/// one: it has a capital letter, a vowel letter other than a (alif), or no
/// trace of the script.
///
/// ```
/// use namenorm_core::translit::abjad_reading;
/// assert_eq!(abjad_reading("twl  fransh").as_deref(), Some("تول فرانش"));
/// assert_eq!(abjad_reading("Toul"), None);
/// ```
pub fn abjad_reading(text: &str) -> Option<String> {
    if !pystr::is_lower(text) {
        return None;
    }
    let name = normalize(text);
    let table = &TABLES.from_latin;
    let letters: HashSet<char> = table.keys().flat_map(|k| k.chars()).chain([' ']).collect();
    if !name.chars().all(|c| letters.contains(&c)) || !ABJAD_TRACE.is_match(&name) {
        return None;
    }
    let mut words = Vec::new();
    for word in name.split(' ') {
        let chars: Vec<char> = word.chars().collect();
        let mut out = String::new();
        let mut i = 0;
        while i < chars.len() {
            let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
            let size = if chars.len() >= i + 2 && table.contains_key(&two) {
                2
            } else {
                1
            };
            let piece: String = chars[i..i + size].iter().collect();
            out.push_str(table.get(&piece)?);
            i += size;
        }
        words.push(out);
    }
    Some(words.join(" "))
}

struct WadeGiles {
    syllables: HashMap<String, String>,
    initials: HashMap<String, (String, String)>,
    finals: HashMap<String, String>,
}

static WADE_GILES: LazyLock<WadeGiles> = LazyLock::new(|| {
    let table = data::parse("translit/wade_giles.toml", data::WADE_GILES);
    let syllables = data::string_table(table.get("syllables"))
        .into_iter()
        .collect();
    let initials = table
        .get("initials")
        .and_then(|v| v.as_table())
        .map(|t| {
            t.iter()
                .map(|(k, v)| {
                    let both = data::strings(Some(v));
                    (k.clone(), (both[0].clone(), both[1].clone()))
                })
                .collect()
        })
        .unwrap_or_default();
    let mut finals: HashMap<String, String> = data::strings(table.get("same_finals"))
        .into_iter()
        .map(|f| (f.clone(), f))
        .collect();
    finals.extend(data::string_table(table.get("finals")));
    WadeGiles {
        syllables,
        initials,
        finals,
    }
});

// What only Wade-Giles writes: an aspirate apostrophe, hs, -ih, -ieh.
static WADE_GILES_MARK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:ch|[kpt]|ts|tz)'|\bhs|ih\b|ieh\b").expect("a valid pattern"));
static SYLLABLE_BREAK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[\s\-]+").expect("a valid pattern"));
// A syllable's initial, aspirated or not, in the order they are tried.
const WADE_GILES_INITIALS: [&str; 25] = [
    "ch'", "ch", "hs", "ts'", "tz'", "ts", "tz", "ss", "sz", "sh", "k'", "p'", "t'", "j", "k", "p",
    "t", "m", "f", "n", "l", "h", "s", "y", "w",
];

/// The pinyin of a Chinese name written in Wade-Giles, syllable by syllable
/// ("Ch'ing-p'u-hsien" is "qing pu xian", Qingpu county), or None when it is
/// not one: every word must be a Wade-Giles syllable, and one at least must
/// show what only Wade-Giles writes (an aspirate apostrophe, hs, -ih or -ieh).
///
/// ```
/// use namenorm_core::translit::pinyin_reading;
/// assert_eq!(pinyin_reading("Ch’ing-p’u-hsien").as_deref(), Some("qing pu xian"));
/// assert_eq!(pinyin_reading("Hadrut"), None);
/// ```
pub fn pinyin_reading(text: &str) -> Option<String> {
    // Any apostrophe normalize would drop marks aspiration here.
    let nfc: String = text.nfc().collect();
    let folded = icu_casemap::CaseMapper::new().fold_string(&nfc);
    let name: String = folded
        .chars()
        .map(|c| {
            if APOSTROPHE_MARKS.contains(c) {
                '\''
            } else {
                c
            }
        })
        .collect();
    if !WADE_GILES_MARK.is_match(&name) {
        return None;
    }
    let table = &*WADE_GILES;
    let mut out = Vec::new();
    for syllable in SYLLABLE_BREAK.split(pystr::strip(&name)) {
        if let Some(whole) = table.syllables.get(syllable) {
            out.push(whole.clone());
            continue;
        }
        let (initial, final_) = split_syllable(syllable)?;
        if !table.finals.contains_key(final_) {
            return None;
        }
        if matches!(final_, "u" | "ŭ") && matches!(initial, "tz" | "tz'" | "ss" | "sz") {
            out.push(format!("{}i", table.initials[initial].1));
            continue;
        }
        let mut final_ = final_;
        if final_ == "o" && !matches!(initial, "" | "p" | "p'" | "m" | "f" | "w" | "y") {
            final_ = if matches!(initial, "k" | "k'" | "h") {
                "e"
            } else {
                "uo"
            };
        }
        let front = final_.starts_with(['i', 'ü']) && final_ != "ih";
        let pinyin = match table.initials.get(initial) {
            Some((before_i, otherwise)) => if front { before_i } else { otherwise }.clone(),
            None => initial.to_owned(),
        };
        out.push(pinyin + &table.finals[final_]);
    }
    Some(out.join(" "))
}

fn split_syllable(syllable: &str) -> Option<(&str, &str)> {
    // The first initial after which the rest is a run of word characters,
    // else none: as the pattern `(initial)?(\w+)` matches a whole syllable.
    let word = |s: &str| !s.is_empty() && s.chars().all(pystr::is_word);
    WADE_GILES_INITIALS
        .iter()
        .filter_map(|initial| syllable.strip_prefix(initial).map(|rest| (*initial, rest)))
        .chain([("", syllable)])
        .find(|(_, rest)| word(rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_vectors() {
        for row in crate::testdata::rows("transliterate.tsv") {
            assert_eq!(transliterate(&row[0]), row[1], "{:?}", row[0]);
        }
    }

    #[test]
    fn scripts() {
        assert_eq!(transliterate("Հադրութ"), "hadrut");
        assert_eq!(transliterate("Гадрут"), "gadrut");
        assert_eq!(transliterate("Шуша"), "shusha");
        assert_eq!(transliterate("北京"), "bei jing");
        assert_eq!(transliterate("Hadrut"), "hadrut");
    }

    #[test]
    fn readings() {
        assert_eq!(
            pinyin_reading("K'un-shan-ch'eng").as_deref(),
            Some("kun shan cheng")
        );
        assert_eq!(abjad_reading("mhmd").as_deref(), Some("مهمد"));
        assert!(alternatives().iter().any(|(a, b)| a == "kh" && b == "h"));
    }
}
