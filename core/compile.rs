//! Building an image from entities (`Store::build`: keying their names on
//! every core, their candidate keys, postings and masks) and writing one to
//! a file (`Store::write`).

use std::borrow::Cow;
use std::fs::File;
use std::io::Write;
use std::path::Path;

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use xxhash_rust::xxh3::{xxh3_64, Xxh3};

use crate::data;
use crate::grams::{acronyms, grams, metaphones, skeleton_grams};
use crate::keys::name_keys;
use crate::packed::{self, Packed};
use crate::postings::GramTable;
use crate::rates::FalseMatches;
use crate::store::*;

impl Store {
    /// Build the image of `entities` (keying their names on every core) and
    /// the attrs of each as JSON, if they are to be stored.
    pub fn build(entities: &[EntityRecord], attrs: Option<&[String]>) -> Result<Store, StoreError> {
        let mut sections = Sections::default();
        if let Some(attrs) = attrs {
            if attrs.len() != entities.len() {
                return Err(StoreError::Invalid("one attrs for each entity".into()));
            }
            check_attrs(attrs, |i| entities[i].id.as_str())?;
        }
        let mut seen = rustc_hash::FxHashSet::default();
        for e in entities {
            if !seen.insert(e.id.as_str()) {
                return Err(StoreError::Invalid(format!(
                    "two entities have the id {:?}",
                    e.id
                )));
            }
            if !(e.prior.is_finite() && e.prior >= 0.0) {
                return Err(StoreError::Invalid(format!(
                    "the prior of {:?} is not a number >= 0",
                    e.id
                )));
            }
        }
        // Entities, as columns.
        let mut kinds: Vec<&str> = Vec::new();
        let mut kind_of: Vec<u32> = Vec::with_capacity(entities.len());
        for e in entities {
            let k = match kinds.iter().position(|k| *k == e.kind) {
                Some(k) => k,
                None => {
                    kinds.push(&e.kind);
                    kinds.len() - 1
                }
            };
            kind_of.push(k as u32);
        }
        sections.column(ENTITY_IDS, entities.iter().map(|e| e.id.as_bytes()));
        sections.column(ENTITY_NAMES, entities.iter().map(|e| e.name.as_bytes()));
        sections.numbers(Section::EntityKind, &kind_of);
        sections.column(KINDS, kinds.iter().map(|k| k.as_bytes()));
        sections.numbers(
            Section::EntityPriors,
            &entities.iter().map(|e| e.prior).collect::<Vec<_>>(),
        );
        sections.column(
            ALIASES,
            entities
                .iter()
                .flat_map(|e| e.aliases.iter().map(|(a, _)| a.as_bytes())),
        );
        sections.bytes(
            Section::AliasKinds,
            entities
                .iter()
                .flat_map(|e| e.aliases.iter().map(|(_, k)| *k as u8))
                .collect(),
        );
        let mut alias_at = vec![0u64];
        for e in entities {
            alias_at.push(alias_at[alias_at.len() - 1] + e.aliases.len() as u64);
        }
        sections.numbers(Section::EntityAliases, &alias_at);
        match attrs {
            Some(attrs) => sections.attrs(attrs),
            None => {
                sections.numbers(Section::EntityAttrs, &vec![NO_ATTRS; entities.len()]);
                sections.column(ATTRS, std::iter::empty());
            }
        }
        // Names: every entity's canonical name and aliases, once each (of a
        // name given twice, the stronger kind), keyed on every core a chunk
        // at a time, each chunk's keys appended to the columns as it comes
        // (so that a million names never sit keyed in memory twice).
        let named: Vec<(u32, &str, NameKind)> = entities
            .iter()
            .enumerate()
            .flat_map(|(i, e)| {
                let mut names: Vec<(&str, NameKind)> = Vec::with_capacity(1 + e.aliases.len());
                let all = std::iter::once((e.name.as_str(), NameKind::Name))
                    .chain(e.aliases.iter().map(|(a, k)| (a.as_str(), *k)));
                for (n, k) in all {
                    match names.iter_mut().find(|(m, _)| *m == n) {
                        Some(held) => held.1 = held.1.min(k),
                        None => names.push((n, k)),
                    }
                }
                names.into_iter().map(move |(n, k)| (i as u32, n, k))
            })
            .collect();
        let mut names = NameColumns::default();
        let mut grams = GramTable::default();
        // The words of people's and organisations' names, and how many
        // entities have each (an entity's names come one after another).
        let counted: Vec<bool> = kinds
            .iter()
            .map(|k| *k == "person" || *k == "org")
            .collect();
        // A name in capitals is an acronym only where the entity's other
        // names say capitals mean something (a list written all in
        // capitals, as OFAC's, says nothing of "TAJCO").
        let cased: Vec<bool> = entities
            .iter()
            .map(|e| {
                std::iter::once(&e.name)
                    .chain(e.aliases.iter().map(|(a, _)| a))
                    .any(|n| n.chars().any(char::is_lowercase))
            })
            .collect();
        let mut words = WordCounts::default();
        for chunk in named.chunks(KEYING_CHUNK) {
            let keyed: Vec<Option<Keyed>> = chunk
                .par_iter()
                .map(|(_, text, _)| Keyed::of(text))
                .collect();
            for ((entity, text, kind), keyed) in chunk.iter().zip(keyed) {
                if let Some(keyed) = keyed {
                    if counted[kind_of[*entity as usize] as usize] {
                        words.add(*entity, &keyed.packed.name());
                    }
                    let acronym = cased[*entity as usize] && is_acronym(text);
                    names.push(*entity, text, (*kind, acronym), &keyed, &mut grams);
                }
            }
        }
        drop(named);
        let (word_texts, word_counts) = words.sorted();
        sections.column(WORDS, word_texts.iter().map(|w| w.as_bytes()));
        sections.numbers(Section::WordCounts, &word_counts);
        let count = names.entity.len();
        let by_romanized = names.romanized.order();
        sections.numbers(Section::NameEntity, &names.entity);
        sections.bytes(Section::NameFlags, std::mem::take(&mut names.flags));
        for (column, strings) in [
            (NAME_TEXTS, std::mem::take(&mut names.texts)),
            (NAME_ROMANIZED, std::mem::take(&mut names.romanized)),
            (NAME_SOUNDS, std::mem::take(&mut names.sounds)),
            (NAME_SPACED, std::mem::take(&mut names.spaced)),
            (NAME_KEYS, std::mem::take(&mut names.keys)),
        ] {
            let at = if strings.at.is_empty() {
                vec![0]
            } else {
                strings.at
            };
            sections.put(column.bytes, strings.bytes);
            sections.numbers(column.at, &at);
        }
        sections.numbers(Section::NameGrams, &names.grams);
        sections.numbers(Section::NameSkeletonGrams, &names.skeleton_grams);
        sections.numbers(Section::RomanizedOrder, &by_romanized);
        // The most frequent grams are counted by mask (a bit a gram, words of
        // them a name), the others by postings.
        let dense = grams.dense();
        // Two blocks: every name's mask of sound-key grams, then every
        // name's of skeleton grams, so that a lookup reads only one.
        let mut masks = vec![0u64; count * MASK_WORDS];
        for (position, window) in names.gram_at.windows(2).enumerate() {
            for &g in &names.gram_ids[window[0] as usize..window[1] as usize] {
                if let Some(&bit) = dense.bits.get(&g) {
                    let (block, bit) = (bit as usize / DENSE, bit as usize % DENSE);
                    let word =
                        block * count * MASK_BLOCK_WORDS + position * MASK_BLOCK_WORDS + bit / 64;
                    masks[word] |= 1 << (bit % 64);
                }
            }
        }
        sections.column(DENSE_GRAMS, dense.texts.iter().map(|t| t.as_bytes()));
        sections.numbers(Section::NameMasks, &masks);
        drop(masks);
        // Postings: each other gram's names, in name order, the grams sorted.
        let (texts, at, postings) = grams.postings(&names.gram_ids, &names.gram_at, &dense.bits);
        drop(names);
        sections.column(GRAMS, texts.iter().map(|t| t.as_bytes()));
        sections.numbers(Section::Postings, &postings);
        sections.numbers(Section::PostingsAt, &at);
        drop(postings);
        sections.numbers::<u64>(Section::FalseMatches, &[]);
        let counts = [entities.len() as u64, count as u64, texts.len() as u64];
        Store::from_image(sections.image(counts))
    }

