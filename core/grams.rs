//! The candidate keys of a name (stage 4, for the index): the bigrams of
//! its words' sound keys, of their consonant skeletons, and their Metaphone
//! keys, and the acronyms it may be written as. An image's postings and masks are built from them (`compile`), and
//! a query looks them up (`admit`).

use crate::keys::ids_skeleton;
use crate::names::{INITIALS_MAX_LETTERS, LEGAL, PARTICLE, STOPWORD};
use crate::packed::Name;

fn bigrams(key: &str, mark: &str, out: &mut Vec<String>) {
    let chars: Vec<char> = key.chars().collect();
    for pair in chars.windows(2) {
        let mut gram = String::with_capacity(mark.len() + 2);
        gram.push_str(mark);
        gram.extend(pair);
        out.push(gram);
    }
}

fn set(mut found: Vec<String>) -> Vec<String> {
    found.sort_unstable();
    found.dedup();
    found
}

/// The bigrams of each word's sound key, with word boundaries, and of the
/// joined key.
pub fn grams(keys: &Name<'_>) -> Vec<String> {
    let mut found = Vec::new();
    for word in &keys.words {
        bigrams(&format!("^{}$", word.sound), "", &mut found);
    }
    bigrams(keys.sound, "", &mut found);
    set(found)
}

/// The bigrams of each word's consonant skeleton, with word boundaries, and
/// of the joined skeleton; marked with "#" apart from `grams`.
///
/// Arabic and Hebrew script leave short vowels out and write long ones with
/// waw (w) and ya (i): in a name so written, w is read both as a consonant
/// and as a vowel, so that "twnk" (ټونک) shares T-N-K with "Tonk".
pub fn skeleton_grams(keys: &Name<'_>) -> Vec<String> {
    let mut found = Vec::new();
    let readings: &[bool] = if keys.abjad { &[false, true] } else { &[false] };
    for &waw_is_vowel in readings {
        let words: Vec<String> = keys
            .words
            .iter()
            .map(|w| ids_skeleton(w.units, waw_is_vowel))
            .collect();
        for word in &words {
            bigrams(&format!("^{word}$"), "#", &mut found);
        }
        bigrams(&words.concat(), "#", &mut found);
    }
    set(found)
}

/// The Metaphone keys of a name's words, as postings keys; one-letter keys say too little.
pub fn metaphones(keys: &Name<'_>) -> Vec<String> {
    set(keys
        .words
        .iter()
        .filter(|w| w.metaphone.chars().count() > 1)
        .map(|w| format!("={}", w.metaphone))
        .collect())
}

/// The acronyms a name of several words may be written as, its initials:
/// of its words but legal forms and stopwords ("Banco Nacional de Cuba":
/// "bnc"), and of those and its particles ("Al-Qaida in the Islamic
/// Maghreb": "aqim"); each of 2 to `INITIALS_MAX_LETTERS` letters, once.
///
/// ```
/// use namenorm_core::keys::name_keys;
/// use namenorm_core::grams::acronyms;
/// use namenorm_core::packed::Packed;
/// let keys = Packed::of(&name_keys("Banco Nacional de Cuba"));
/// assert_eq!(acronyms(&keys.name()), ["bnc", "bndc"]);
/// ```
pub fn acronyms(name: &Name<'_>) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for keep_particles in [false, true] {
        let letters: String = name
            .words
            .iter()
            .filter(|w| {
                w.role & LEGAL == 0
                    && (w.role & STOPWORD == 0 || (keep_particles && w.role & PARTICLE != 0))
            })
            .filter_map(|w| w.romanized.chars().next())
            .collect();
        let count = letters.chars().count();
        if (2..=INITIALS_MAX_LETTERS).contains(&count)
            && name.words.len() > 1
            && !found.contains(&letters)
        {
            found.push(letters);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::name_keys;
    use crate::packed::Packed;

    #[test]
    fn grams_of_a_name() {
        let packed = Packed::of(&name_keys("Hadrut"));
        let name = packed.name();
        let found = grams(&name);
        for gram in ["^K", "Ka", "aT", "TR", "Ra", "aT", "T$"] {
            assert!(found.contains(&gram.to_string()), "{gram} in {found:?}");
        }
        assert!(skeleton_grams(&name).iter().all(|g| g.starts_with('#')));
        assert!(metaphones(&name)
            .iter()
            .all(|m| m.starts_with('=') && m.len() > 2));
    }
}
