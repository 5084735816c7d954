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
use crate::store::{Section, Store, MASK_BLOCK_WORDS, NAME_ROMANIZED, NAME_SOUNDS, NAME_SPACED};
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

/// A thread's working memory for lookups: the counts of the rare grams a
/// name shares with the query (and which names have one), and room for the
/// names that reach the count of grams needed.
#[derive(Default)]
struct Scratch {
    rare: Vec<u16>,
    touched: Vec<u32>,
    reached: Vec<(u32, u32)>,
}

/// Names (positions, ascending, each once) with their values.
type Admitted = Vec<(u32, f64)>;

impl Scratch {
    fn fit(&mut self, names: usize) {
        if self.rare.len() < names {
            self.rare.resize(names, 0);
            self.reached.resize(names, (0, 0));
        }
    }

    /// The names that share at least `needed` of the query's grams: those
    /// among the store's dense grams (`mask`, against the names' `masks`),
    /// counted by the bits in common, and the others, whose postings are
    /// `rare`; each at its count over `total` plus its own count of grams
    /// (`sizes`).
    fn count(
        &mut self,
        masks: &[u64],
        mask: [u64; 2],
        rare: &[&[u32]],
        needed: f64,
        total: f64,
        sizes: &[u32],
    ) -> Admitted {
        for list in rare {
            for &p in *list {
                let c = &mut self.rare[p as usize];
                if *c == 0 {
                    self.touched.push(p);
                }
                *c += 1;
            }
        }
        // A count is a whole number: it reaches `needed` when it reaches
        // this. And a name sharing none is not admitted.
        let needed = needed.ceil().max(1.0) as u32;
        // Every name is counted, without a branch: its position is written
        // down, and kept (the count moves on) if it reached the count needed.
        let (slots, counts_of_rare) = (&mut self.reached, &self.rare);
        let mut reached = 0;
        if rare.is_empty() {
            for (p, name) in masks.chunks_exact(MASK_BLOCK_WORDS).enumerate() {
                let shared = (name[0] & mask[0]).count_ones() + (name[1] & mask[1]).count_ones();
                slots[reached] = (p as u32, shared);
                reached += usize::from(shared >= needed);
            }
        } else {
            for (p, (name, &rare)) in masks
                .chunks_exact(MASK_BLOCK_WORDS)
                .zip(counts_of_rare)
                .enumerate()
            {
                let shared = (name[0] & mask[0]).count_ones()
                    + (name[1] & mask[1]).count_ones()
                    + u32::from(rare);
                slots[reached] = (p as u32, shared);
                reached += usize::from(shared >= needed);
            }
        }
        for p in self.touched.drain(..) {
            self.rare[p as usize] = 0;
        }
        self.reached[..reached]
            .iter()
            .map(|&(p, shared)| {
                // A long name shares many grams with anything, so counts alone favour it.
                (
                    p,
                    f64::from(shared) / (total + f64::from(sizes[p as usize])),
                )
            })
            .collect()
    }
}

