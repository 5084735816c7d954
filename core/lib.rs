//! namenorm's matching engine, one module a stage of the pipeline:
//!
//! ```text
//! text -> qualify -> normalize -> translit -> generic -> names -> keys -> readings
//!      -> index (grams: the keys looked up; admit; cut) -> similarity
//!      -> score (person; name_score) -> rank -> calibrate -> decide (rates)
//! ```
//!
//! `resolve` runs a query through them once, in that order. `store` holds a
//! gazetteer's entities and index as one image of bytes (`layout`), checked
//! when opened (`check`), built from entities and written to a file by
//! `compile` (its candidate index's postings by `postings`). What a
//! background of names the gazetteer lacks scores against it, the false-match
//! rates a decision weighs (`rates`), is measured a step above resolving
//! (`false_match`, which resolves that background and builds resolvers),
//! and carried by a compiled image. Each module uses only those below it.
//! The Python package (`namenorm`) calls it through `python` (the PyO3
//! bindings, built with the `python` feature); nothing else here knows of
//! Python.

pub mod admit;
pub mod calibrate;
pub mod check;
pub mod compile;
pub mod config;
pub mod cut;
pub mod data;
pub mod decide;
pub mod false_match;
pub mod generic;
pub mod grams;
pub mod index;
pub mod keys;
pub mod layout;
pub mod name_score;
pub mod names;
pub mod normalize;
pub mod packed;
pub mod person;
pub mod postings;
pub mod pystr;
pub mod qualify;
pub mod rank;
pub mod rates;
pub mod readings;
pub mod resolve;
pub mod rivals;
pub mod score;
pub mod similarity;
pub mod store;
pub mod timing;
pub mod translit;

#[cfg(test)]
mod testdata;

#[cfg(feature = "python")]
mod python;
