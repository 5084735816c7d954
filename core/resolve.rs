//! The pipeline, one pass: a query is keyed, read otherwise, looked up,
//! scored, ranked and decided, and the best candidates come back with what
//! their scores rest on, in words.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, OnceLock};

use rayon::prelude::*;

use unicode_normalization::UnicodeNormalization;

use crate::calibrate::is_latin;
use crate::calibrate::{Calibration, Facts, QueryShape};
use crate::config;
use crate::decide::{accepts, best_names, decide, settles_in_part, Decided, Standing};
use crate::index::{lookup, Cut};
use crate::keys::name_keys;
use crate::name_score::{Evidence, NameScore, Note};
use crate::names;
use crate::packed::{Damaged, Name, Packed, Word};
use crate::pystr;
use crate::qualify::Qualifiers;
use crate::rank::{features, rank, Features, Ranker, Scored};
use crate::rates::FalseMatches;
use crate::readings::{readings, OtherReading};
use crate::rivals::is_rival_name;
use crate::score::{equal_parts, score_name, ByKind, Kind};
use crate::similarity::{Method, Weights};
use crate::store::{
    name_kind, NameKind, Section, Store, ENTITY_IDS, NAME_ACRONYM, NAME_ROMANIZED, NAME_TEXTS,
};
use crate::timing::stage;

/// How a resolver decides, beside its gazetteer.
#[derive(Clone, Copy, Debug)]
pub struct Settings {
    pub weights: Weights,
    /// The ranker and calibration of each kind compared apart.
    pub rankers: ByKind<Ranker>,
    pub calibrations: ByKind<Calibration>,
    /// A match is ambiguous when another entity scores within this of it.
    pub ambiguity_margin: f64,
    /// Whether a fuzzy match of a query spelled like a real place the
    /// gazetteer lacks is lowered below the cutoff (`config::RIVAL_FACTOR`).
    pub rival_places: bool,
}

/// A candidate entity for a query, as the Python package shows it (`Match`).
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    /// The entity (its position in the store).
    pub entity: u32,
    /// The name of the entity that matched best.
    pub alias: String,
    /// What kind of name of the entity it is.
    pub alias_kind: NameKind,
    /// The probability that it is the entity meant (`calibrate`).
    pub score: f64,
    /// How often a name not in the gazetteer scores as high (`false_match`).
    pub false_match: f64,
    pub similarity: f64,
    pub method: Method,
    /// Whether, matched in part, it may settle its name all the same
    /// (`decide::settles_in_part`).
    pub settles_in_part: bool,
    pub ambiguous: bool,
    /// The best other entity, and its score.
    pub runner_up: Option<(u32, f64)>,
    /// (what was compared, similarity) pairs behind the score.
    pub evidence: Vec<(String, f64)>,
    /// The ranking features (`rank::FEATURES`).
    pub features: Features,
    /// The facts its score was computed from (`calibrate::FACTS`).
    pub facts: Facts,
}

/// What a query asks of `Resolver::candidates`.
#[derive(Clone, Copy, Debug)]
pub struct Query<'a> {
    pub name: &'a str,
    /// Only entities of these kinds (any if none; none if the gazetteer
    /// lacks one of them).
    pub kinds: &'a [&'a str],
    /// At most this many candidates.
    pub limit: usize,
    /// None scoring less.
    pub cutoff: f64,
    /// The names of the index scored.
    pub cut: Cut,
    /// false: a name spelled like a real place the gazetteer lacks gets no
    /// candidates at all (running text: it is that place).
    pub rivals: bool,
    /// An entity left out, as if the gazetteer lacked it (measuring how its
    /// own names score against the rest: `false_match`).
    pub exclude: Option<u32>,
    /// Only these entities (positions, ascending), as if the gazetteer held
    /// no other: a filter on what they are (`where=` in Python).
    pub only: Option<&'a [u32]>,
}

