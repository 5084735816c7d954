//! Lists the built-in gazetteer (`gazetteer/*.toml`) for the core to carry,
//! so that the wheel ships it inside the package (`namenorm._core`).

use std::{env, fs, path::Path};

fn main() {
    let root = env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let folder = Path::new(&root).join("gazetteer");
    println!("cargo:rerun-if-changed={}", folder.display());
    let mut files: Vec<_> = fs::read_dir(&folder)
        .expect("the built-in gazetteer, gazetteer/, is part of the source")
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    let listed: String = files
        .iter()
        .map(|path| {
            println!("cargo:rerun-if-changed={}", path.display());
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .expect("a file name in UTF-8");
            format!(
                "    ({name:?}, include_str!({:?})),\n",
                path.display().to_string()
            )
        })
        .collect();
    let out = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("builtin.rs");
    fs::write(
        out,
        format!("pub const BUILTIN_GAZETTEER: &[(&str, &str)] = &[\n{listed}];\n"),
    )
    .expect("OUT_DIR is writable");
}
