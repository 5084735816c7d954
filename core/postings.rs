//! The candidate index's postings, built with an image (`compile`): each
//! gram of the names' keys with an id and its count; the most frequent
//! counted by mask (`DENSE` bits a name), the others by postings lists.

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::store::DENSE;

/// The dense grams, in the order of their bits ("" for a bit no gram has),
/// and the bit of each gram id.
pub(crate) struct Dense {
    pub(crate) texts: Vec<Box<str>>,
    pub(crate) bits: FxHashMap<u32, u8>,
}

/// The grams of an index, each with an id, and how many names have it.
#[derive(Default)]
pub(crate) struct GramTable {
    ids: FxHashMap<Box<str>, u32>,
    counts: Vec<u64>,
}

impl GramTable {
    pub(crate) fn id(&mut self, gram: &str) -> u32 {
        let id = match self.ids.get(gram) {
            Some(&id) => id,
            None => {
                let id = self.counts.len() as u32;
                self.ids.insert(gram.into(), id);
                self.counts.push(0);
                id
            }
        };
        self.counts[id as usize] += 1;
        id
    }

    /// The most frequent grams of sound keys, and as many of skeletons, and
    /// the bit of each.
    pub(crate) fn dense(&self) -> Dense {
        let mut texts = Vec::new();
        let mut bits = FxHashMap::default();
        for (mark, first) in [(None, 0u8), (Some('#'), DENSE as u8)] {
            let mut found: Vec<(&Box<str>, u32)> = self
                .ids
                .iter()
                .filter(|(g, _)| match mark {
                    None => !g.starts_with(['#', '=']),
                    Some(m) => g.starts_with(m),
                })
                .map(|(g, &id)| (g, id))
                .collect();
            found.sort_by(|a, b| {
                self.counts[b.1 as usize]
                    .cmp(&self.counts[a.1 as usize])
                    .then(a.0.cmp(b.0))
            });
            for (i, (gram, id)) in found.into_iter().take(DENSE).enumerate() {
                bits.insert(id, first + i as u8);
                while texts.len() < first as usize + i {
                    texts.push(Box::from("")); // a bit no gram has
                }
                texts.push(gram.clone());
            }
        }
        Dense { texts, bits }
    }

    /// The grams sorted, the offsets of their postings, and the postings:
    /// each gram's names in name order (but the dense grams', whose names
    /// are their masks).
    pub(crate) fn postings(
        self,
        gram_ids: &[u32],
        gram_at: &[u64],
        dense: &FxHashMap<u32, u8>,
    ) -> (Vec<Box<str>>, Vec<u64>, Vec<u32>) {
        let mut texts: Vec<(Box<str>, u32)> = self
            .ids
            .into_iter()
            .filter(|(_, id)| !dense.contains_key(id))
            .collect();
        texts.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let mut start = vec![0u64; self.counts.len()];
        let mut at = Vec::with_capacity(texts.len() + 1);
        at.push(0u64);
        for (_, id) in &texts {
            start[*id as usize] = at[at.len() - 1];
            at.push(at[at.len() - 1] + self.counts[*id as usize]);
        }
        let mut postings = vec![0u32; at[at.len() - 1] as usize];
        for (position, window) in gram_at.windows(2).enumerate() {
            for &g in &gram_ids[window[0] as usize..window[1] as usize] {
                if !dense.contains_key(&g) {
                    postings[start[g as usize] as usize] = position as u32;
                    start[g as usize] += 1;
                }
            }
        }
        (texts.into_iter().map(|(t, _)| t).collect(), at, postings)
    }
}