impl<'a> Query<'a> {
    /// The best candidate of `name`, as `resolve` asks for it.
    pub fn best(name: &'a str, kinds: &'a [&'a str]) -> Self {
        Query {
            name,
            kinds,
            limit: 1,
            cutoff: 0.0,
            cut: Cut::default(),
            rivals: true,
            exclude: None,
            only: None,
        }
    }
}

/// The query and its other readings, keyed.
struct Queries {
    packed: Vec<Packed>,
    exact: Vec<String>,
    readings: Vec<OtherReading>,
}

/// Resolves names to the entities of one store. Immutable, and shared by
/// as many threads as ask.
pub struct Resolver {
    pub store: Arc<Store>,
    pub settings: Settings,
    /// Of the settings and the background, for the store's measurements.
    fingerprint: u64,
    false_matches: OnceLock<Arc<FalseMatches>>,
    measure: Measure,
    qualifiers: OnceLock<Qualifiers>,
}

fn exact_text(text: &str) -> String {
    pystr::strip(text).nfc().collect()
}

fn compared(q: &Word<'_>, n: &Word<'_>) -> String {
    // Each word as written, and as romanized where that differs.
    let form = |w: &Word<'_>| {
        if w.romanized != w.normalized {
            format!("{} [{}]", w.normalized, w.romanized)
        } else {
            w.normalized.to_owned()
        }
    };
    let mut label = format!("{}~{}", form(q), form(n));
    if q.romanized != n.romanized && q.metaphone == n.metaphone {
        label.push_str(&format!(" (same Metaphone {})", q.metaphone));
    }
    label
}

/// How a resolver has what a background of names its gazetteer lacks
/// scores against it measured, when its image carries no measurement made
/// with its settings: `false_match::measure`, a step above resolving (it
/// resolves that background), which builds resolvers (`false_match::resolver`).
pub type Measure = fn(&Resolver) -> FalseMatches;

impl Resolver {
    /// A resolver of `store`, whose false-match rates are those `measure`
    /// measures of a background (`background`: its fingerprint).
    pub fn new(
        store: Arc<Store>,
        settings: Settings,
        background: u64,
        measure: Measure,
    ) -> Resolver {
        let described = format!("{settings:?} {background}");
        Resolver {
            store,
            settings,
            fingerprint: xxhash_rust::xxh3::xxh3_64(described.as_bytes()),
            false_matches: OnceLock::new(),
            measure,
            qualifiers: OnceLock::new(),
        }
    }

    /// What the background scores against this gazetteer with these
    /// settings: measured on first use (or carried by the compiled index,
    /// or by another resolver of the same store and settings).
    pub fn false_matches(&self) -> Arc<FalseMatches> {
        Arc::clone(self.false_matches.get_or_init(|| {
            self.store
                .false_matches(self.fingerprint, || (self.measure)(self))
        }))
    }

    /// The fingerprint of the settings that `false_matches` was measured with.
    pub fn fingerprint(&self) -> u64 {
        self.fingerprint
    }

    /// Whether a romanized query (`NameKeys::core`) is spelled like a real
    /// place that no name of the gazetteer is.
    pub fn is_rival(&self, romanized: &str) -> bool {
        self.settings.rival_places
            && !self.store.has_romanized(romanized)
            && is_rival_name(romanized)
    }

    /// The numbers of `kinds` in the store (None: any kind), or Err if it
    /// lacks one.
    fn kinds(&self, kinds: &[&str]) -> Result<Option<Vec<u32>>, ()> {
        if kinds.is_empty() {
            return Ok(None);
        }
        let known = self.store.kinds();
        kinds
            .iter()
            .map(|kind| known.iter().position(|k| k == kind).map(|k| k as u32))
            .collect::<Option<Vec<u32>>>()
            .map(Some)
            .ok_or(())
    }

    /// Whether an entity is a person.
    pub fn is_person(&self, entity: u32) -> bool {
        self.kind_of(entity) == Kind::Person
    }

    /// What kind of entity its names are compared as.
    pub fn kind_of(&self, entity: u32) -> Kind {
        let kind = self
            .store
            .u32s(Section::EntityKind)
            .get(entity as usize)
            .copied();
        if kind.is_some() && kind == self.store.person() {
            Kind::Person
        } else if kind.is_some() && kind == self.store.org() {
            Kind::Org
        } else {
            Kind::Other
        }
    }

    /// The entities a query's name may refer to, best first, as `query`
    /// asks (see `Query`), each with its false-match rate.
    pub fn candidates(&self, query: &Query<'_>) -> Result<Vec<Candidate>, Damaged> {
        let mut found = self.ranked(query)?;
        if !found.is_empty() {
            let (measured, other_script) = (self.false_matches(), !is_latin(query.name));
            for c in &mut found {
                c.false_match = measured.rate(c.score, other_script, Some(self.kind_of(c.entity)));
            }
        }
        Ok(found)
    }

