//! Checking an image before it is used (`Store::open`): everything a query
//! could later trip on. The checksum (a damaged byte), the bounds and order
//! of every offset, that every position points at something there, that
//! text is UTF-8, that every name's keys unpack. An image that fails any
//! check is refused whole, saying why.

use rayon::prelude::*;

use crate::store::*;

impl Store {
    pub(crate) fn check(&self) -> Result<(), StoreError> {
        let (entities, names, grams) = (self.entities, self.names, self.grams);
        // Columns: their offsets, and their text.
        let columns = [
            (ENTITY_IDS, entities, true),
            (ENTITY_NAMES, entities, true),
            (NAME_TEXTS, names, true),
            (NAME_ROMANIZED, names, true),
            (NAME_SOUNDS, names, true),
            (NAME_SPACED, names, true),
            (NAME_KEYS, names, false),
            (GRAMS, grams, true),
        ];
        for (column, count, text) in columns {
            self.check_column(column, Some(count), text)?;
        }
        for column in [KINDS, ALIASES, ATTRS, DENSE_GRAMS] {
            self.check_column(column, None, true)?;
        }
        for column in [NAME_ROMANIZED, NAME_SOUNDS, NAME_SPACED, GRAMS] {
            if !self.bytes(column.bytes).is_ascii() {
                return Err(damaged("romanized names and keys that are not ASCII"));
            }
        }
        if (0..entities)
            .any(|i| self.item(ENTITY_IDS, i).is_empty() || self.item(ENTITY_NAMES, i).is_empty())
        {
            return Err(damaged("an entity without an id or a name"));
        }
        let mut ids: Vec<&[u8]> = (0..entities).map(|i| self.item(ENTITY_IDS, i)).collect();
        ids.par_sort_unstable();
        if ids.windows(2).any(|w| w[0] == w[1]) {
            return Err(damaged("two entities with one id"));
        }
        // Positions: each in range.
        self.check_positions(Section::EntityKind, entities, self.len(KINDS), "kind")?;
        if (0..self.len(KINDS)).any(|k| self.item(KINDS, k).is_empty()) {
            return Err(damaged("an entity kind that is empty"));
        }
        let priors = self.f64s(Section::EntityPriors);
        if priors.len() != entities || !priors.iter().all(|p| p.is_finite() && *p >= 0.0) {
            return Err(damaged("an entity's prior is not a number >= 0"));
        }
        self.check_offsets(
            Section::EntityAliases,
            entities,
            self.len(ALIASES) as u64,
            "aliases",
        )?;
        let attrs = self.u32s(Section::EntityAttrs);
        let tables = self.len(ATTRS);
        if attrs.len() != entities || attrs.iter().any(|&a| a != NO_ATTRS && a as usize >= tables) {
            return Err(damaged("an entity's attrs out of range"));
        }
        if (0..tables)
            .into_par_iter()
            .any(|t| !is_json_table(self.text(ATTRS, t)))
        {
            return Err(damaged("an entity's attrs are not a JSON table"));
        }
        self.check_positions(Section::NameEntity, names, entities, "entity")?;
        let flags = self.bytes(Section::NameFlags);
        if flags.len() != names
            || flags
                .iter()
                .any(|&b| b & !(NAME_ACRONYM | 3 << NAME_KIND_SHIFT) != 0)
        {
            return Err(damaged(
                "names' flags are not as many as the names, or unknown",
            ));
        }
        let kinds = self.bytes(Section::AliasKinds);
        if kinds.len() != self.len(ALIASES)
            || kinds
                .iter()
                .any(|&k| NameKind::of(k).is_none_or(|k| k == NameKind::Name))
        {
            return Err(damaged(
                "aliases' kinds are not as many as the aliases, or unknown",
            ));
        }
        for section in [Section::NameGrams, Section::NameSkeletonGrams] {
            if self.u32s(section).len() != names {
                return Err(damaged("names' gram counts are not as many as the names"));
            }
        }
        // Postings: each gram's run in range and ascending; the grams sorted.
        self.check_offsets(
            Section::PostingsAt,
            grams,
            self.u32s(Section::Postings).len() as u64,
            "postings",
        )?;
        let (at, postings) = (self.u64s(Section::PostingsAt), self.u32s(Section::Postings));
        let bad_run = (0..grams).into_par_iter().any(|g| {
            let run = &postings[at[g] as usize..at[g + 1] as usize];
            run.windows(2).any(|w| w[0] >= w[1]) || run.last().is_some_and(|&p| p as usize >= names)
        });
        if bad_run {
            return Err(damaged("a gram's postings out of range or out of order"));
        }
        if (1..grams).any(|g| self.item(GRAMS, g - 1) >= self.item(GRAMS, g)) {
            return Err(damaged("grams out of order"));
        }
        // The dense grams, at most two blocks of bits, one mask a name.
        if self.len(DENSE_GRAMS) > 2 * DENSE
            || self.u64s(Section::NameMasks).len() != names * MASK_WORDS
        {
            return Err(damaged(
                "the grams counted by mask, or the masks, are not as many as they should be",
            ));
        }
        // The words of people's and organisations' names: in order, each counted.
        self.check_column(WORDS, None, true)?;
        let words = self.len(WORDS);
        if !self.bytes(WORDS.bytes).is_ascii()
            || self.u32s(Section::WordCounts).len() != words
            || self.u32s(Section::WordCounts).contains(&0)
            || (1..words).any(|w| self.item(WORDS, w - 1) >= self.item(WORDS, w))
        {
            return Err(damaged(
                "names' words out of order, or their counts not as many",
            ));
        }
        // The names by romanization: each once, in order.
        let order = self.u32s(Section::RomanizedOrder);
        if order.len() != names {
            return Err(damaged(
                "the order of names by romanization is not as many as the names",
            ));
        }
        let mut seen = vec![false; names];
        for &i in order {
            match seen.get_mut(i as usize) {
                Some(s) if !*s => *s = true,
                _ => {
                    return Err(damaged(
                        "the order of names by romanization repeats or leaves out a name",
                    ))
                }
            }
        }
        if order.windows(2).any(|w| {
            self.item(NAME_ROMANIZED, w[0] as usize) > self.item(NAME_ROMANIZED, w[1] as usize)
        }) {
            return Err(damaged("names out of order by romanization"));
        }
        // Every name's keys unpack.
        let broken = (0..names)
            .into_par_iter()
            .find_any(|&i| self.name(i).is_err());
        if let Some(i) = broken {
            let why = self.name(i).err().map_or("", |e| e.0);
            return Err(damaged(format!("the keys of name {i}: {why}")));
        }
        Ok(())
    }

