//! Stage 0: a qualifier. "Paris, Texas", "Paris TX", "London, Ontario",
//! "Tbilisi, Georgia": a query that ends with the name or code of a country
//! or first-level region may name a place in it, and the namesakes
//! elsewhere are not what it means.
//!
//! The gazetteer says what its places are and where they lie, in their
//! attrs: a country or region carries `feature` ("country", "region"),
//! `country` (ISO 3166 code), a region the `admin1` code of the places in
//! it where one is known, and both the `codes` a qualifier may use ("TX",
//! "US-TX"; "FR", "FRA"); every place carries its `country` and, where
//! known, its `admin1`. Read from the store once, on the first query; and
//! the countries and regions of the world gazetteer (`data::WORLD`) name
//! areas in any gazetteer, so that "Ivanovo, Belarus" means a place in
//! Belarus in a gazetteer of cities alone.

use std::sync::LazyLock;

use rustc_hash::FxHashMap;

use crate::data;
use crate::keys::name_keys;
use crate::pystr;
use crate::store::Store;

/// Where a place lies: a country and, if known, its first-level region.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Area {
    country: String,
    admin1: Option<String>,
}

/// The qualifiers of a store: the areas each qualifier names, and the
/// entities in each area.
#[derive(Debug, Default)]
pub struct Qualifiers {
    /// The romanized name or code of a country or region -> the areas it names.
    named: FxHashMap<String, Vec<Area>>,
    /// Each area -> the entities in it (positions, ascending).
    within: FxHashMap<Area, Vec<u32>>,
}

/// What a qualified query asks: the name before the qualifier, and the
/// entities it allows (positions, ascending).
#[derive(Clone, Debug, PartialEq)]
pub struct Qualified<'q> {
    pub head: &'q str,
    pub only: Vec<u32>,
}

/// The fields of an entity's attrs that say where it is.
#[derive(serde::Deserialize)]
struct Placed {
    country: Option<String>,
    admin1: Option<String>,
    feature: Option<String>,
    #[serde(default)]
    codes: Vec<String>,
}

/// How many words at most a qualifier not set off by a comma has
/// ("New South Wales").
const MOST_WORDS: usize = 3;

/// An entity of the world gazetteer's files, as far as qualifiers read it.
#[derive(serde::Deserialize)]
struct Listed {
    name: String,
    #[serde(default)]
    aliases: Vec<String>,
    attrs: Placed,
}

#[derive(serde::Deserialize)]
struct WorldFile {
    entity: Vec<Listed>,
}

/// The areas that the world's countries and regions name (`data::WORLD`).
static WORLD: LazyLock<FxHashMap<String, Vec<Area>>> = LazyLock::new(|| {
    let mut named = FxHashMap::default();
    for text in data::WORLD {
        let file: WorldFile =
            toml::from_str(text).expect("namenorm/data/world/ is part of the source");
        for Listed {
            name,
            aliases,
            attrs,
        } in file.entity
        {
            let names = std::iter::once(&name).chain(&aliases).chain(&attrs.codes);
            name_areas(&mut named, names.map(String::as_str), &attrs);
        }
    }
    named
});

/// Record that `names` name the area of a country or region of `attrs`.
fn name_areas<'a>(
    named: &mut FxHashMap<String, Vec<Area>>,
    names: impl Iterator<Item = &'a str>,
    attrs: &Placed,
) {
    let Some(country) = attrs.country.clone() else {
        return;
    };
    let area = match attrs.feature.as_deref() {
        Some("country") => Area {
            country,
            admin1: None,
        },
        Some("region") => Area {
            country,
            admin1: attrs.admin1.clone(),
        },
        _ => return,
    };
    for text in names {
        let key = name_keys(text).romanized;
        if !key.is_empty() {
            let areas = named.entry(key).or_default();
            if !areas.contains(&area) {
                areas.push(area.clone());
            }
        }
    }
}

impl Qualifiers {
    /// The qualifiers of the entities of `store` (none if it holds no attrs).
    pub fn of(store: &Store) -> Qualifiers {
        let mut found = Qualifiers::default();
        for i in 0..store.entities() {
            let Some((_, name, _, aliases, _, Some(attrs))) = store.entity(i) else {
                continue;
            };
            let Ok(placed) = serde_json::from_str::<Placed>(attrs) else {
                continue;
            };
            let Some(country) = placed.country.clone() else {
                continue;
            };
            let names = std::iter::once(name)
                .chain(aliases.iter().map(|(a, _)| *a))
                .chain(placed.codes.iter().map(String::as_str));
            name_areas(&mut found.named, names, &placed);
            let area = Area {
                country: country.clone(),
                admin1: placed.admin1.clone(),
            };
            let regional = Area {
                country,
                admin1: None,
            };
            if area.admin1.is_some() {
                found.within.entry(area).or_default().push(i as u32);
            }
            found.within.entry(regional).or_default().push(i as u32);
        }
        found
    }

