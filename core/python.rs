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

/// A gazetteer's entities and candidate index, built in memory or mapped
/// from a compiled index (see the core's `store`).
#[pyclass(frozen, module = "namenorm._core")]
struct Index {
    store: Arc<Store>,
}

type EntityFields = (
    String,
    String,
    String,
    Vec<(String, &'static str)>,
    f64,
    Option<String>,
);

/// Builds an `Index` an entity at a time, so that a gazetteer read from a
/// file (a stream of records) never sits in Python objects whole.
#[pyclass(module = "namenorm._core")]
struct IndexBuilder {
    records: Vec<EntityRecord>,
    /// The attrs of each entity as JSON, if they are to be stored.
    attrs: Option<Vec<String>>,
    ids: rustc_hash::FxHashSet<String>,
}

#[pymethods]
impl IndexBuilder {
    /// A builder; `attrs`: whether each entity's attrs (JSON) are stored.
    #[new]
    #[pyo3(signature = (attrs=false))]
    fn new(attrs: bool) -> Self {
        IndexBuilder {
            records: Vec::new(),
            attrs: attrs.then(Vec::new),
            ids: Default::default(),
        }
    }

    /// Add an entity: its other names, each with its kind ("alias",
    /// "previous_name", "weak_alias"), and its attrs as JSON (if stored).
    #[allow(clippy::too_many_arguments)] // one an entity's field
    #[pyo3(signature = (id, name, kind, aliases, prior, attrs=None))]
    fn add(
        &mut self,
        id: &Bound<'_, PyAny>,
        name: &Bound<'_, PyAny>,
        kind: &Bound<'_, PyAny>,
        aliases: Vec<(Bound<'_, PyAny>, String)>,
        prior: f64,
        attrs: Option<String>,
    ) -> PyResult<()> {
        let id = as_text(id)?.into_owned();
        if self.ids.contains(&id) {
            return Err(PyValueError::new_err(format!(
                "two entities have the id {id:?}"
            )));
        }
        let aliases = aliases
            .iter()
            .map(|(text, label)| {
                let kind = match label.as_str() {
                    "alias" => NameKind::Alias,
                    "previous_name" => NameKind::Previous,
                    "weak_alias" => NameKind::Weak,
                    other => {
                        return Err(PyValueError::new_err(format!(
                            "an alias is an alias, previous_name or weak_alias, not {other:?}"
                        )))
                    }
                };
                Ok((as_text(text)?.into_owned(), kind))
            })
            .collect::<PyResult<_>>()?;
        if let Some(stored) = &mut self.attrs {
            stored.push(attrs.unwrap_or_else(|| "{}".to_owned()));
        }
        self.records.push(EntityRecord {
            id: id.clone(),
            name: as_text(name)?.into_owned(),
            kind: as_text(kind)?.into_owned(),
            aliases,
            prior,
        });
        self.ids.insert(id);
        Ok(())
    }

    /// How many entities were added.
    fn __len__(&self) -> usize {
        self.records.len()
    }

    /// The index of the entities added, their names keyed on every core;
    /// the builder is left empty.
    fn build(&mut self, py: Python<'_>) -> PyResult<Index> {
        let records = std::mem::take(&mut self.records);
        let attrs = self.attrs.as_mut().map(std::mem::take);
        self.ids.clear();
        let store = py
            .detach(|| Store::build(&records, attrs.as_deref()))
            .map_err(store_error)?;
        Ok(Index {
            store: Arc::new(store),
        })
    }
}

#[pymethods]
impl Index {
    /// A compiled index, mapped from its file and checked whole.
    #[staticmethod]
    fn load(py: Python<'_>, path: PathBuf) -> PyResult<Index> {
        let store = py.detach(|| Store::load(&path)).map_err(store_error)?;
        Ok(Index {
            store: Arc::new(store),
        })
    }

    /// An index from the bytes of `image` (checked as a file is).
    #[staticmethod]
    fn from_image(py: Python<'_>, image: &[u8]) -> PyResult<Index> {
        let image = image.to_vec();
        let store = py
            .detach(|| Store::from_bytes(&image))
            .map_err(store_error)?;
        Ok(Index {
            store: Arc::new(store),
        })
    }

    /// The checksum of its bytes: the same for two indexes of the same bytes.
    #[getter]
    fn checksum(&self) -> u64 {
        self.store.checksum()
    }

    /// The index's bytes: what a compiled index file holds.
    fn image<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.store.image())
    }

    /// Write the index to `path`, with each entity's attrs as JSON text,
    /// and what `resolver` (one of this index) measured of its background.
    #[pyo3(signature = (path, attrs=None, resolver=None))]
    fn write(
        &self,
        py: Python<'_>,
        path: PathBuf,
        attrs: Option<Vec<String>>,
        resolver: Option<&Resolver>,
    ) -> PyResult<()> {
        py.detach(|| {
            let measured = resolver.map(|r| (r.inner.fingerprint(), r.inner.false_matches()));
            let measured = measured.as_ref().map(|(f, m)| (*f, &**m));
            self.store.write(&path, attrs.as_deref(), measured)
        })
        .map_err(store_error)
    }

    /// Entity `i`: (id, name, kind, aliases with their kinds, prior, attrs
    /// as JSON or None).
    fn entity(&self, i: usize) -> Option<EntityFields> {
        self.store
            .entity(i)
            .map(|(id, name, kind, aliases, prior, attrs)| {
                let aliases = aliases
                    .into_iter()
                    .map(|(a, k)| (a.to_owned(), k.label()))
                    .collect();
                (
                    id.to_owned(),
                    name.to_owned(),
                    kind.to_owned(),
                    aliases,
                    prior,
                    attrs.map(str::to_owned),
                )
            })
    }

    /// How many entities.
    #[getter]
    fn entities(&self) -> usize {
        self.store.entities()
    }

    /// How many names (canonical and aliases with letters or digits).
    #[getter]
    fn names(&self) -> usize {
        self.store.names()
    }

    /// The kinds of its entities, in order of first appearance.
    fn kinds(&self) -> Vec<String> {
        self.store.kinds().into_iter().map(str::to_owned).collect()
    }

    /// The names the index would score for `name` (a lookup and its cut),
    /// at most `limit`, in index order.
    #[pyo3(signature = (name, limit=config::CANDIDATE_LIMIT))]
    fn lookup(&self, name: &Bound<'_, PyAny>, limit: usize) -> PyResult<Vec<String>> {
        let packed = Packed::of(&name_keys(&as_text(name)?));
        let cut = Cut {
            limit,
            ..Cut::default()
        };
        let found = lookup(&self.store, &packed.name(), &cut, None);
        Ok(found
            .into_iter()
            .map(|p| self.store.text(NAME_TEXTS, p as usize).to_owned())
            .collect())
    }
}

