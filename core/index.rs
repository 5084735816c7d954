//! Stage 4: the candidate index, from sound-key grams to the names that have them.
//!
//! A query is scored only against names that share at least half of its
//! sound-key bigrams, or the Metaphone key of a word, so an unrelated name
//! costs nothing. The sound key already folds the letters that
//! romanizations swap (Hadrut / Gadrut / Khadrut), so a changed first letter
//! still shares the rest of its grams. A query in Arabic or Hebrew script,
//! which leaves vowels out, or transcribed through a syllabic script, which
//! adds them ("sutokkuhorumu" for Stockholm), is looked up by its consonant
//! skeleton as well. When more names qualify than will be scored, cheap
//! rejections come first: those sharing the most grams, then those most
//! alike by edit distances (rapidfuzz), are kept for the expensive scores.

use std::cell::RefCell;

use rapidfuzz::distance::{jaro_winkler, levenshtein};

use crate::config;
use crate::keys::ids_skeleton;
use crate::packed::Name;
use crate::similarity::token_set_ratio;
use crate::store::{Section, Store, NAME_ROMANIZED, NAME_SOUNDS, NAME_SPACED};

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

/// How many of the names a query admits `lookup` keeps for scoring.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Cut {
    /// A name is admitted if it shares this share of the query's grams.
    pub min_shared: f64,
    /// At most this many are kept: the most alike.
    pub limit: usize,
    /// They are chosen among at most this many, those sharing the most grams.
    pub preselect: usize,
    /// None is kept that is less alike than this (at most 5).
    pub min_alike: f64,
    /// Nor any less alike than the most alike by more than this.
    pub within: f64,
}

impl Default for Cut {
    fn default() -> Cut {
        Cut {
            min_shared: config::CANDIDATE_MIN_SHARED,
            limit: config::CANDIDATE_LIMIT,
            preselect: config::CANDIDATE_PRESELECT,
            min_alike: 0.0,
            within: f64::INFINITY,
        }
    }
}

/// The cut for a span of running text (`namenorm.scan`), which needs only
/// the best few entities, and only if they are close.
pub const TEXT_CUT: Cut = Cut {
    min_shared: config::TEXT_MIN_SHARED,
    limit: config::TEXT_CANDIDATE_NAMES,
    preselect: config::TEXT_PRESELECT,
    min_alike: config::TEXT_MIN_ALIKE,
    within: config::TEXT_ALIKE_WITHIN,
};

