//! The data files the core reads, compiled in: the transliteration tables
//! and the generic words (`namenorm/data/`), which the Python package ships
//! too. Parsed on first use.

use std::sync::LazyLock;

use sha2::{Digest, Sha256};
use toml::Table;

include!(concat!(env!("OUT_DIR"), "/builtin.rs"));

/// (script, TOML) of each transliteration table, in the order their maps
/// are merged (a later table's key wins).
pub const TRANSLIT: [(&str, &str); 7] = [
    (
        "cyrillic",
        include_str!("../namenorm/data/translit/cyrillic.toml"),
    ),
    (
        "armenian",
        include_str!("../namenorm/data/translit/armenian.toml"),
    ),
    (
        "georgian",
        include_str!("../namenorm/data/translit/georgian.toml"),
    ),
    (
        "greek",
        include_str!("../namenorm/data/translit/greek.toml"),
    ),
    (
        "arabic",
        include_str!("../namenorm/data/translit/arabic.toml"),
    ),
    (
        "hebrew",
        include_str!("../namenorm/data/translit/hebrew.toml"),
    ),
    (
        "latin",
        include_str!("../namenorm/data/translit/latin.toml"),
    ),
];

/// Wade-Giles to pinyin.
pub const WADE_GILES: &str = include_str!("../namenorm/data/translit/wade_giles.toml");

/// Titles, articles, words for kinds of place, equivalents, case endings.
pub const GENERIC: &str = include_str!("../namenorm/data/generic.toml");

/// Legal forms, people's titles, particles and suffixes (tools/make_names.py).
pub const NAMES: &str = include_str!("../namenorm/data/names.toml");

/// The countries and first-level regions of the world gazetteer
/// (namenorm/data/world/, tools/make_world.py): what a qualifier may name
/// ("Paris, Texas"), in any gazetteer whose places say where they are.
pub const WORLD: [&str; 2] = [
    include_str!("../namenorm/data/world/countries.toml"),
    include_str!("../namenorm/data/world/regions.toml"),
];

/// The code and data that decide a name's keys, and the versions of the
/// libraries they use (Cargo.lock): what a compiled index keyed by another
/// version of them would differ in.
const KEYING: [&[u8]; 13] = [
    include_bytes!("normalize.rs"),
    include_bytes!("translit.rs"),
    include_bytes!("generic.rs"),
    include_bytes!("keys.rs"),
    include_bytes!("pystr.rs"),
    include_bytes!("data.rs"),
    include_bytes!("config.rs"),
    include_bytes!("names.rs"),
    include_bytes!("grams.rs"),
    include_bytes!("postings.rs"),
    include_bytes!("../namenorm/data/generic.toml"),
    include_bytes!("../namenorm/data/names.toml"),
    include_bytes!("../Cargo.lock"),
];

/// A digest (SHA-256, hex) of the core's version and of the code, tables and
/// libraries that key names.
pub fn fingerprint() -> &'static str {
    static DIGEST: LazyLock<String> = LazyLock::new(|| {
        let mut digest = Sha256::new();
        digest.update(env!("CARGO_PKG_VERSION").as_bytes());
        for part in KEYING
            .iter()
            .copied()
            .chain(TRANSLIT.iter().map(|(_, text)| text.as_bytes()))
        {
            digest.update((part.len() as u64).to_le_bytes());
            digest.update(part);
        }
        digest.update(WADE_GILES.as_bytes());
        digest
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    });
    &DIGEST
}

/// Parse one of the files above. They are the package's own, checked by
/// `cargo test`: a broken one is a bug of the build, not of the input.
pub fn parse(name: &str, text: &str) -> Table {
    text.parse::<Table>()
        .unwrap_or_else(|e| panic!("namenorm/data/{name}: {e}"))
}

/// The strings of a TOML array (anything else in it is left out).
pub fn strings(value: Option<&toml::Value>) -> Vec<String> {
    value
        .and_then(|v| v.as_array())
        .map(|items| {
            items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// A table of strings (`[map]`), in file order.
pub fn string_table(value: Option<&toml::Value>) -> Vec<(String, String)> {
    value
        .and_then(|v| v.as_table())
        .map(|t| {
            t.iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_owned())))
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_parses() {
        for (name, text) in TRANSLIT {
            assert!(parse(name, text).contains_key("map"), "{name}");
        }
        assert!(parse("wade_giles", WADE_GILES).contains_key("finals"));
        assert!(parse("generic", GENERIC).contains_key("titles"));
    }

    #[test]
    fn the_builtin_gazetteer_is_carried() {
        let names: Vec<&str> = BUILTIN_GAZETTEER.iter().map(|(name, _)| *name).collect();
        assert!(names.contains(&"places.toml"), "{names:?}");
        assert_eq!(fingerprint().len(), 64);
    }
}
