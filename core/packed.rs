//! Stage 4a: a name's keys packed into bytes, as the candidate index holds
//! them (in memory, or mapped from a compiled index), and read back as a
//! `Name` that borrows from them: scoring a candidate decodes a few bytes
//! and allocates nothing.
//!
//! The layout of one name (romanized and sound key are columns of their own,
//! which the cheap cut reads without decoding):
//!
//! ```text
//! flags: u8        1 abjad, 2 syllabic, 4 the name's units are its one word's
//! normalized       str
//! units            (unless flag 4) count, then one byte a unit (`keys::unit_table`)
//! words            count, then for each: flags u8 (1 optional, and the
//!                  word's `names` role bits), normalized, romanized,
//!                  sound, units, metaphone
//! ```
//!
//! A count or a length is a LEB128 varint; a str is its length and its UTF-8.

use smallvec::SmallVec;

use crate::keys::{unit_table, NameKeys};
use crate::names;

/// Keys that cannot be read back: the index they came from is damaged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Damaged(pub &'static str);

/// One word of a name, borrowed from its packed keys.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Word<'a> {
    pub normalized: &'a str,
    pub romanized: &'a str,
    pub sound: &'a str,
    pub units: &'a [u8],
    pub metaphone: &'a str,
    pub optional: bool,
    /// `names::TITLE`, `PARTICLE`, `SUFFIX`, `LEGAL`, `SURNAME`.
    pub role: u8,
}

/// A name's keys, borrowed from its packed form (see `keys::NameKeys`).
#[derive(Clone, Debug, PartialEq)]
pub struct Name<'a> {
    pub normalized: &'a str,
    pub words: SmallVec<[Word<'a>; 4]>,
    pub romanized: &'a str,
    pub sound: &'a str,
    pub units: &'a [u8],
    pub abjad: bool,
    pub syllabic: bool,
}

impl Name<'_> {
    /// Whether two names' normalized words, joined without spaces, are equal.
    pub fn same_compact(&self, other: &Name<'_>) -> bool {
        let bytes = |n: &Name<'_>| {
            n.words
                .iter()
                .flat_map(|w| w.normalized.bytes())
                .collect::<SmallVec<[u8; 64]>>()
        };
        bytes(self) == bytes(other)
    }

    /// The romanized words joined without spaces, optional words left out.
    pub fn core(&self) -> String {
        self.words
            .iter()
            .filter(|w| !w.optional)
            .map(|w| w.romanized)
            .collect()
    }

    /// The romanized words, with spaces between them.
    pub fn spaced(&self) -> String {
        let words: SmallVec<[&str; 4]> = self.words.iter().map(|w| w.romanized).collect();
        words.join(" ")
    }
}

fn push_len(out: &mut Vec<u8>, mut n: usize) {
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn push_str(out: &mut Vec<u8>, s: &str) {
    push_len(out, s.len());
    out.extend_from_slice(s.as_bytes());
}

fn push_units(out: &mut Vec<u8>, units: &[crate::keys::Unit]) {
    let table = unit_table();
    push_len(out, units.len());
    // A name's romanization is lowercase ASCII letters and digits, whose
    // units all have ids (tested in `keys`); any other unit would be a bug.
    out.extend(
        units
            .iter()
            .map(|u| table.id(u).expect("a unit of romanized text")),
    );
}

/// Append the packed form of `keys` (all but its romanized form and sound
/// key) to `out`.
pub fn pack(keys: &NameKeys, out: &mut Vec<u8>) {
    let one_word = keys.words.len() == 1 && keys.units == keys.words[0].units;
    out.push(u8::from(keys.abjad) | u8::from(keys.syllabic) << 1 | u8::from(one_word) << 2);
    push_str(out, &keys.normalized);
    if !one_word {
        push_units(out, &keys.units);
    }
    push_len(out, keys.words.len());
    for word in &keys.words {
        out.push(u8::from(word.optional) | word.role);
        push_str(out, &word.normalized);
        push_str(out, &word.romanized);
        push_str(out, &word.sound);
        push_units(out, &word.units);
        push_str(out, &word.metaphone);
    }
}

struct Reader<'a> {
    data: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Result<u8, Damaged> {
        let b = *self
            .data
            .get(self.at)
            .ok_or(Damaged("packed keys end early"))?;
        self.at += 1;
        Ok(b)
    }

    fn len(&mut self) -> Result<usize, Damaged> {
        let mut n: usize = 0;
        for shift in (0..35).step_by(7) {
            let b = self.byte()?;
            n |= ((b & 0x7f) as usize) << shift;
            if b & 0x80 == 0 {
                return Ok(n);
            }
        }
        Err(Damaged("a length in packed keys is too long"))
    }

    fn bytes(&mut self) -> Result<&'a [u8], Damaged> {
        let n = self.len()?;
        let end = self
            .at
            .checked_add(n)
            .filter(|&e| e <= self.data.len())
            .ok_or(Damaged("packed keys end early"))?;
        let found = &self.data[self.at..end];
        self.at = end;
        Ok(found)
    }

    fn str(&mut self) -> Result<&'a str, Damaged> {
        std::str::from_utf8(self.bytes()?)
            .map_err(|_| Damaged("packed keys hold text that is not UTF-8"))
    }

    fn units(&mut self) -> Result<&'a [u8], Damaged> {
        let units = self.bytes()?;
        let known = unit_table().units.len();
        if units.iter().any(|&u| u as usize >= known) {
            return Err(Damaged("packed keys hold an unknown sound unit"));
        }
        Ok(units)
    }
}

