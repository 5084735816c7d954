//! Rival names: real places that are not in the gazetteer.
//!
//! A query spelled exactly like another real place ("Paris", "Hadera") names
//! that place; it is not a corruption of a similar gazetteer entry
//! ("Parukh", "Hadrut"). The lexicon (`namenorm/data/rivals.txt.gz`, the
//! romanized, space-free names of GeoNames cities of 1,000+ people and of
//! countries) is made by tools/make_rivals.py and read on first use.

use std::io::Read;
use std::sync::LazyLock;

const LEXICON: &[u8] = include_bytes!("../namenorm/data/rivals.txt.gz");

static NAMES: LazyLock<Vec<String>> = LazyLock::new(|| {
    let mut text = String::new();
    flate2::read::GzDecoder::new(LEXICON)
        .read_to_string(&mut text)
        .unwrap_or_else(|e| panic!("namenorm/data/rivals.txt.gz: {e}"));
    let mut names: Vec<String> = text
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    names.sort_unstable();
    names.dedup();
    names
});

/// Whether `romanized` is the romanized, space-free name of a GeoNames city
/// (1,000+ people) or country.
pub fn is_rival_name(romanized: &str) -> bool {
    NAMES
        .binary_search_by(|n| n.as_str().cmp(romanized))
        .is_ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn lexicon() {
        assert!(super::is_rival_name("paris"));
        assert!(!super::is_rival_name("hadrut"));
        assert!(!super::is_rival_name(""));
    }
}