    /// Write the image to `path`, with the attrs of each entity as JSON if
    /// given (else as the image holds them): to a side file first, renamed
    /// over `path` when complete, so that a failed write never leaves half
    /// a file.
    /// With `measured` (a resolver's fingerprint and what it measured), the
    /// image carries that measurement in place of its own.
    pub fn write(
        &self,
        path: &Path,
        attrs: Option<&[String]>,
        measured: Option<(u64, &FalseMatches)>,
    ) -> Result<(), StoreError> {
        let mut sections = Sections::default();
        for section in ALL {
            let replaced = match section {
                Section::EntityAttrs | Section::Attrs | Section::AttrsAt => attrs.is_some(),
                Section::FalseMatches => measured.is_some(),
                _ => false,
            };
            if !replaced {
                sections.put(section, self.bytes(section));
            }
        }
        if let Some(attrs) = attrs {
            if attrs.len() != self.entities {
                return Err(StoreError::Invalid("one attrs for each entity".into()));
            }
            check_attrs(attrs, |i| self.text(ENTITY_IDS, i))?;
            sections.attrs(attrs);
        }
        if let Some((fingerprint, m)) = measured {
            sections.numbers(Section::FalseMatches, &m.words(fingerprint));
        }
        let as_it_is = attrs.is_none() && measured.is_none();
        let counts = [self.entities as u64, self.names as u64, self.grams as u64];
        let folder = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("index");
        let partial = folder.join(format!(".{name}.{}.partial", std::process::id()));
        let written = File::create(&partial)
            .and_then(|mut f| {
                if as_it_is {
                    f.write_all(self.image())?;
                } else {
                    sections.write(counts, &mut f)?;
                }
                f.sync_all()
            })
            .and_then(|_| std::fs::rename(&partial, path));
        if let Err(e) = written {
            let _ = std::fs::remove_file(&partial);
            return Err(StoreError::Io(format!(
                "cannot write {}: {e}",
                path.display()
            )));
        }
        Ok(())
    }
}