/// Read packed keys back, with the name's romanized form and sound key.
pub fn unpack<'a>(data: &'a [u8], romanized: &'a str, sound: &'a str) -> Result<Name<'a>, Damaged> {
    let mut r = Reader { data, at: 0 };
    let flags = r.byte()?;
    if flags > 7 {
        return Err(Damaged("packed keys have unknown flags"));
    }
    let normalized = r.str()?;
    let units = if flags & 4 == 0 {
        Some(r.units()?)
    } else {
        None
    };
    let count = r.len()?;
    if count > data.len() {
        return Err(Damaged("packed keys count more words than they hold"));
    }
    let mut words: SmallVec<[Word<'a>; 4]> = SmallVec::with_capacity(count.min(64));
    for _ in 0..count {
        // Every bit has a meaning: optional (1) and the roles.
        let flags = r.byte()?;
        let (optional, role) = (flags & 1 == 1, flags & names::ROLES);
        let (normalized, romanized, sound) = (r.str()?, r.str()?, r.str()?);
        let units = r.units()?;
        let metaphone = r.str()?;
        words.push(Word {
            normalized,
            romanized,
            sound,
            units,
            metaphone,
            optional,
            role,
        });
    }
    if r.at != data.len() {
        return Err(Damaged("packed keys have bytes left over"));
    }
    let units = match units {
        Some(units) => units,
        None if words.len() == 1 => words[0].units,
        None => {
            return Err(Damaged(
                "packed keys share the units of a word they do not have",
            ))
        }
    };
    Ok(Name {
        normalized,
        words,
        romanized,
        sound,
        units,
        abjad: flags & 1 != 0,
        syllabic: flags & 2 != 0,
    })
}

/// A name's keys packed, with the columns that go beside them: what the
/// index stores of a name, and what a query is scored as.
pub struct Packed {
    pub keys: Vec<u8>,
    pub romanized: String,
    pub sound: String,
}

impl Packed {
    /// Pack `keys`.
    pub fn of(keys: &NameKeys) -> Packed {
        let mut out = Vec::with_capacity(64);
        pack(keys, &mut out);
        Packed {
            keys: out,
            romanized: keys.romanized.clone(),
            sound: keys.sound.clone(),
        }
    }

    /// Read them back.
    pub fn name(&self) -> Name<'_> {
        unpack(&self.keys, &self.romanized, &self.sound).expect("keys packed here read back")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::name_keys;

    #[test]
    fn round_trip() {
        for text in [
            "Hadrut",
            "Nikol Pashinyan",
            "الديوانية",
            "bureisuburijji",
            "Hadrut district",
            "!!!",
            "Kinrut 2",
        ] {
            let keys = name_keys(text);
            let packed = Packed::of(&keys);
            let name = packed.name();
            assert_eq!(name.normalized, keys.normalized);
            assert_eq!(name.words.len(), keys.words.len());
            assert_eq!((name.abjad, name.syllabic), (keys.abjad, keys.syllabic));
            assert_eq!(name.units.len(), keys.units.len(), "{text}");
            for (w, k) in name.words.iter().zip(&keys.words) {
                assert_eq!(
                    (w.normalized, w.romanized, w.sound, w.metaphone),
                    (
                        k.normalized.as_str(),
                        k.romanized.as_str(),
                        k.sound.as_str(),
                        k.metaphone.as_str()
                    )
                );
                assert_eq!((w.optional, w.role), (k.optional, k.role));
            }
        }
    }

    #[test]
    fn damage_is_an_error_never_a_panic() {
        let packed = Packed::of(&name_keys("Nikol Pashinyan"));
        for cut in 0..packed.keys.len() {
            assert!(unpack(&packed.keys[..cut], "", "").is_err(), "cut at {cut}");
        }
        for at in 0..packed.keys.len() {
            for flip in [0x01, 0x80, 0xff] {
                let mut bytes = packed.keys.clone();
                bytes[at] ^= flip;
                let _ = unpack(&bytes, "", ""); // any answer but a panic
            }
        }
    }
}
