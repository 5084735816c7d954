//! The test vectors of tests/data/*.tsv, which the Python tests read too.

use std::path::Path;

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