/// The words of people's and organisations' names being counted, each once
/// an entity.
#[derive(Default)]
struct WordCounts {
    counts: FxHashMap<String, u32>,
    entity: Option<u32>,
    seen: rustc_hash::FxHashSet<String>,
}

impl WordCounts {
    fn add(&mut self, entity: u32, name: &packed::Name<'_>) {
        if self.entity != Some(entity) {
            self.entity = Some(entity);
            self.seen.clear();
        }
        for word in &name.words {
            if self.seen.insert(word.romanized.to_owned()) {
                *self.counts.entry(word.romanized.to_owned()).or_default() += 1;
            }
        }
    }

    /// The words in order, and their counts.
    fn sorted(self) -> (Vec<String>, Vec<u32>) {
        let mut all: Vec<(String, u32)> = self.counts.into_iter().collect();
        all.sort_unstable();
        all.into_iter().unzip()
    }
}

/// How many names are keyed at a time (on every core) when an index is built.
const KEYING_CHUNK: usize = 1 << 15;

/// A column of strings being built.
#[derive(Default)]
struct Strings {
    bytes: Vec<u8>,
    at: Vec<u64>,
}

impl Strings {
    fn push(&mut self, item: &[u8]) {
        if self.at.is_empty() {
            self.at.push(0);
        }
        self.bytes.extend_from_slice(item);
        self.at.push(self.bytes.len() as u64);
    }

    fn item(&self, i: u32) -> &[u8] {
        &self.bytes[self.at[i as usize] as usize..self.at[i as usize + 1] as usize]
    }

    /// The positions of the items in their order (then by position).
    fn order(&self) -> Vec<u32> {
        let mut order: Vec<u32> = (0..self.at.len().saturating_sub(1) as u32).collect();
        order.par_sort_by(|&a, &b| self.item(a).cmp(self.item(b)).then(a.cmp(&b)));
        order
    }
}

/// The columns of the names, being built.
#[derive(Default)]
struct NameColumns {
    entity: Vec<u32>,
    flags: Vec<u8>,
    texts: Strings,
    romanized: Strings,
    sounds: Strings,
    spaced: Strings,
    keys: Strings,
    grams: Vec<u32>,
    skeleton_grams: Vec<u32>,
    gram_ids: Vec<u32>, // every name's postings keys, as ids of the gram table
    gram_at: Vec<u64>,  // where each name's start in gram_ids
}

