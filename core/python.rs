//! The PyO3 bindings: `namenorm._core`, a private module of the Python
//! package. Each function converts its arguments, calls the core (without
//! the GIL where it works for long) and converts the answer; no logic lives
//! here. Its Python signatures are in `namenorm/_core.pyi`.

use std::borrow::Cow;
use std::path::PathBuf;
use std::sync::Arc;

use pyo3::create_exception;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};

use crate::calibrate::{Calibration, FACTS};
use crate::index::{lookup, Cut, TEXT_CUT};
use crate::keys::{name_keys, unit_table};
use crate::packed::{Damaged, Packed};
use crate::rank::{Ranker, FEATURES};
use crate::resolve::{Candidate, Query, Resolver as CoreResolver, Settings};
use crate::score::{ByKind, Kind};
use crate::similarity::{ratio, units_similarity, Method, Reading, Weights};
use crate::store::{
    is_acronym as core_is_acronym, EntityRecord, NameKind, Store, StoreError as CoreStoreError,
    NAME_TEXTS,
};
use crate::{config, data, decide, generic, keys, normalize, resolve, timing, translit};

mod index;
mod resolver;

use index::{ascending, Index, IndexBuilder};
use resolver::Resolver;

create_exception!(
    _core,
    StoreError,
    PyValueError,
    "A compiled index that cannot be used: not one, stale, truncated or damaged (the message says which)."
);

/// A Python `str` as Rust text: lone surrogates, which UTF-8 cannot hold,
/// become U+FFFD (never a name's letters, so nothing they could match is lost).
fn as_text<'a>(value: &'a Bound<'_, PyAny>) -> PyResult<Cow<'a, str>> {
    let string = value.cast::<PyString>().map_err(|_| {
        PyTypeError::new_err(format!("a name must be a str, not {}", type_name(value)))
    })?;
    Ok(string.to_cow().unwrap_or_else(|_| string.to_string_lossy()))
}

fn type_name(value: &Bound<'_, PyAny>) -> String {
    value
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "object".into())
}

fn store_error(e: CoreStoreError) -> PyErr {
    StoreError::new_err(e.to_string())
}

fn damaged(e: Damaged) -> PyErr {
    StoreError::new_err(format!("a damaged compiled index: {}", e.0))
}

/// Normalize a name for comparison, keeping its script.
///
/// Applies Unicode NFKC, case folding, joins dotted acronyms, drops
/// apostrophes and invisible format characters (soft hyphens, zero-width
/// joiners), turns every other non-letter (punctuation, hyphens, symbols,
/// spacing) into single spaces. An apostrophe after a Hebrew letter is the
/// geresh (׳) that makes it another letter (ג׳ is j), and stays as one.
/// Idempotent.
///
/// Args:
///     text: Any string.
///
/// Returns:
///     The normalized string; empty if `text` has no letters or digits.
///
/// Raises:
///     TypeError: If `text` is not a `str`.
///
/// >>> normalize("  U.N. Security-Council ")
/// 'un security council'
/// >>> normalize("Nagorno–Karabakh’s")
/// 'nagorno karabakhs'
#[pyfunction(name = "normalize")]
fn py_normalize(text: &Bound<'_, PyAny>) -> PyResult<String> {
    Ok(normalize::normalize(&as_text(text)?))
}

/// Spell a name in lowercase ASCII letters, digits and spaces.
///
/// Normalizes it first (see `namenorm.normalize`).
///
/// Args:
///     text: A name in any script.
///
/// Returns:
///     Its romanization: one conventional spelling for each script
///     (Russian BGN/PCGN, Eastern Armenian, Georgian national, ELOT Greek,
///     UNGEGN Arabic, Academy Hebrew), `deunicode` for any other.
///
/// Raises:
///     TypeError: If `text` is not a `str`.
///
/// >>> transliterate("Никол Пашинян")
/// 'nikol pashinyan'
/// >>> transliterate("Հադրութ")
/// 'hadrut'
/// >>> transliterate("Recep Tayyip Erdoğan")
/// 'recep tayyip erdogan'
#[pyfunction]
fn transliterate(text: &Bound<'_, PyAny>) -> PyResult<String> {
    Ok(translit::transliterate(&as_text(text)?))
}

