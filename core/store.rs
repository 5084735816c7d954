//! A gazetteer's entities and its candidate index, as one image of bytes:
//! built in memory from entities, written to a file (a compiled index), and
//! read back by mapping that file, so that loading keys nothing, copies
//! nothing, and many threads (or processes) share one copy.
//!
//! The image:
//!
//! ```text
//! 0    magic "NAMENORM", format version (u32), byte order mark (u32)
//! 16   fingerprint of the keying code and data (64 hex digits)
//! 80   xxh3 checksum of every byte from 88 on (u64)
//! 88   number of sections (u32), reserved (u32)
//! 96   counts: entities, names, grams (u64 each), reserved (u64)
//! 128  the sections: (id u32, reserved u32, offset u64, length u64) each
//! ...  the sections' bytes, each at a multiple of 8
//! ```
//!
//! One section is not the gazetteer's but what was measured on it: the
//! best scores of the false-match background (`false_match`), with the
//! fingerprint of the settings they were measured with (u64 words: the
//! fingerprint, then for each part of the background the names measured,
//! how many scored, and each score's f64 bits, highest first);
//! empty in an image built in memory and not yet measured.
//!
//! A column of strings is two sections: the strings one after the other,
//! and the offsets where each starts and the last ends (u64). Numbers are
//! little-endian. Loading checks everything a query could later trip on:
//! the checksum (a damaged byte), the bounds and order of every offset,
//! that every position points at something there, that text is UTF-8, that
//! every name's keys unpack. A file that fails any check is refused whole.

use std::borrow::Cow;
use std::fmt;
use std::fs::File;
use std::io::Write;
use std::path::Path;

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use xxhash_rust::xxh3::{xxh3_64, Xxh3};

use std::sync::{Arc, Mutex};

use crate::data;
use crate::false_match::{Curve, FalseMatches};
use crate::index::{grams, metaphones, skeleton_grams};
use crate::keys::name_keys;
use crate::names::acronyms;
use crate::packed::{self, Packed};
use crate::pystr;

// The image is read in place, its numbers in the host's order.
#[cfg(target_endian = "big")]
compile_error!("namenorm's index image is little-endian; this target is big-endian");

/// What a compiled index starts with.
pub const MAGIC: &[u8; 8] = b"NAMENORM";
/// The version of the layout this core reads and writes.
pub const FORMAT_VERSION: u32 = 5;
const BYTE_ORDER: u32 = 0x0102_0304;
const HEADER: usize = 128;
const CHECKED_FROM: usize = 88;

/// A name of at most this many letters, all capitals, is an acronym
/// ("OSCE", "США"): it matches only when spelled the same, since one letter
/// off is another acronym rather than a misspelling.
pub const ACRONYM_MAX_LETTERS: usize = 6;

/// Whether a name is an acronym ("OSCE", "США"): short, and all capitals.
pub fn is_acronym(text: &str) -> bool {
    pystr::is_upper(text)
        && text.chars().filter(|&c| pystr::is_alnum(c)).count() <= ACRONYM_MAX_LETTERS
}

/// Why an image cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreError {
    /// Not a compiled index at all.
    Foreign(String),
    /// A compiled index of another format version.
    Version(u32),
    /// Keyed by another version of the keying code or data.
    Stale,
    /// Truncated, damaged, or inconsistent.
    Damaged(String),
    /// The file could not be read or written.
    Io(String),
    /// Entities that cannot be stored.
    Invalid(String),
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rebuild = "rebuild it with `namenorm gazetteer build SOURCE -o FILE`";
        match self {
            StoreError::Foreign(why) => write!(f, "not a namenorm compiled index ({why})"),
            StoreError::Version(v) => write!(
                f,
                "a compiled index of format version {v}; this namenorm reads version {FORMAT_VERSION}: {rebuild}"
            ),
            StoreError::Stale => write!(
                f,
                "a stale compiled index: another version of namenorm keyed its names, and this one keys them \
                 otherwise: {rebuild}"
            ),
            StoreError::Damaged(why) => write!(f, "a truncated or damaged compiled index: {why}"),
            StoreError::Io(why) => write!(f, "{why}"),
            StoreError::Invalid(why) => write!(f, "{why}"),
        }
    }
}

fn damaged(why: impl Into<String>) -> StoreError {
    StoreError::Damaged(why.into())
}