impl NameColumns {
    fn push(
        &mut self,
        entity: u32,
        text: &str,
        (kind, acronym): (NameKind, bool),
        keyed: &Keyed,
        grams: &mut GramTable,
    ) {
        self.entity.push(entity);
        self.flags
            .push(u8::from(acronym) | (kind as u8) << NAME_KIND_SHIFT);
        self.texts.push(text.as_bytes());
        self.romanized.push(keyed.packed.romanized.as_bytes());
        self.sounds.push(keyed.packed.sound.as_bytes());
        self.spaced.push(keyed.spaced.as_bytes());
        self.keys.push(&keyed.packed.keys);
        self.grams.push(keyed.grams);
        self.skeleton_grams.push(keyed.skeleton_grams);
        if self.gram_at.is_empty() {
            self.gram_at.push(0);
        }
        for gram in &keyed.postings {
            self.gram_ids.push(grams.id(gram));
        }
        self.gram_at.push(self.gram_ids.len() as u64);
    }
}

/// One name keyed for the index.
struct Keyed {
    packed: Packed,
    spaced: String,
    grams: u32,
    skeleton_grams: u32,
    postings: Vec<String>, // its grams, skeleton grams and Metaphone keys
}

impl Keyed {
    fn of(text: &str) -> Option<Keyed> {
        let keys = name_keys(text);
        if keys.words.is_empty() {
            return None;
        }
        let packed = Packed::of(&keys);
        let (spaced, grams, skeleton_grams, postings) = {
            let name = packed.name();
            let (plain, skeleton) = (grams(&name), skeleton_grams(&name));
            // And the acronyms it may be written as ("@bnc").
            let mut postings: Vec<String> = plain
                .iter()
                .chain(&skeleton)
                .cloned()
                .chain(metaphones(&name))
                .chain(acronyms(&name).into_iter().map(|a| format!("@{a}")))
                .collect();
            postings.sort_unstable();
            postings.dedup();
            (
                name.spaced(),
                plain.len() as u32,
                skeleton.len() as u32,
                postings,
            )
        };
        Some(Keyed {
            packed,
            spaced,
            grams,
            skeleton_grams,
            postings,
        })
    }
}

/// Sections being built (or borrowed from an image), and how they become
/// an image in memory or a file.
#[derive(Default)]
struct Sections<'a> {
    found: Vec<(Section, Cow<'a, [u8]>)>,
}

impl<'a> Sections<'a> {
    fn put(&mut self, section: Section, bytes: impl Into<Cow<'a, [u8]>>) {
        self.found.push((section, bytes.into()));
    }

    fn bytes(&mut self, section: Section, bytes: Vec<u8>) {
        self.put(section, bytes);
    }

    /// Numbers as the image holds them: little-endian, which is the host's
    /// order (the crate refuses to build for any other).
    fn numbers<T: bytemuck::Pod>(&mut self, section: Section, values: &[T]) {
        self.put(section, bytemuck::cast_slice::<T, u8>(values).to_vec());
    }