/// The sound-class key of a romanized word or name (spaces are ignored).
///
/// Args:
///     romanized: Lowercase ASCII, as `namenorm.transliterate` returns.
///
/// Returns:
///     One capital letter per consonant class (P T K S, and L M N R as
///     themselves) and ``a`` per run of vowels; repeated classes collapse.
///     Digits are kept.
///
/// >>> sound_key("hadrut"), sound_key("gadrut"), sound_key("qadr")
/// ('KaTRaT', 'KaTRaT', 'KaTR')
/// >>> sound_key("bashinian") == sound_key("pashinyan")
/// True
#[pyfunction]
fn sound_key(romanized: &Bound<'_, PyAny>) -> PyResult<String> {
    Ok(keys::sound_key(&as_text(romanized)?))
}

/// The consonant skeleton: `sound_key` without its vowels.
///
/// >>> skeleton_key("hadrut"), skeleton_key("hdrwt")
/// ('KTRT', 'KTRPT')
#[pyfunction]
fn skeleton_key(romanized: &Bound<'_, PyAny>) -> PyResult<String> {
    Ok(keys::skeleton_key(&as_text(romanized)?))
}

fn weights_of(w: [f64; 11]) -> Weights {
    Weights {
        same_class_cost: w[0],
        vowel_indel_cost: w[1],
        initial_similarity: w[2],
        partial_name_factor: w[3],
        reorder_factor: w[4],
        surname_cutoff: w[5],
        optional_word_factor: w[6],
        partial_place_factor: w[7],
        extra_words_factor: w[8],
        abjad_vowel_indel_cost: w[9],
        epenthetic_vowel_cost: w[10],
    }
}

fn unit_ids(units: &[keys::Unit]) -> Vec<u8> {
    let table = unit_table();
    units.iter().filter_map(|u| table.id(u)).collect()
}

/// Sound-weighted similarity of two names (`weights` as `Weights` lists
/// them), after transliteration: see `namenorm.phonetic_similarity`.
#[pyfunction]
fn phonetic_similarity(
    a: &Bound<'_, PyAny>,
    b: &Bound<'_, PyAny>,
    weights: [f64; 11],
) -> PyResult<f64> {
    let (a, b) = (as_text(a)?, as_text(b)?);
    let (ka, kb) = (name_keys(keys::compared(&a)), name_keys(keys::compared(&b)));
    // Symmetric: a syllabic reading would favour one side.
    let reading = Reading {
        a_abjad: ka.abjad,
        b_abjad: kb.abjad,
        a_syllabic: false,
    };
    Ok(units_similarity(
        &unit_ids(&ka.units),
        &unit_ids(&kb.units),
        &weights_of(weights),
        reading,
    ))
}

/// Spelling similarity of two names after normalization and transliteration.
///
/// Symmetric, in [0, 1], and 1 for names that normalize alike; a name is
/// compared on its first 2,000 characters.
///
/// >>> text_similarity("Пашинян", "Pashinyan")
/// 1.0
#[pyfunction]
fn text_similarity(a: &Bound<'_, PyAny>, b: &Bound<'_, PyAny>) -> PyResult<f64> {
    let (a, b) = (as_text(a)?, as_text(b)?);
    Ok(ratio(
        &name_keys(keys::compared(&a)).romanized,
        &name_keys(keys::compared(&b)).romanized,
    ))
}

/// Whether a name is an acronym ("OSCE", "США"): short, and all capitals.
///
/// >>> is_acronym("OSCE"), is_acronym("Osce")
/// (True, False)
#[pyfunction]
fn is_acronym(text: &Bound<'_, PyAny>) -> PyResult<bool> {
    Ok(core_is_acronym(&as_text(text)?))
}

