//! The layout of an image (`store`): its header, its sections and the
//! columns they make. The image:
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

use std::fmt;

use xxhash_rust::xxh3::xxh3_64;

use crate::data;

// The image is read in place, its numbers in the host's order.
#[cfg(target_endian = "big")]
compile_error!("namenorm's index image is little-endian; this target is big-endian");

/// What a compiled index starts with.
pub const MAGIC: &[u8; 8] = b"NAMENORM";
/// The version of the layout this core reads and writes.
pub const FORMAT_VERSION: u32 = 5;
pub(crate) const BYTE_ORDER: u32 = 0x0102_0304;
pub(crate) const HEADER: usize = 128;
pub(crate) const CHECKED_FROM: usize = 88;

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

pub(crate) fn damaged(why: impl Into<String>) -> StoreError {
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

pub(crate) const SECTIONS: usize = Section::FalseMatches as usize;

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

/// How many of the grams of sound keys (and as many of skeletons) are
/// counted by mask: the most frequent, which hold nearly all postings (of the
/// 341 grams of 1.2 million GeoNames names, the 128 most frequent hold 99.98%).
pub const DENSE: usize = 128;

/// The words of a name's mask: `DENSE` bits of sound-key grams, and as
/// many of skeleton grams, each in a block of its own (`Store::masks`).
pub const MASK_WORDS: usize = 2 * MASK_BLOCK_WORDS;

/// The words of a name's mask in one block.
pub const MASK_BLOCK_WORDS: usize = DENSE / 64;

pub(crate) const ALL: [Section; SECTIONS] = [
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

pub(crate) fn section_of(id: u32) -> Option<Section> {
    (id as usize)
        .checked_sub(1)
        .and_then(|i| ALL.get(i))
        .copied()
}

pub(crate) struct Header {
    pub(crate) ranges: [(usize, usize); SECTIONS + 1],
    pub(crate) counts: [u64; 3],
}

pub(crate) fn u32_at(image: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(image[at..at + 4].try_into().expect("four bytes"))
}

pub(crate) fn u64_at(image: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(image[at..at + 8].try_into().expect("eight bytes"))
}

pub(crate) fn read_header(image: &[u8]) -> Result<Header, StoreError> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_section_id_is_its_position() {
        for (i, s) in ALL.iter().enumerate() {
            assert_eq!(*s as usize, i + 1);
        }
    }
}
