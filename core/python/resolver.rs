//! `Resolver`: the pipeline over an `Index`.

use super::*;

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

/// One query of a batch: (name, kinds (none: any), limit, which filter of
/// entities).
type Ask<Name> = (Name, Vec<String>, usize, Option<usize>);

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
pub(super) struct Resolver {
    pub(super) inner: CoreResolver,
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
        let kind = kind.as_deref();
        let query = Query {
            limit,
            cutoff,
            cut: if text { TEXT_CUT } else { Cut::default() },
            rivals,
            only: only.as_deref(),
            ..Query::best(&name, kind.as_slice())
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
        let kind = kind.as_deref();
        let query = Query {
            only: only.as_deref(),
            ..Query::best(&name, kind.as_slice())
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

    /// `candidates` of each (name, kinds, limit, only) on `threads` threads,
    /// in input order, and whether `resolve` would answer with the first at
    /// `bar` (cutoff, max_false_match); `only`: just the entities at the
    /// positions of `onlies[only]` (a filter that many queries share is
    /// handed over once).
    fn candidates_many(
        &self,
        py: Python<'_>,
        asks: Vec<Ask<Bound<'_, PyAny>>>,
        onlies: Vec<Vec<u32>>,
        bar: (f64, Option<f64>),
        threads: usize,
    ) -> PyResult<Vec<(Vec<CandidateTuple>, bool)>> {
        let onlies: Vec<Vec<u32>> = onlies.into_iter().map(ascending).collect();
        let asks: Vec<Ask<String>> = asks
            .into_iter()
            .map(|(name, kinds, limit, only)| match only {
                Some(at) if at >= onlies.len() => Err(PyValueError::new_err(format!(
                    "a query asks for filter {at} of {}",
                    onlies.len()
                ))),
                _ => Ok((as_text(&name)?.into_owned(), kinds, limit, only)),
            })
            .collect::<PyResult<_>>()?;
        let kinds: Vec<Vec<&str>> = asks
            .iter()
            .map(|(_, kinds, _, _)| kinds.iter().map(String::as_str).collect())
            .collect();
        let queries: Vec<Query<'_>> = asks
            .iter()
            .zip(&kinds)
            .map(|((name, _, limit, only), kinds)| Query {
                limit: *limit,
                only: only.map(|at| onlies[at].as_slice()),
                ..Query::best(name, kinds)
            })
            .collect();
        let found = py.detach(|| self.inner.candidates_many(&queries, bar, threads));
        Ok(found
            .map_err(damaged)?
            .into_iter()
            .map(|(c, settled)| (c.into_iter().map(tuple).collect(), settled))
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
        // The stages are counted on this thread, which `detach` keeps.
        let (found, spent) =
            timing::measured(|| self.resolve(py, name, kind, cutoff, max_false_match, None));
        let stages = timing::STAGES
            .iter()
            .copied()
            .zip(spent.seconds())
            .collect();
        Ok((found?, stages))
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