/// Two lists of names in one, a name found in both at the larger value.
fn merge(a: Admitted, b: Admitted) -> Admitted {
    if b.is_empty() {
        return a;
    }
    if a.is_empty() {
        return b;
    }
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        let ((p, v), (q, w)) = (a[i], b[j]);
        match p.cmp(&q) {
            std::cmp::Ordering::Less => {
                out.push((p, v));
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                out.push((q, w));
                j += 1;
            }
            std::cmp::Ordering::Equal => {
                out.push((p, if w > v { w } else { v }));
                i += 1;
                j += 1;
            }
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}

/// Names (in any order, some more than once) as an `Admitted` list, each at
/// its largest value.
fn gathered(mut found: Vec<(u32, f64)>) -> Admitted {
    found.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)));
    found.dedup_by_key(|f| f.0);
    found
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
    let (mut positions, mut dice): (Vec<u32>, Vec<f64>) = stage(
        |t| &mut t.admission,
        || {
            SCRATCH.with(|scratch| {
                let mut scratch = scratch.borrow_mut();
                scratch.fit(store.names());
                admit(store, query, cut, &mut scratch).into_iter().unzip()
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
fn admit(store: &Store, query: &Name<'_>, cut: &Cut, scratch: &mut Scratch) -> Admitted {
    let mut admitted = Admitted::new();
    let sizes = store.u32s(Section::NameGrams);
    let query_grams = grams(query);
    let mut lookups: Vec<(Vec<String>, usize, &[u32])> = vec![(query_grams.clone(), 0, sizes)];
    if query.abjad || query.syllabic {
        lookups.push((
            skeleton_grams(query),
            1,
            store.u32s(Section::NameSkeletonGrams),
        ));
    }
    for (some_grams, block, sizes) in &lookups {
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
            let found = scratch.count(
                store.masks(*block),
                mask,
                &rare,
                cut.min_shared * total,
                total,
                sizes,
            );
            admitted = merge(admitted, found);
        }
    }
    let mut others = Vec::new();
    let total = query_grams.len() as f64;
    let floor = (cut.min_shared * total).ceil() + 1.0;
    for key in metaphones(query) {
        // A shared Metaphone key admits a name on its own, as if it shared
        // just over the grams needed.
        for &p in store.postings(&key) {
            others.push((p, floor / (total + f64::from(sizes[p as usize]))));
        }
    }
    // A query of one word admits the names it is the acronym of ("BNC": the
    // Banco Nacional de Cuba), first among the cheap cut's.
    if let [word] = query.words.as_slice() {
        if (2..=ACRONYM_MAX_LETTERS).contains(&word.romanized.len()) {
            for &p in store.postings(&format!("@{}", word.romanized)) {
                others.push((p, 1.0));
            }
        }
    }
    merge(admitted, gathered(others))
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
    // sound as edit distances see them. A name whose similarities, bounded
    // by the letters it shares with the query, cannot beat the last of the
    // best found so far is not compared at all: the same names are kept.
    let spaced = query.spaced();
    let mut alike = Alike::new(store, query, spaced.as_bytes());
    let mut best = Best::new(cut.limit);
    let mut pruned = 0;
    for (&p, &d) in positions.iter().zip(&dice) {
        let grams = config::CANDIDATE_GRAMS_WEIGHT * d;
        // Below min_alike a name is dropped, as one no better than the floor.
        let floor = best
            .floor()
            .unwrap_or(f64::NEG_INFINITY)
            .max(cut.min_alike - f64::EPSILON * 8.0);
        match alike.value(p, grams, floor) {
            Some(value) => best.offer(p, value),
            None => pruned += 1,
        }
    }
    if std::env::var("NN_DEBUG").is_ok() {
        eprintln!("cut {} pruned {}", positions.len(), pruned);
    }
    let mut kept = best.into_vec();
    if filtered {
        let most = kept.iter().map(|&(v, _)| v).fold(0.0, f64::max);
        let lowest = cut.min_alike.max(most - cut.within);
        kept.retain(|&(v, _)| v >= lowest);
    }
    let mut positions: Vec<u32> = kept.into_iter().map(|(_, p)| p).collect();
    positions.sort_unstable();
    positions
}

/// The best `limit` names offered in index order, ties to the first: a
/// heap whose root is the name to beat.
struct Best {
    limit: usize,
    heap: std::collections::BinaryHeap<std::cmp::Reverse<Ranked>>,
}

/// A name's value, ordered by value, then the earlier name first.
#[derive(Clone, Copy, Debug)]
struct Ranked(f64, u32);

impl PartialEq for Ranked {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == std::cmp::Ordering::Equal
    }
}

impl Eq for Ranked {}

impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Ranked {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0).then(other.1.cmp(&self.1))
    }
}

impl Best {
    fn new(limit: usize) -> Best {
        Best {
            limit,
            heap: std::collections::BinaryHeap::with_capacity(limit + 1),
        }
    }

    /// The value a name offered now must exceed to be kept, once `limit` are held.
    fn floor(&self) -> Option<f64> {
        if self.heap.len() < self.limit {
            return None;
        }
        Some(self.heap.peek().map_or(f64::INFINITY, |r| r.0 .0))
    }

    /// Offer name `p` (after every name offered before it) at `value`.
    fn offer(&mut self, p: u32, value: f64) {
        if self.heap.len() < self.limit {
            self.heap.push(std::cmp::Reverse(Ranked(value, p)));
        } else if self.floor().is_some_and(|f| value > f) {
            self.heap.pop();
            self.heap.push(std::cmp::Reverse(Ranked(value, p)));
        }
    }

    /// The (value, name) pairs kept, in no order.
    fn into_vec(self) -> Vec<(f64, u32)> {
        self.heap.into_iter().map(|r| (r.0 .0, r.0 .1)).collect()
    }
}

/// The cheap similarities of the query to names of the index (Jaro-Winkler
/// and Levenshtein of the spelling, Levenshtein of the sound key, the token
/// set ratio of the words).
struct Alike<'s, 'q> {
    names: Texts<'s>,
    sounds: Texts<'s>,
    spaced: Texts<'s>,
    /// The first letters of the query's spelling (Jaro-Winkler's prefix).
    head: Vec<u8>,
    jw: jaro_winkler::BatchComparator<u8>,
    lev: levenshtein::BatchComparator<u8>,
    lev_sound: levenshtein::BatchComparator<u8>,
    tokens: TokenSet<'q>,
    /// The query's letters, counted, to bound the similarities by.
    letters: Letters,
}

