//! Stage 4a, admission: the names of the index that share at least half
//! of a query's sound-key bigrams, or the Metaphone key of a word, so an
//! unrelated name costs nothing. The sound key already folds the letters
//! that romanizations swap (Hadrut / Gadrut / Khadrut), so a changed first
//! letter still shares the rest of its grams. A query in Arabic or Hebrew
//! script, which leaves vowels out, or transcribed through a syllabic
//! script, which adds them ("sutokkuhorumu" for Stockholm), is looked up by
//! its consonant skeleton as well. The most frequent grams are counted by
//! mask over every name (without a branch: a pass over memory), the others
//! by their postings.

use std::cell::RefCell;

use crate::grams::{grams, metaphones, skeleton_grams};
use crate::names::INITIALS_MAX_LETTERS;
use crate::packed::Name;
use crate::store::{Section, Store, DENSE, MASK_BLOCK_WORDS};

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
pub type Admitted = Vec<(u32, f64)>;

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
        mask: [u64; MASK_BLOCK_WORDS],
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
        // The two words of a block, spelled out: the loops below are the
        // hottest of a query.
        const _: () = assert!(MASK_BLOCK_WORDS == 2);
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

/// The names that share at least `min_shared` of the query's grams (or
/// skeleton grams) or a word's Metaphone key, in index order, each at its Dice coefficient.
pub fn admitted(store: &Store, query: &Name<'_>, min_shared: f64) -> Admitted {
    SCRATCH.with(|scratch| {
        let mut scratch = scratch.borrow_mut();
        scratch.fit(store.names());
        admit(store, query, min_shared, &mut scratch)
    })
}

/// Admit the names that share enough of the query's grams (or skeleton
/// grams, for a query without short vowels or with added ones) or a word's
/// Metaphone key, each at its Dice coefficient.
fn admit(store: &Store, query: &Name<'_>, min_shared: f64, scratch: &mut Scratch) -> Admitted {
    let mut admitted = Admitted::new();
    let sizes = store.u32s(Section::NameGrams);
    let query_grams = grams(query);
    let total = query_grams.len() as f64;
    let mut lookups: Vec<(Vec<String>, usize, &[u32])> = vec![(query_grams, 0, sizes)];
    if query.abjad || query.syllabic {
        lookups.push((
            skeleton_grams(query),
            1,
            store.u32s(Section::NameSkeletonGrams),
        ));
    }
    for (some_grams, block, sizes) in &lookups {
        let mut mask = [0u64; MASK_BLOCK_WORDS];
        let mut rare: Vec<&[u32]> = Vec::new();
        for gram in some_grams {
            match store.dense_bit(gram) {
                Some(bit) => {
                    let bit = bit as usize % DENSE;
                    mask[bit / 64] |= 1 << (bit % 64);
                }
                None => rare.push(store.postings(gram)),
            }
        }
        rare.retain(|list| !list.is_empty());
        if mask.iter().any(|&w| w != 0) || !rare.is_empty() {
            let total = some_grams.len() as f64;
            let found = scratch.count(
                store.masks(*block),
                mask,
                &rare,
                min_shared * total,
                total,
                sizes,
            );
            admitted = merge(admitted, found);
        }
    }
    let mut others = Vec::new();
    let floor = (min_shared * total).ceil() + 1.0;
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
        if (2..=INITIALS_MAX_LETTERS).contains(&word.romanized.len()) {
            for &p in store.postings(&format!("@{}", word.romanized)) {
                others.push((p, 1.0));
            }
        }
    }
    merge(admitted, gathered(others))
}
