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
use crate::names::ACRONYM_MAX_LETTERS;
use crate::packed::Name;
use crate::similarity::TokenSet;
use crate::store::{Section, Store, MASK_WORDS, NAME_ROMANIZED, NAME_SOUNDS, NAME_SPACED};
use crate::timing::stage;

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

/// A thread's working memory for lookups: a best value per name, dense (a
/// query admits thousands), a bit per name saying which were admitted (so
/// that they come out in index order, and only they are reset), and the
/// counts of the rare grams a name shares with the query.
#[derive(Default)]
struct Scratch {
    best: Vec<f64>,
    admitted: Vec<u64>,
    rare: Vec<u16>,
    touched: Vec<u32>,
}

impl Scratch {
    fn fit(&mut self, names: usize) {
        if self.best.len() < names {
            self.best.resize(names, 0.0);
            self.admitted.resize(names.div_ceil(64), 0);
            self.rare.resize(names, 0);
        }
    }

    /// Raise name `p`'s value to `value` where that is larger, admitting it.
    fn raise(&mut self, p: u32, value: f64) {
        let held = &mut self.best[p as usize];
        if value > *held {
            *held = value;
        }
        self.admitted[p as usize / 64] |= 1 << (p % 64);
    }

    /// The names admitted, in index order, with their values; reset.
    fn take(&mut self) -> (Vec<u32>, Vec<f64>) {
        let (mut positions, mut values) = (Vec::new(), Vec::new());
        for (w, word) in self.admitted.iter_mut().enumerate() {
            let mut bits = *word;
            *word = 0;
            while bits != 0 {
                let p = w * 64 + bits.trailing_zeros() as usize;
                bits &= bits - 1;
                positions.push(p as u32);
                values.push(std::mem::take(&mut self.best[p]));
            }
        }
        (positions, values)
    }

    /// Admit the names that share at least `needed` of the query's grams:
    /// those among the store's dense grams (`mask`, two words of the names'
    /// masks from `word`), counted by the bits in common, and the others,
    /// whose postings are `rare`; each at its count over `total` plus its
    /// own count of grams (`sizes`).
    #[allow(clippy::too_many_arguments)] // what a count of grams is made of, each named
    fn count(
        &mut self,
        masks: &[u64],
        word: usize,
        mask: [u64; 2],
        rare: &[&[u32]],
        needed: f64,
        total: f64,
        sizes: &[u32],
    ) {
        for list in rare {
            for &p in *list {
                let c = &mut self.rare[p as usize];
                if *c == 0 {
                    self.touched.push(p);
                }
                *c += 1;
            }
        }
        // A count is a whole number: it reaches `needed` when it reaches this.
        let needed = needed.ceil().max(0.0) as u32;
        let most_rare = rare.len() as u32;
        for (p, name) in masks.chunks_exact(MASK_WORDS).enumerate() {
            let shared =
                (name[word] & mask[0]).count_ones() + (name[word + 1] & mask[1]).count_ones();
            if shared + most_rare >= needed {
                let shared = shared + u32::from(self.rare[p]);
                if shared >= needed && shared > 0 {
                    // A long name shares many grams with anything, so counts alone favour it.
                    self.raise(p as u32, f64::from(shared) / (total + f64::from(sizes[p])));
                }
            }
        }
        for p in self.touched.drain(..) {
            self.rare[p as usize] = 0;
        }
    }
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
pub fn lookup(store: &Store, query: &Name<'_>, cut: &Cut, only: Option<&[u32]>) -> Vec<u32> {
    let (mut positions, mut dice) = stage(
        |t| &mut t.admission,
        || {
            SCRATCH.with(|scratch| {
                let mut scratch = scratch.borrow_mut();
                scratch.fit(store.names());
                admit(store, query, cut, &mut scratch);
                scratch.take()
            })
        },
    );
    if let Some(only) = only {
        // Only names of these entities compete for the cut.
        let entities = store.u32s(Section::NameEntity);
        let kept: Vec<usize> = (0..positions.len())
            .filter(|&i| only.binary_search(&entities[positions[i] as usize]).is_ok())
            .collect();
        positions = kept.iter().map(|&i| positions[i]).collect();
        dice = kept.iter().map(|&i| dice[i]).collect();
    }
    stage(
        |t| &mut t.cut,
        || cheap_cut(store, query, cut, positions, dice),
    )
}

/// Admit the names that share enough of the query's grams (or skeleton
/// grams, for a query without short vowels or with added ones) or a word's
/// Metaphone key, each at its Dice coefficient.
fn admit(store: &Store, query: &Name<'_>, cut: &Cut, scratch: &mut Scratch) {
    let sizes = store.u32s(Section::NameGrams);
    let query_grams = grams(query);
    let mut lookups: Vec<(Vec<String>, usize, &[u32])> = vec![(query_grams.clone(), 0, sizes)];
    if query.abjad || query.syllabic {
        lookups.push((
            skeleton_grams(query),
            2,
            store.u32s(Section::NameSkeletonGrams),
        ));
    }
    let masks = store.masks();
    for (some_grams, word, sizes) in &lookups {
        let mut mask = [0u64; 2];
        let mut rare: Vec<&[u32]> = Vec::new();
        for gram in some_grams {
            match store.dense_bit(gram) {
                Some(bit) => {
                    let bit = (bit as usize) % (2 * 64);
                    mask[bit / 64] |= 1 << (bit % 64);
                }
                None => rare.push(store.postings(gram)),
            }
        }
        rare.retain(|list| !list.is_empty());
        if mask != [0, 0] || !rare.is_empty() {
            let total = some_grams.len() as f64;
            scratch.count(
                masks,
                *word,
                mask,
                &rare,
                cut.min_shared * total,
                total,
                sizes,
            );
        }
    }
    let total = query_grams.len() as f64;
    let floor = (cut.min_shared * total).ceil() + 1.0;
    for key in metaphones(query) {
        // A shared Metaphone key admits a name on its own, as if it shared
        // just over the grams needed.
        for &p in store.postings(&key) {
            scratch.raise(p, floor / (total + f64::from(sizes[p as usize])));
        }
    }
    // A query of one word admits the names it is the acronym of ("BNC": the
    // Banco Nacional de Cuba), first among the cheap cut's.
    if let [word] = query.words.as_slice() {
        if (2..=ACRONYM_MAX_LETTERS).contains(&word.romanized.len()) {
            for &p in store.postings(&format!("@{}", word.romanized)) {
                scratch.raise(p, 1.0);
            }
        }
    }
}

/// Of the names admitted (in index order, each with its Dice coefficient),
/// those `cut` keeps.
fn cheap_cut(
    store: &Store,
    query: &Name<'_>,
    cut: &Cut,
    mut positions: Vec<u32>,
    mut dice: Vec<f64>,
) -> Vec<u32> {
    if positions.len() > cut.preselect {
        // Too many to compare even cheaply (a short query, a huge
        // gazetteer): those sharing most grams first.
        (positions, dice) = most_alike(&positions, &dice, cut.preselect);
    }
    let filtered = cut.min_alike != 0.0 || cut.within < f64::INFINITY;
    if positions.len() <= cut.limit && (!filtered || positions.is_empty()) {
        return positions;
    }
    // Cheaper than scoring them all: rank by grams, and by spelling and
    // sound as edit distances see them.
    let spaced = query.spaced();
    let alike = Alike::new(store, query, spaced.as_bytes());
    let mut values: Vec<f64> = positions
        .iter()
        .zip(&dice)
        .map(|(&p, &d)| config::CANDIDATE_GRAMS_WEIGHT * d + alike.exact(p))
        .collect();
    if filtered {
        let most = values.iter().copied().fold(0.0, f64::max);
        let lowest = cut.min_alike.max(most - cut.within);
        let kept: Vec<usize> = (0..positions.len())
            .filter(|&i| values[i] >= lowest)
            .collect();
        positions = kept.iter().map(|&i| positions[i]).collect();
        values = kept.iter().map(|&i| values[i]).collect();
    }
    if positions.len() > cut.limit {
        return most_alike(&positions, &values, cut.limit).0;
    }
    positions
}

/// The cheap similarities of the query to names of the index (Jaro-Winkler
/// and Levenshtein of the spelling, Levenshtein of the sound key, the token
/// set ratio of the words).
struct Alike<'s, 'q> {
    names: Texts<'s>,
    sounds: Texts<'s>,
    spaced: Texts<'s>,
    jw: jaro_winkler::BatchComparator<u8>,
    lev: levenshtein::BatchComparator<u8>,
    lev_sound: levenshtein::BatchComparator<u8>,
    tokens: TokenSet<'q>,
}

/// A column of the store's text, read without going back to the store.
struct Texts<'s> {
    bytes: &'s [u8],
    at: &'s [u64],
}