/// How many of each byte a query's spelling, sound key and words hold, and
/// room to count another text's against them.
struct Letters {
    romanized: [u16; 256],
    sound: [u16; 256],
    spaced: [u16; 256],
    lengths: [usize; 3],
    one_word: bool,
    used: [u16; 256],
}

impl Letters {
    fn new(romanized: &[u8], sound: &[u8], spaced: &[u8]) -> Letters {
        let count = |text: &[u8]| {
            let mut counts = [0u16; 256];
            for &b in text {
                counts[b as usize] = counts[b as usize].saturating_add(1);
            }
            counts
        };
        Letters {
            romanized: count(romanized),
            sound: count(sound),
            spaced: count(spaced),
            lengths: [romanized.len(), sound.len(), spaced.len()],
            one_word: !spaced.is_empty() && !spaced.iter().any(u8::is_ascii_whitespace),
            used: [0; 256],
        }
    }

    /// How many bytes of `other` the query's `counts` hold (a multiset
    /// intersection): no alignment of the two matches more.
    fn common(used: &mut [u16; 256], counts: &[u16; 256], other: &[u8]) -> usize {
        let mut found = 0;
        for &b in other {
            let u = &mut used[b as usize];
            if *u < counts[b as usize] {
                *u += 1;
                found += 1;
            }
        }
        for &b in other {
            used[b as usize] = 0;
        }
        found
    }
}

/// A similarity (rounded to a float32), if it reaches `needed`, from a
/// RapidFuzz comparison given a cutoff (`None` below it).
fn similarity_at_least(needed: f64, compare: impl FnOnce(f64) -> Option<f64>) -> Option<f64> {
    // A hair below what is needed, so that rounding never drops a name
    // that reaches it.
    let cutoff = (needed - ROUNDING).clamp(0.0, 1.0);
    compare(cutoff).map(|s| f64::from(s as f32))
}

/// What rounding each similarity to a float32 may add to their sum, and more.
const ROUNDING: f64 = 1e-5;

/// At most the Levenshtein similarity of texts of these lengths sharing
/// `common` bytes: each byte of the longer not matched costs an edit.
fn levenshtein_bound(common: usize, a: usize, b: usize) -> f64 {
    match a.max(b) {
        0 => 1.0,
        longest => common as f64 / longest as f64,
    }
}

