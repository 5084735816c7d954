//! What scoring a query against one name yields (`score`, and `person`
//! for people's names): the score, how it was reached, and what the parts
//! of the name say beyond how alike they are.

use smallvec::SmallVec;

use crate::similarity::Method;

/// What a score rests on, to be said in words when a match is shown.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Evidence {
    /// Both names romanize alike.
    Romanized(f64),
    /// The words joined, compared whole.
    Whole(f64),
    /// Word `query` of the query against word `name` of the name.
    Pair {
        query: u8,
        name: u8,
        similarity: f64,
    },
    /// A factor on the score, and why (`Note`).
    Factor(Note, f64),
}

/// Why a score was scaled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Note {
    /// The query is spelled like a real place the gazetteer lacks.
    Rival,
    /// The query was read otherwise: the reading at this position.
    Reading(u8),
    /// The name matched is a weak alias of its entity.
    WeakAlias,
}

/// The score of a query against one name, with how it was reached.
#[derive(Clone, Debug, PartialEq)]
pub struct NameScore {
    pub score: f64,
    pub method: Method,
    pub evidence: SmallVec<[Evidence; 4]>,
    /// Some word agreed only by spelling or sound, not as written.
    pub fuzzy: bool,
    /// What a person's or an organisation's name says beyond how alike it is.
    pub parts: Parts,
}

/// What the parts of a person's or an organisation's name say beyond how
/// alike they are (nothing, for other kinds).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Parts {
    /// How many parts of either name that say who it is (not particles,
    /// titles, initials or legal forms) have no counterpart in the other.
    pub left_out: u8,
    /// How much the name's parts that agree say of which one it is: the sum
    /// of their `Store::word_info` (common given names little, rare
    /// surnames much).
    pub info: f64,
    /// How much the parts left out say (of either name).
    pub info_left_out: f64,
}

impl NameScore {
    /// A score with no evidence but its method.
    pub fn plain(score: f64, method: Method) -> NameScore {
        NameScore {
            score,
            method,
            evidence: SmallVec::new(),
            fuzzy: false,
            parts: Parts::default(),
        }
    }
}

/// How much a romanized word of a person's or an organisation's name says
/// of which one it is, in [0, 1] (`Store::word_info`).
pub type Info<'a> = &'a dyn Fn(&str) -> f64;