/// The normalized words of a name that name it (titles set aside), joined
/// without spaces: two names so written alike are one name.
///
/// >>> name_compact("President Recep Tayyip Erdoğan")
/// 'receptayyiperdoğan'
#[pyfunction]
fn name_compact(text: &Bound<'_, PyAny>) -> PyResult<String> {
    Ok(name_keys(&as_text(text)?).compact())
}

/// The false-match rate at most that `resolve` accepts by default for a
/// match of an entity of this kind.
#[pyfunction]
fn max_false_match_of(kind: &str) -> f64 {
    resolve::max_false_match_of(Kind::named(kind))
}

/// Why `accepts` refuses a best candidate: each condition it fails, in
/// words (none if it accepts).
#[pyfunction]
#[allow(clippy::too_many_arguments)] // one a field of the Match, and the bar
fn refusals(
    score: f64,
    false_match: f64,
    similarity: f64,
    method: &str,
    in_part: bool,
    cutoff: f64,
    max_false_match: f64,
) -> PyResult<Vec<String>> {
    let method = Method::named(method)
        .ok_or_else(|| PyValueError::new_err(format!("no method is named {method:?}")))?;
    let form = (score, false_match, similarity);
    let bar = (cutoff, max_false_match);
    Ok(decide::refusals(form, method, in_part, bar)
        .map(|r| r.describe())
        .collect())
}

/// The Arabic-script name that a Latin one romanizes letter by letter, or
/// None when it does not look like one (see the core's `translit`).
///
/// >>> abjad_reading("twl  fransh")
/// 'تول فرانش'
/// >>> abjad_reading("Toul") is None
/// True
#[pyfunction]
fn abjad_reading(text: &Bound<'_, PyAny>) -> PyResult<Option<String>> {
    Ok(translit::abjad_reading(&as_text(text)?))
}

/// The pinyin of a Chinese name written in Wade-Giles, or None.
///
/// >>> pinyin_reading("Ch’ing-p’u-hsien")
/// 'qing pu xian'
#[pyfunction]
fn pinyin_reading(text: &Bound<'_, PyAny>) -> PyResult<Option<String>> {
    Ok(translit::pinyin_reading(&as_text(text)?))
}

/// (start, core_start, core_end) of a name's romanized words: titles
/// before start; the core between; optional words around it.
///
/// >>> generic_span("prime minister nikol pashinyan".split())
/// (2, 2, 4)
#[pyfunction]
fn generic_span(words: Vec<String>) -> (usize, usize, usize) {
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    generic::generic_span(&words)
}

/// The name without the Arabic article joined to its first word, if it has one.
#[pyfunction]
fn without_article(text: &Bound<'_, PyAny>) -> PyResult<Option<String>> {
    Ok(generic::without_article(&as_text(text)?))
}

/// The name without the Lithuanian nominative ending of its last word, if it has one.
#[pyfunction]
fn without_case_ending(text: &Bound<'_, PyAny>) -> PyResult<Option<String>> {
    Ok(generic::without_case_ending(&as_text(text)?))
}

/// The part of a name before its first comma (or run of spaces), when both parts have letters.
#[pyfunction]
fn without_qualifier(text: &Bound<'_, PyAny>) -> PyResult<Option<String>> {
    Ok(generic::without_qualifier(&as_text(text)?))
}

/// The romanized words of a name that name it (titles set aside), joined
/// without spaces, as the rival lexicon holds names.
///
/// >>> name_romanized("Санкт-Петербург")
/// 'sanktpeterburg'
#[pyfunction]
fn name_romanized(text: &Bound<'_, PyAny>) -> PyResult<String> {
    Ok(name_keys(&as_text(text)?).romanized)
}

/// The titles set aside at the start of a name, as written in the data.
#[pyfunction]
fn generic_titles() -> Vec<String> {
    generic::generic_titles().to_vec()
}

/// The built-in gazetteer's files, (name, TOML text), in name order.
#[pyfunction]
fn builtin_gazetteer() -> Vec<(&'static str, &'static str)> {
    data::BUILTIN_GAZETTEER.to_vec()
}

