//! The test vectors of tests/data/*.tsv, which the Python tests read too.

use std::path::Path;
use std::sync::Arc;

use xxhash_rust::xxh3::xxh3_64;

use crate::calibrate::Calibration;
use crate::rank::Ranker;
use crate::resolve::{Resolver, Settings};
use crate::score::ByKind;
use crate::similarity::Weights;
use crate::store::*;

/// The rows of a tab-separated file of tests/data, without comments or
/// blank lines; `""` stands for the empty string.
pub fn rows(name: &str) -> Vec<Vec<String>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("data")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
        .map(|line| {
            line.split('\t')
                .map(|v| {
                    if v == "\"\"" {
                        String::new()
                    } else {
                        v.to_owned()
                    }
                })
                .collect()
        })
        .collect()
}

pub fn record(id: &str, name: &str, kind: &str, aliases: &[&str], prior: f64) -> EntityRecord {
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

pub fn sample() -> Store {
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

pub fn resolver(store: Store) -> Resolver {
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
    crate::false_match::resolver(Arc::new(store), settings)
}

pub fn mend(image: &mut [u8]) {
    let checksum = xxh3_64(&image[CHECKED_FROM..]);
    image[80..88].copy_from_slice(&checksum.to_le_bytes());
}

pub fn section(image: &[u8], wanted: Section) -> (usize, usize) {
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