    /// `candidates`, their false-match rates left at 0 (what measuring the
    /// rates asks for).
    ///
    /// A query that ends with a qualifier ("Paris, Texas": `qualify`) is
    /// read two ways, as a whole and as its name among the places the
    /// qualifier allows; the reading whose best name is the more alike
    /// wins, the whole on a tie ("New Mexico" is the state, not "New" in
    /// Mexico).
    pub fn ranked(&self, query: &Query<'_>) -> Result<Vec<Candidate>, Damaged> {
        // A qualifier follows a comma or a first word: a one-word query has
        // none, and needs no table of them (built on first use: 0.3 s).
        let may_qualify = query.name.contains(',') || pystr::split(query.name).nth(1).is_some();
        if may_qualify && query.only.is_none() && query.exclude.is_none() {
            let qualifiers = self.qualifiers.get_or_init(|| Qualifiers::of(&self.store));
            if let Some(qualified) = qualifiers.read(query.name) {
                let within = Query {
                    name: qualified.head,
                    only: Some(&qualified.only),
                    ..*query
                };
                let (within, whole) =
                    (self.ranked_as_asked(&within)?, self.ranked_as_asked(query)?);
                let best =
                    |found: &[Candidate]| found.iter().map(|c| c.similarity).fold(-1.0, f64::max);
                return Ok(if best(&within) > best(&whole) {
                    within
                } else {
                    whole
                });
            }
        }
        self.ranked_as_asked(query)
    }

    /// `ranked`, of the query as it is.
    fn ranked_as_asked(&self, query: &Query<'_>) -> Result<Vec<Candidate>, Damaged> {
        let Query {
            name,
            kinds,
            limit,
            cutoff,
            cut,
            rivals,
            exclude,
            only,
        } = *query;
        let cut = &cut;
        let Ok(kinds) = self.kinds(kinds) else {
            return Ok(Vec::new());
        };
        let kinds = kinds.as_deref();
        // Cheap bound first: normalization never shrinks a name tenfold.
        if pystr::len(name) > config::MAX_QUERY_CHARS {
            return Ok(Vec::new());
        }
        let keys = stage(|t| &mut t.keying, || name_keys(name));
        if keys.words.is_empty() || pystr::len(&keys.normalized) > config::MAX_NAME_LENGTH {
            return Ok(Vec::new());
        }
        if !rivals && self.is_rival(&keys.core()) {
            return Ok(Vec::new());
        }
        let mut queries = stage(
            |t| &mut t.keying,
            || Queries {
                packed: vec![Packed::of(&keys)],
                exact: vec![exact_text(name)],
                readings: Vec::new(),
            },
        );
        let mut scored = self.score(&queries, 0, (kinds, only), cut)?;
        if !scored
            .iter()
            .any(|s| matches!(s.score.method, Method::Exact | Method::Normalized))
        {
            let words: Vec<&str> = keys.words.iter().map(|w| w.romanized.as_str()).collect();
            if names::says_nothing(&words) {
                // "Dr.", "al-", "LLC": no one's name, and no name spelled so.
                return Ok(Vec::new());
            }
            // No name is spelled as the query is: its other readings may find one.
            stage(
                |t| &mut t.readings,
                || {
                    queries.readings = readings(name, &keys);
                    for reading in &queries.readings {
                        queries.packed.push(Packed::of(&name_keys(&reading.text)));
                        queries.exact.push(exact_text(&reading.text));
                    }
                },
            );
            for k in 0..queries.readings.len() {
                let reading = &queries.readings[k];
                for mut item in self.score(&queries, k + 1, (kinds, only), cut)? {
                    if reading.people || !self.is_person(item.entity) {
                        scale(&mut item.score, reading.factor, Note::Reading(k as u8));
                        scored.push(item);
                    }
                }
            }
        }
        if let Some(left_out) = exclude {
            scored.retain(|s| s.entity != left_out);
        }
        if let Some(only) = only {
            scored.retain(|s| only.binary_search(&s.entity).is_ok());
        }
        let views: Vec<Name<'_>> = queries.packed.iter().map(Packed::name).collect();
        let weights = &self.settings.weights;
        let priors = self.store.f64s(Section::EntityPriors);
        let describe = |item: &Scored, best: f64| match self.store.name(item.name as usize) {
            Ok(name) => {
                let prior = priors.get(item.entity as usize).copied().unwrap_or(0.0);
                features(
                    item,
                    (&views[item.query as usize], &name),
                    self.is_person(item.entity),
                    prior,
                    best,
                    weights,
                )
            }
            Err(_) => [0.0; 9],
        };
        let shape = QueryShape {
            length: pystr::len(views[0].normalized),
            other_script: !is_latin(name),
            abjad: views[0].abjad,
        };
        let decided = stage(
            |t| &mut t.ranking,
            || {
                let best = best_names(scored);
                let top = best.iter().map(|s| s.score.score).fold(0.0, f64::max);
                let ranked = rank(
                    best,
                    |item| self.settings.rankers.of(self.kind_of(item.entity)),
                    |e| self.store.item(ENTITY_IDS, e as usize),
                    describe,
                );
                decide(
                    ranked,
                    |item| {
                        let kind = self.kind_of(item.entity);
                        // The romanized column, not the name unpacked: the same text.
                        let spelled = xxhash_rust::xxh3::xxh3_64(
                            self.store.item(NAME_ROMANIZED, item.name as usize),
                        );
                        Standing {
                            calibration: self.settings.calibrations.of(kind),
                            kind,
                            prior: priors.get(item.entity as usize).copied().unwrap_or(0.0),
                            spelled,
                        }
                    },
                    shape,
                    (cutoff, self.settings.ambiguity_margin, limit),
                    |item| describe(item, top),
                )
            },
        );
        stage(
            |t| &mut t.evidence,
            || {
                decided
                    .into_iter()
                    .map(|d| self.candidate(d, &views, &queries.readings))
                    .collect()
            },
        )
    }