impl<'s> Texts<'s> {
    fn of(store: &'s Store, column: crate::store::Column) -> Texts<'s> {
        Texts {
            bytes: store.bytes(column.bytes),
            at: store.u64s(column.at),
        }
    }

    fn get(&self, i: u32) -> &'s [u8] {
        let i = i as usize;
        match (self.at.get(i), self.at.get(i + 1)) {
            (Some(&a), Some(&b)) => self.bytes.get(a as usize..b as usize).unwrap_or(&[]),
            _ => &[],
        }
    }
}

impl<'s, 'q> Alike<'s, 'q> {
    /// The similarities to `query`, whose words with spaces between are `spaced`.
    fn new(store: &'s Store, query: &Name<'_>, spaced: &'q [u8]) -> Alike<'s, 'q> {
        let (romanized, sound) = (query.romanized.as_bytes(), query.sound.as_bytes());
        Alike {
            names: Texts::of(store, NAME_ROMANIZED),
            sounds: Texts::of(store, NAME_SOUNDS),
            spaced: Texts::of(store, NAME_SPACED),
            jw: jaro_winkler::BatchComparator::new(romanized.iter().copied()),
            lev: levenshtein::BatchComparator::new(romanized.iter().copied()),
            lev_sound: levenshtein::BatchComparator::new(sound.iter().copied()),
            tokens: TokenSet::new(spaced),
        }
    }

    /// The four similarities of name `p`, summed, each rounded to a float32
    /// as RapidFuzz's `process.cdist` gives it (so that the cut is the one
    /// the Python engine made).
    fn exact(&self, p: u32) -> f64 {
        let (name, sound) = (self.names.get(p), self.sounds.get(p));
        let mut sum = f64::from(self.jw.normalized_similarity(name.iter().copied()) as f32);
        sum += f64::from(self.lev.normalized_similarity(name.iter().copied()) as f32);
        sum += f64::from(self.lev_sound.normalized_similarity(sound.iter().copied()) as f32);
        // The token set ratio (0 to 100) sees a name that is part of the
        // other, or the same words in another order ("Municipio da Praia" /
        // "Praia"), which spellings compared whole miss.
        let tokens = self.tokens.ratio(self.spaced.get(p));
        sum + f64::from(tokens as f32 * 0.01f32)
    }
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