/// The sections of an image, by id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u32)]
pub enum Section {
    EntityIds = 1,
    EntityIdsAt,
    EntityNames,
    EntityNamesAt,
    EntityKind,
    Kinds,
    KindsAt,
    EntityPriors,
    Aliases,
    AliasesAt,
    EntityAliases,
    AliasKinds,
    EntityAttrs,
    Attrs,
    AttrsAt,
    NameEntity,
    NameTexts,
    NameTextsAt,
    NameFlags,
    NameRomanized,
    NameRomanizedAt,
    NameSounds,
    NameSoundsAt,
    NameSpaced,
    NameSpacedAt,
    NameKeys,
    NameKeysAt,
    NameGrams,
    NameSkeletonGrams,
    Grams,
    GramsAt,
    Postings,
    PostingsAt,
    RomanizedOrder,
    DenseGrams,
    DenseGramsAt,
    NameMasks,
    WordTexts,
    WordTextsAt,
    WordCounts,
    FalseMatches,
}

const SECTIONS: usize = Section::FalseMatches as usize;

/// A column of strings (or of packed bytes): its bytes and its offsets.
#[derive(Clone, Copy, Debug)]
pub struct Column {
    pub bytes: Section,
    pub at: Section,
}

pub const ENTITY_IDS: Column = Column {
    bytes: Section::EntityIds,
    at: Section::EntityIdsAt,
};
pub const ENTITY_NAMES: Column = Column {
    bytes: Section::EntityNames,
    at: Section::EntityNamesAt,
};
pub const KINDS: Column = Column {
    bytes: Section::Kinds,
    at: Section::KindsAt,
};
pub const ALIASES: Column = Column {
    bytes: Section::Aliases,
    at: Section::AliasesAt,
};
pub const ATTRS: Column = Column {
    bytes: Section::Attrs,
    at: Section::AttrsAt,
};
pub const NAME_TEXTS: Column = Column {
    bytes: Section::NameTexts,
    at: Section::NameTextsAt,
};
pub const NAME_ROMANIZED: Column = Column {
    bytes: Section::NameRomanized,
    at: Section::NameRomanizedAt,
};
pub const NAME_SOUNDS: Column = Column {
    bytes: Section::NameSounds,
    at: Section::NameSoundsAt,
};
pub const NAME_SPACED: Column = Column {
    bytes: Section::NameSpaced,
    at: Section::NameSpacedAt,
};
pub const NAME_KEYS: Column = Column {
    bytes: Section::NameKeys,
    at: Section::NameKeysAt,
};
pub const GRAMS: Column = Column {
    bytes: Section::Grams,
    at: Section::GramsAt,
};
pub const DENSE_GRAMS: Column = Column {
    bytes: Section::DenseGrams,
    at: Section::DenseGramsAt,
};
/// The romanized words of people's and organisations' names, sorted, each
/// with how many of those entities have it (`Section::WordCounts`).
pub const WORDS: Column = Column {
    bytes: Section::WordTexts,
    at: Section::WordTextsAt,
};

/// Where the attrs of an entity stored without any are.
pub const NO_ATTRS: u32 = u32::MAX;

enum Bytes {
    Owned(Vec<u64>),
    Mapped(memmap2::Mmap),
}

impl Bytes {
    fn as_slice(&self) -> &[u8] {
        match self {
            Bytes::Owned(words) => bytemuck::cast_slice(words),
            Bytes::Mapped(map) => map,
        }
    }
}

/// An image: its bytes and where each section lies in them.
pub struct Store {
    bytes: Bytes,
    ranges: [(usize, usize); SECTIONS + 1],
    entities: usize,
    names: usize,
    grams: usize,
    person: Option<u32>,
    org: Option<u32>,
    /// How many entities are people or organisations (whose words are counted).
    counted: usize,
    dense: FxHashMap<Box<str>, u8>,
    /// What the background scored, by the fingerprint of the settings.
    measured: Mutex<Vec<(u64, Arc<FalseMatches>)>>,
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "<Store of {} entities, {} names>",
            self.entities, self.names
        )
    }
}

/// An entity as the store holds it: id, name, kind, aliases, prior, and
/// attrs as JSON if they were stored.
pub type StoredEntity<'a> = (
    &'a str,
    &'a str,
    &'a str,
    Vec<(&'a str, NameKind)>,
    f64,
    Option<&'a str>,
);

/// What kind of name of its entity a name is: its canonical name, a strong
/// alias, a previous name ("formerly known as"), or a weak alias (a
/// nickname, a short name: FollowTheMoney's `weakAlias`, OFAC's weak
/// a.k.a.), which alone counts for less.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum NameKind {
    Name = 0,
    Alias = 1,
    Previous = 2,
    Weak = 3,
}

