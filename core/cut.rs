//! Stage 4b, the cheap cut: when more names are admitted than will be
//! scored, cheap rejections come first: those sharing the most grams, then
//! those most alike by edit distances (RapidFuzz), are kept for the
//! expensive scores. A name whose similarities, bounded by the bytes it
//! shares with the query, cannot beat the last of those kept so far is not
//! compared at all: the names kept are those the cut in full keeps.

use rapidfuzz::distance::{jaro_winkler, levenshtein};

use crate::config;
use crate::packed::Name;
use crate::similarity::TokenSet;
use crate::store::{Store, NAME_ROMANIZED, NAME_SOUNDS, NAME_SPACED};

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

/// Of the names admitted (in index order, each with its Dice coefficient),
/// those `cut` keeps.
pub fn cheap_cut(
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
    for (i, (&p, &d)) in positions.iter().zip(&dice).enumerate() {
        // A large gazetteer's names are far apart in memory: each name's
        // texts are asked for ahead of their turn, their offsets first.
        if let Some(&ahead) = positions.get(i + 2 * AHEAD) {
            alike.ask_offsets(ahead);
        }
        if let Some(&ahead) = positions.get(i + AHEAD) {
            alike.ask_texts(ahead);
        }
        let grams = config::CANDIDATE_GRAMS_WEIGHT * d;
        // Below min_alike a name is dropped, as one no better than the floor.
        let floor = best
            .floor()
            .unwrap_or(f64::NEG_INFINITY)
            .max(cut.min_alike - f64::EPSILON * 8.0);
        if let Some(value) = alike.value(p, grams, floor) {
            best.offer(p, value);
        }
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
    romanized: [u32; 256],
    sound: [u32; 256],
    spaced: [u32; 256],
    lengths: [usize; 3],
    one_word: bool,
    used: [u32; 256],
}

impl Letters {
    fn new(romanized: &[u8], sound: &[u8], spaced: &[u8]) -> Letters {
        let count = |text: &[u8]| {
            let mut counts = [0u32; 256];
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
    fn common(used: &mut [u32; 256], counts: &[u32; 256], other: &[u8]) -> usize {
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

/// How many names ahead of its turn a name's texts are asked for
/// (`Texts::ask_text`), and twice as many its offsets (`Texts::ask_offsets`).
const AHEAD: usize = 8;

/// Have the processor fetch the cache line at `at` (nothing where it cannot
/// be asked: not an x86-64 processor).
#[inline(always)]
fn fetch<T>(at: &T) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        // SAFETY: a prefetch is a hint that reads nothing and never faults
        // (here of an address a reference holds); SSE is in every x86-64.
        unsafe { _mm_prefetch::<_MM_HINT_T0>((at as *const T).cast::<i8>()) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = at;
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

    /// Fetch the offsets of item `i` ahead of their use.
    fn ask_offsets(&self, i: u32) {
        if let Some(at) = self.at.get(i as usize) {
            fetch(at);
        }
    }

    /// Fetch the start of item `i`'s text ahead of its use (its offsets,
    /// asked for earlier, are read).
    fn ask_text(&self, i: u32) {
        if let Some(b) = self
            .at
            .get(i as usize)
            .and_then(|&a| self.bytes.get(a as usize))
        {
            fetch(b);
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

    /// Fetch name `p`'s offsets in each column ahead of their use.
    fn ask_offsets(&self, p: u32) {
        self.names.ask_offsets(p);
        self.sounds.ask_offsets(p);
        self.spaced.ask_offsets(p);
    }

    /// Fetch name `p`'s texts ahead of their use.
    fn ask_texts(&self, p: u32) {
        self.names.ask_text(p);
        self.sounds.ask_text(p);
        self.spaced.ask_text(p);
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
        let one_word =
            letters.one_word && !spaced.is_empty() && !spaced.iter().any(u8::is_ascii_whitespace);
        let mut tokens = if one_word {
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
    use crate::admit::admitted;
    use crate::keys::name_keys;
    use crate::packed::Packed;

    /// The cut made the long way: every admitted name's value computed.
    fn cut_in_full(store: &Store, query: &Name<'_>, cut: &Cut) -> Vec<u32> {
        let (positions, dice): (Vec<u32>, Vec<f64>) =
            admitted(store, query, cut.min_shared).into_iter().unzip();
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
                let (positions, dice): (Vec<u32>, Vec<f64>) =
                    admitted(&store, &name, cut.min_shared).into_iter().unzip();
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