    fn check_column(
        &self,
        column: Column,
        count: Option<usize>,
        text: bool,
    ) -> Result<(), StoreError> {
        let at = self.u64s(column.at);
        let bytes = self.bytes(column.bytes);
        if at.is_empty() || count.is_some_and(|n| at.len() != n + 1) {
            return Err(damaged(format!(
                "a column ({:?}) not as long as the counts say",
                column.bytes
            )));
        }
        if at[0] != 0
            || at[at.len() - 1] != bytes.len() as u64
            || at.windows(2).any(|w| w[0] > w[1])
        {
            return Err(damaged(format!(
                "offsets out of order ({:?})",
                column.bytes
            )));
        }
        if text {
            let whole = std::str::from_utf8(bytes)
                .map_err(|_| damaged(format!("text that is not UTF-8 ({:?})", column.bytes)))?;
            if at.iter().any(|&a| !whole.is_char_boundary(a as usize)) {
                return Err(damaged(format!(
                    "text cut inside a character ({:?})",
                    column.bytes
                )));
            }
        }
        Ok(())
    }

    fn check_positions(
        &self,
        section: Section,
        count: usize,
        bound: usize,
        what: &str,
    ) -> Result<(), StoreError> {
        let found = self.u32s(section);
        if found.len() != count || found.iter().any(|&p| p as usize >= bound) {
            return Err(damaged(format!("an {what} position out of range")));
        }
        Ok(())
    }

