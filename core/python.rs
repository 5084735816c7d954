//! The PyO3 bindings: `namenorm._core`, a private module of the Python
//! package. Each function converts its arguments, calls the core and
//! converts the answer; no logic lives here.

use std::borrow::Cow;

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyString;

use crate::{data, generic, normalize, translit};

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

/// `transliterate` for text that is already normalized.
#[pyfunction]
fn romanize(text: &Bound<'_, PyAny>) -> PyResult<String> {
    Ok(translit::romanize(&as_text(text)?))
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

/// Pairs (romanization, another common romanization) of a letter, from the
/// `[alternatives]` of every transliteration table.
#[pyfunction]
fn alternatives() -> Vec<(String, String)> {
    translit::alternatives().to_vec()
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

/// The titles set aside at the start of a name, as written in the data.
#[pyfunction]
fn generic_titles() -> Vec<String> {
    generic::generic_titles().to_vec()
}

/// The English word that a romanized word translates, if names translate it.
///
/// >>> equivalent("vostochny"), equivalent("hadrut")
/// ('east', None)
#[pyfunction]
fn equivalent(word: &str) -> Option<&'static str> {
    generic::equivalent(word)
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
    m.add_function(wrap_pyfunction!(py_normalize, m)?)?;
    m.add_function(wrap_pyfunction!(transliterate, m)?)?;
    m.add_function(wrap_pyfunction!(romanize, m)?)?;
    m.add_function(wrap_pyfunction!(abjad_reading, m)?)?;
    m.add_function(wrap_pyfunction!(pinyin_reading, m)?)?;
    m.add_function(wrap_pyfunction!(alternatives, m)?)?;
    m.add_function(wrap_pyfunction!(generic_span, m)?)?;
    m.add_function(wrap_pyfunction!(generic_titles, m)?)?;
    m.add_function(wrap_pyfunction!(equivalent, m)?)?;
    m.add_function(wrap_pyfunction!(without_article, m)?)?;
    m.add_function(wrap_pyfunction!(without_case_ending, m)?)?;
    m.add_function(wrap_pyfunction!(without_qualifier, m)?)?;
    m.add_function(wrap_pyfunction!(builtin_gazetteer, m)?)?;
    m.add_function(wrap_pyfunction!(fingerprint, m)?)?;
    Ok(())
}