    /// The best candidate for `name` if it resolves the name by itself
    /// (`decide::accepts`: its score at least `cutoff`, its false-match rate
    /// at most `max_false_match`, or by default the one of its kind:
    /// `max_false_match_of`), else None.
    pub fn resolve(
        &self,
        name: &str,
        kind: Option<&str>,
        bar: (f64, Option<f64>),
    ) -> Result<Option<Candidate>, Damaged> {
        self.resolve_query(&Query::best(name, kind.as_slice()), bar)
    }

    /// `resolve`, of a query's best candidate (its `limit` and `cutoff`
    /// aside): among the entities it allows (`Query::only`).
    pub fn resolve_query(
        &self,
        query: &Query<'_>,
        (cutoff, max_false_match): (f64, Option<f64>),
    ) -> Result<Option<Candidate>, Damaged> {
        let query = Query {
            limit: 1,
            cutoff: 0.0,
            ..*query
        };
        let found = self.candidates(&query)?;
        Ok(found
            .into_iter()
            .next()
            .filter(|c| self.settles(c, (cutoff, max_false_match))))
    }

    /// Whether a query's best candidate resolves it by itself
    /// (`decide::accepts`, at `max_false_match` or by default the rate of
    /// its kind: `max_false_match_of`).
    fn settles(&self, best: &Candidate, (cutoff, max_false_match): (f64, Option<f64>)) -> bool {
        let rate = max_false_match.unwrap_or_else(|| max_false_match_of(self.kind_of(best.entity)));
        accepts(
            (best.score, best.false_match, best.similarity),
            best.method,
            best.settles_in_part,
            (cutoff, rate),
        )
    }

    /// `resolve` of each name, on `threads` threads (a pool kept for each
    /// number asked), in input order.
    pub fn resolve_many(
        &self,
        names: &[String],
        kind: Option<&str>,
        bar: (f64, Option<f64>),
        threads: usize,
    ) -> Result<Vec<Option<Candidate>>, Damaged> {
        in_pool(threads, || {
            self.false_matches(); // measured once, before the threads ask
            names
                .par_iter()
                .map(|n| self.resolve(n, kind, bar))
                .collect()
        })
    }