    fn column<'b>(&mut self, column: Column, items: impl Iterator<Item = &'b [u8]>) {
        let mut bytes = Vec::new();
        let mut at = vec![0u64];
        for item in items {
            bytes.extend_from_slice(item);
            at.push(bytes.len() as u64);
        }
        self.put(column.bytes, bytes);
        self.numbers(column.at, &at);
    }

    /// The attrs of each entity as JSON, each distinct table stored once
    /// (most are a country code, say).
    fn attrs(&mut self, attrs: &[String]) {
        let mut distinct: FxHashMap<&str, u32> = FxHashMap::default();
        let mut tables: Vec<&str> = Vec::new();
        let of: Vec<u32> = attrs
            .iter()
            .map(|a| {
                *distinct.entry(a.as_str()).or_insert_with(|| {
                    tables.push(a);
                    (tables.len() - 1) as u32
                })
            })
            .collect();
        self.numbers(Section::EntityAttrs, &of);
        self.column(ATTRS, tables.iter().map(|t| t.as_bytes()));
    }

    /// The header and section table of the image, and where each section starts.
    fn header(&self, counts: [u64; 3]) -> (Vec<u8>, Vec<usize>, usize) {
        let table = HEADER + 24 * self.found.len();
        let mut offsets = Vec::with_capacity(self.found.len());
        let mut end = table.next_multiple_of(8);
        for (_, bytes) in &self.found {
            offsets.push(end);
            end = (end + bytes.len()).next_multiple_of(8);
        }
        let mut head = vec![0u8; table.next_multiple_of(8)];
        head[..8].copy_from_slice(MAGIC);
        head[8..12].copy_from_slice(&FORMAT_VERSION.to_le_bytes());
        head[12..16].copy_from_slice(&BYTE_ORDER.to_le_bytes());
        head[16..80].copy_from_slice(data::fingerprint().as_bytes());
        head[88..92].copy_from_slice(&(self.found.len() as u32).to_le_bytes());
        for (i, count) in counts.iter().enumerate() {
            head[96 + 8 * i..104 + 8 * i].copy_from_slice(&count.to_le_bytes());
        }
        for (s, ((section, bytes), offset)) in self.found.iter().zip(&offsets).enumerate() {
            let at = HEADER + 24 * s;
            head[at..at + 4].copy_from_slice(&(*section as u32).to_le_bytes());
            head[at + 8..at + 16].copy_from_slice(&(*offset as u64).to_le_bytes());
            head[at + 16..at + 24].copy_from_slice(&(bytes.len() as u64).to_le_bytes());
        }
        (head, offsets, end)
    }

    /// The image in memory, aligned, its checksum made.
    fn image(mut self, counts: [u64; 3]) -> Vec<u64> {
        let (head, offsets, end) = self.header(counts);
        let mut words = vec![0u64; end / 8];
        let image: &mut [u8] = bytemuck::cast_slice_mut(&mut words);
        image[..head.len()].copy_from_slice(&head);
        for ((_, bytes), offset) in self.found.iter_mut().zip(&offsets) {
            image[*offset..*offset + bytes.len()].copy_from_slice(bytes);
            // Freed as soon as copied: the image and the sections are never both whole.
            *bytes = Cow::Borrowed(&[]);
        }
        let checksum = xxh3_64(&image[CHECKED_FROM..]);
        image[80..88].copy_from_slice(&checksum.to_le_bytes());
        words
    }

    /// The image written to `out` section by section, its checksum made as it goes.
    fn write(&self, counts: [u64; 3], out: &mut File) -> std::io::Result<()> {
        let (mut head, offsets, end) = self.header(counts);
        let mut checksum = Xxh3::new();
        checksum.update(&head[CHECKED_FROM..]);
        let mut at = head.len();
        let mut pieces: Vec<&[u8]> = Vec::new();
        let zeros = [0u8; 8];
        for ((_, bytes), offset) in self.found.iter().zip(&offsets) {
            let gap = &zeros[..offset - at];
            checksum.update(gap);
            checksum.update(bytes);
            pieces.push(gap);
            pieces.push(bytes);
            at = offset + bytes.len();
        }
        let gap = &zeros[..end - at];
        checksum.update(gap);
        pieces.push(gap);
        head[80..88].copy_from_slice(&checksum.digest().to_le_bytes());
        let mut out = std::io::BufWriter::with_capacity(1 << 20, out);
        out.write_all(&head)?;
        for piece in pieces {
            out.write_all(piece)?;
        }
        out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testdata::record;

    #[test]
    fn attrs_that_are_no_json_table_are_not_stored() {
        let entities = [record("x:1", "Hadrut", "place", &[], 0.0)];
        for attrs in ["[1]", "{", "{\"a\": NaN}", "", "1"] {
            let found = Store::build(&entities, Some(&[attrs.to_owned()])).map(|_| ());
            assert!(
                matches!(&found, Err(StoreError::Invalid(why)) if why.contains("'x:1'") || why.contains("\"x:1\"")),
                "{attrs:?}: {found:?}"
            );
        }
        assert!(Store::build(&entities, Some(&["{\"a\": [1, {\"b\": null}]}".to_owned()])).is_ok());
    }
}