impl NameKind {
    /// Of its number in an image, if it is one.
    pub fn of(byte: u8) -> Option<NameKind> {
        [
            NameKind::Name,
            NameKind::Alias,
            NameKind::Previous,
            NameKind::Weak,
        ]
        .get(usize::from(byte))
        .copied()
    }

    /// As the Python package calls it (`Match.alias_kind`).
    pub fn label(self) -> &'static str {
        match self {
            NameKind::Name => "name",
            NameKind::Alias => "alias",
            NameKind::Previous => "previous_name",
            NameKind::Weak => "weak_alias",
        }
    }
}

/// A name's flags (`Section::NameFlags`): whether it is an acronym, and
/// its `NameKind` in the bits above.
pub const NAME_ACRONYM: u8 = 1;
const NAME_KIND_SHIFT: u32 = 1;

/// The `NameKind` of a name of these flags.
pub fn name_kind(flags: u8) -> NameKind {
    NameKind::of(flags >> NAME_KIND_SHIFT).unwrap_or(NameKind::Name)
}

/// An entity as the builder takes it.
pub struct EntityRecord {
    pub id: String,
    pub name: String,
    pub kind: String,
    /// Its other names, each with its kind (not `NameKind::Name`).
    pub aliases: Vec<(String, NameKind)>,
    pub prior: f64,
}

impl Store {
    /// How many entities.
    pub fn entities(&self) -> usize {
        self.entities
    }

    /// How many names (canonical or alias, with words) the index holds.
    pub fn names(&self) -> usize {
        self.names
    }

    /// The whole image, as written to a file.
    pub fn image(&self) -> &[u8] {
        self.bytes.as_slice()
    }

    /// The checksum of its bytes, from its header: what tells one image
    /// from another (two of the same bytes have the same).
    pub fn checksum(&self) -> u64 {
        // Every image has its header: a store is built with one, and a
        // file without one is refused when loaded.
        let mut word = [0u8; 8];
        word.copy_from_slice(&self.image()[CHECKED_FROM - 8..CHECKED_FROM]);
        u64::from_le_bytes(word)
    }

    /// The bytes of a section.
    pub fn bytes(&self, section: Section) -> &[u8] {
        let (start, end) = self.ranges[section as usize];
        self.image().get(start..end).unwrap_or(&[])
    }

    /// A section of u32s.
    pub fn u32s(&self, section: Section) -> &[u32] {
        bytemuck::try_cast_slice(self.bytes(section)).unwrap_or(&[])
    }

    /// A section of u64s.
    pub fn u64s(&self, section: Section) -> &[u64] {
        bytemuck::try_cast_slice(self.bytes(section)).unwrap_or(&[])
    }

    /// A section of f64s.
    pub fn f64s(&self, section: Section) -> &[f64] {
        bytemuck::try_cast_slice(self.bytes(section)).unwrap_or(&[])
    }

    /// The bytes of item `i` of a column.
    pub fn item(&self, column: Column, i: usize) -> &[u8] {
        let at = self.u64s(column.at);
        match (at.get(i), at.get(i + 1)) {
            (Some(&start), Some(&end)) => self
                .bytes(column.bytes)
                .get(start as usize..end as usize)
                .unwrap_or(&[]),
            _ => &[],
        }
    }

    /// Item `i` of a column of text ("" if it is not text, which loading refuses).
    pub fn text(&self, column: Column, i: usize) -> &str {
        std::str::from_utf8(self.item(column, i)).unwrap_or("")
    }

    /// How many items a column has.
    pub fn len(&self, column: Column) -> usize {
        self.u64s(column.at).len().saturating_sub(1)
    }

    /// Whether the store holds no entity.
    pub fn is_empty(&self) -> bool {
        self.entities == 0
    }

    /// The position of the kind "person" among the kinds, if any entity is one.
    pub fn person(&self) -> Option<u32> {
        self.person
    }

    /// The position of the kind "org" (an organisation) among the kinds, if
    /// any entity is one.
    pub fn org(&self) -> Option<u32> {
        self.org
    }

