//! namenorm's matching engine, one module a stage of the pipeline:
//!
//! ```text
//! text -> normalize -> translit -> generic
//! ```
//!
//! The Python package (`namenorm`) calls it through `python` (the PyO3
//! bindings, built with the `python` feature); nothing else here knows of
//! Python.

pub mod data;
pub mod generic;
pub mod normalize;
pub mod pystr;
pub mod translit;

#[cfg(test)]
mod testdata;

#[cfg(feature = "python")]
mod python;
