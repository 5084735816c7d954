//! A gazetteer's entities and its candidate index, as one image of bytes
//! (laid out as `layout` says): built in memory from entities (`compile`),
//! written to a file (a compiled index), and read back by mapping that
//! file, so that loading keys nothing, copies nothing, and many threads (or
//! processes) share one copy. Opening an image checks it whole (`check`).

use std::fmt;
use std::fs::File;
use std::path::Path;
use std::sync::{Arc, Mutex};

use rustc_hash::FxHashMap;

use crate::packed;
use crate::pystr;
use crate::rates::FalseMatches;

pub use crate::layout::*;

/// A name of at most this many letters, all capitals, is an acronym
/// ("OSCE", "США"): it matches only when spelled the same, since one letter
/// off is another acronym rather than a misspelling.
pub const ACRONYM_MAX_LETTERS: usize = 6;

/// Whether a name is an acronym ("OSCE", "США"): short, and all capitals.
pub fn is_acronym(text: &str) -> bool {
    pystr::is_upper(text)
        && text.chars().filter(|&c| pystr::is_alnum(c)).count() <= ACRONYM_MAX_LETTERS
}

pub(crate) enum Bytes {
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
    pub(crate) bytes: Bytes,
    pub(crate) ranges: [(usize, usize); SECTIONS + 1],
    pub(crate) entities: usize,
    pub(crate) names: usize,
    pub(crate) grams: usize,
    pub(crate) person: Option<u32>,
    pub(crate) org: Option<u32>,
    /// How many entities are people or organisations (whose words are counted).
    pub(crate) counted: usize,
    pub(crate) dense: FxHashMap<Box<str>, u8>,
    /// What the background scored, by the fingerprint of the settings.
    pub(crate) measured: Mutex<Vec<(u64, Arc<FalseMatches>)>>,
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
pub(crate) const NAME_KIND_SHIFT: u32 = 1;

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

    pub(crate) fn from_image(words: Vec<u64>) -> Result<Store, StoreError> {
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

    pub(crate) fn open(bytes: Bytes) -> Result<Store, StoreError> {
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
        let carried =
            FalseMatches::from_words(self.u64s(Section::FalseMatches)).map_err(damaged)?;
        Ok(carried.map(|(fingerprint, m)| (fingerprint, Arc::new(m))))
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
}

/// Whether `text` is a JSON object, as an entity's attrs are stored (nested
/// at most 128 deep: serde_json's limit). Checked when an image is built and
/// when one is loaded, so that a stored entity's attrs always read back as a
/// table.
pub fn is_json_table(text: &str) -> bool {
    text.trim_start().starts_with('{')
        && serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok()
}

pub(crate) fn check_attrs<'a>(
    attrs: &[String],
    id: impl Fn(usize) -> &'a str,
) -> Result<(), StoreError> {
    match attrs.iter().position(|a| !is_json_table(a)) {
        Some(i) => Err(StoreError::Invalid(format!(
            "record {:?}: its attrs are not a JSON table",
            id(i)
        ))),
        None => Ok(()),
    }
}