/// A digest of the core's code, tables and libraries that key names.
#[pyfunction]
fn fingerprint() -> &'static str {
    data::fingerprint()
}

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("APOSTROPHE_MARKS", normalize::APOSTROPHE_MARKS)?;
    m.add("VERSION", env!("CARGO_PKG_VERSION"))?;
    m.add("FORMAT_VERSION", crate::store::FORMAT_VERSION)?;
    m.add("MAGIC", PyBytes::new(m.py(), crate::store::MAGIC))?;
    m.add("FEATURES", FEATURES.to_vec())?;
    m.add("FACTS", FACTS.to_vec())?;
    m.add("SCORE_CUTOFF", config::SCORE_CUTOFF)?;
    m.add("MAX_FALSE_MATCH", config::MAX_FALSE_MATCH)?;
    m.add("MAX_FALSE_MATCH_PERSON", config::MAX_FALSE_MATCH_PERSON)?;
    m.add("MIN_SIMILARITY", config::MIN_SIMILARITY)?;
    m.add("AMBIGUITY_MARGIN", config::AMBIGUITY_MARGIN)?;
    m.add("NAMESAKE_LEAD", config::NAMESAKE_LEAD)?;
    m.add("MAX_NAME_LENGTH", config::MAX_NAME_LENGTH)?;
    let w = Weights::default();
    let defaults = [
        ("same_class_cost", w.same_class_cost),
        ("vowel_indel_cost", w.vowel_indel_cost),
        ("initial_similarity", w.initial_similarity),
        ("partial_name_factor", w.partial_name_factor),
        ("reorder_factor", w.reorder_factor),
        ("surname_cutoff", w.surname_cutoff),
        ("optional_word_factor", w.optional_word_factor),
        ("partial_place_factor", w.partial_place_factor),
        ("extra_words_factor", w.extra_words_factor),
        ("abjad_vowel_indel_cost", w.abjad_vowel_indel_cost),
        ("epenthetic_vowel_cost", w.epenthetic_vowel_cost),
    ];
    m.add("WEIGHTS", defaults.to_vec())?;
    m.add("StoreError", m.py().get_type::<StoreError>())?;
    m.add_class::<Index>()?;
    m.add_class::<IndexBuilder>()?;
    m.add_class::<Resolver>()?;
    m.add_function(wrap_pyfunction!(py_normalize, m)?)?;
    m.add_function(wrap_pyfunction!(transliterate, m)?)?;
    m.add_function(wrap_pyfunction!(max_false_match_of, m)?)?;
    m.add_function(wrap_pyfunction!(refusals, m)?)?;
    m.add_function(wrap_pyfunction!(sound_key, m)?)?;
    m.add_function(wrap_pyfunction!(skeleton_key, m)?)?;
    m.add_function(wrap_pyfunction!(phonetic_similarity, m)?)?;
    m.add_function(wrap_pyfunction!(text_similarity, m)?)?;
    m.add_function(wrap_pyfunction!(is_acronym, m)?)?;
    m.add_function(wrap_pyfunction!(name_compact, m)?)?;
    m.add_function(wrap_pyfunction!(name_romanized, m)?)?;
    m.add_function(wrap_pyfunction!(abjad_reading, m)?)?;
    m.add_function(wrap_pyfunction!(pinyin_reading, m)?)?;
    m.add_function(wrap_pyfunction!(generic_span, m)?)?;
    m.add_function(wrap_pyfunction!(without_article, m)?)?;
    m.add_function(wrap_pyfunction!(without_case_ending, m)?)?;
    m.add_function(wrap_pyfunction!(without_qualifier, m)?)?;
    m.add_function(wrap_pyfunction!(generic_titles, m)?)?;
    m.add_function(wrap_pyfunction!(builtin_gazetteer, m)?)?;
    m.add_function(wrap_pyfunction!(fingerprint, m)?)?;
    Ok(())
}