/// A thread's working memory for lookups: a count and a best value per
/// name, dense (a query admits thousands), and the names it touched, so
/// that only those are reset.
#[derive(Default)]
struct Scratch {
    counts: Vec<u16>,
    best: Vec<f64>,
    touched: Vec<u32>,
    counted: Vec<u32>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// The names that share at least `cut.min_shared` of the query's grams, or
/// a word's Metaphone key, in index order: at most `cut.limit` of them, the
/// most alike (Dice coefficient of grams, plus similarities of spelling and
/// sound), chosen among the `cut.preselect` that share the most grams, and
/// none less alike than `cut.min_alike` or than the most alike less
/// `cut.within`.
pub fn lookup(store: &Store, query: &Name<'_>, cut: &Cut) -> Vec<u32> {
    SCRATCH.with(|scratch| {
        let mut scratch = scratch.borrow_mut();
        let scratch = &mut *scratch;
        let n = store.names();
        if scratch.counts.len() < n {
            scratch.counts.resize(n, 0);
            scratch.best.resize(n, 0.0);
        }
        let found = admitted(store, query, cut, scratch);
        for &p in &scratch.touched {
            scratch.best[p as usize] = 0.0;
        }
        scratch.touched.clear();
        found
    })
}

fn admitted(store: &Store, query: &Name<'_>, cut: &Cut, scratch: &mut Scratch) -> Vec<u32> {
    let sizes = store.u32s(Section::NameGrams);
    let skeleton_sizes = store.u32s(Section::NameSkeletonGrams);
    let query_grams = grams(query);
    let mut lookups: Vec<(Vec<String>, &[u32])> = vec![(query_grams.clone(), sizes)];
    if query.abjad || query.syllabic {
        lookups.push((skeleton_grams(query), skeleton_sizes));
    }
    let Scratch {
        counts,
        best,
        touched,
        counted,
    } = scratch;
    let mut raise = |p: u32, value: f64, best: &mut Vec<f64>| {
        let held = &mut best[p as usize];
        if *held == 0.0 {
            touched.push(p);
        }
        if value > *held {
            *held = value;
        }
    };
    for (some_grams, sizes) in &lookups {
        let lists: Vec<&[u32]> = some_grams
            .iter()
            .map(|g| store.postings(g))
            .filter(|l| !l.is_empty())
            .collect();
        if lists.is_empty() {
            continue;
        }
        for list in &lists {
            for &p in *list {
                let c = &mut counts[p as usize];
                if *c == 0 {
                    counted.push(p);
                }
                *c = c.saturating_add(1);
            }
        }
        let needed = cut.min_shared * some_grams.len() as f64;
        let total = some_grams.len() as f64;
        for &p in counted.iter() {
            let shared = counts[p as usize];
            counts[p as usize] = 0;
            if f64::from(shared) >= needed {
                // A long name shares many grams with anything, so counts alone favour it.
                raise(
                    p,
                    f64::from(shared) / (total + f64::from(sizes[p as usize])),
                    best,
                );
            }
        }
        counted.clear();
    }
    let total = query_grams.len() as f64;
    let floor = (cut.min_shared * total).ceil() + 1.0;
    for key in metaphones(query) {
        // A shared Metaphone key admits a name on its own, as if it shared
        // just over the grams needed.
        for &p in store.postings(&key) {
            raise(p, floor / (total + f64::from(sizes[p as usize])), best);
        }
    }
    let mut positions: Vec<u32> = touched.clone();
    positions.sort_unstable();
    let mut alikeness: Vec<f64> = positions.iter().map(|&p| best[p as usize]).collect();
    if positions.len() > cut.preselect {
        // Too many to compare even cheaply (a short query, a huge
        // gazetteer): those sharing most grams first.
        (positions, alikeness) = most_alike(&positions, &alikeness, cut.preselect);
    }
    let filtered = cut.min_alike != 0.0 || cut.within < f64::INFINITY;
    if positions.len() > cut.limit || (filtered && !positions.is_empty()) {
        // Cheaper than scoring them all: rank by grams, and by spelling and
        // sound as edit distances see them. Each similarity is rounded to a
        // float32, as RapidFuzz's `process.cdist` gives it, so that the cut
        // is the one the Python engine made.
        let romanized = query.romanized.as_bytes();
        let sound = query.sound.as_bytes();
        let spaced = query.spaced();
        let jw = jaro_winkler::BatchComparator::new(romanized.iter().copied());
        let lev = levenshtein::BatchComparator::new(romanized.iter().copied());
        let lev_sound = levenshtein::BatchComparator::new(sound.iter().copied());
        for (value, &p) in alikeness.iter_mut().zip(&positions) {
            let p = p as usize;
            let (name, name_sound) = (store.item(NAME_ROMANIZED, p), store.item(NAME_SOUNDS, p));
            let name_spaced = std::str::from_utf8(store.item(NAME_SPACED, p)).unwrap_or("");
            let mut sum = config::CANDIDATE_GRAMS_WEIGHT * *value;
            sum += f64::from(jw.normalized_similarity(name.iter().copied()) as f32);
            sum += f64::from(lev.normalized_similarity(name.iter().copied()) as f32);
            sum += f64::from(lev_sound.normalized_similarity(name_sound.iter().copied()) as f32);
            // The token set ratio (0 to 100) sees a name that is part of the
            // other, or the same words in another order ("Municipio da
            // Praia" / "Praia"), which spellings compared whole miss.
            sum += f64::from(token_set_ratio(&spaced, name_spaced) as f32 * 0.01f32);
            *value = sum;
        }
        if filtered {
            let most = alikeness.iter().copied().fold(0.0, f64::max);
            let lowest = cut.min_alike.max(most - cut.within);
            let kept: Vec<usize> = (0..positions.len())
                .filter(|&i| alikeness[i] >= lowest)
                .collect();
            positions = kept.iter().map(|&i| positions[i]).collect();
            alikeness = kept.iter().map(|&i| alikeness[i]).collect();
        }
        if positions.len() > cut.limit {
            (positions, _) = most_alike(&positions, &alikeness, cut.limit);
        }
    }
    positions
}

/// The `count` positions of largest value, ties to the first, in the order
/// they came (ascending): a selection, not a sort.
fn most_alike(positions: &[u32], values: &[f64], count: usize) -> (Vec<u32>, Vec<f64>) {
    let mut sorted = values.to_vec();
    let k = values.len() - count;
    let (_, threshold, _) = sorted.select_nth_unstable_by(k, |a, b| a.total_cmp(b));
    let threshold = *threshold;
    let above = values.iter().filter(|&&v| v > threshold).count();
    let mut ties = count - above;
    let mut kept_positions = Vec::with_capacity(count);
    let mut kept_values = Vec::with_capacity(count);
    for (&p, &v) in positions.iter().zip(values) {
        let keep = if v > threshold {
            true
        } else if v == threshold && ties > 0 {
            ties -= 1;
            true
        } else {
            false
        };
        if keep {
            kept_positions.push(p);
            kept_values.push(v);
        }
    }
    (kept_positions, kept_values)
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

    #[test]
    fn most_alike_keeps_the_first_of_ties() {
        let (p, v) = most_alike(&[1, 2, 3, 4, 5], &[0.5, 0.9, 0.5, 0.9, 0.5], 3);
        assert_eq!(p, [1, 2, 4]);
        assert_eq!(v, [0.5, 0.9, 0.9]);
    }
}