    /// `query` read as a name and a qualifier: after its last comma, or its
    /// last one to three words; the longest qualifier found. None if it
    /// ends with none, or nothing comes before it.
    pub fn read<'q>(&self, query: &'q str) -> Option<Qualified<'q>> {
        if self.within.is_empty() {
            return None;
        }
        let (head, areas) = match query.rfind(',') {
            Some(comma) => (&query[..comma], self.areas(&query[comma + 1..])?),
            None => {
                // Word starts, from the second word on.
                let words: Vec<usize> = pystr::split(query)
                    .map(|w| w.as_ptr() as usize - query.as_ptr() as usize)
                    .collect();
                let first = words.len().saturating_sub(MOST_WORDS).max(1);
                words.get(first..)?.iter().find_map(|&start| {
                    let areas = self.areas(&query[start..])?;
                    Some((&query[..start], areas))
                })?
            }
        };
        let head = head.trim_end_matches(|c: char| c.is_whitespace() || c == ',');
        if name_keys(head).words.is_empty() {
            return None;
        }
        let mut only: Vec<u32> = areas
            .iter()
            .filter_map(|a| self.within.get(a))
            .flatten()
            .copied()
            .collect();
        only.sort_unstable();
        only.dedup();
        (!only.is_empty()).then_some(Qualified { head, only })
    }

    /// The areas a qualifier names: in the gazetteer's own countries and
    /// regions, or else in the world's.
    fn areas(&self, qualifier: &str) -> Option<&Vec<Area>> {
        let key = name_keys(qualifier).romanized;
        self.named.get(&key).or_else(|| WORLD.get(&key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{EntityRecord, NameKind};

    fn place(id: &str, name: &str, aliases: &[&str]) -> EntityRecord {
        EntityRecord {
            id: id.to_owned(),
            name: name.to_owned(),
            kind: "place".to_owned(),
            aliases: aliases
                .iter()
                .map(|a| ((*a).to_owned(), NameKind::Alias))
                .collect(),
            prior: 1.0,
        }
    }

    #[test]
    fn qualifiers_name_areas() {
        let records = vec![
            place("g:1", "Paris", &[]),
            place("g:2", "Paris", &[]),
            place("g:3", "Texas", &[]),
            place("g:4", "France", &["Frankreich"]),
            place("g:5", "New South Wales", &[]),
            place("g:6", "Sydney", &[]),
        ];
        let attrs: Vec<String> = [
            r#"{"country": "FR"}"#,
            r#"{"country": "US", "admin1": "TX"}"#,
            r#"{"country": "US", "admin1": "TX", "feature": "region", "codes": ["TX", "US-TX"]}"#,
            r#"{"country": "FR", "feature": "country", "codes": ["FR", "FRA"]}"#,
            r#"{"country": "AU", "feature": "region", "codes": ["AU-NSW"]}"#,
            r#"{"country": "AU", "admin1": "02"}"#,
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        let store = Store::build(&records, Some(&attrs)).unwrap();
        let q = Qualifiers::of(&store);
        let read = |text: &str| q.read(text).map(|r| (r.head.to_owned(), r.only));
        assert_eq!(read("Paris, Texas"), Some(("Paris".to_owned(), vec![1, 2])));
        assert_eq!(read("Paris TX"), Some(("Paris".to_owned(), vec![1, 2])));
        assert_eq!(
            read("Paris, Frankreich"),
            Some(("Paris".to_owned(), vec![0, 3]))
        );
        // A region of no known admin1 code stands for its country.
        assert_eq!(
            read("Sydney New South Wales"),
            Some(("Sydney".to_owned(), vec![4, 5]))
        );
        assert_eq!(read("Texas"), None, "nothing before it");
        assert_eq!(read("Paris"), None);
        assert_eq!(read("Paris, Mars"), None);
        // The world's names of countries and regions, in any gazetteer.
        assert_eq!(
            read("Paris, Frankrijk"),
            Some(("Paris".to_owned(), vec![0, 3]))
        );
        assert_eq!(
            read("Sydney, Australia"),
            Some(("Sydney".to_owned(), vec![4, 5]))
        );
        assert_eq!(read("Paris, Belarus"), None, "no place of it here");
        assert_eq!(read(", Texas"), None);
    }
}