/// At most the Jaro-Winkler similarity (prefix weight 0.1, as RapidFuzz's)
/// of texts of these lengths sharing `common` bytes and a prefix of `prefix`.
fn jaro_winkler_bound(common: usize, a: usize, b: usize, prefix: usize) -> f64 {
    if a == 0 || b == 0 {
        return 1.0;
    }
    if common == 0 {
        return 0.0;
    }
    let m = common as f64;
    let jaro = (m / a as f64 + m / b as f64 + 1.0) / 3.0;
    if jaro > 0.7 {
        jaro + prefix.min(4) as f64 * 0.1 * (1.0 - jaro)
    } else {
        jaro
    }
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
            head: romanized.iter().copied().take(4).collect(),
            jw: jaro_winkler::BatchComparator::new(romanized.iter().copied()),
            lev: levenshtein::BatchComparator::new(romanized.iter().copied()),
            lev_sound: levenshtein::BatchComparator::new(sound.iter().copied()),
            tokens: TokenSet::new(spaced),
            letters: Letters::new(romanized, sound, spaced),
        }
    }

    /// The value of name `p` (`grams` plus its four similarities, each
    /// rounded to a float32 as RapidFuzz's `process.cdist` gives it, so that
    /// the cut is the one the Python engine made), unless it is found not to
    /// exceed `floor` first. Each similarity is bounded by the bytes the name
    /// shares with the query and their lengths, far more cheaply than it is
    /// computed; the cheapest are computed first, and the name is given up
    /// as soon as its bounded value cannot exceed the floor.
    fn value(&mut self, p: u32, grams: f64, floor: f64) -> Option<f64> {
        let (name, sound, spaced) = (self.names.get(p), self.sounds.get(p), self.spaced.get(p));
        let letters = &mut self.letters;
        let [romanized_len, sound_len, spaced_len] = letters.lengths;
        let common = Letters::common(&mut letters.used, &letters.romanized, name);
        let prefix = self
            .head
            .iter()
            .zip(name)
            .take(4)
            .take_while(|(a, b)| a == b)
            .count();
        let mut jw = jaro_winkler_bound(common, romanized_len, name.len(), prefix);
        let mut lev = levenshtein_bound(common, romanized_len, name.len());
        let common_sound = Letters::common(&mut letters.used, &letters.sound, sound);
        let mut lev_sound = levenshtein_bound(common_sound, sound_len, sound.len());
        // The token set ratio of one word each is their Indel similarity,
        // twice their longest common subsequence over their lengths summed.
        let one_word = !spaced.is_empty() && !spaced.iter().any(u8::is_ascii_whitespace);
        let mut tokens = if letters.one_word && one_word {
            let common = Letters::common(&mut letters.used, &letters.spaced, spaced);
            (2 * common) as f64 / (spaced_len + spaced.len()) as f64
        } else {
            1.0
        };
        // What a similarity must reach for the name to exceed the floor,
        // given the others' bounds (or values); below it, the edit distances
        // give up early and the name is dropped.
        let needed = |others: f64| floor - grams - others - ROUNDING;
        if needed(jw + lev + lev_sound + tokens) >= 0.0 {
            return None;
        }
        lev = similarity_at_least(needed(jw + lev_sound + tokens), |cutoff| {
            self.lev.normalized_similarity_with_args(
                name.iter().copied(),
                &levenshtein::Args::default().score_cutoff(cutoff),
            )
        })?;
        lev_sound = similarity_at_least(needed(jw + lev + tokens), |cutoff| {
            self.lev_sound.normalized_similarity_with_args(
                sound.iter().copied(),
                &levenshtein::Args::default().score_cutoff(cutoff),
            )
        })?;
        jw = similarity_at_least(needed(lev + lev_sound + tokens), |cutoff| {
            self.jw.normalized_similarity_with_args(
                name.iter().copied(),
                &jaro_winkler::Args::default().score_cutoff(cutoff),
            )
        })?;
        if needed(jw + lev + lev_sound) > 1.0 {
            return None;
        }
        // The token set ratio (0 to 100) sees a name that is part of the
        // other, or the same words in another order ("Municipio da Praia" /
        // "Praia"), which spellings compared whole miss.
        tokens = f64::from(self.tokens.ratio(spaced) as f32 * 0.01f32);
        // Summed in this order, always: a tie is a tie to the last bit.
        Some(grams + (jw + lev + lev_sound + tokens))
    }
}

