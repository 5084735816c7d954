//! Stage 3b: other readings of a query, looked up and scored as it is.
//!
//! A name may be a transcription of another spelling: syllables written
//! apart ("ao ka la"), Wade-Giles ("Ch'ing-p'u-hsien"), Arabic letters
//! romanized one by one ("qrwh"), words translated ("Западная Ковина", West
//! Covina); or it may carry what a gazetteer name lacks: a qualifier after a
//! comma, a Lithuanian ending, the Arabic article joined to its word. The
//! resolver tries each reading when no name is spelled as the query is, at
//! a factor on its scores; a match through a reading keeps the method of the
//! reading's own match.

use crate::config;
use crate::generic::{equivalent, without_article, without_case_ending, without_qualifier};
use crate::keys::{name_keys, NameKeys};
use crate::pystr;
use crate::translit::{abjad_reading, pinyin_reading};

/// A query read otherwise, looked up and scored as the query is.
#[derive(Clone, Debug, PartialEq)]
pub struct OtherReading {
    pub text: String,
    /// On the scores of its matches: what was set aside or read otherwise is not full evidence.
    pub factor: f64,
    /// What was read otherwise, for the evidence.
    pub note: String,
    /// Whether it may name a person: words translated name places, not people.
    pub people: bool,
}

impl OtherReading {
    fn new(text: String, factor: f64, note: String) -> OtherReading {
        OtherReading {
            text,
            factor,
            note,
            people: true,
        }
    }

    fn with(&self, text: String, also: &str) -> OtherReading {
        let note = if self.note.is_empty() {
            also.to_owned()
        } else {
            format!("{}; {also}", self.note)
        };
        OtherReading {
            text,
            note,
            ..self.clone()
        }
    }
}

/// Other readings of a query (`name`, with its keys `query`), each to be
/// looked up and scored like the query: syllables joined, Wade-Giles as
/// pinyin, a Lithuanian ending set aside, translated words in English, a
/// qualifier set aside, Latin letters read as Arabic ones, and the Arabic
/// article set aside, of the query and of those readings.
pub fn readings(name: &str, query: &NameKeys) -> Vec<OtherReading> {
    let mut found = Vec::new();
    let lower = pystr::is_lower(name);
    // Keep a capital if the query had one: it tells a name written out from
    // a transcription (see `abjad_reading`, `NameKeys::syllabic`).
    let case = |text: String| {
        if lower {
            text
        } else {
            pystr::capitalize(&text)
        }
    };
    let words = &query.words;
    if words.len() > 1
        && words.iter().all(|w| {
            pystr::len(&w.romanized) <= config::SYLLABLE_MAX_LETTERS
                && w.romanized.chars().all(pystr::is_alpha)
        })
    {
        // A name written syllable by syllable ("ao ka la", "Hau-gang"), as
        // transcriptions from Chinese and other syllabic scripts are, is one word.
        let syllables: Vec<&str> = words.iter().map(|w| w.normalized.as_str()).collect();
        found.push(OtherReading::new(
            case(syllables.concat()),
            1.0,
            "syllables joined".into(),
        ));
        let core: Vec<usize> = (0..words.len()).filter(|&i| !words[i].optional).collect();
        if let (Some(&first), Some(&last)) = (core.first(), core.last()) {
            if first < last && core.len() < syllables.len() {
                // Also with its optional words apart ("zhong duo zhen": Zhongduo town).
                let joined = case(syllables[first..=last].concat());
                let parts: Vec<&str> = syllables[..first]
                    .iter()
                    .copied()
                    .chain([joined.as_str()])
                    .chain(syllables[last + 1..].iter().copied())
                    .collect();
                found.push(OtherReading::new(
                    parts.join(" "),
                    1.0,
                    "syllables joined".into(),
                ));
            }
        }
    }
    if let Some(pinyin) = pinyin_reading(name) {
        // "Ch'ing-p'u-hsien": pinyin qing pu xian, which names Qingpu (xian: county).
        let keys = name_keys(&pinyin);
        let joined: String = keys
            .words
            .iter()
            .filter(|w| !w.optional)
            .map(|w| w.normalized.as_str())
            .collect();
        let mut parts = vec![joined.as_str()];
        parts.extend(
            keys.words
                .iter()
                .filter(|w| w.optional)
                .map(|w| w.normalized.as_str()),
        );
        found.push(OtherReading::new(
            parts.join(" "),
            1.0,
            format!("read as Wade-Giles: {pinyin}"),
        ));
    }
    if let Some(stem) = without_case_ending(name) {
        let ending: String = pystr::strip(name)
            .chars()
            .skip(pystr::len(pystr::strip(&stem)))
            .collect();
        let note = format!("Lithuanian ending set aside: -{ending}");
        found.push(OtherReading::new(stem, config::CASE_ENDING_FACTOR, note));
    }
    let english: Vec<Option<&str>> = words.iter().map(|w| equivalent(&w.romanized)).collect();
    if english.iter().any(Option::is_some) {
        // "Западная Ковина": West Covina, a name half translated, read in
        // English so that it is also found by the English words' keys.
        let in_english: Vec<String> = english
            .iter()
            .zip(words)
            .map(|(e, w)| e.map_or_else(|| w.normalized.clone(), str::to_owned))
            .map(|w| if lower { w } else { pystr::capitalize(&w) })
            .collect();
        let text = in_english.join(" ");
        let note = format!("read in English: {text}");
        found.push(OtherReading {
            people: false,
            ..OtherReading::new(text, config::EQUIVALENT_WORD_SIMILARITY, note)
        });
    }
    if let Some(head) = without_qualifier(name) {
        // "Tacoma, Washington": the part before the comma may be the name.
        let rest: String = name.chars().skip(pystr::len(&head)).collect();
        let note = format!(
            "set aside after the comma: {}",
            pystr::repr(pystr::strip(&rest))
        );
        found.push(OtherReading::new(head, config::QUALIFIER_FACTOR, note));
    }
    let asked = OtherReading::new(name.to_owned(), 1.0, String::new());
    let so_far: Vec<OtherReading> = std::iter::once(asked.clone())
        .chain(found.iter().cloned())
        .collect();
    for reading in &so_far {
        if let Some(script) = abjad_reading(&reading.text) {
            let note = format!("read as Arabic letters: {script}");
            found.push(reading.with(script, &note));
        }
    }
    let so_far: Vec<OtherReading> = std::iter::once(asked)
        .chain(found.iter().cloned())
        .collect();
    for reading in &so_far {
        if let Some(bare) = without_article(&reading.text) {
            // الديوانية is al-Diwaniyah, whose article the gazetteer may spell apart or not at all.
            found.push(reading.with(bare, "Arabic article al- set aside"));
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(name: &str) -> Vec<(String, f64, String)> {
        readings(name, &name_keys(name))
            .into_iter()
            .map(|r| (r.text, r.factor, r.note))
            .collect()
    }

    #[test]
    fn examples() {
        assert_eq!(texts("ao ka la")[0].0, "aokala");
        assert_eq!(
            texts("Tacoma, Washington")[0],
            (
                "Tacoma".into(),
                0.97,
                "set aside after the comma: ', Washington'".into()
            )
        );
        assert_eq!(texts("Ch'ing-p'u-hsien").last().unwrap().0, "qingpu xian");
        assert!(texts("Hadrut").is_empty());
        let west = readings("Западная Ковина", &name_keys("Западная Ковина"));
        assert_eq!(
            (west[0].text.as_str(), west[0].people),
            ("West Ковина", false)
        );
        assert_eq!(texts("الديوانية")[0].2, "Arabic article al- set aside");
    }
}