    fn check_offsets(
        &self,
        section: Section,
        count: usize,
        end: u64,
        what: &str,
    ) -> Result<(), StoreError> {
        let at = self.u64s(section);
        if at.len() != count + 1
            || at[0] != 0
            || at[count] != end
            || at.windows(2).any(|w| w[0] > w[1])
        {
            return Err(damaged(format!("{what}' offsets out of order")));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resolve::Query;
    use crate::testdata::{mend, resolver, sample, section};

    #[test]
    fn truncated_images_are_refused() {
        let image = sample().image().to_vec();
        for keep in [0.0, 0.1, 0.5, 0.9, 0.999] {
            let cut = &image[..(image.len() as f64 * keep) as usize];
            assert!(Store::from_bytes(cut).is_err(), "kept {keep}");
        }
    }

    #[test]
    fn crafted_images_are_refused_with_why() {
        let image = sample().image().to_vec();
        let refused = |edit: &dyn Fn(&mut Vec<u8>), why: &str| {
            let mut crafted = image.clone();
            edit(&mut crafted);
            mend(&mut crafted);
            let found = Store::from_bytes(&crafted)
                .map(|_| ())
                .unwrap_err()
                .to_string();
            assert!(found.contains(why), "{found:?} should say {why:?}");
        };
        // Counts that lie.
        refused(
            &|i| i[104..112].copy_from_slice(&99u64.to_le_bytes()),
            "not as long as the counts say",
        );
        refused(
            &|i| i[96..104].copy_from_slice(&(u64::MAX).to_le_bytes()),
            "counts beyond",
        );
        // Offsets out of range, and out of order.
        let (at, len) = section(&image, Section::PostingsAt);
        refused(
            &|i| i[at + len - 8..at + len].copy_from_slice(&(1u64 << 40).to_le_bytes()),
            "out of order",
        );
        let (at, _) = section(&image, Section::NameTextsAt);
        refused(
            &|i| i[at + 8..at + 16].copy_from_slice(&(1u64 << 40).to_le_bytes()),
            "out of order",
        );
        // Positions out of range.
        let (at, _) = section(&image, Section::NameEntity);
        refused(
            &|i| i[at..at + 4].copy_from_slice(&99u32.to_le_bytes()),
            "entity position out of range",
        );
        let (at, _) = section(&image, Section::Postings);
        refused(
            &|i| i[at..at + 4].copy_from_slice(&u32::MAX.to_le_bytes()),
            "postings out of range",
        );
        // A section beyond the file, or twice.
        refused(
            &|i| i[HEADER + 8..HEADER + 16].copy_from_slice(&(1u64 << 50).to_le_bytes()),
            "beyond the end",
        );
        let first_id = image[HEADER..HEADER + 4].to_vec();
        refused(
            &|i| i[HEADER + 24..HEADER + 28].copy_from_slice(&first_id),
            "twice",
        );
        // Keys that do not unpack.
        let (at, len) = section(&image, Section::NameKeys);
        refused(&|i| i[at..at + len].fill(0xff), "keys of name");
        // Text that is not UTF-8.
        let (at, _) = section(&image, Section::NameTexts);
        refused(&|i| i[at] = 0xff, "UTF-8");
        // Attrs that are JSON but no table (`{"n": 0}` made a list), or no JSON.
        let (at, _) = section(&image, Section::Attrs);
        refused(
            &|i| i[at..at + 8].copy_from_slice(br#"["n", 0]"#),
            "attrs are not a JSON table",
        );
        refused(&|i| i[at + 7] = b' ', "attrs are not a JSON table");
        // Another version, a stale fingerprint, a foreign file.
        let version = |i: &mut Vec<u8>| i[8..12].copy_from_slice(&9u32.to_le_bytes());
        refused(&version, "format version 9");
        refused(&|i| i[16..80].fill(b'0'), "stale");
        refused(&|i| i[0] = b'X', "not a namenorm compiled index");
        // A damaged byte, with the checksum left as it was.
        let mut flipped = image.clone();
        let middle = flipped.len() / 2;
        flipped[middle] ^= 1;
        assert!(Store::from_bytes(&flipped)
            .map(|_| ())
            .unwrap_err()
            .to_string()
            .contains("checksum"));
    }

    /// A small generator of pseudo-random numbers (xorshift64*), so that the
    /// damaged images below are the same every run.
    struct Random(u64);

    impl Random {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n.max(1) as u64) as usize
        }
    }

    /// Damage a store's image at random, many times: bytes flipped,
    /// overwritten with numbers that look like counts and offsets, cut off,
    /// with the checksum mended so that every later check is reached. Each
    /// must be refused with an error, or (if it passes every check) answer
    /// queries without a panic. `NAMENORM_FUZZ_CASES` sets how many (3,000
    /// by default).
    #[test]
    fn damaged_images_never_panic() {
        let image = sample().image().to_vec();
        let cases: usize = std::env::var("NAMENORM_FUZZ_CASES")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(3000);
        let mut random = Random(0x9e37_79b9_7f4a_7c15);
        let (mut refused, mut loaded) = (0, 0);
        for _ in 0..cases {
            let mut damaged = image.clone();
            for _ in 0..1 + random.below(3) {
                if damaged.len() <= CHECKED_FROM {
                    break;
                }
                let at = CHECKED_FROM + random.below(damaged.len() - CHECKED_FROM);
                match random.below(4) {
                    0 => damaged[at] ^= 1 << random.below(8),
                    1 => {
                        let end = (at + 8).min(damaged.len());
                        let value = [0u64, 1, 7, 8, 255, 1 << 20, u32::MAX as u64, u64::MAX]
                            [random.below(8)];
                        damaged[at..end].copy_from_slice(&value.to_le_bytes()[..end - at]);
                    }
                    2 => damaged[at] = random.next() as u8,
                    _ => damaged.truncate(at.next_multiple_of(8).min(damaged.len())),
                }
            }
            if damaged.len() >= HEADER {
                mend(&mut damaged);
            }
            match Store::from_bytes(&damaged) {
                Err(_) => refused += 1,
                Ok(store) => {
                    loaded += 1;
                    let r = resolver(store);
                    for query in ["Gadrut", "Nicole Bashinian", "OSCE", "بغداد", "Hdrt", "x"] {
                        // `ranked`: `candidates` less the false-match rate,
                        // whose measurement false_match's tests check.
                        let many = Query {
                            limit: 5,
                            ..Query::best(query, &[])
                        };
                        let _ = r.ranked(&many);
                        let _ = r.ranked(&Query::best(query, &["place"]));
                    }
                    for i in 0..r.store.entities() {
                        let _ = r.store.entity(i);
                    }
                }
            }
        }
        eprintln!("{cases} damaged images: {refused} refused, {loaded} passed every check and were queried");
        assert_eq!(refused + loaded, cases);
    }
}