/// The `count` positions of largest value, ties to the first, in the order
/// they came (ascending): a selection, not a sort.
fn most_alike(positions: &[u32], values: &[f64], count: usize) -> (Vec<u32>, Vec<f64>) {
    let threshold = largest(values, count);
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

/// The `count`-th largest of `values` (1 <= `count` <= their number): the
/// values counted into buckets of their range first, so that only those of
/// the bucket it falls in are selected among (a few hundred of a gazetteer's
/// 200,000 admitted names, rather than all of them).
fn largest(values: &[f64], count: usize) -> f64 {
    const BUCKETS: usize = 4096;
    let (low, high) = values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &v| {
            (l.min(v), h.max(v))
        });
    let scale = (BUCKETS - 1) as f64 / (high - low);
    let select = |mut among: Vec<f64>, count: usize| {
        let k = among.len() - count;
        *among.select_nth_unstable_by(k, |a, b| a.total_cmp(b)).1
    };
    if !scale.is_finite() || values.iter().any(|v| v.is_nan()) {
        return select(values.to_vec(), count);
    }
    let bucket = |v: f64| (((v - low) * scale) as usize).min(BUCKETS - 1);
    let mut counts = vec![0usize; BUCKETS];
    for &v in values {
        counts[bucket(v)] += 1;
    }
    let (mut above, mut at) = (0, BUCKETS - 1);
    while above + counts[at] < count {
        above += counts[at];
        at -= 1;
    }
    let inside: Vec<f64> = values
        .iter()
        .copied()
        .filter(|&v| bucket(v) == at)
        .collect();
    select(inside, count - above)
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

    /// The cut made the long way: every admitted name's value computed.
    fn cut_in_full(store: &Store, query: &Name<'_>, cut: &Cut) -> Vec<u32> {
        let (positions, dice): (Vec<u32>, Vec<f64>) = SCRATCH.with(|scratch| {
            let mut scratch = scratch.borrow_mut();
            scratch.fit(store.names());
            admit(store, query, cut, &mut scratch).into_iter().unzip()
        });
        let (names, sounds, spaced) = (
            Texts::of(store, NAME_ROMANIZED),
            Texts::of(store, NAME_SOUNDS),
            Texts::of(store, NAME_SPACED),
        );
        let query_spaced = query.spaced();
        let tokens = TokenSet::new(query_spaced.as_bytes());
        let values: Vec<f64> = positions
            .iter()
            .zip(&dice)
            .map(|(&p, &d)| {
                let (r, q) = (names.get(p), query.romanized.as_bytes());
                let jw = jaro_winkler::normalized_similarity(q.iter().copied(), r.iter().copied());
                let lev = levenshtein::normalized_similarity(q.iter().copied(), r.iter().copied());
                let sound = levenshtein::normalized_similarity(
                    query.sound.bytes(),
                    sounds.get(p).iter().copied(),
                );
                let t = tokens.ratio(spaced.get(p)) as f32 * 0.01f32;
                config::CANDIDATE_GRAMS_WEIGHT * d
                    + (f64::from(jw as f32)
                        + f64::from(lev as f32)
                        + f64::from(sound as f32)
                        + f64::from(t))
            })
            .collect();
        let most = values.iter().copied().fold(0.0, f64::max);
        let lowest = cut.min_alike.max(most - cut.within);
        let kept: Vec<usize> = (0..positions.len())
            .filter(|&i| values[i] >= lowest)
            .collect();
        let (positions, values): (Vec<u32>, Vec<f64>) =
            kept.iter().map(|&i| (positions[i], values[i])).unzip();
        if positions.len() > cut.limit {
            return most_alike(&positions, &values, cut.limit).0;
        }
        positions
    }

    #[test]
    fn the_cut_bounded_keeps_the_names_the_cut_in_full_keeps() {
        // Every spelling of the test vectors a name of its own.
        let mut names: Vec<String> = [
            "seed_variants.tsv",
            "not_in_gazetteer.tsv",
            "same_sound.tsv",
        ]
        .iter()
        .flat_map(|file| crate::testdata::rows(file))
        .flat_map(|row| row.into_iter().take(2))
        .filter(|n| !n.contains(':') && n.len() < 40)
        .collect();
        names.sort();
        names.dedup();
        let entities: Vec<crate::store::EntityRecord> = names
            .iter()
            .enumerate()
            .map(|(i, n)| crate::store::EntityRecord {
                id: format!("e{i}"),
                name: n.clone(),
                kind: "place".into(),
                aliases: Vec::new(),
                prior: 0.0,
            })
            .collect();
        let store = Store::build(&entities, None).expect("the names make a store");
        let mut compared = 0;
        for query in names.iter().step_by(3) {
            let packed = Packed::of(&name_keys(query));
            let name = packed.name();
            for cut in [
                Cut {
                    limit: 3,
                    ..Cut::default()
                },
                Cut {
                    limit: 20,
                    min_shared: 0.3,
                    ..Cut::default()
                },
                TEXT_CUT,
            ] {
                let (positions, dice): (Vec<u32>, Vec<f64>) = SCRATCH.with(|scratch| {
                    let mut scratch = scratch.borrow_mut();
                    scratch.fit(store.names());
                    admit(&store, &name, &cut, &mut scratch).into_iter().unzip()
                });
                compared += positions.len();
                assert_eq!(
                    cheap_cut(&store, &name, &cut, positions, dice),
                    cut_in_full(&store, &name, &cut),
                    "{query} {cut:?}"
                );
            }
        }
        assert!(compared > 10_000, "only {compared} names compared");
    }

    #[test]
    fn the_largest_is_selected_as_a_sort_would() {
        let mut state = 7u64;
        for round in 0..200 {
            let n = 1 + round * 37 % 900;
            let values: Vec<f64> = (0..n)
                .map(|_| {
                    state = state
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    // Few distinct values (ties), as counts of grams make.
                    f64::from((state >> 33) as u32 % 40) / 17.0
                })
                .collect();
            let mut sorted = values.clone();
            sorted.sort_by(|a, b| b.total_cmp(a));
            for count in [1, n / 3 + 1, n] {
                assert_eq!(
                    largest(&values, count),
                    sorted[count - 1],
                    "{n} values, {count}"
                );
            }
        }
        assert_eq!(largest(&[f64::INFINITY, 1.0, 0.0], 2), 1.0);
    }

    #[test]
    fn most_alike_keeps_the_first_of_ties() {
        let (p, v) = most_alike(&[1, 2, 3, 4, 5], &[0.5, 0.9, 0.5, 0.9, 0.5], 3);
        assert_eq!(p, [1, 2, 4]);
        assert_eq!(v, [0.5, 0.9, 0.9]);
    }
}