    /// `candidates` of each query, and whether `resolve` would answer with
    /// the first (at `bar`), on `threads` threads (a pool kept for each
    /// number asked), in input order: a batch of queries that may each ask
    /// for other kinds, limit or set of entities.
    pub fn candidates_many(
        &self,
        queries: &[Query<'_>],
        bar: (f64, Option<f64>),
        threads: usize,
    ) -> Result<Vec<(Vec<Candidate>, bool)>, Damaged> {
        in_pool(threads, || {
            self.false_matches();
            queries
                .par_iter()
                .map(|q| {
                    let found = self.candidates(q)?;
                    let settled = found.first().is_some_and(|c| self.settles(c, bar));
                    Ok((found, settled))
                })
                .collect()
        })
    }

    /// Every name of the index that `cut` keeps for `queries[at]`, scored
    /// against it.
    fn score(
        &self,
        queries: &Queries,
        at: usize,
        (wanted, only): (Option<&[u32]>, Option<&[u32]>),
        cut: &Cut,
    ) -> Result<Vec<Scored>, Damaged> {
        let store = &*self.store;
        let query = queries.packed[at].name();
        let exact = queries.exact[at].as_bytes();
        let (entities, kinds, flags) = (
            store.u32s(Section::NameEntity),
            store.u32s(Section::EntityKind),
            store.bytes(Section::NameFlags),
        );
        let mut scored = Vec::new();
        let info = &|word: &str| store.word_info(word);
        let found = lookup(store, &query, cut, only);
        stage(
            |t| &mut t.scoring,
            || -> Result<(), Damaged> {
                for position in found {
                    let p = position as usize;
                    let entity = entities[p];
                    if wanted.is_some_and(|w| !w.contains(&kinds[entity as usize])) {
                        continue;
                    }
                    let entity_kind = self.kind_of(entity);
                    let score = if store.item(NAME_TEXTS, p) == exact {
                        let mut exactly = NameScore::plain(1.0, Method::Exact);
                        if entity_kind != Kind::Other {
                            exactly.parts = equal_parts(&store.name(p)?, entity_kind, info);
                        }
                        Some(exactly)
                    } else {
                        let name = store.name(p)?;
                        score_name(
                            &query,
                            &name,
                            entity_kind,
                            flags[p] & NAME_ACRONYM == 0,
                            (&self.settings.weights, info),
                        )
                    };
                    if let Some(mut score) = score {
                        if name_kind(flags[p]) == NameKind::Weak {
                            // A nickname or a short name alone says less.
                            scale(&mut score, config::WEAK_ALIAS_FACTOR, Note::WeakAlias);
                        }
                        scored.push(Scored {
                            entity,
                            name: position,
                            score,
                            query: at as u8,
                        });
                    }
                }
                Ok(())
            },
        )?;
        if scored.iter().any(|s| s.score.fuzzy) && self.is_rival(&query.core()) {
            // The query is spelled like another real place: a fuzzy match
            // may still rank, but never resolves the name by itself.
            for s in scored.iter_mut().filter(|s| s.score.fuzzy) {
                scale(&mut s.score, config::RIVAL_FACTOR, Note::Rival);
            }
        }
        Ok(scored)
    }

    fn candidate(
        &self,
        d: Decided,
        queries: &[Name<'_>],
        readings: &[OtherReading],
    ) -> Result<Candidate, Damaged> {
        let store = &*self.store;
        let name = store.name(d.item.name as usize)?;
        let query = &queries[d.item.query as usize];
        let evidence = d
            .item
            .score
            .evidence
            .iter()
            .map(|e| match *e {
                Evidence::Romanized(s) => (
                    format!("both romanized as {}", pystr::repr(query.romanized)),
                    s,
                ),
                Evidence::Whole(s) => (format!("{}~{}", query.romanized, name.romanized), s),
                Evidence::Pair {
                    query: i,
                    name: j,
                    similarity,
                } => {
                    let label = match (query.words.get(i as usize), name.words.get(j as usize)) {
                        (Some(q), Some(n)) => compared(q, n),
                        _ => String::new(),
                    };
                    (label, similarity)
                }
                Evidence::Factor(Note::Rival, f) => {
                    ("spelled like another place (GeoNames)".to_owned(), f)
                }
                Evidence::Factor(Note::WeakAlias, f) => ("a weak alias".to_owned(), f),
                Evidence::Factor(Note::Reading(k), f) => (
                    readings
                        .get(k as usize)
                        .map(|r| r.note.clone())
                        .unwrap_or_default(),
                    f,
                ),
            })
            .collect();
        let alias = std::str::from_utf8(store.item(NAME_TEXTS, d.item.name as usize))
            .map_err(|_| Damaged("a name that is not UTF-8"))?
            .to_owned();
        Ok(Candidate {
            entity: d.item.entity,
            alias,
            alias_kind: name_kind(store.bytes(Section::NameFlags)[d.item.name as usize]),
            score: d.score,
            false_match: 0.0,
            similarity: d.item.score.score,
            method: d.item.score.method,
            settles_in_part: settles_in_part(self.kind_of(d.item.entity), &d.facts),
            ambiguous: d.ambiguous,
            runner_up: d.runner_up,
            evidence,
            features: d.features,
            facts: d.facts,
        })
    }
}

/// The false-match rate at most that `resolve` accepts by default for a
/// match of an entity of `kind`: `config::MAX_FALSE_MATCH_PERSON` for a
/// person, `config::MAX_FALSE_MATCH` for the rest.
pub fn max_false_match_of(kind: Kind) -> f64 {
    match kind {
        Kind::Person => config::MAX_FALSE_MATCH_PERSON,
        Kind::Org | Kind::Other => config::MAX_FALSE_MATCH,
    }
}

/// `score` times `factor`, and why in its evidence.
fn scale(score: &mut NameScore, factor: f64, note: Note) {
    score.score *= factor;
    score.evidence.push(Evidence::Factor(note, factor));
}

/// `run` on the pool of `threads` threads (on this thread, its parallel
/// iterators on rayon's global pool, if that pool cannot be made).
fn in_pool<T: Send>(threads: usize, run: impl FnOnce() -> T + Send) -> T {
    match pool(threads) {
        Some(pool) => pool.install(run),
        None => run(),
    }
}

/// The pool of `threads` threads, made once for each number asked (None if
/// it cannot start).
fn pool(threads: usize) -> Option<Arc<rayon::ThreadPool>> {
    static POOLS: LazyLock<Mutex<HashMap<usize, Arc<rayon::ThreadPool>>>> =
        LazyLock::new(Default::default);
    let mut pools = POOLS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(found) = pools.get(&threads) {
        return Some(Arc::clone(found));
    }
    let made = Arc::new(
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads.max(1))
            .build()
            .ok()?,
    );
    pools.insert(threads, Arc::clone(&made));
    Some(made)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testdata::{resolver, sample};

    #[test]
    fn a_batch_answers_as_its_queries_one_by_one() {
        let r = resolver(sample());
        let only = [0u32, 4];
        let names = [
            "Gadrut",
            "Bagdad",
            "Nicole Bashinian",
            "OSCE",
            "Xatai",
            "",
            "zzz",
        ];
        let mut queries = Vec::new();
        for (i, name) in names.iter().enumerate() {
            queries.push(Query {
                limit: 1 + i % 3,
                ..Query::best(name, &[])
            });
            queries.push(Query::best(name, &["place"]));
            queries.push(Query::best(name, &["place", "person"]));
            queries.push(Query {
                only: Some(&only),
                ..Query::best(name, &[])
            });
        }
        let alone: Vec<Vec<(u32, f64)>> = queries
            .iter()
            .map(|q| {
                r.candidates(q)
                    .unwrap()
                    .iter()
                    .map(|c| (c.entity, c.score))
                    .collect()
            })
            .collect();
        let bar = (0.5, None);
        let settled: Vec<bool> = queries
            .iter()
            .map(|q| r.resolve_query(q, bar).unwrap().is_some())
            .collect();
        for threads in [1, 2] {
            let (batch, batch_settled): (Vec<Vec<(u32, f64)>>, Vec<bool>) = r
                .candidates_many(&queries, bar, threads)
                .unwrap()
                .iter()
                .map(|(found, settled)| {
                    (
                        found.iter().map(|c| (c.entity, c.score)).collect(),
                        *settled,
                    )
                })
                .unzip();
            assert_eq!(batch, alone, "{threads} threads");
            assert_eq!(batch_settled, settled, "{threads} threads");
        }
        assert!(alone.iter().any(|found| found.len() > 1));
        assert!(settled.iter().any(|&s| s) && settled.iter().any(|&s| !s));
        let (names, kind_of) = (r.store.kinds(), r.store.u32s(Section::EntityKind));
        for (q, found) in queries.iter().zip(&alone) {
            let kind = |e: u32| names[kind_of[e as usize] as usize];
            assert!(q.kinds.is_empty() || found.iter().all(|&(e, _)| q.kinds.contains(&kind(e))));
        }
    }
}