    /// How much a romanized word of a person's or an organisation's name
    /// says of which one it is, in [0, 1]: its inverse document frequency
    /// among the gazetteer's people and organisations, over the most it can
    /// be (1 for a word none of them has, ~0.3 for "muhammad" among the
    /// 8,000 of the OFAC list).
    pub fn word_info(&self, word: &str) -> f64 {
        let total = self.counted as f64 + 1.0;
        let words = self.len(WORDS);
        let (mut low, mut high) = (0, words);
        while low < high {
            let middle = (low + high) / 2;
            match self.item(WORDS, middle).cmp(word.as_bytes()) {
                std::cmp::Ordering::Less => low = middle + 1,
                std::cmp::Ordering::Greater => high = middle,
                std::cmp::Ordering::Equal => {
                    let count = f64::from(self.u32s(Section::WordCounts)[middle]);
                    return ((total / (count + 1.0)).ln() / total.ln()).clamp(0.0, 1.0);
                }
            }
        }
        1.0
    }

    /// The kinds of the entities, in order of first appearance.
    pub fn kinds(&self) -> Vec<&str> {
        (0..self.len(KINDS)).map(|i| self.text(KINDS, i)).collect()
    }

    /// The name at `position`, its keys unpacked.
    pub fn name(&self, position: usize) -> Result<packed::Name<'_>, packed::Damaged> {
        let romanized = std::str::from_utf8(self.item(NAME_ROMANIZED, position)).unwrap_or("");
        let sound = std::str::from_utf8(self.item(NAME_SOUNDS, position)).unwrap_or("");
        packed::unpack(self.item(NAME_KEYS, position), romanized, sound)
    }

    /// Whether some name of the index romanizes as `romanized`
    /// (`NameKeys.romanized`): a binary search of the names by romanization.
    pub fn has_romanized(&self, romanized: &str) -> bool {
        let order = self.u32s(Section::RomanizedOrder);
        order
            .binary_search_by(|&i| {
                self.item(NAME_ROMANIZED, i as usize)
                    .cmp(romanized.as_bytes())
            })
            .is_ok()
    }

    /// The bit of a gram among the names' masks (`DENSE` grams of sound
    /// keys, then as many of skeletons), if it is one of the most frequent,
    /// which are counted by mask rather than by postings.
    pub fn dense_bit(&self, gram: &str) -> Option<u8> {
        self.dense.get(gram).copied()
    }

    /// The masks of the dense grams of every name, `MASK_BLOCK_WORDS` words
    /// a name: of sound-key grams (`block` 0) or of skeleton grams (1).
    pub fn masks(&self, block: usize) -> &[u64] {
        let all = self.u64s(Section::NameMasks);
        let size = self.names() * MASK_BLOCK_WORDS;
        all.get(block * size..(block + 1) * size).unwrap_or(&[])
    }

    /// The postings of a gram: the positions of the names that have it, ascending.
    pub fn postings(&self, gram: &str) -> &[u32] {
        let (mut low, mut high) = (0, self.grams);
        while low < high {
            let mid = (low + high) / 2;
            match self.item(GRAMS, mid).cmp(gram.as_bytes()) {
                std::cmp::Ordering::Less => low = mid + 1,
                std::cmp::Ordering::Greater => high = mid,
                std::cmp::Ordering::Equal => {
                    let at = self.u64s(Section::PostingsAt);
                    let (start, end) = (at[mid] as usize, at[mid + 1] as usize);
                    return self.u32s(Section::Postings).get(start..end).unwrap_or(&[]);
                }
            }
        }
        &[]
    }

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

    fn from_image(words: Vec<u64>) -> Result<Store, StoreError> {
        Store::open(Bytes::Owned(words))
    }

    /// An image from its bytes (copied, to be aligned), checked as a file is.
    pub fn from_bytes(image: &[u8]) -> Result<Store, StoreError> {
        let mut words = vec![0u64; image.len().div_ceil(8)];
        bytemuck::cast_slice_mut::<u64, u8>(&mut words)[..image.len()].copy_from_slice(image);
        if !image.len().is_multiple_of(8) {
            return Err(StoreError::Foreign(
                "its length is not a multiple of 8".into(),
            ));
        }
        Store::from_image(words)
    }

    /// Read a compiled index from a file, mapping it: refused whole, with
    /// why, if it is not one, or stale, truncated or damaged.
    pub fn load(path: &Path) -> Result<Store, StoreError> {
        let file =
            File::open(path).map_err(|e| StoreError::Io(format!("cannot read the file: {e}")))?;
        let size = file
            .metadata()
            .map_err(|e| StoreError::Io(format!("cannot read the file: {e}")))?
            .len();
        if size < HEADER as u64 {
            return Err(StoreError::Foreign(format!(
                "{size} bytes, fewer than a compiled index's header"
            )));
        }
        // SAFETY: mapping a file is sound as long as nothing truncates or
        // rewrites it while it is mapped; every read of the map is bounds
        // checked against the layout checked below, so changed bytes could
        // give wrong answers but never an out-of-bounds read. namenorm
        // writes a compiled index to a side file and renames it over the old
        // one, which leaves the inode a reader has mapped as it was.
        let map = unsafe { memmap2::Mmap::map(&file) }
            .map_err(|e| StoreError::Io(format!("cannot map the file: {e}")))?;
        Store::open(Bytes::Mapped(map))
    }

    fn open(bytes: Bytes) -> Result<Store, StoreError> {
        let image = bytes.as_slice();
        let header = read_header(image)?;
        let mut store = Store {
            bytes,
            ranges: header.ranges,
            entities: header.counts[0] as usize,
            names: header.counts[1] as usize,
            grams: header.counts[2] as usize,
            person: None,
            org: None,
            counted: 0,
            dense: FxHashMap::default(),
            measured: Mutex::default(),
        };
        store.check()?;
        store.measured = Mutex::new(store.carried()?.into_iter().collect());
        store.dense = (0..store.len(DENSE_GRAMS))
            .map(|i| (store.text(DENSE_GRAMS, i).into(), i as u8))
            .collect();
        let kind = |wanted: &str| {
            store
                .kinds()
                .iter()
                .position(|k| *k == wanted)
                .map(|p| p as u32)
        };
        (store.person, store.org) = (kind("person"), kind("org"));
        let (person, org) = (store.person, store.org);
        store.counted = store
            .u32s(Section::EntityKind)
            .iter()
            .filter(|&&k| Some(k) == person || Some(k) == org)
            .count();
        Ok(store)
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
            let mut words = vec![fingerprint];
            for curve in &m.curves {
                words.extend([curve.names() as u64, curve.scores().len() as u64]);
                words.extend(curve.scores().iter().map(|s| s.to_bits()));
            }
            sections.numbers(Section::FalseMatches, &words);
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

    /// What the background scored with the settings of `fingerprint`:
    /// carried by the image, or measured by an earlier resolver of this
    /// store, or measured now (once, however many ask at a time).
    pub fn false_matches(
        &self,
        fingerprint: u64,
        measure: impl FnOnce() -> FalseMatches,
    ) -> Arc<FalseMatches> {
        let mut measured = self
            .measured
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some((_, m)) = measured.iter().find(|(f, _)| *f == fingerprint) {
            return Arc::clone(m);
        }
        let m = Arc::new(measure());
        measured.push((fingerprint, Arc::clone(&m)));
        m
    }

    /// The measurement the image carries, if any (checked).
    fn carried(&self) -> Result<Option<(u64, Arc<FalseMatches>)>, StoreError> {
        let words = self.u64s(Section::FalseMatches);
        let Some((&fingerprint, mut rest)) = words.split_first() else {
            return Ok(None);
        };
        let bad = || damaged("a false-match measurement truncated, out of order or out of range");
        let mut measured = FalseMatches::default();
        for curve in &mut measured.curves {
            let [names, count, tail @ ..] = rest else {
                return Err(bad());
            };
            let count = usize::try_from(*count).map_err(|_| bad())?;
            if count as u64 > *names || tail.len() < count {
                return Err(bad());
            }
            let scores: Vec<f64> = tail[..count].iter().map(|&b| f64::from_bits(b)).collect();
            if !scores.windows(2).all(|w| w[0] >= w[1])
                || !scores.iter().all(|s| *s > 0.0 && *s <= 1.0)
            {
                return Err(bad());
            }
            *curve = Curve::new(scores, *names as usize);
            rest = &tail[count..];
        }
        if !rest.is_empty() {
            return Err(bad());
        }
        Ok(Some((fingerprint, Arc::new(measured))))
    }

    /// An entity's fields: id, name, kind, aliases, prior, attrs as JSON (if stored).
    pub fn entity(&self, i: usize) -> Option<StoredEntity<'_>> {
        if i >= self.entities {
            return None;
        }
        let kind = self.u32s(Section::EntityKind)[i] as usize;
        let alias_at = self.u64s(Section::EntityAliases);
        let kinds = self.bytes(Section::AliasKinds);
        let aliases = (alias_at[i] as usize..alias_at[i + 1] as usize)
            .map(|a| {
                let kind = kinds.get(a).and_then(|&k| NameKind::of(k));
                (self.text(ALIASES, a), kind.unwrap_or(NameKind::Alias))
            })
            .collect();
        let attrs = self.u32s(Section::EntityAttrs)[i];
        let attrs = (attrs != NO_ATTRS).then(|| self.text(ATTRS, attrs as usize));
        Some((
            self.text(ENTITY_IDS, i),
            self.text(ENTITY_NAMES, i),
            self.text(KINDS, kind),
            aliases,
            self.f64s(Section::EntityPriors)[i],
            attrs,
        ))
    }

    fn check(&self) -> Result<(), StoreError> {
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

/// How many of the grams of sound keys (and as many of skeletons) are
/// counted by mask: the most frequent, which hold nearly all postings (of the
/// 341 grams of 1.2 million GeoNames names, the 128 most frequent hold 99.98%).
pub const DENSE: usize = 128;

/// The words of a name's mask: `DENSE` bits of sound-key grams, and as
/// many of skeleton grams, each in a block of its own (`Store::masks`).
pub const MASK_WORDS: usize = 2 * MASK_BLOCK_WORDS;

/// The words of a name's mask in one block.
pub const MASK_BLOCK_WORDS: usize = DENSE / 64;

/// The dense grams, in the order of their bits ("" for a bit no gram has),
/// and the bit of each gram id.
struct Dense {
    texts: Vec<Box<str>>,
    bits: FxHashMap<u32, u8>,
}

/// The grams of an index, each with an id, and how many names have it.
#[derive(Default)]
struct GramTable {
    ids: FxHashMap<Box<str>, u32>,
    counts: Vec<u64>,
}

impl GramTable {
    fn id(&mut self, gram: &str) -> u32 {
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
    fn dense(&self) -> Dense {
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
    fn postings(
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

const ALL: [Section; SECTIONS] = [
    Section::EntityIds,
    Section::EntityIdsAt,
    Section::EntityNames,
    Section::EntityNamesAt,
    Section::EntityKind,
    Section::Kinds,
    Section::KindsAt,
    Section::EntityPriors,
    Section::Aliases,
    Section::AliasesAt,
    Section::EntityAliases,
    Section::AliasKinds,
    Section::EntityAttrs,
    Section::Attrs,
    Section::AttrsAt,
    Section::NameEntity,
    Section::NameTexts,
    Section::NameTextsAt,
    Section::NameFlags,
    Section::NameRomanized,
    Section::NameRomanizedAt,
    Section::NameSounds,
    Section::NameSoundsAt,
    Section::NameSpaced,
    Section::NameSpacedAt,
    Section::NameKeys,
    Section::NameKeysAt,
    Section::NameGrams,
    Section::NameSkeletonGrams,
    Section::Grams,
    Section::GramsAt,
    Section::Postings,
    Section::PostingsAt,
    Section::RomanizedOrder,
    Section::DenseGrams,
    Section::DenseGramsAt,
    Section::NameMasks,
    Section::WordTexts,
    Section::WordTextsAt,
    Section::WordCounts,
    Section::FalseMatches,
];

/// Whether `text` is a JSON object, as an entity's attrs are stored (nested
/// at most 128 deep: serde_json's limit). Checked when an image is built and
/// when one is loaded, so that a stored entity's attrs always read back as a
/// table.
pub fn is_json_table(text: &str) -> bool {
    text.trim_start().starts_with('{')
        && serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok()
}

fn check_attrs<'a>(attrs: &[String], id: impl Fn(usize) -> &'a str) -> Result<(), StoreError> {
    match attrs.iter().position(|a| !is_json_table(a)) {
        Some(i) => Err(StoreError::Invalid(format!(
            "record {:?}: its attrs are not a JSON table",
            id(i)
        ))),
        None => Ok(()),
    }
}

fn section_of(id: u32) -> Option<Section> {
    (id as usize)
        .checked_sub(1)
        .and_then(|i| ALL.get(i))
        .copied()
}

struct Header {
    ranges: [(usize, usize); SECTIONS + 1],
    counts: [u64; 3],
}

fn u32_at(image: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(image[at..at + 4].try_into().expect("four bytes"))
}

fn u64_at(image: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(image[at..at + 8].try_into().expect("eight bytes"))
}

fn read_header(image: &[u8]) -> Result<Header, StoreError> {
    if image.len() < HEADER || &image[..8] != MAGIC {
        return Err(StoreError::Foreign("it does not start as one".into()));
    }
    let version = u32_at(image, 8);
    if version != FORMAT_VERSION {
        return Err(StoreError::Version(version));
    }
    if u32_at(image, 12) != BYTE_ORDER {
        return Err(StoreError::Foreign(
            "written on a machine of another byte order".into(),
        ));
    }
    if &image[16..80] != data::fingerprint().as_bytes() {
        return Err(StoreError::Stale);
    }
    if u64_at(image, 80) != xxh3_64(&image[CHECKED_FROM..]) {
        return Err(damaged("its checksum does not match its bytes"));
    }
    let count = u32_at(image, 88) as usize;
    let counts = [u64_at(image, 96), u64_at(image, 104), u64_at(image, 112)];
    if counts.iter().any(|&c| c > u32::MAX as u64) {
        return Err(damaged("counts beyond what an index holds"));
    }
    let table_end = count
        .checked_mul(24)
        .and_then(|n| n.checked_add(HEADER))
        .filter(|&e| e <= image.len());
    let table_end = table_end.ok_or_else(|| damaged("more sections than the file holds"))?;
    let mut ranges = [(usize::MAX, 0); SECTIONS + 1];
    for s in 0..count {
        let at = HEADER + 24 * s;
        let (id, offset, length) = (
            u32_at(image, at),
            u64_at(image, at + 8),
            u64_at(image, at + 16),
        );
        let section = section_of(id).ok_or_else(|| damaged(format!("an unknown section {id}")))?;
        let end = offset
            .checked_add(length)
            .filter(|&e| e <= image.len() as u64);
        let end = end.ok_or_else(|| damaged(format!("section {id} beyond the end of the file")))?;
        if offset % 8 != 0 || (offset as usize) < table_end {
            return Err(damaged(format!("section {id} misplaced")));
        }
        if ranges[section as usize].0 != usize::MAX {
            return Err(damaged(format!("section {id} twice")));
        }
        ranges[section as usize] = (offset as usize, end as usize);
    }
    if (1..=SECTIONS).any(|s| ranges[s].0 == usize::MAX) {
        return Err(damaged("a section is missing"));
    }
    ranges[0] = (0, 0);
    Ok(Header { ranges, counts })
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
    use crate::calibrate::Calibration;
    use crate::rank::Ranker;
    use crate::resolve::{Query, Resolver, Settings};
    use crate::score::ByKind;
    use crate::similarity::Weights;
    use std::sync::Arc;

    fn record(id: &str, name: &str, kind: &str, aliases: &[&str], prior: f64) -> EntityRecord {
        let aliases = aliases
            .iter()
            .map(|a| (a.to_string(), NameKind::Alias))
            .collect();
        EntityRecord {
            id: id.into(),
            name: name.into(),
            kind: kind.into(),
            aliases,
            prior,
        }
    }

    fn sample() -> Store {
        let entities = [
            record(
                "place:hadrut",
                "Hadrut",
                "place",
                &["Հադրութ", "Гадрут"],
                3000.0,
            ),
            record(
                "place:khtsaberd",
                "Khtsaberd",
                "place",
                &["Խծաբերդ", "Xətai"],
                100.0,
            ),
            record(
                "person:nikol-pashinyan",
                "Nikol Pashinyan",
                "person",
                &["Никол Пашинян", "Pashinyan"],
                0.0,
            ),
            record(
                "org:osce",
                "OSCE",
                "org",
                &["Organization for Security and Co-operation in Europe"],
                0.0,
            ),
            record(
                "place:baghdad",
                "Baghdad",
                "place",
                &["بغداد", "Bagdad"],
                7_000_000.0,
            ),
        ];
        let attrs: Vec<String> = (0..entities.len())
            .map(|i| format!("{{\"n\": {i}}}"))
            .collect();
        Store::build(&entities, Some(&attrs)).expect("a sample store builds")
    }

    fn resolver(store: Store) -> Resolver {
        let ranker = Ranker {
            weights: [20.0, 0.3, 6.0, 1.6, 1.0, 0.5, 2.4, -3.8, 5.0],
            depth: 40,
            window: 0.1,
        };
        let mut weights = [0.0; 17];
        (weights[0], weights[1]) = (5.0, 19.0);
        let settings = Settings {
            weights: Weights::default(),
            rankers: ByKind::all(ranker),
            calibrations: ByKind::all(Calibration {
                intercept: -6.0,
                weights,
            }),
            ambiguity_margin: 0.03,
            rival_places: true,
        };
        Resolver::new(Arc::new(store), settings)
    }

    fn mend(image: &mut [u8]) {
        let checksum = xxh3_64(&image[CHECKED_FROM..]);
        image[80..88].copy_from_slice(&checksum.to_le_bytes());
    }

    fn section(image: &[u8], wanted: Section) -> (usize, usize) {
        let count = u32_at(image, 88) as usize;
        (0..count)
            .map(|s| HEADER + 24 * s)
            .find(|&at| u32_at(image, at) == wanted as u32)
            .map(|at| {
                (
                    u64_at(image, at + 8) as usize,
                    u64_at(image, at + 16) as usize,
                )
            })
            .expect("the section is there")
    }

    #[test]
    fn a_list_of_people_is_asked_its_own_names() {
        const GIVEN: [&str; 15] = [
            "John", "Maria", "Ahmed", "Olga", "Pierre", "Chen", "Fatima", "Ivan", "Aiko", "Carlos",
            "Anna", "Omar", "Lena", "Kofi", "Sara",
        ];
        const SURNAMES: [&str; 15] = [
            "Smith", "Garcia", "Hassan", "Petrova", "Dubois", "Wang", "Khan", "Ivanov", "Tanaka",
            "Silva", "Novak", "Farouk", "Berg", "Mensah", "Cohen",
        ];
        let mut entities = vec![record("place:hadrut", "Hadrut", "place", &[], 3000.0)];
        for g in GIVEN {
            for s in SURNAMES {
                entities.push(record(
                    &format!("person:{g}-{s}"),
                    &format!("{g} {s}"),
                    "person",
                    &[],
                    0.0,
                ));
            }
        }
        let r = resolver(Store::build(&entities, None).unwrap());
        let measured = r.false_matches();
        // Each person once, the place never: all in Latin letters.
        assert!(GIVEN.len() * SURNAMES.len() >= crate::false_match::OWN_MIN);
        assert_eq!(measured.curves[4].names(), GIVEN.len() * SURNAMES.len());
        assert!(measured.curves[5..].iter().all(|c| c.names() == 0));
    }

    #[test]
    fn a_compiled_index_carries_its_false_match_measurement() {
        let r = resolver(sample());
        let measured = r.false_matches();
        // The shipped background's four parts; too few people and
        // organisations to be asked their own names.
        assert!(measured.curves[..4].iter().all(|c| c.names() > 0));
        assert!(measured.curves[4..].iter().all(|c| c.names() == 0));
        let path = std::env::temp_dir().join(format!("namenorm-fm-{}.nnx", std::process::id()));
        r.store
            .write(&path, None, Some((r.fingerprint(), &measured)))
            .unwrap();
        let loaded = Store::load(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        let carried = loaded.false_matches(r.fingerprint(), || panic!("measured again"));
        assert_eq!(*carried, *measured);
        // Other settings measure their own.
        let other = loaded.false_matches(r.fingerprint() ^ 1, FalseMatches::default);
        assert_eq!(*other, FalseMatches::default());
    }

    #[test]
    fn every_section_id_is_its_position() {
        for (i, s) in ALL.iter().enumerate() {
            assert_eq!(*s as usize, i + 1);
        }
    }

    #[test]
    fn a_store_resolves_and_round_trips_through_a_file() {
        let store = sample();
        let path = std::env::temp_dir().join(format!("namenorm-test-{}.nnx", std::process::id()));
        store.write(&path, None, None).unwrap();
        let loaded = Store::load(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        assert_eq!(loaded.image(), store.image());
        assert_eq!(loaded.entity(0).unwrap().0, "place:hadrut");
        assert_eq!(loaded.entity(4).unwrap().5, Some("{\"n\": 4}"));
        let r = resolver(loaded);
        let bar = (0.5, Some(0.05));
        let found = r.resolve("Gadrut", None, bar).unwrap().unwrap();
        assert_eq!((found.entity, found.alias.as_str()), (0, "Гадрут"));
        assert!(r.resolve("Paris", None, bar).unwrap().is_none());
        assert_eq!(
            r.resolve("Nicole Bashinian", Some("person"), bar)
                .unwrap()
                .unwrap()
                .entity,
            2
        );
        let elsewhere = Query {
            limit: 5,
            ..Query::best("Gadrut", Some("no such kind"))
        };
        assert!(r.candidates(&elsewhere).unwrap().is_empty());
    }

    #[test]
    fn truncated_images_are_refused() {
        let image = sample().image().to_vec();
        for keep in [0.0, 0.1, 0.5, 0.9, 0.999] {
            let cut = &image[..(image.len() as f64 * keep) as usize];
            assert!(Store::from_bytes(cut).is_err(), "kept {keep}");
        }
    }

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
                        // whose measurement the test below checks.
                        let many = Query {
                            limit: 5,
                            ..Query::best(query, None)
                        };
                        let _ = r.ranked(&many);
                        let _ = r.ranked(&Query::best(query, Some("place")));
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
