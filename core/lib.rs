//! namenorm's matching engine, one module a stage of the pipeline:
//!
//! ```text
//! text -> qualify -> normalize -> translit -> generic -> names -> keys -> readings
//!      -> index (packed keys, store) -> similarity -> score (person) -> rank
//!      -> calibrate -> decide (false_match: what the decision weighs)
//! ```
//!
//! `resolve` runs a query through them once, in that order; `store` holds a
//! gazetteer's entities and index as one image of bytes, built in memory or
//! mapped from a compiled index. The Python package (`namenorm`) calls it
//! through `python` (the PyO3 bindings, built with the `python` feature);
//! nothing else here knows of Python.

pub mod calibrate;
pub mod config;
pub mod data;
pub mod decide;
pub mod false_match;
pub mod generic;
pub mod index;
pub mod keys;
pub mod names;
pub mod normalize;
pub mod packed;
pub mod person;
pub mod pystr;
pub mod qualify;
pub mod rank;
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
