//! `Index` and `IndexBuilder`: a gazetteer's image, built or mapped.

use super::*;

/// A gazetteer's entities and candidate index, built in memory or mapped
/// from a compiled index (see the core's `store`).
#[pyclass(frozen, module = "namenorm._core")]
pub(super) struct Index {
    pub(super) store: Arc<Store>,
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
pub(super) struct IndexBuilder {
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
pub(super) fn ascending(mut positions: Vec<u32>) -> Vec<u32> {
    positions.sort_unstable();
    positions.dedup();
    positions
}