/// Entity positions in ascending order, each once (`Query::only`).
fn ascending(mut positions: Vec<u32>) -> Vec<u32> {
    positions.sort_unstable();
    positions.dedup();
    positions
}

type CandidateTuple = (
    u32,
    (String, &'static str),
    f64,
    f64,
    f64,
    (&'static str, bool),
    bool,
    Option<u32>,
    Option<f64>,
    Vec<(String, f64)>,
    Vec<f64>,
    Vec<f64>,
);

fn tuple(c: Candidate) -> CandidateTuple {
    (
        c.entity,
        (c.alias, c.alias_kind.label()),
        c.score,
        c.false_match,
        c.similarity,
        (c.method.name(), c.settles_in_part),
        c.ambiguous,
        c.runner_up.map(|r| r.0),
        c.runner_up.map(|r| r.1),
        c.evidence,
        c.features.to_vec(),
        c.facts.to_vec(),
    )
}

/// Resolves names to the entities of an `Index`, with the settings of a
/// `namenorm.Resolver`. Immutable, and shared by as many threads as ask: the
/// GIL is released while it works.
#[pyclass(frozen, module = "namenorm._core")]
struct Resolver {
    inner: CoreResolver,
}

/// Seconds a query spent in each stage of the core, named.
type StageSeconds = Vec<(&'static str, f64)>;

type RankerFields = ([f64; 9], usize, f64);
type CalibrationFields = (f64, [f64; 17]);

fn ranker(fields: RankerFields) -> Ranker {
    let (weights, depth, window) = fields;
    Ranker {
        weights,
        depth,
        window,
    }
}

fn calibration((intercept, weights): CalibrationFields) -> Calibration {
    Calibration { intercept, weights }
}

#[pymethods]
impl Resolver {
    #[new]
    /// `rankers` and `calibrations`: of places and any other kind, of
    /// people, and of organisations.
    fn new(
        index: &Index,
        weights: [f64; 11],
        rankers: (RankerFields, RankerFields, RankerFields),
        calibrations: (CalibrationFields, CalibrationFields, CalibrationFields),
        ambiguity_margin: f64,
        rival_places: bool,
    ) -> Self {
        let settings = Settings {
            weights: weights_of(weights),
            rankers: ByKind {
                other: ranker(rankers.0),
                person: ranker(rankers.1),
                org: ranker(rankers.2),
            },
            calibrations: ByKind {
                other: calibration(calibrations.0),
                person: calibration(calibrations.1),
                org: calibration(calibrations.2),
            },
            ambiguity_margin,
            rival_places,
        };
        Resolver {
            inner: crate::false_match::resolver(Arc::clone(&index.store), settings),
        }
    }

    /// The candidates of `name`: (entity, alias, score, similarity, method,
    /// ambiguous, runner-up, its score, evidence, features) each, best first.
    /// `text`: the narrower cut of a span of running text.
    /// `only`: just these entities' positions (in any order).
    #[pyo3(signature = (name, kind, limit, cutoff, text=false, rivals=true, only=None))]
    #[allow(clippy::too_many_arguments)] // the arguments of the Python method, one each
    fn candidates(
        &self,
        py: Python<'_>,
        name: &Bound<'_, PyAny>,
        kind: Option<String>,
        limit: usize,
        cutoff: f64,
        text: bool,
        rivals: bool,
        only: Option<Vec<u32>>,
    ) -> PyResult<Vec<CandidateTuple>> {
        let name = as_text(name)?.into_owned();
        let only = only.map(ascending);
        let query = Query {
            name: &name,
            kind: kind.as_deref(),
            limit,
            cutoff,
            cut: if text { TEXT_CUT } else { Cut::default() },
            rivals,
            exclude: None,
            only: only.as_deref(),
        };
        let found = py.detach(|| self.inner.candidates(&query));
        Ok(found.map_err(damaged)?.into_iter().map(tuple).collect())
    }

    /// The best candidate of `name` if it resolves the name by itself;
    /// `only`: among just these entities' positions (in any order).
    #[pyo3(signature = (name, kind, cutoff, max_false_match, only=None))]
    fn resolve(
        &self,
        py: Python<'_>,
        name: &Bound<'_, PyAny>,
        kind: Option<String>,
        cutoff: f64,
        max_false_match: Option<f64>,
        only: Option<Vec<u32>>,
    ) -> PyResult<Option<CandidateTuple>> {
        let name = as_text(name)?.into_owned();
        let bar = (cutoff, max_false_match);
        let only = only.map(ascending);
        let query = Query {
            only: only.as_deref(),
            ..Query::best(&name, kind.as_deref())
        };
        let found = py.detach(|| self.inner.resolve_query(&query, bar));
        Ok(found.map_err(damaged)?.map(tuple))
    }

    /// `resolve` of each name, on `threads` threads, in input order.
    fn resolve_many(
        &self,
        py: Python<'_>,
        names: Vec<Bound<'_, PyAny>>,
        kind: Option<String>,
        cutoff: f64,
        max_false_match: Option<f64>,
        threads: usize,
    ) -> PyResult<Vec<Option<CandidateTuple>>> {
        let names: Vec<String> = names
            .iter()
            .map(|n| as_text(n).map(Cow::into_owned))
            .collect::<PyResult<_>>()?;
        let found = py.detach(|| {
            self.inner
                .resolve_many(&names, kind.as_deref(), (cutoff, max_false_match), threads)
        });
        Ok(found
            .map_err(damaged)?
            .into_iter()
            .map(|c| c.map(tuple))
            .collect())
    }

    /// `resolve`, and the seconds it spent in each stage (the core's
    /// `timing::STAGES`): the benchmarks' breakdown of one query.
    fn timed(
        &self,
        py: Python<'_>,
        name: &Bound<'_, PyAny>,
        kind: Option<String>,
        cutoff: f64,
        max_false_match: Option<f64>,
    ) -> PyResult<(Option<CandidateTuple>, StageSeconds)> {
        let name = as_text(name)?.into_owned();
        let bar = (cutoff, max_false_match);
        let (found, spent) =
            py.detach(|| timing::measured(|| self.inner.resolve(&name, kind.as_deref(), bar)));
        let stages = timing::STAGES
            .iter()
            .copied()
            .zip(spent.seconds())
            .collect();
        Ok((found.map_err(damaged)?.map(tuple), stages))
    }

    /// What the false-match background scored, each part (places in Latin
    /// letters, in other scripts, people in Latin letters, in other
    /// scripts): (the best scores of those that scored, highest first; how
    /// many names were measured). Measured now if it was not yet (seconds
    /// on a large gazetteer).
    fn false_matches(&self, py: Python<'_>) -> Vec<(Vec<f64>, usize)> {
        let m = py.detach(|| self.inner.false_matches());
        m.curves
            .iter()
            .map(|c| (c.scores().to_vec(), c.names()))
            .collect()
    }

    /// The lowest score whose false-match rate is at most `rate`, for a
    /// query in Latin letters or not.
    fn score_at(&self, py: Python<'_>, rate: f64, other_script: bool) -> f64 {
        py.detach(|| {
            self.inner
                .false_matches()
                .score_at(rate, other_script, None)
        })
    }

    /// Whether a romanized query is spelled like a real place the gazetteer lacks.
    fn is_rival(&self, romanized: &str) -> bool {
        self.inner.is_rival(romanized)
    }
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
