//! Stage 4: the candidate index, from a query to the few names of the
//! gazetteer worth scoring: those admitted (`admit`: sharing enough of its
//! sound-key grams, or a Metaphone key), then cut to the most alike (`cut`).

use crate::admit::admitted;
use crate::cut::cheap_cut;
pub use crate::cut::{Cut, TEXT_CUT};
use crate::packed::Name;
use crate::store::{Section, Store};
use crate::timing::stage;

/// The names that share at least `cut.min_shared` of the query's grams, or
/// a word's Metaphone key, in index order: at most `cut.limit` of them, the
/// most alike (Dice coefficient of grams, plus similarities of spelling and
/// sound), chosen among the `cut.preselect` that share the most grams, and
/// none less alike than `cut.min_alike` or than the most alike less
/// `cut.within`.
pub fn lookup(store: &Store, query: &Name<'_>, cut: &Cut, only: Option<&[u32]>) -> Vec<u32> {
    let mut found = stage(
        |t| &mut t.admission,
        || admitted(store, query, cut.min_shared),
    );
    if let Some(only) = only {
        // Only names of these entities compete for the cut.
        let entities = store.u32s(Section::NameEntity);
        found.retain(|&(p, _)| only.binary_search(&entities[p as usize]).is_ok());
    }
    let (positions, dice) = found.into_iter().unzip();
    stage(
        |t| &mut t.cut,
        || cheap_cut(store, query, cut, positions, dice),
    )
}
